import Mustache

/// The swift-mustache content types feedwatch escapes with, registered once under their names.
///
/// swift-mustache picks the escaping from a `{{% CONTENT_TYPE: NAME}}` pragma in the template and looks the
/// name up in a process-wide table; `register()` fills that table the first time any template is compiled.
enum EscapingContentTypes {
    static let jsonName = "FEEDWATCH_JSON"
    static let htmlName = "FEEDWATCH_HTML"
    /// swift-mustache's own content type that leaves text as it is.
    static let plainName = "TEXT"

    /// Registers the content types; a static `let` runs its initialiser once, whatever the thread.
    static func register() { _ = registration }

    private static let registration: Void = {
        MustacheContentTypes.register(JSONStringContentType(), named: jsonName)
        MustacheContentTypes.register(HTMLTextContentType(), named: htmlName)
    }()
}

/// Escapes values for the inside of a JSON string.
struct JSONStringContentType: MustacheContentType {
    func escapeText(_ text: String) -> String { text.jsonStringEscaped() }
}

/// Escapes values for HTML text and quoted attributes.
///
/// swift-mustache's own HTML escaping compares whole characters, so a quote followed by a combining accent
/// (one character to Swift, two code points to a browser) would end an attribute unescaped; this one looks at
/// every code point.
struct HTMLTextContentType: MustacheContentType {
    func escapeText(_ text: String) -> String { text.htmlEscaped() }
}

extension String {
    /// The text escaped for the inside of a JSON string (RFC 8259), without the surrounding quotes.
    func jsonStringEscaped() -> String {
        // Most values need nothing: look at the bytes once before building a new string.
        // 0xE2 starts U+2028 and U+2029 (and other characters, which the slow path leaves alone).
        guard utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 == 0xE2 })
        else { return self }
        var escaped = ""
        escaped.reserveCapacity(utf8.count + 16)
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case "\u{08}": escaped += "\\b"
            case "\u{0C}": escaped += "\\f"
            case "\u{2028}": escaped += "\\u2028"
            case "\u{2029}": escaped += "\\u2029"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16, uppercase: false)
                escaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// The text with `&`, `<`, `>`, `"` and `'` replaced by character references.
    func htmlEscaped() -> String {
        guard utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 })
        else { return self }
        var escaped = ""
        escaped.reserveCapacity(utf8.count + 16)
        for scalar in unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
