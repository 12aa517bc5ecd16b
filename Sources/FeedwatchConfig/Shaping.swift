import Foundation

/// How a destination's alerts are shaped into messages (SPEC §5): grouped, collected into digests,
/// held through quiet hours, spaced by a rate. A rule may override the first three for its alerts.
public struct Shaping: Sendable, Equatable {
    /// Alerts within this long of the first go out as one message.
    public var groupWait: TimeInterval?
    public var digest: Digest?
    public var quiet: QuietHours?
    public var rate: Rate?

    /// `digest: 1h` (every period, counted from midnight in `timezone`) or `digest: "08:00"` (daily).
    public enum Digest: Sendable, Equatable {
        case every(TimeInterval)
        case daily(TimeOfDay)
    }

    /// `quiet: {from: "22:00", to: "07:00"}` in `timezone`; may cross midnight.
    public struct QuietHours: Sendable, Equatable {
        public var from: TimeOfDay
        public var to: TimeOfDay
        public init(from: TimeOfDay, to: TimeOfDay) {
            self.from = from
            self.to = to
        }
    }

    /// `rate: 20/min`: at most `count` messages per `period` seconds.
    public struct Rate: Sendable, Equatable {
        public var count: Int
        public var period: TimeInterval
        public init(count: Int, period: TimeInterval) {
            self.count = count
            self.period = period
        }
    }

    /// "08:00": an hour and a minute of the day.
    public struct TimeOfDay: Sendable, Equatable, CustomStringConvertible {
        public var hour: Int
        public var minute: Int
        public init(hour: Int, minute: Int) {
            self.hour = hour
            self.minute = minute
        }
        public var description: String { String(format: "%02d:%02d", hour, minute) }

        /// "8:00", "08:00", "23:59"; nil for anything else.
        public static func parse(_ text: String) -> TimeOfDay? {
            let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":")
            guard parts.count == 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
                (0..<24).contains(hour), (0..<60).contains(minute)
            else { return nil }
            return TimeOfDay(hour: hour, minute: minute)
        }
    }

    public init(groupWait: TimeInterval? = nil, digest: Digest? = nil, quiet: QuietHours? = nil, rate: Rate? = nil) {
        self.groupWait = groupWait
        self.digest = digest
        self.quiet = quiet
        self.rate = rate
    }

    /// Nothing to shape: every alert is its own message, at once.
    public var isEmpty: Bool { groupWait == nil && digest == nil && quiet == nil && rate == nil }

    /// A rule's settings over a destination's: each one the rule gives wins.
    public func overridden(by rule: Shaping?) -> Shaping {
        guard let rule else { return self }
        return Shaping(
            groupWait: rule.groupWait ?? groupWait, digest: rule.digest ?? digest, quiet: rule.quiet ?? quiet,
            rate: rate)
    }
}
