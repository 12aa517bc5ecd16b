import Crypto
import Foundation

/// The two keys under which a story is recognised when it comes back under another guid or in
/// another feed (SPEC §4): its canonical link and its normalised title. Either one matching within
/// 48 hours is the same story.
enum StoryKeys {
    /// The link without what changes between copies of one story: the scheme (http/https), a
    /// leading `www.`, a default port, `utm_*` parameters and the fragment; the host lowercased.
    /// Path and other parameters are kept: they tell stories apart. Nil for non-web links.
    static func canonicalLink(_ link: String) -> String? {
        let trimmed = link.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let components = URLComponents(string: trimmed),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            var host = components.host?.lowercased(), !host.isEmpty
        else { return nil }
        if host.hasPrefix("www.") { host.removeFirst(4) }
        var key = host
        if let port = components.port, port != 80 && port != 443 { key += ":\(port)" }
        let path = components.percentEncodedPath
        key += path.isEmpty ? "/" : path
        if let query = components.percentEncodedQuery {
            let kept = query.split(separator: "&").filter { parameter in
                !parameter.isEmpty && !parameter.lowercased().hasPrefix("utm_")
            }
            if !kept.isEmpty { key += "?" + kept.joined(separator: "&") }
        }
        return key
    }

    /// The title as a story key: the caller's normalised title, lowercased with white space collapsed,
    /// without a trailing comment/point count — "Foo (12 comments)", "Foo [13]", "foo 14 comments" —
    /// which aggregators bump on every poll. Nil when too short to tell stories apart ("Update"):
    /// fewer than 3 words and fewer than 12 characters.
    static func titleKey(_ title: String) -> String? {
        var text = title.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        // The expressions only match at the end: most titles end in neither a bracket nor a count
        // word, and skip them.
        if text.last == ")" || text.last == "]" || countWords.contains(where: text.hasSuffix),
            let match = text.firstMatch(of: bracketedCount) ?? text.firstMatch(of: spelledCount)
        {
            text = String(text[..<match.range.lowerBound]).trimmingCharacters(in: .whitespaces)
        }
        let words = text.split(separator: " ").count
        guard words >= 3 || text.count >= 12 else { return nil }
        return text
    }

    /// A 16-byte SHA-256 prefix: keys may be long URLs and only their equality matters; 128 bits
    /// make a collision between two of a few million keys vanishingly unlikely.
    static func hash(_ text: String) -> Data {
        Data(SHA256.hash(data: Data(text.utf8)).prefix(16))
    }

    /// The last words `spelledCount` can end with (`comments?` ends in "comment" or "comments"…).
    private static let countWords = [
        "comment", "comments", "replies", "reply", "point", "points", "vote", "votes", "response", "responses",
    ]

    private nonisolated(unsafe) static let bracketedCount = #/\s*[(\[]\s*\d[\d,.]*\s*[\p{L}]*\s*[)\]]\s*$/#
    private nonisolated(unsafe) static let spelledCount =
        #/\s+\d[\d,.]*\s+(?:comments?|replies|reply|points?|votes?|responses?)\s*$/#
}
