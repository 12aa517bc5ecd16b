import Foundation
import Yams

/// `feeds_from: FILE`: more feeds, after those of `feeds:`, from a plain list (`FeedListReader`)
/// or an OPML subscription export (`OPMLImporter`), told apart by the content: a file starting
/// with `<` (`<?xml`, `<opml`) is OPML. Errors point into that file; they are reported with the
/// configuration's.
extension ConfigBuilder {
    mutating func readFeedsFrom(
        _ entry: (key: Node, value: Node)?, configPath: String, defaults: SharedFeedSettings,
        into feeds: inout FeedCollection
    ) -> FeedsFromSummary? {
        guard let node = entry?.value, !ConfigNodeReader.isNull(node),
            let written = reader.string(node, "feeds_from")
        else { return nil }
        guard !written.isEmpty else {
            reader.report(node, "feeds_from", "needs a file: a list of feeds (one URL per line) or an OPML file")
            return nil
        }
        let path = FeedSourceParser.resolve(written, against: configDirectory)
        let shown = Self.shownPath(written, configPath: configPath)
        guard let data = FileManager.default.contents(atPath: path) else {
            reader.report(
                node, "feeds_from",
                "cannot read \(ConfigNodeReader.quote(shown)): \(ConfigLoader.readFailureReason(path))")
            feeds.markIncomplete()
            return nil
        }
        let fileIndex = feeds.files.count
        feeds.files.append(shown)
        let before = feeds.count
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let format: FeedsFromSummary.Format = Self.isXML(data) ? .opml : .list
        switch format {
        case .list:
            let list = FeedListReader(
                file: shown, fileIndex: fileIndex, directory: directory, expansion: reader.expansion,
                defaults: defaults, reporter: reader.emptyCopy())
            list.read(data, into: &feeds, reader: &reader)
        case .opml:
            readOPML(data, file: shown, fileIndex: fileIndex, directory: directory, defaults: defaults, into: &feeds)
        }
        return FeedsFromSummary(path: shown, format: format, feedCount: feeds.count - before)
    }

    private mutating func readOPML(
        _ data: Data, file: String, fileIndex: Int, directory: String, defaults: SharedFeedSettings,
        into feeds: inout FeedCollection
    ) {
        let opml: OPMLImporter.Import
        do {
            opml = try OPMLImporter.read(from: data, name: file)
        } catch {
            reader.report(file: file, line: error.line, column: error.column, "", error.message)
            feeds.markIncomplete()
            return
        }
        var places = OPMLPlaces(data: data)
        feeds.reserve(opml.entries.count)
        for entry in opml.entries {
            var source: FeedSource?
            switch FeedSourceParser.parse(entry.url, written: entry.url, directory: directory) {
            case .success(let value):
                source = value
            case .failure(let problem):
                let column = places.column(of: ["xmlUrl"], line: entry.line, near: entry.column)
                reader.report(file: file, line: entry.line, column: column, "", problem.message)
            }
            let nameColumn = places.column(of: ["title", "text"], line: entry.line, near: entry.column)
            feeds.add(
                ReadFeed(
                    feed: FeedConfig(
                        name: entry.name, source: source ?? .remote(""), tags: entry.tags, headers: [:],
                        settings: defaults),
                    nameIsKnown: true, file: fileIndex, line: entry.line, column: nameColumn, entryLine: entry.line,
                    index: nil),
                reader: &reader)
        }
        for duplicate in opml.duplicates {
            let column = places.column(of: ["xmlUrl"], line: duplicate.line, near: duplicate.column)
            reader.warn(file: file, line: duplicate.line, column: column, duplicate.description)
        }
    }

    /// `feeds.txt` beside `feedwatch.yaml` is shown as `conf/feeds.txt` when the configuration was
    /// named `conf/feedwatch.yaml`: the path a user can open from where they ran the command.
    static func shownPath(_ written: String, configPath: String) -> String {
        let folder = (configPath as NSString).deletingLastPathComponent
        return written.hasPrefix("/") || folder.isEmpty ? written : folder + "/" + written
    }

    /// Whether the first character, after a byte-order mark and blanks, is `<`.
    static func isXML(_ data: Data) -> Bool {
        var bytes = data.prefix(4096)[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        return bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "<")
    }
}

/// Columns in an OPML file for messages. The XML parser tells where it was when it read an
/// outline (the end of its start tag); a message is clearer at the attribute it is about.
private struct OPMLPlaces {
    let data: Data
    /// Where each line starts, found on the first message only.
    private var lineStarts: [Int] = []

    init(data: Data) { self.data = data }

    /// The column of the value of the first of `attributes` in the start tag that ends at
    /// `line`:`column`, or `column` when the tag is not all on that line.
    mutating func column(of attributes: [String], line: Int, near column: Int) -> Int {
        if lineStarts.isEmpty {
            lineStarts = [0] + data.indices.filter { data[$0] == UInt8(ascii: "\n") }.map { $0 + 1 }
        }
        guard lineStarts.indices.contains(line - 1) else { return column }
        let start = lineStarts[line - 1]
        let end = line < lineStarts.count ? lineStarts[line] - 1 : data.count
        guard let text = String(data: data[start..<end], encoding: .utf8) else { return column }
        let characters = Array(text)
        let prefix = String(characters.prefix(max(0, column - 1)))
        guard let tag = prefix.range(of: "<outline", options: .backwards) else { return column }
        let inside = prefix[tag.upperBound...]
        for attribute in attributes {
            guard let found = inside.range(of: attribute + "=", options: .caseInsensitive) else { continue }
            // After the opening quote.
            return prefix.distance(from: prefix.startIndex, to: found.upperBound) + 2
        }
        return prefix.distance(from: prefix.startIndex, to: tag.lowerBound) + 1
    }
}
