/// The text shown in an alert around a match: the match with about 50 characters of context each side,
/// cut at word boundaries, white space collapsed, `…` where the text was cut.
enum Snippet {
    static let context = 50
    static let maxMatch = 120

    /// `start..<end` are UTF-8 offsets of the match in `text`, on character boundaries.
    static func around(_ text: String, start: Int, end: Int) -> String {
        let utf8 = text.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: min(max(start, 0), utf8.count))
        let upper = utf8.index(utf8.startIndex, offsetBy: min(max(end, start, 0), utf8.count))
        let (s, e) = (lower, upper)

        var match = text[s..<e]
        var matchCut = false
        if let capped = match.index(match.startIndex, offsetBy: maxMatch, limitedBy: match.endIndex),
            capped < match.endIndex
        {
            match = match[..<capped]
            matchCut = true
        }

        let before = text[..<s]
        var left = before.suffix(context)
        let leftCut = left.startIndex > before.startIndex
        if leftCut, !(before[before.index(before: left.startIndex)].isWhitespace),
            let space = left.firstIndex(where: \.isWhitespace)
        {
            left = left[space...]  // drop the partial word at the cut
        }

        let after = text[e...]
        var right = matchCut ? Substring() : after.prefix(context)
        let rightCut = matchCut || right.endIndex < after.endIndex
        if rightCut, right.endIndex < after.endIndex, !after[right.endIndex].isWhitespace,
            let space = right.lastIndex(where: \.isWhitespace)
        {
            right = right[..<space]
        }

        let body = collapsed(String(left) + String(match) + String(right))
        return (leftCut ? "…" : "") + body + (rightCut ? "…" : "")
    }

    private static func collapsed(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        for u in s.unicodeScalars {
            if u.properties.isWhitespace {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(u)
            }
        }
        return String(out)
    }
}
