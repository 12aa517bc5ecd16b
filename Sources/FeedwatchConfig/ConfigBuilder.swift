import FeedwatchMatch
import Foundation
import Yams

/// The schema of SPEC §2: which keys exist, what each holds, and the checks across sections.
struct ConfigBuilder {
    var reader: ConfigNodeReader
    let configDirectory: String
    let environment: [String: String]
    /// The file's text, to place an error inside a template at its line and column in the file.
    var sourceText: String = ""

    static let topKeys = [
        "state_dir", "defaults", "concurrency", "per_host", "feeds", "feeds_from", "rules", "webhooks",
        "destinations", "timezone", "health", "http", "database",
    ]
    static let ruleKeys = ["name", "any", "all", "none", "in", "feeds", "notify"] + ruleShapingKeys
    // The smallest values accepted; every check states its minimum, so every message can name it.
    static let minimumTimeout = FeedEntryReader.minimumTimeout
    static let minimumRetryFor: TimeInterval = 1
    static let minimumConcurrency = 1

    /// The configuration, or nil when it has errors (they are in `reader.diagnostics`). With
    /// `feedsBlock`, `root` is the file without its `feeds:` entries and they are read piece by piece;
    /// `FeedsBlock.Unusable` means the file must be composed whole instead.
    mutating func build(_ root: Node, path: String, feedsBlock: FeedsBlock? = nil) throws(FeedsBlock.Unusable)
        -> Config?
    {
        guard let top = reader.mapping(root, "", known: Self.topKeys) else { return nil }

        var stateDirectory =
            environment["STATE_DIRECTORY"].flatMap { $0.split(separator: ":").first.map(String.init) }
            ?? "/var/lib/feedwatch"
        if let node = top["state_dir"]?.value, !ConfigNodeReader.isNull(node),
            let value = reader.string(node, "state_dir")
        {
            stateDirectory = FeedSourceParser.resolve(value, against: configDirectory)
        }
        var defaultSettings = FeedSettings()
        if let node = top["defaults"]?.value, !ConfigNodeReader.isNull(node),
            let entries = reader.mapping(node, "defaults", known: FeedEntryReader.settingKeys)
        {
            FeedEntryReader.readSettings(entries, into: &defaultSettings, path: "defaults", reader: &reader)
        }
        let defaults = SharedFeedSettings(defaultSettings)
        let concurrency =
            top["concurrency"].flatMap { reader.integer($0.value, "concurrency", minimum: Self.minimumConcurrency) }
            ?? 64
        let perHost =
            top["per_host"].flatMap { reader.integer($0.value, "per_host", minimum: Self.minimumConcurrency) } ?? 4

        let destinations =
            list(top["webhooks"], "webhooks") { builder, node, path in builder.webhookEntry(node, path) }
            + list(top["destinations"], "destinations") { builder, node, path in builder.destinationEntry(node, path) }
        var feeds = FeedCollection(configFile: path, defaults: defaults)
        let entryReader = FeedEntryReader(
            reader: reader.emptyCopy(), configDirectory: configDirectory, defaults: defaults)
        if let feedsBlock {
            // The remainder must show `feeds:` where the scan found it, with its entries taken out.
            guard let entry = top["feeds"], ConfigNodeReader.isNull(entry.value),
                reader.line(of: entry.key) == feedsBlock.keyLine
            else { throw FeedsBlock.Unusable() }
            try feedsBlock.readFeeds(of: sourceText, with: entryReader, into: &feeds, reader: &reader)
        } else {
            readFeeds(top["feeds"], with: entryReader, into: &feeds)
        }
        let feedsFrom = readFeedsFrom(top["feeds_from"], configPath: path, defaults: defaults, into: &feeds)
        let rules = list(top["rules"], "rules") { builder, node, path in builder.rule(node, path) }
        if top["feeds"] == nil && top["feeds_from"] == nil {
            reader.report(root, "feeds", "missing: list the feeds to watch")
        }
        if let entry = top["feeds"] ?? top["feeds_from"], feeds.count == 0 {
            reader.warn(
                entry.key, top["feeds"] != nil ? "feeds" : "feeds_from", "no feeds: the daemon will watch nothing")
        }
        if top["rules"] == nil { reader.report(root, "rules", "missing: at least one rule is needed to raise alerts") }

        checkUnique(destinations.map { ($0.value.name, $0.node, $0.path) }, what: "destination")
        checkUnique(rules.map { ($0.value.rule.name, $0.node, $0.path) }, what: "rule")
        checkRuleReferences(rules, feeds: feeds, destinations: destinations.map(\.value.name))

        return Config(
            path: path, stateDirectory: stateDirectory, concurrency: concurrency, perHost: perHost,
            feeds: feeds.feeds, rules: rules.map(\.value.rule),
            destinations: destinations.map(\.value), timeZone: timeZone(top["timezone"]),
            health: health(top["health"], destinations: destinations.map(\.value.name)), feedsFrom: feedsFrom,
            http: httpListener(top["http"]), database: database(top["database"]), warnings: reader.warnings)
    }

