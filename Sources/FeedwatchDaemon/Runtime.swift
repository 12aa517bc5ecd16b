import FeedwatchConfig
import FeedwatchMatch
import Foundation

/// Everything the pipeline derives from one configuration: built once at start and on each
/// reload, then swapped whole so that a poll never sees half of an old and half of a new one.
struct Runtime: Sendable {
    let config: Config
    let matcher: RuleMatcher
    /// Each feed's place in `config.feeds`: an index, not a second copy of every feed (at a
    /// million feeds a copy would cost over a hundred megabytes).
    private let feedIndex: [String: Int]
    let rules: [String: RuleConfig]

    struct BuildError: Error, CustomStringConvertible {
        var description: String
    }

    init(config: Config) throws(BuildError) {
        self.config = config
        let specs = config.rules.map { rule in
            RuleSpec(
                name: rule.name, any: rule.any, all: rule.all, none: rule.none,
                fields: Set(rule.fields.compactMap(MatchField.init(rawValue:))), feeds: rule.feeds)
        }
        do {
            matcher = try RuleMatcher(rules: specs)
        } catch {
            throw BuildError(description: "\(config.path): rule \(error.rule): \(error.description)")
        }
        var feedIndex: [String: Int] = [:]
        feedIndex.reserveCapacity(config.feeds.count)
        for (index, feed) in config.feeds.enumerated() where feedIndex[feed.name] == nil {
            feedIndex[feed.name] = index
        }
        self.feedIndex = feedIndex
        rules = Dictionary(config.rules.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The feed named `name` in this configuration.
    func feed(named name: String) -> FeedConfig? {
        feedIndex[name].map { config.feeds[$0] }
    }

    /// True when the configuration has a feed of that name: cheaper than `feed(named:)`, which
    /// copies the feed's configuration out.
    func hasFeed(named name: String) -> Bool { feedIndex[name] != nil }

    /// The feeds by name (a reload's diff reads the old configuration through it).
    var feedsByName: [String: Int] { feedIndex }
}
