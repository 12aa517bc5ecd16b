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
            case .telegram(let telegram):
                destinations[destination.name] = TelegramDestination(
                    name: destination.name, config: telegram, timeout: destination.timeout,
                    retryFor: destination.retryFor, http: http)
            case .matrix(let matrix):
                destinations[destination.name] = MatrixDestination(
                    name: destination.name, config: matrix, timeout: destination.timeout,
                    retryFor: destination.retryFor, http: http)
            case .pagerduty(let pagerDuty):
                destinations[destination.name] = PagerDutyDestination(
                    name: destination.name, config: pagerDuty, timeout: destination.timeout,
                    retryFor: destination.retryFor, http: http)
            case .email:
                throw WebhookDestination.ConfigurationError(
                    description: "\(destination.name): type \(destination.typeName) is not built into this binary")
            }
        }
        return destinations
    }
}