    /// Line `number` (1-based) of the file; only an error inside a template needs one.
    func sourceLine(_ number: Int) -> Substring? {
        let lines = sourceText.split(separator: "\n", maxSplits: number, omittingEmptySubsequences: false)
        return lines.indices.contains(number - 1) ? lines[number - 1] : nil
    }

    // MARK: - Sections

    /// The entries of `feeds:` when the file was composed whole.
    private mutating func readFeeds(
        _ entry: (key: Node, value: Node)?, with entryReader: FeedEntryReader, into feeds: inout FeedCollection
    ) {
        guard let entry, !ConfigNodeReader.isNull(entry.value) else { return }
        guard case .sequence(let sequence) = entry.value else {
            reader.report(
                entry.value, "feeds",
                "expected a list (items starting with -), found \(ConfigNodeReader.describe(entry.value))")
            return
        }
        var entryReader = entryReader
        feeds.reserve(sequence.count)
        for (index, node) in sequence.enumerated() {
            if let read = entryReader.feed(node, index: index) { feeds.add(read, reader: &reader) }
        }
        reader.absorb(entryReader.reader)
    }

    /// A rule with the nodes its cross-references were read from, for precise messages.
    struct RuleEntry {
        var rule: RuleConfig
        var feedNodes: [Node]
        var notifyNodes: [Node]
    }

    private mutating func rule(_ node: Node, _ path: String) -> RuleEntry? {
        guard let entries = reader.mapping(node, path, known: Self.ruleKeys) else { return nil }
        guard let name = entries["name"].flatMap({ reader.string($0.value, "\(path).name") }) else {
            if entries["name"] == nil { reader.report(node, path, "missing name:") }
            return nil
        }
        var keywordLists: [String: [String]] = [:]
        for key in ["any", "all", "none"] {
            guard let entry = entries[key] else { continue }
            let keywords = reader.stringList(entry.value, "\(path).\(key)") ?? []
            keywordLists[key] = keywords
            checkKeywords(keywords, node: entry.value, path: "\(path).\(key)")
        }
        if (keywordLists["any"] ?? []).isEmpty && (keywordLists["all"] ?? []).isEmpty {
            reader.report(node, path, "a rule needs keywords in any: or all:")
        }
        var fields = RuleConfig.defaultFields
        if let entry = entries["in"], let values = reader.stringList(entry.value, "\(path).in") {
            for (index, field) in values.enumerated() where !RuleConfig.allFields.contains(field) {
                let hint =
                    KeySuggestion.nearest(to: field, in: RuleConfig.allFields).map { " (did you mean \($0)?)" } ?? ""
                reader.report(
                    Self.element(entry.value, index), "\(path).in[\(index)]",
                    "\"\(field)\" is not a field\(hint); fields are \(RuleConfig.allFields.joined(separator: ", "))")
            }
            fields = values
        }
        let feeds = entries["feeds"].flatMap { reader.stringList($0.value, "\(path).feeds") } ?? []
        let notify = entries["notify"].flatMap { reader.stringList($0.value, "\(path).notify") } ?? ["journal"]
        var rule = RuleConfig(
            name: name, any: keywordLists["any"] ?? [], all: keywordLists["all"] ?? [],
            none: keywordLists["none"] ?? [], fields: fields, feeds: feeds, notify: notify)
        rule.urgent = entries["urgent"].flatMap { reader.boolean($0.value, "\(path).urgent") } ?? false
        let overrides = shaping(entries, path)
        rule.shaping = overrides.isEmpty ? nil : overrides
        return RuleEntry(
            rule: rule,
            feedNodes: entries["feeds"].map { Self.elements($0.value) } ?? [],
            notifyNodes: entries["notify"].map { Self.elements($0.value) } ?? [])
    }

    /// `health: {failing_after, silent_after, notify}`; durations of 0 turn a check off.
    private mutating func health(_ entry: (key: Node, value: Node)?, destinations: [String]) -> HealthConfig {
        var health = HealthConfig()
        guard let node = entry?.value, !ConfigNodeReader.isNull(node),
            let entries = reader.mapping(node, "health", known: ["failing_after", "silent_after", "notify"])
        else { return health }
        if let value = entries["failing_after"]?.value {
            health.failingAfter = healthDuration(value, "health.failing_after") ?? health.failingAfter
        }
        if let value = entries["silent_after"]?.value {
            health.silentAfter = healthDuration(value, "health.silent_after") ?? health.silentAfter
        }
        if let value = entries["notify"]?.value, let targets = reader.stringList(value, "health.notify") {
            let known = ["journal"] + destinations
            for (index, target) in targets.enumerated() where !known.contains(target) {
                let hint = KeySuggestion.nearest(to: target, in: known).map { " (did you mean \($0)?)" } ?? ""
                reader.report(
                    Self.element(value, index), "health.notify[\(index)]",
                    "no destination named \"\(target)\"\(hint); targets are journal and the names under "
                        + "webhooks: and destinations:")
            }
            health.notify = targets
        }
        return health
    }

