import FeedwatchAlert
import Foundation

/// A place alerts are delivered to: the journal, a webhook, a mailbox, a chat room, a pager.
///
/// One implementation per type, each in its own file under `Destinations/`. A destination only
/// turns one message into one delivery attempt and says how it went; everything around it — the
/// durable outbox, claiming due messages, retries with backoff and `Retry-After`, the `retry_for`
/// window, dead letters and their logging — is the `DeliveryStage`'s, the same for every type.
///
/// Guarantees a destination gives the stage:
/// - `deliver` never throws and never blocks a thread: every failure is an outcome.
/// - The same `OutgoingMessage.id` is sent on every attempt, so a receiver that deduplicates on it
///   (Standard Webhooks `webhook-id`, a Matrix transaction id, a PagerDuty `dedup_key`, an e-mail
///   `Message-ID`) shows a retried message once.
/// - Nothing secret (a token, a password, a URL that holds a token) appears in an outcome's text.
public protocol Destination: Sendable {
    /// The name `notify:` uses.
    var name: String { get }
    /// How long an undelivered message is retried before it is dead-lettered.
    var retryFor: TimeInterval { get }
    /// The most messages in flight to this destination at once: a slow receiver holds back only
    /// its own messages.
    var maxInFlight: Int { get }
    /// The protocol whose status codes `DeliveryOutcome.delivered(status:)` carries ("HTTP", "SMTP").
    var statusProtocol: String { get }
    /// One delivery attempt.
    func deliver(_ message: OutgoingMessage) async -> DeliveryOutcome
}

extension Destination {
    public var statusProtocol: String { "HTTP" }

    /// "ops: HTTP 202 (delivered)", "ops: HTTP 404 (permanent failure)": what `feedwatch test` prints.
    public func describe(_ outcome: DeliveryOutcome) -> String {
        switch outcome {
        case .delivered(let status):
            return "\(name): " + (status.map { "\(statusProtocol) \($0) " } ?? "") + "(delivered)"
        case .retry(let reason, _): return "\(name): \(reason) (would be retried)"
        case .failed(let reason): return "\(name): \(reason) (permanent failure)"
        }
    }
}

/// What the stage hands a destination: the alerts of one outbox row and the id they go out under.
public struct OutgoingMessage: Sendable {
    /// Stable across retries and restarts: the alert's id.
    public var id: String
    /// The alerts the message carries (one today; a group or a digest holds several).
    public var alerts: [Alert]
    /// When the attempt is made (signing timestamps, `Date:` headers).
    public var now: Date

    /// Creates a message.
    public init(id: String, alerts: [Alert], now: Date) {
        self.id = id
        self.alerts = alerts
        self.now = now
    }
}

/// How one delivery attempt went.
public enum DeliveryOutcome: Sendable, Equatable {
    /// Accepted; `status` is the receiver's protocol status (HTTP, SMTP), nil for the journal.
    case delivered(status: Int?)
    /// Worth trying again (a timeout, a refused connection, 408/425/429/5xx, an SMTP 4xx): after
    /// `after` seconds when the receiver said so, else on the retry schedule.
    case retry(reason: String, after: TimeInterval?)
    /// Never worth trying again (a 4xx that is not a throttle, a refused recipient): dead-lettered.
    case failed(reason: String)
}
