import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Turns an OPML subscription export into the `feeds:` section of a configuration file.
/// Folders (outlines without `xmlUrl`) become tags of the feeds inside them.
public enum OPMLImporter {
    /// One feed found in the OPML file.
    public struct Entry: Equatable, Sendable {
        public var name: String
        public var url: String
        public var tags: [String]
        /// Where the parser was when it read the outline (the end of its start tag), for messages.
        public var line = 0
        public var column = 0
    }

    /// An outline left out because its feed URL was already listed.
    public struct Duplicate: Equatable, Sendable, CustomStringConvertible {
        public var url: String
        /// The name the URL is listed under in the output.
        public var listedAs: String
        /// Where the outline left out is (the end of its start tag).
        public var line = 0
        public var column = 0

        /// `skipped duplicate URL (already listed as "NAME")`, for stderr.
        public var description: String {
            "skipped duplicate \(url) (already listed as \(OPMLImporter.quoted(listedAs)))"
        }
    }

    /// What an OPML file gives: the feeds to list and the outlines left out.
    public struct Import: Equatable, Sendable {
        public var entries: [Entry]
        public var duplicates: [Duplicate]
    }

    public struct ImportError: Error, CustomStringConvertible {
        public var description: String
        /// The problem without the file's name and place.
        public var message: String
        /// Where in the file, when the parser could tell (else 1:1).
        public var line = 1
        public var column = 1

        init(file: String, message: String) {
            description = "\(file): \(message)"
            self.message = message
        }

        init(file: String, line: Int, column: Int, message: String) {
            description = "\(file):\(line):\(column): \(message)"
            self.message = message
            self.line = line
            self.column = column
        }
    }

    /// The feeds of the OPML file at `path`.
    public static func entries(fromFile path: String) throws(ImportError) -> [Entry] {
        try read(fromFile: path).entries
    }

    /// The feeds of an OPML document; `name` names it in errors.
    public static func entries(from data: Data, name: String) throws(ImportError) -> [Entry] {
        try read(from: data, name: name).entries
    }

    /// The feeds of the OPML file at `path`, and the duplicates left out.
    public static func read(fromFile path: String) throws(ImportError) -> Import {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImportError(file: path, message: "cannot read the file")
        }
        return try read(from: data, name: path)
    }

    /// The feeds of an OPML document, and the duplicates left out; `name` names it in errors.
    public static func read(from data: Data, name: String) throws(ImportError) -> Import {
        let collector = OutlineCollector()
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.delegate = collector
        guard parser.parse() else {
            let line = parser.lineNumber
            let column = parser.columnNumber
            let reason = parser.parserError.map { ($0 as NSError).localizedDescription } ?? "not well-formed XML"
            throw ImportError(
                file: name, line: line, column: column, message: "not a readable OPML file (\(reason))")
        }
        guard collector.sawOPML else { throw ImportError(file: name, message: "not an OPML file (no <opml> root)") }
        return unique(collector.entries)
    }

    /// The `feeds:` YAML, ready to paste into the configuration file.
    public static func yaml(for entries: [Entry]) -> String {
        FeedsYAML.render(entries.map { FeedsYAML.Entry(url: $0.url, name: $0.name, tags: $0.tags) })
    }

    /// A folder title as a tag: lower case, words joined by `-` (`Tech News` → `tech-news`).
    static func tag(from title: String) -> String {
        title.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: "-")
    }

    fileprivate static func quoted(_ text: String) -> String { FeedsYAML.quoted(text) }

    /// A URL is listed once, at its first place. Feed names must be unique in a configuration:
    /// a repeated title gets ` (2)`, ` (3)`…
    private static func unique(_ entries: [Entry]) -> Import {
        var counts: [String: Int] = [:]
        var listedAs: [String: String] = [:]
        var result = Import(entries: [], duplicates: [])
        for var entry in entries {
            if let name = listedAs[entry.url] {
                result.duplicates.append(
                    Duplicate(url: entry.url, listedAs: name, line: entry.line, column: entry.column))
                continue
            }
            entry.name = FeedsYAML.uniqueName(entry.name, counts: &counts)
            listedAs[entry.url] = entry.name
            result.entries.append(entry)
        }
        return result
    }

    private final class OutlineCollector: NSObject, XMLParserDelegate {
        var entries: [Entry] = []
        var sawOPML = false
        /// One element per open <outline>: the folder tag it adds, if it is a folder.
        private var folderStack: [String?] = []

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
            qualifiedName: String?, attributes: [String: String] = [:]
        ) {
            if elementName.lowercased() == "opml" { sawOPML = true }
            guard elementName == "outline" else { return }
            let title = (attributes["title"] ?? attributes["text"] ?? "").trimmingCharacters(
                in: .whitespacesAndNewlines)
            if let url = attributes["xmlUrl"] ?? attributes["xmlurl"], !url.isEmpty {
                let tags = folderStack.compactMap { $0 }
                entries.append(
                    Entry(
                        name: title.isEmpty ? url : title, url: url, tags: tags, line: parser.lineNumber,
                        column: parser.columnNumber))
                folderStack.append(nil)
            } else {
                let tag = OPMLImporter.tag(from: title)
                folderStack.append(tag.isEmpty ? nil : tag)
            }
        }

        func parser(
            _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?
        ) {
            if elementName == "outline", !folderStack.isEmpty { folderStack.removeLast() }
        }
    }
}
