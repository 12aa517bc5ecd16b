// `feedwatch parse` output (SPEC §3): keys in the SPEC's order, dates RFC 3339 UTC or null. Written
// by hand because JSONEncoder neither keeps key order nor writes the SPEC's date form.
import Foundation

extension ParsedFeed {
    /// The feed as SPEC §3 JSON. Compact form is one line (`", "` and `": "` separators, as the SPEC
    /// shows it); pretty form indents by two spaces.
    public func jsonString(pretty: Bool = false) -> String {
        let out = JSONWriter(pretty: pretty)
        out.object {
            out.key("format", string: format.rawValue)
            out.key("title", string: title)
            out.key("link", string: link)
            out.key("warnings") { out.array(warnings) }
            out.key("items") {
                out.arrayOf(items) { item in
                    out.object {
                        out.key("id", string: item.id)
                        out.key("title", string: item.title)
                        out.key("link", string: item.link)
                        out.key("summary", string: item.summary)
                        out.key("content", string: item.content)
                        out.key("authors") { out.array(item.authors) }
                        out.key("categories") { out.array(item.categories) }
                        out.key("published", date: item.published)
                        out.key("updated", date: item.updated)
                    }
                }
            }
        }
        return out.text
    }
}

/// A minimal ordered JSON writer (a class: the nested closures all write to the one buffer).
final class JSONWriter {
    let pretty: Bool
    private(set) var text = ""
    private var level = 0
    private var firstInContainer = true

    init(pretty: Bool) { self.pretty = pretty }

    private func separator() {
        if !firstInContainer { text += pretty ? "," : ", " }
        if pretty { text += "\n" + String(repeating: "  ", count: level) }
        firstInContainer = false
    }

    private func open(_ bracket: String, _ body: () -> Void, _ close: String) {
        text += bracket
        level += 1
        firstInContainer = true
        body()
        level -= 1
        if pretty && !firstInContainer { text += "\n" + String(repeating: "  ", count: level) }
        text += close
        firstInContainer = false
    }

    func object(_ body: () -> Void) { open("{", body, "}") }

    func key(_ name: String, _ value: () -> Void) {
        separator()
        text += Self.quoted(name) + ": "
        value()
    }

    func key(_ name: String, string value: String) {
        key(name) { text += Self.quoted(value) }
    }

    func key(_ name: String, date: Date?) {
        key(name) { text += date.map { Self.quoted(Dates.rfc3339($0)) } ?? "null" }
    }

    func array(_ values: [String]) {
        open(
            "[",
            {
                for value in values {
                    separator()
                    text += Self.quoted(value)
                }
            }, "]")
    }

    func arrayOf<T>(_ values: [T], _ element: (T) -> Void) {
        open(
            "[",
            {
                for value in values {
                    separator()
                    element(value)
                }
            }, "]")
    }

    static func quoted(_ value: String) -> String {
        var out = "\""
        out.reserveCapacity(value.utf8.count + 2)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
