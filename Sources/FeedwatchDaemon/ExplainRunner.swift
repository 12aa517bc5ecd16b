import FeedwatchConfig
import FeedwatchMatch
import FeedwatchParse
import Foundation

/// `feedwatch explain FILE|URL [--rule NAME]`: every item of one document against the configured
/// rules, through the daemon's own matcher, with why each rule fires or does not.
public enum ExplainRunner {
    /// The explanation of one item.
    public struct ItemExplanation: Sendable {
        public var item: FeedItem
        /// The rules in configuration order (only the one asked for with `--rule`).
        public var rules: [RuleExplanation]
    }

    /// The explanation of a whole document.
    public struct Explanation: Sendable {
        /// The document as named on the command line.
        public var source: String
        /// The configured feed whose URL the document came from; nil for a document of no configured
        /// feed (rules limited by `feeds:` do not apply to it).
        public var feed: FeedConfig?
        /// The parser's warnings.
        public var warnings: [String]
        public var items: [ItemExplanation]
    }

    /// Reads or fetches `source`, parses it, and explains every item against `config`'s rules, or
    /// only against the rule named `rule`. Throws, before reading anything, for an unknown rule.
    public static func explain(
        _ source: String, config: Config, rule: String? = nil
    ) async throws(CommandFailure) -> Explanation {
        let runtime: Runtime
        do { runtime = try Runtime(config: config) } catch { throw CommandFailure(description: error.description) }
        if let rule, runtime.rules[rule] == nil {
            let known = config.rules.map(\.name).joined(separator: ", ")
            throw CommandFailure(
                description: "no rule named \"\(rule)\" in \(config.path)"
                    + (known.isEmpty ? " (it has no rules)" : " (its rules: \(known))"))
        }
        let feed = configuredFeed(for: source, in: config)
        let document = try await SourceDocument.load(
            source, maxSize: feed?.settings.maxSize ?? FeedSettings().maxSize,
            limitName: feed == nil ? "max_size" : "feed \(feed?.name ?? "")'s max_size",
            request: feed.flatMap { FeedPoller.request(for: $0, state: nil) })
        let parsed: ParsedFeed
        do {
            parsed = try FeedParser.parse(document.body, url: document.url, httpCharset: document.charset)
        } catch {
            throw CommandFailure(description: "\(document.name): \(error.description)")
        }
        let tags = Set(feed?.tags ?? [])
        let items = parsed.items.map { item in
            // The item becomes the matcher's input exactly as in a poll.
            let rules = runtime.matcher.explain(DocumentProcessor.matchInput(item), feed: feed?.name, tags: tags)
            return ItemExplanation(item: item, rules: rules.filter { rule == nil || $0.rule == rule })
        }
        return Explanation(source: source, feed: feed, warnings: parsed.warnings, items: items)
    }

    /// The configured feed `source` names: the same http(s) URL, or the same file.
    static func configuredFeed(for source: String, in config: Config) -> FeedConfig? {
        if SourceDocument.isHTTP(source) {
            return config.feeds.first { $0.source == .remote(source) }
        }
        let path = URL(fileURLWithPath: SourceDocument.path(of: source)).standardizedFileURL.path
        return config.feeds.first {
            if case .file(let configured) = $0.source {
                return URL(fileURLWithPath: configured).standardizedFileURL.path == path
            }
            return false
        }
    }
}
