import Foundation
import Yams

/// A feed as read from a file, with what the checks across feeds need: whether it has a name at
/// all, and where that name was given (for a duplicate's message).
struct ReadFeed {
    var feed: FeedConfig
    /// A feed without a usable URL nor a `name:` has none: no name check applies to it.
    var nameIsKnown: Bool
    /// Where it comes from, by `FeedCollection.files`: 0 for the configuration file.
    var file: Int
    /// Where its name is written (or the entry, without `name:`): a duplicate is reported there.
    var line: Int
    var column: Int
    /// The line where the entry starts: a duplicate's message names it for the first.
    var entryLine: Int
    /// The index in `feeds:` (`feeds[3]`) for a message's key path; nil for a line of a `feeds_from:` file.
    var index: Int?
}

/// Reads `feeds:` entries and the settings of `defaults:` out of YAML nodes.
struct FeedEntryReader {
    var reader: ConfigNodeReader
    /// Where relative `file:` paths start.
    let configDirectory: String
    let defaults: SharedFeedSettings
    /// Only for settings, so that feeds overriding alike share one copy; `FeedCollection` interns
    /// the rest as it takes the feeds.
    var interner: FeedValueInterner

    static let settingKeys = ["interval", "timeout", "max_size", "user_agent", "alert_on_first_poll"]
    static let feedKeys = ["url", "name", "tags", "headers"] + settingKeys
    // The smallest values accepted; every check states its minimum, so every message can name it.
    static let minimumInterval: TimeInterval = 30
    static let minimumTimeout: TimeInterval = 1
    static let minimumMaxSize = 1

    init(reader: ConfigNodeReader, configDirectory: String, defaults: SharedFeedSettings) {
        self.reader = reader
        self.configDirectory = configDirectory
        self.defaults = defaults
        interner = FeedValueInterner(defaults: defaults)
    }

    /// The entry at `feeds[index]`. An unusable URL is reported; the feed is still returned so that
    /// checks across sections (duplicate names, rule selectors) report their errors in the same run.
    mutating func feed(_ node: Node, index: Int) -> ReadFeed? {
        let path = { "feeds[\(index)]" }
        guard let entries = reader.mapping(node, path(), known: Self.feedKeys) else { return nil }
        guard let urlNode = entries.value("url") else {
            reader.report(node, path(), "missing url:")
            return nil
        }
        var source: FeedSource?
        if let text = reader.string(urlNode, "\(path()).url"), case .scalar(let written) = urlNode {
            switch FeedSourceParser.parse(text, written: written.string, directory: configDirectory) {
            case .success(let value): source = value
            case .failure(let problem): reader.report(urlNode, "\(path()).url", problem.message)
            }
        }
        var settings = defaults.value
        let overridden = Self.readSettings(entries, into: &settings, path: path(), reader: &reader)
        let nameNode = entries.value("name")
        let givenName = nameNode.flatMap { reader.string($0, "\(path()).name") }
        // Without a usable URL there is no name to derive: the URL's error is the only one
        // reported, not an empty or duplicate name that follows from it.
        let name = givenName ?? source.map(\.derivedName) ?? ""
        let nameIsKnown = givenName != nil || source != nil
        if nameIsKnown && name.isEmpty {
            reader.report(nameNode ?? urlNode, "\(path()).name", "must not be empty")
        }
        let tags = entries.value("tags").flatMap { reader.stringList($0, "\(path()).tags") } ?? []
        let headers = entries.value("headers").flatMap { reader.headerMap($0, "\(path()).headers") } ?? [:]
        // A duplicate is reported at its name (or its entry), and names the line of the first's entry.
        let mark = (nameNode ?? node).mark
        return ReadFeed(
            feed: FeedConfig(
                name: name, source: source ?? .remote(""), tags: tags, headers: headers,
                settings: overridden ? interner.settings(settings) : defaults),
            nameIsKnown: nameIsKnown, file: 0, line: (mark?.line ?? 1) + reader.lineOffset, column: mark?.column ?? 1,
            entryLine: reader.line(of: node) ?? 1, index: index)
    }

    /// Reads the setting keys among `entries` into `settings`; whether any was given.
    @discardableResult
    static func readSettings(
        _ entries: MappingEntries, into settings: inout FeedSettings,
        path: @autoclosure () -> String, reader: inout ConfigNodeReader
    ) -> Bool {
        func p(_ key: String) -> String { ConfigNodeReader.join(path(), key) }
        var given = false
        if let node = entries.value("interval") {
            given = true
            if let value = reader.duration(node, p("interval"), minimum: minimumInterval) { settings.interval = value }
        }
        if let node = entries.value("timeout") {
            given = true
            if let value = reader.duration(node, p("timeout"), minimum: minimumTimeout) { settings.timeout = value }
        }
        if let node = entries.value("max_size") {
            given = true
            if let value = reader.size(node, p("max_size"), minimum: minimumMaxSize) { settings.maxSize = value }
        }
        if let node = entries.value("user_agent") {
            given = true
            if let value = reader.string(node, p("user_agent")) {
                if value.isEmpty || value.contains(where: { $0 == "\r" || $0 == "\n" }) {
                    reader.report(node, p("user_agent"), "must be one non-empty line")
                } else {
                    settings.userAgent = value.replacingOccurrences(of: "VERSION", with: FeedSettings.version)
                }
            }
        }
        if let node = entries.value("alert_on_first_poll") {
            given = true
            if let value = reader.boolean(node, p("alert_on_first_poll")) { settings.alertOnFirstPoll = value }
        }
        return given
    }
}
