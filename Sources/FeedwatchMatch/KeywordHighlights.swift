import Foundation

/// Where keywords occur in a text, to show them highlighted (the status page marks them in alert
/// titles).
///
/// Words are compared as `RuleMatcher` compares them — the same scanner, the same normalisation, a
/// phrase across any punctuation, `word*` as a prefix, `/regex/` over the original text — but every
/// occurrence is found, not only the first, and nothing is decided about rules.
public enum KeywordHighlights {
    /// The parts of `text` that `keywords` (as written in a rule) match, in order, overlaps merged.
    /// A keyword that does not compile matches nothing.
    public static func ranges(of keywords: [String], in text: String) -> [Range<String.Index>] {
        guard !keywords.isEmpty, !text.isEmpty else { return [] }
        var spans: [Range<Int>] = []
        var words: WordPositions?
        for keyword in keywords {
            switch Keyword.parse(keyword) {
            case .failure:
                continue
            case .success(.regex(let regex)):
                spans += regexSpans(regex, in: text)
            case .success(.words(let pattern, let lastIsPrefix)):
                if words == nil {
                    var collector = WordPositions()
                    WordScanner.scan(text, into: &collector)
                    words = collector
                }
                spans += words!.spans(of: pattern, lastIsPrefix: lastIsPrefix)
            }
        }
        return merged(spans).compactMap { span in
            let utf8 = text.utf8
            guard let lower = utf8.index(utf8.startIndex, offsetBy: span.lowerBound, limitedBy: utf8.endIndex),
                let upper = utf8.index(utf8.startIndex, offsetBy: span.upperBound, limitedBy: utf8.endIndex)
            else { return nil }
            return lower..<upper
        }
    }

    /// UTF-8 offsets of every match of `regex` (NSRegularExpression counts in UTF-16).
    private static func regexSpans(_ regex: NSRegularExpression, in text: String) -> [Range<Int>] {
        let whole = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: whole).compactMap { match in
            guard match.range.length > 0, let range = Range(match.range, in: text) else { return nil }
            let start = text.utf8.distance(from: text.utf8.startIndex, to: range.lowerBound)
            return start..<(start + text.utf8.distance(from: range.lowerBound, to: range.upperBound))
        }
    }

    private static func merged(_ spans: [Range<Int>]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        for span in spans.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = result.last, span.lowerBound <= last.upperBound {
                result[result.count - 1] = last.lowerBound..<max(last.upperBound, span.upperBound)
            } else {
                result.append(span)
            }
        }
        return result
    }
}

/// The normalised words of a text with their UTF-8 ranges in the original.
private struct WordPositions: WordSink {
    var words: [(word: [UInt8], start: Int, end: Int, matchable: Bool)] = []

    mutating func word(_ word: UnsafeBufferPointer<UInt8>, hash: UInt64, start: Int, end: Int, matchable: Bool) {
        words.append((Array(word), start, end, matchable))
    }

    /// Every run of consecutive words equal to `pattern` (its last word a prefix when `lastIsPrefix`).
    /// A word too long to be a keyword breaks a phrase, as it does in `RuleMatcher`.
    func spans(of pattern: [[UInt8]], lastIsPrefix: Bool) -> [Range<Int>] {
        guard !pattern.isEmpty, words.count >= pattern.count else { return [] }
        var spans: [Range<Int>] = []
        for first in 0...(words.count - pattern.count) {
            var matches = true
            for (k, expected) in pattern.enumerated() {
                let candidate = words[first + k]
                let isLast = k == pattern.count - 1
                let equal =
                    isLast && lastIsPrefix ? candidate.word.starts(with: expected) : candidate.word == expected
                if !candidate.matchable || !equal {
                    matches = false
                    break
                }
            }
            if matches { spans.append(words[first].start..<words[first + pattern.count - 1].end) }
        }
        return spans
    }
}