    /// A duration, or 0 ("never").
    private mutating func healthDuration(_ node: Node, _ path: String) -> TimeInterval? {
        if case .scalar(let scalar) = node, scalar.string == "0" { return 0 }
        return reader.duration(node, path, minimum: 0.001)
    }

    // MARK: - Checks across sections

    private mutating func checkKeywords(_ keywords: [String], node: Node, path: String) {
        for (index, keyword) in keywords.enumerated() {
            if let problem = Keyword.syntaxError(in: keyword) {
                reader.report(Self.element(node, index), "\(path)[\(index)]", problem)
            }
        }
    }

    private mutating func checkUnique(_ entries: [(String, Node, String)], what: String) {
        var seen: [String: Node] = [:]
        for (name, node, path) in entries {
            if let first = seen[name] {
                let line = first.mark.map { " (first at line \($0.line))" } ?? ""
                reader.report(Self.nameNode(node) ?? node, "\(path).name", "duplicate \(what) name \"\(name)\"\(line)")
            } else {
                seen[name] = node
            }
        }
    }

    private mutating func checkRuleReferences(
        _ rules: [(value: RuleEntry, node: Node, path: String)], feeds: FeedCollection, destinations: [String]
    ) {
        let tags = feeds.tags
        let targets = ["journal"] + destinations
        for (entry, _, path) in rules {
            for (index, selector) in entry.rule.feeds.enumerated() {
                let node = entry.feedNodes.indices.contains(index) ? entry.feedNodes[index] : nil
                if selector.hasPrefix("tag:") {
                    let tag = String(selector.dropFirst(4))
                    if !tags.contains(tag) && feeds.everyTagIsKnown {
                        reader.report(node, "\(path).feeds[\(index)]", "no feed has the tag \"\(tag)\"")
                    }
                } else if !feeds.hasFeed(named: selector) && feeds.everyNameIsKnown {
                    // A feed whose name is unknown (its URL is in error) may be the one a selector means.
                    let hint =
                        KeySuggestion.nearest(to: selector, in: feeds.names).map { " (did you mean \($0)?)" } ?? ""
                    reader.report(node, "\(path).feeds[\(index)]", "no feed named \"\(selector)\"\(hint)")
                }
            }
            for (index, target) in entry.rule.notify.enumerated() where !targets.contains(target) {
                let node = entry.notifyNodes.indices.contains(index) ? entry.notifyNodes[index] : nil
                let hint = KeySuggestion.nearest(to: target, in: targets).map { " (did you mean \($0)?)" } ?? ""
                reader.report(
                    node, "\(path).notify[\(index)]",
                    "no destination named \"\(target)\"\(hint); targets are journal and the names under "
                        + "webhooks: and destinations:")
            }
        }
    }

    // MARK: - Helpers

    private mutating func list<T>(
        _ entry: (key: Node, value: Node)?, _ path: String,
        _ read: (inout ConfigBuilder, Node, String) -> T?
    ) -> [(value: T, node: Node, path: String)] {
        guard let entry, !ConfigNodeReader.isNull(entry.value) else { return [] }
        guard case .sequence(let sequence) = entry.value else {
            reader.report(
                entry.value, path,
                "expected a list (items starting with -), found \(ConfigNodeReader.describe(entry.value))")
            return []
        }
        var values: [(T, Node, String)] = []
        for (index, node) in sequence.enumerated() {
            let itemPath = "\(path)[\(index)]"
            if let value = read(&self, node, itemPath) { values.append((value, node, itemPath)) }
        }
        return values
    }

    static func isHTTPURL(_ text: String) -> Bool { FeedURL.isHTTP(text) }

    /// `lemonde.fr/rss/une.xml` for a URL, the file name for a local file.
    static func derivedName(_ source: FeedSource) -> String {
        switch source {
        case .file(let path): return (path as NSString).lastPathComponent
        case .remote(let url): return FeedURL.derivedName(url)
        }
    }

    static func elements(_ node: Node) -> [Node] {
        if case .sequence(let sequence) = node { return Array(sequence) }
        return [node]
    }

    static func element(_ node: Node, _ index: Int) -> Node {
        let all = elements(node)
        return all.indices.contains(index) ? all[index] : node
    }

    private static func nameNode(_ node: Node) -> Node? {
        guard case .mapping(let mapping) = node else { return nil }
        return mapping.first { if case .scalar(let s) = $0.key { return s.string == "name" } else { return false } }?
            .value
    }
}
