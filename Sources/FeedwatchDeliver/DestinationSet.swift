import FeedwatchAlert
import FeedwatchConfig
import FeedwatchHTTP
import Foundation

/// Every destination a configuration names, built once at start and on each reload: the one place
/// that maps a configured type onto its implementation.
public enum DestinationSet {
    /// The journal and every configured destination, by name.
    public static func make(
        config: Config, http: HTTPClient, journal: JournalSink
    ) throws(WebhookDestination.ConfigurationError) -> [String: any Destination] {
        var destinations: [String: any Destination] = [
            JournalDestination.journalName: JournalDestination(sink: journal)
        ]
        for destination in config.destinations {
            switch destination.kind {
            case .webhook(let webhook):
                destinations[destination.name] = try WebhookDestination(config: webhook, http: http)
            case .email(let email):
                do {
                    destinations[destination.name] = try EmailDestination(
                        name: destination.name, config: email, timeout: destination.timeout,
                        retryFor: destination.retryFor, unsetVariables: destination.unsetVariables)
                } catch {
                    throw WebhookDestination.ConfigurationError(description: error.description)
                }
            case .telegram, .matrix, .pagerduty:
                throw WebhookDestination.ConfigurationError(
                    description: "\(destination.name): type \(destination.typeName) is not built into this binary")
            }
        }
        return destinations
    }
}
