import FeedwatchFetch
import Foundation
import XCTest

/// The due-time queue the schedule is built on: what it hands out, and that it always agrees with
/// the plain rule "every waiting feed due at or before now, earliest first".
final class DueQueueTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func testDueFeedsComeOutEarliestFirstAndOnlyOnce() {
        var queue = DueQueue()
        queue.schedule("b", at: t0.addingTimeInterval(10))
        queue.schedule("a", at: t0.addingTimeInterval(10))
        queue.schedule("c", at: t0.addingTimeInterval(5))
        queue.schedule("later", at: t0.addingTimeInterval(60))
        XCTAssertEqual(queue.earliestDue(), t0.addingTimeInterval(5))
        XCTAssertEqual(queue.takeDue(now: t0), [])
        XCTAssertEqual(queue.takeDue(now: t0.addingTimeInterval(10), limit: 2), ["c", "a"], "ties by name")
        XCTAssertEqual(queue.takeDue(now: t0.addingTimeInterval(10)), ["b"])
        XCTAssertEqual(queue.takeDue(now: t0.addingTimeInterval(10)), [], "in flight until scheduled again")
        XCTAssertEqual(queue.count, 1)
        XCTAssertEqual(queue.earliestDue(), t0.addingTimeInterval(60))
    }

    func testARescheduledFeedIsDueAtItsNewTimeOnly() {
        var queue = DueQueue()
        queue.schedule("a", at: t0.addingTimeInterval(5))
        queue.schedule("a", at: t0.addingTimeInterval(50))
        XCTAssertEqual(queue.earliestDue(), t0.addingTimeInterval(50))
        XCTAssertEqual(queue.takeDue(now: t0.addingTimeInterval(10)), [])
        XCTAssertEqual(queue.takeDue(now: t0.addingTimeInterval(50)), ["a"])
        queue.schedule("a", at: t0.addingTimeInterval(5))
        queue.schedule("a", at: nil)
        XCTAssertNil(queue.earliestDue(), "taken out: gone or in flight")
        queue.schedule("b", at: t0)
        queue.remove("b")
        XCTAssertEqual(queue.takeDue(now: t0.addingTimeInterval(100)), [])
        XCTAssertEqual(queue.count, 0)
    }

    /// A feed removed (a reload dropped it) and added again is due at its new time only: the entry
    /// its first scheduling left behind stays stale.
    func testAFeedRemovedAndAddedAgainIsDueAtItsNewTimeOnly() {
        var queue = DueQueue()
        queue.schedule("a", at: t0.addingTimeInterval(5))
        queue.remove("a")
        queue.schedule("a", at: t0.addingTimeInterval(50))
        XCTAssertEqual(queue.count, 1)
        XCTAssertEqual(queue.earliestDue(), t0.addingTimeInterval(50))
        XCTAssertEqual(queue.takeDue(now: t0.addingTimeInterval(10)), [])
        XCTAssertEqual(queue.takeDue(now: t0.addingTimeInterval(50)), ["a"])
        XCTAssertEqual(queue.count, 0)
    }

    func testItAgreesWithLookingAtEveryFeedOverManyRandomChanges() {
        var queue = DueQueue()
        var model: [String: Date] = [:]
        var seed = UInt64(0xFEED_0001)
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        var now = t0
        for step in 0..<20_000 {
            let name = "feed-\(next(300))"
            switch next(10) {
            case 0..<6:
                let due = now.addingTimeInterval(Double(next(600)))
                queue.schedule(name, at: due)
                model[name] = due
            case 6:
                queue.schedule(name, at: nil)
                model[name] = nil
            case 7:
                queue.remove(name)
                model[name] = nil
            default:
                now = now.addingTimeInterval(Double(next(60)))
                let limit = next(5) == 0 ? 3 : Int.max
                let expected = model.filter { $0.value <= now }.sorted { ($0.value, $0.key) < ($1.value, $1.key) }
                    .prefix(limit).map(\.key)
                XCTAssertEqual(queue.takeDue(now: now, limit: limit), expected, "step \(step)")
                for name in expected { model[name] = nil }
            }
            XCTAssertEqual(queue.count, model.count, "step \(step)")
            XCTAssertEqual(queue.earliestDue(), model.values.min(), "step \(step)")
        }
    }
}
