import Foundation

/// One feed's place in the schedule.
public struct ScheduledFeed: Sendable, Equatable {
    /// The feed's unique name.
    public var name: String
    /// The configured interval, in seconds.
    public var interval: TimeInterval
    /// The interval in force: the configured one, lengthened by what the feed asked for.
    public var effectiveInterval: TimeInterval
    /// When it is next due; nil while a poll is in flight, or once gone.
    public var nextDue: Date?
    /// Failures in a row since the last success.
    public var consecutiveErrors: Int
    /// True after a 410: never due again.
    public var gone: Bool

    /// Creates a feed's schedule entry (e.g. restored from the state store).
    public init(
        name: String, interval: TimeInterval, effectiveInterval: TimeInterval? = nil, nextDue: Date?,
        consecutiveErrors: Int = 0, gone: Bool = false
    ) {
        self.name = name
        self.interval = interval
        self.effectiveInterval = max(interval, effectiveInterval ?? interval)
        self.nextDue = nextDue
        self.consecutiveErrors = consecutiveErrors
        self.gone = gone
    }
}
