import FeedwatchAlert
import Foundation

/// `journal`: one journald entry per alert with the fields of SPEC §5 (stderr where no journald
/// answers). Always there, whatever the configuration says.
public struct JournalDestination: Destination {
    /// The name `notify:` uses for it.
    public static let journalName = "journal"
    public var name: String { Self.journalName }
    /// A journal write does not fail for long; a day covers a journald restarted by hand.
    public let retryFor: TimeInterval = 86_400
    public let maxInFlight = 64
    public let statusProtocol = "journal"
    let sink: JournalSink

    /// A journal destination writing through `sink`.
    public init(sink: JournalSink) {
        self.sink = sink
    }

    public func deliver(_ message: OutgoingMessage) async -> DeliveryOutcome {
        for alert in message.alerts { sink.record(alert) }
        return .delivered(status: nil)
    }
}
