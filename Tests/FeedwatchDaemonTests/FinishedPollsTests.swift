import FeedwatchFetch
import Foundation
import XCTest

@testable import FeedwatchConfig
@testable import FeedwatchDaemon

/// Finished polls reach the polling loop in batches: the loop is woken within the batch delay of
/// the first, at once for the last poll in flight or when it asked for a count.
final class FinishedPollsTests: XCTestCase {
    private func entry(_ name: String) -> FinishedPolls.Entry {
        let feed = FeedConfig(
            name: name, source: .remote("https://example.org/\(name).xml"), tags: [], headers: [:],
            settings: SharedFeedSettings(FeedSettings()))
        let prepared = FeedPoller.withoutDocument(feed, fetched: FetchResult(outcome: .notModified, status: 304))
        return FinishedPolls.Entry(feed: feed, previous: nil, stage: .fetched(prepared), seconds: 0.001)
    }

    /// Returns how long a wait with a one-minute deadline lasted.
    private static func waited(on wakeup: Wakeup) async -> Duration {
        let start = ContinuousClock.now
        await wakeup.wait(until: Date().addingTimeInterval(60))
        return ContinuousClock.now - start
    }

    func testTheFirstPollOfABatchWakesTheLoopWithoutItsOwnDeadline() async {
        let wakeup = Wakeup()
        let finished = FinishedPolls(wakeup: wakeup)
        finished.started(3)
        finished.add(entry("a"))  // handed over before the loop sleeps: its next wait ends early
        let first = await Self.waited(on: wakeup)
        XCTAssertLessThan(first, .seconds(30), "woken for the batch, not at the loop's own deadline")
        XCTAssertEqual(finished.take().map(\.feed.name), ["a"])

        // Asleep first, then the poll arrives (or the other way round): the wait ends early.
        async let second = Self.waited(on: wakeup)
        finished.add(entry("b"))
        let lasted = await second
        XCTAssertLessThan(lasted, .seconds(30))
        XCTAssertEqual(finished.take().map(\.feed.name), ["b"])
    }

    /// With a batch delay longer than the loop's own wait, only what must not wait ends a wait
    /// early: the last poll in flight (shutdown waits for it), an urgent one (alerts queued), the
    /// count the loop asked for (room for waiting feeds).
    func testWhatMustNotWaitWakesTheLoopAtOnce() async {
        let wakeup = Wakeup()
        let finished = FinishedPolls(wakeup: wakeup, batchDelay: 3600)
        finished.started(10)

        finished.add(entry("a"))
        let start = ContinuousClock.now
        await wakeup.wait(until: Date().addingTimeInterval(0.3))
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - start, .milliseconds(250), "one poll of many waits")

        finished.add(entry("b"), urgent: true)
        var lasted = await Self.waited(on: wakeup)
        XCTAssertLessThan(lasted, .seconds(30), "an urgent poll")
        XCTAssertEqual(finished.take().map(\.feed.name), ["a", "b"])

        finished.add(entry("c"))
        finished.wakeAt(count: 2)
        finished.add(entry("d"))
        lasted = await Self.waited(on: wakeup)
        XCTAssertLessThan(lasted, .seconds(30), "the count asked for")
        XCTAssertEqual(finished.take().map(\.feed.name), ["c", "d"])

        finished.add(entry("e"))
        finished.wakeAt(count: 1)
        lasted = await Self.waited(on: wakeup)
        XCTAssertLessThan(lasted, .seconds(30), "a count already reached when asked")
        XCTAssertEqual(finished.take().map(\.feed.name), ["e"])

        finished.wakeAt(count: nil)
        for name in ["f", "g", "h", "i"] { finished.add(entry(name)) }
        finished.add(entry("j"))
        lasted = await Self.waited(on: wakeup)
        XCTAssertLessThan(lasted, .seconds(30), "the last poll in flight")
        XCTAssertEqual(finished.take().count, 5)
    }
}
