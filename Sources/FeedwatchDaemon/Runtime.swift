import FeedwatchAlert
import FeedwatchConfig
import FeedwatchMatch
import Foundation

/// A webhook ready to deliver to: its configuration, payload format and signer.
struct WebhookTarget: Sendable {
    var config: WebhookConfig
    var format: FeedwatchAlert.WebhookFormat
    var signer: WebhookSigner?
}

/// Everything the pipeline derives from one configuration: built once at start and on each
/// reload, then swapped whole so that a poll never sees half of an old and half of a new one.
struct Runtime: Sendable {
    let config: Config
    let matcher: RuleMatcher
    let feeds: [String: FeedConfig]
    let rules: [String: RuleConfig]
    let webhooks: [String: WebhookTarget]

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
        var webhooks: [String: WebhookTarget] = [:]
        for hook in config.webhooks {
            let format = FeedwatchAlert.WebhookFormat(rawValue: hook.format.rawValue) ?? .json
            var signer: WebhookSigner?
            if let secret = hook.secret {
                do {
                    signer = try WebhookSigner(secret: secret)
                } catch {
                    throw BuildError(description: "\(config.path): webhook \(hook.name): \(error)")
                }
            }
            webhooks[hook.name] = WebhookTarget(config: hook, format: format, signer: signer)
        }
        self.webhooks = webhooks
    }

    /// Each webhook's `retry_for`, for expiring deliveries that waited too long.
    var retryWindows: [String: TimeInterval] {
        webhooks.mapValues(\.config.retryFor)
    }
}
