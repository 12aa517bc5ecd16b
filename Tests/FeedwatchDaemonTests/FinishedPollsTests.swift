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

        // Asleep first, then the poll arrives: the timer moves earlier.
        async let second = Self.waited(on: wakeup)
        finished.add(entry("b"))
        let lasted = await second
        XCTAssertLessThan(lasted, .seconds(30))
        // The last poll in flight wakes the loop at once (shutdown waits for it).
        finished.add(entry("c"))
        _ = await Self.waited(on: wakeup)
        XCTAssertEqual(finished.take().map(\.feed.name), ["b", "c"])
    }

    func testTheLoopIsWokenOnceTheCountItAskedForIsReached() async {
        let wakeup = Wakeup()
        let finished = FinishedPolls(wakeup: wakeup)
        finished.started(10)
        finished.add(entry("a"))
        finished.wakeAt(count: 2)
        finished.add(entry("b"))
        _ = await Self.waited(on: wakeup)
        XCTAssertEqual(finished.take().count, 2)
        // Already reached when asked: at once.
        finished.add(entry("c"))
        finished.wakeAt(count: 1)
        _ = await Self.waited(on: wakeup)
        XCTAssertEqual(finished.take().map(\.feed.name), ["c"])
    }
}
