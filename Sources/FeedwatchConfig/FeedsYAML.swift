import Foundation

/// The `feeds:` section of a configuration file as text to paste into it (`import-opml`, `discover`).
public enum FeedsYAML {
    /// One feed to list.
    public struct Entry: Equatable, Sendable {
        public var url: String
        /// Unique in the list (a configuration refuses two feeds of one name).
        public var name: String
        public var tags: [String]
        /// Shown as a `#` comment line above the entry (e.g. the title a page gives the feed).
        public var comment: String?

        public init(url: String, name: String, tags: [String] = [], comment: String? = nil) {
            self.url = url
            self.name = name
            self.tags = tags
            self.comment = comment
        }
    }

    /// The `feeds:` YAML, one entry per feed, values quoted.
    public static func render(_ entries: [Entry]) -> String {
        var lines = ["feeds:"]
        for entry in entries {
            if let comment = entry.comment?.split(whereSeparator: \.isNewline).joined(separator: " "),
                !comment.isEmpty
            {
                lines.append("  # \(comment)")
            }
            lines.append("  - url: \(quoted(entry.url))")
            lines.append("    name: \(quoted(entry.name))")
            if !entry.tags.isEmpty {
                lines.append("    tags: [\(entry.tags.map(quoted).joined(separator: ", "))]")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `name`, or `name (2)`, `name (3)`… when an earlier entry already took it.
    public static func uniqueName(_ name: String, counts: inout [String: Int]) -> String {
        let count = (counts[name] ?? 0) + 1
        counts[name] = count
        return count > 1 ? "\(name) (\(count))" : name
    }

    /// JSON string quoting is valid YAML and escapes everything that needs it.
    static func quoted(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data()
        let array = String(data: data, encoding: .utf8) ?? "[\"\"]"
        return String(array.dropFirst().dropLast())
    }
}
