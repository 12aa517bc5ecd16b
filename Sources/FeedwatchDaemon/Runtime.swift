import FeedwatchConfig
import FeedwatchMatch
import Foundation

/// Everything the pipeline derives from one configuration: built once at start and on each
/// reload, then swapped whole so that a poll never sees half of an old and half of a new one.
struct Runtime: Sendable {
    let config: Config
    let matcher: RuleMatcher
    let feeds: [String: FeedConfig]
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
        feeds = Dictionary(config.feeds.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        rules = Dictionary(config.rules.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
