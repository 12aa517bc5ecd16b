import Foundation

/// The syntax of a keyword as written in a rule (SPEC §4).
public enum Keyword {
    /// nil if the keyword is valid, else a one-line message such as `invalid regular expression: …`
    /// or `empty keyword`.
    public static func syntaxError(in keyword: String) -> String? {
        switch parse(keyword) {
        case .success: nil
        case .failure(let error): error.message
        }
    }

    /// A keyword compiled: a regular expression, or a sequence of normalised words whose last may be a prefix.
    enum Parsed {
        case regex(NSRegularExpression)
        case words([[UInt8]], lastIsPrefix: Bool)
    }

    struct SyntaxError: Error {
        var message: String
    }

    static func parse(_ written: String) -> Result<Parsed, SyntaxError> {
        let keyword = written.trimmingCharacters(in: .whitespacesAndNewlines)
        if keyword.isEmpty { return .failure(SyntaxError(message: "empty keyword")) }
        if keyword.hasPrefix("/") { return parseRegex(keyword) }

        var body = Substring(keyword)
        let isPrefix = body.hasSuffix("*")
        if isPrefix { body = body.dropLast() }
        if body.contains("*") {
            return .failure(SyntaxError(message: "'*' may only end a keyword, as in panne* (prefix match)"))
        }
        var collector = WordCollector()
        WordScanner.scan(String(body), into: &collector)
        if collector.words.isEmpty {
            return .failure(
                SyntaxError(
                    message: isPrefix && body.isEmpty ? "empty keyword" : "keyword has no letter or digit to match"))
        }
        if collector.tooLong {
            return .failure(
                SyntaxError(message: "a word of the keyword is longer than \(WordScanner.maxWordBytes) bytes"))
        }
        if isPrefix && collector.lastEnd != body.utf8.count {
            return .failure(SyntaxError(message: "'*' must directly follow a word, as in panne*"))
        }
        return .success(.words(collector.words, lastIsPrefix: isPrefix))
    }

    private static func parseRegex(_ keyword: String) -> Result<Parsed, SyntaxError> {
        let pattern: Substring
        var options: NSRegularExpression.Options = []
        if keyword.count >= 3 && keyword.hasSuffix("/i") {
            pattern = keyword.dropFirst().dropLast(2)
            options.insert(.caseInsensitive)
        } else if keyword.count >= 2 && keyword.hasSuffix("/") {
            pattern = keyword.dropFirst().dropLast()
        } else {
            return .failure(SyntaxError(message: "a regular expression must be written /pattern/ or /pattern/i"))
        }
        if pattern.isEmpty { return .failure(SyntaxError(message: "empty regular expression")) }
        do {
            return .success(.regex(try NSRegularExpression(pattern: String(pattern), options: options)))
        } catch {
            return .failure(SyntaxError(message: "invalid regular expression: /\(pattern)/ does not compile"))
        }
    }
}

/// Collects the normalised words of a short text (keywords, `TextNormaliser`).
struct WordCollector: WordSink {
    var words: [[UInt8]] = []
    var tooLong = false
    var lastEnd = 0

    mutating func word(_ word: UnsafeBufferPointer<UInt8>, hash: UInt64, start: Int, end: Int, matchable: Bool) {
        words.append(Array(word))
        if !matchable { tooLong = true }
        lastEnd = end
    }
}
