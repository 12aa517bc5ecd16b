import Foundation

/// The feed URL checks every feed goes through, with a byte-level fast path: a million feeds
/// cannot afford a `URLComponents` parse each. The fast path answers only for plain ASCII URLs
/// whose parts need no decoding (no `%`, no user, no IPv6 literal); anything else goes to
/// `URLComponents`, so both always agree.
enum FeedURL {
    /// Whether `text` is an `http:` or `https:` URL with a host.
    static func isHTTP(_ text: String) -> Bool {
        if let simple = SimpleHTTPURL.hostIsEmpty(text) { return !simple }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return false }
        return true
    }

    /// `lemonde.fr/rss/une.xml` for `https://www.lemonde.fr/rss/une.xml`: the host without `www.`
    /// and the path, the name a feed gets without `name:`.
    static func derivedName(_ text: String) -> String {
        if let simple = SimpleHTTPURL(text) {
            let host = simple.host.hasPrefix("www.") ? simple.host.dropFirst(4) : simple.host
            return simple.path == "/" ? String(host) : String(host) + simple.path
        }
        guard let components = URLComponents(string: text), var host = components.host else { return text }
        if host.hasPrefix("www.") { host.removeFirst(4) }
        let path = components.path == "/" ? "" : components.path
        return host + path
    }
}

/// An http(s) URL made only of characters that stand for themselves, split without decoding.
struct SimpleHTTPURL {
    var host: Substring
    /// Empty, or starting with `/`.
    var path: Substring

    init?(_ text: String) {
        var text = text
        guard
            let parts = text.withUTF8({ bytes -> (host: Range<Int>, path: Range<Int>)? in
                Self.split(bytes)
            })
        else { return nil }
        let utf8 = text.utf8
        func index(_ offset: Int) -> String.Index { utf8.index(utf8.startIndex, offsetBy: offset) }
        host = text[index(parts.host.lowerBound)..<index(parts.host.upperBound)]
        path = text[index(parts.path.lowerBound)..<index(parts.path.upperBound)]
    }

    /// Whether the host is empty, for a URL the fast path answers for; nil otherwise.
    static func hostIsEmpty(_ text: String) -> Bool? {
        var text = text
        return text.withUTF8 { bytes in split(bytes).map { $0.host.isEmpty } }
    }

    private static let slash = UInt8(ascii: "/"), colon = UInt8(ascii: ":")
    private static let question = UInt8(ascii: "?"), hash = UInt8(ascii: "#")

    /// The byte ranges of host and path, or nil when the URL needs the full parser.
    private static func split(_ bytes: UnsafeBufferPointer<UInt8>) -> (host: Range<Int>, path: Range<Int>)? {
        var index: Int
        if hasPrefix(bytes, "https://") {
            index = 8
        } else if hasPrefix(bytes, "http://") {
            index = 7
        } else {
            return nil
        }
        let hostStart = index
        while index < bytes.count, isHostByte(bytes[index]) { index += 1 }
        let hostEnd = index
        if index < bytes.count, bytes[index] == colon {
            index += 1
            let portStart = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard (1...5).contains(index - portStart) else { return nil }
        }
        guard index == bytes.count || [slash, question, hash].contains(bytes[index]) else { return nil }
        let pathStart = index
        while index < bytes.count, bytes[index] != question, bytes[index] != hash {
            guard isPathByte(bytes[index]) else { return nil }
            index += 1
        }
        let pathEnd = index
        var sawHash = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == hash {
                guard !sawHash else { return nil }
                sawHash = true
            } else if byte != question, !isPathByte(byte) {
                return nil
            }
            index += 1
        }
        return (hostStart..<hostEnd, pathStart..<pathEnd)
    }

    private static func hasPrefix(_ bytes: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> Bool {
        guard bytes.count >= prefix.utf8CodeUnitCount else { return false }
        for offset in 0..<prefix.utf8CodeUnitCount {
            let byte = bytes[offset]
            // The scheme is case-insensitive: `HTTPS://` is an https URL.
            let lowered = (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
            if lowered != prefix.utf8Start[offset] { return false }
        }
        return true
    }

    /// Letters, digits, `-`, `.`, `_`, `~`: a registered name that needs no decoding.
    private static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// RFC 3986 `pchar` without `%` (so nothing to decode), and `/`.
    private static func isPathByte(_ byte: UInt8) -> Bool {
        if isHostByte(byte) { return true }
        switch byte {
        case UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("),
            UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"),
            UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "/"):
            return true
        default:
            return false
        }
    }
}
