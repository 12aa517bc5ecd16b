import FeedwatchConfig
import FeedwatchDeliver
import Foundation
import XCTest

/// Digest ends and quiet hours on the wall clock of `timezone:`, daylight-saving changes included.
final class ShapingClockTests: XCTestCase {
    private let paris = ShapingClock(timeZone: TimeZone(identifier: "Europe/Paris")!)

    private func date(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    private func at(_ hour: Int, _ minute: Int) -> Shaping.TimeOfDay { Shaping.TimeOfDay(hour: hour, minute: minute) }

    func testADailyDigestEndsAtTheNextLocalTime() {
        // 2026-11-27 07:30 in Paris is 06:30Z: the 08:00 digest of the same day.
        XCTAssertEqual(
            paris.digestEnd(after: date("2026-11-27T06:30:00Z"), .daily(at(8, 0))), date("2026-11-27T07:00:00Z"))
        XCTAssertEqual(
            paris.digestEnd(after: date("2026-11-27T07:00:00Z"), .daily(at(8, 0))), date("2026-11-28T07:00:00Z"))
    }

    func testADigestAt0230OnTheSpringForwardNightGoesOnceAtThree() {
        // 2026-03-29: at 02:00 the clocks go to 03:00 in Paris; 02:30 does not exist that night.
        let end = paris.digestEnd(after: date("2026-03-28T23:00:00Z"), .daily(at(2, 30)))
        XCTAssertEqual(end, date("2026-03-29T01:00:00Z"), "03:00 CEST, the first time after 02:30")
        let next = paris.digestEnd(after: end, .daily(at(2, 30)))
        XCTAssertEqual(next, date("2026-03-30T00:30:00Z"), "then 02:30 CEST the next night: once a night")
    }

    func testADigestAt0230OnTheFallBackNightGoesOnce() {
        // 2026-10-25: 02:00–03:00 happens twice in Paris; the digest goes at the first 02:30 only.
        let end = paris.digestEnd(after: date("2026-10-24T22:00:00Z"), .daily(at(2, 30)))
        XCTAssertEqual(end, date("2026-10-25T00:30:00Z"), "02:30 CEST")
        let next = paris.digestEnd(after: end, .daily(at(2, 30)))
        XCTAssertEqual(next, date("2026-10-26T01:30:00Z"), "not 02:30 CET an hour later: the next night")
    }

    func testPeriodicDigestsAreCountedFromLocalMidnight() {
        // 10:20 local → the 1h period ends at 11:00 local; a 90-minute period at 10:30.
        XCTAssertEqual(paris.digestEnd(after: date("2026-11-27T09:20:00Z"), .every(3600)), date("2026-11-27T10:00:00Z"))
        XCTAssertEqual(paris.digestEnd(after: date("2026-11-27T09:20:00Z"), .every(5400)), date("2026-11-27T09:30:00Z"))
        // The last period of the day ends at midnight.
        XCTAssertEqual(paris.digestEnd(after: date("2026-11-27T22:50:00Z"), .every(5400)), date("2026-11-27T23:00:00Z"))
    }

    func testQuietHoursAcrossMidnightEndAtTheirEndTime() {
        let quiet = Shaping.QuietHours(from: at(22, 0), to: at(7, 0))
        XCTAssertEqual(paris.quietEnd(for: date("2026-11-27T22:30:00Z"), quiet), date("2026-11-28T06:00:00Z"))
        XCTAssertEqual(paris.quietEnd(for: date("2026-11-28T03:00:00Z"), quiet), date("2026-11-28T06:00:00Z"))
        XCTAssertNil(paris.quietEnd(for: date("2026-11-28T06:00:00Z"), quiet), "07:00 local: no longer quiet")
        XCTAssertNil(paris.quietEnd(for: date("2026-11-27T12:00:00Z"), quiet))
        let afternoon = Shaping.QuietHours(from: at(12, 0), to: at(14, 0))
        XCTAssertEqual(paris.quietEnd(for: date("2026-11-27T11:59:00Z"), afternoon), date("2026-11-27T13:00:00Z"))
    }
}
