import Foundation

/// Shaping of feed-supplied text for places with rules: single-line values, length limits, HTTP headers.
///
/// Feed text is attacker-controlled: a title may hold CR/LF (header injection), megabytes (a 100 KB title
/// is still an item to report, so it is cut, never rejected) or non-ASCII (invalid in an HTTP header).
public enum SafeText {
    /// How a length limit is counted: services count differently.
    public enum Measure: Sendable {
        /// Extended grapheme clusters, what a person calls characters.
        case characters
        /// UTF-16 code units, which is how JavaScript-based services (Discord) count.
        case utf16
        /// UTF-8 bytes, for byte-limited bodies (ntfy's 4,096).
        case utf8

        func length(of character: Character) -> Int {
            switch self {
            case .characters: return 1
            case .utf16: return character.utf16.count
            case .utf8: return character.utf8.count
            }
        }
    }

    public static let ellipsis: Character = "…"

    /// `text` cut to at most `limit` (counted by `measure`), at a character boundary, ending in "…" when cut.
    public static func cut(_ text: String, to limit: Int, by measure: Measure = .characters) -> String {
        let room = limit - measure.length(of: ellipsis)
        guard room >= 0 else { return "" }
        var used = 0
        var endWithinRoom = text.startIndex
        var index = text.startIndex
        // Stops at the first character past the limit, so a 100 KB title costs no more than a short one.
        while index < text.endIndex {
            let size = measure.length(of: text[index])
            if used + size > limit { return String(text[..<endWithinRoom]) + String(ellipsis) }
            used += size
            index = text.index(after: index)
            if used <= room { endWithinRoom = index }
        }
        return text
    }

    /// True for characters that end or break a line or a header: C0 and C1 controls, DEL, U+2028, U+2029.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028
            || scalar.value == 0x2029
    }

    /// `text` on one line: each run of controls and white space becomes one space; trimmed.
    public static func oneLine(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if isControl(scalar) || scalar.properties.isWhitespace {
                pendingSpace = !result.isEmpty
                continue
            }
            if pendingSpace { result.append(" ") }
            pendingSpace = false
            result.append(scalar)
        }
        return String(result)
    }

    /// A value safe to put in an HTTP header: one line, cut to `limit` characters, and, when it is not plain
    /// ASCII, RFC 2047 encoded-words (`=?UTF-8?B?…?=`), which ntfy decodes.
    public static func headerValue(_ text: String, limit: Int = 250) -> String {
        let line = cut(oneLine(text), to: limit)
        if line.unicodeScalars.allSatisfy({ $0.isASCII }) { return line }
        return rfc2047(line)
    }

    /// RFC 2047 "B" encoded-words, each at most 75 characters, split between whole characters so each
    /// word decodes to valid UTF-8 on its own; adjacent words are joined by a space, which decoders drop.
    public static func rfc2047(_ text: String) -> String {
        var words: [String] = []
        var chunk: [UInt8] = []
        // 45 bytes → 60 base64 characters + 12 of "=?UTF-8?B?" and "?=" = 72, under the 75 limit.
        for character in text {
            let bytes = Array(character.utf8)
            if !chunk.isEmpty && chunk.count + bytes.count > 45 {
                words.append(encodedWord(chunk))
                chunk = []
            }
            chunk.append(contentsOf: bytes.prefix(45))
        }
        if !chunk.isEmpty { words.append(encodedWord(chunk)) }
        return words.joined(separator: " ")
    }

    private static func encodedWord(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
    }

    /// A URL safe in a header or in chat markup: every byte outside printable ASCII, and the characters in
    /// `alsoEscaping`, percent-encoded. Existing `%XX` escapes are left as they are.
    public static func urlValue(_ url: String, alsoEscaping: Set<UInt8> = []) -> String {
        var result = ""
        for byte in url.utf8 {
            if byte > 0x20 && byte < 0x7F && !alsoEscaping.contains(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }

    /// True when `url` is an absolute http(s) URL, which is what chat services accept as a link target.
    public static func isWebURL(_ url: String) -> Bool {
        let lower = url.lowercased()
        return lower.hasPrefix("https://") || lower.hasPrefix("http://")
    }

    /// `text` with `&`, `<`, `>` and `"` escaped: safe in HTML text and in a double-quoted attribute
    /// (Telegram's, Matrix's and e-mail's HTML).
    public static func htmlEscaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }
}
