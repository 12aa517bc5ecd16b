import FeedwatchConfig
import Foundation

/// Digest periods and quiet hours on the wall clock of `timezone:` (SPEC §5), through Foundation's
/// calendar, so that daylight-saving changes are handled as people expect: a digest at 02:30 on the
/// night the clocks spring forward goes once (at 03:00, the first time that exists after 02:30),
/// and once on the night they fall back (at the first 02:30).
public struct ShapingClock: Sendable {
    let calendar: Calendar

    public init(timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// When the digest period that `date` falls in ends: the next `HH:MM` after it (daily), or the
    /// next multiple of the period counted from local midnight.
    public func digestEnd(after date: Date, _ digest: Shaping.Digest) -> Date {
        switch digest {
        case .daily(let time):
            return next(time, after: date)
        case .every(let period):
            let midnight = calendar.startOfDay(for: date)
            let elapsed = date.timeIntervalSince(midnight)
            let end = midnight.addingTimeInterval((floor(elapsed / period) + 1) * period)
            // The last period of a day ends at the next midnight, not past it.
            let nextMidnight = calendar.date(byAdding: .day, value: 1, to: midnight) ?? end
            return min(end, nextMidnight)
        }
    }

    /// When the quiet period holding `date` ends, or nil when `date` is not in quiet hours.
    public func quietEnd(for date: Date, _ quiet: Shaping.QuietHours) -> Date? {
        let minute = minuteOfDay(date)
        let from = quiet.from.hour * 60 + quiet.from.minute
        let to = quiet.to.hour * 60 + quiet.to.minute
        let inside = from < to ? (minute >= from && minute < to) : (minute >= from || minute < to)
        return inside ? next(quiet.to, after: date) : nil
    }

    /// The first moment after `date` whose wall clock reads `time` (the next existing moment when
    /// the clocks skip it, the first of the two when they repeat it).
    public func next(_ time: Shaping.TimeOfDay, after date: Date) -> Date {
        calendar.nextDate(
            after: date, matching: DateComponents(hour: time.hour, minute: time.minute, second: 0),
            matchingPolicy: .nextTime, repeatedTimePolicy: .first, direction: .forward)
            ?? date.addingTimeInterval(86_400)
    }

    private func minuteOfDay(_ date: Date) -> Int {
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
    }
}
