import FeedwatchFetch
import FeedwatchState
import Foundation
import TestSupport
import XCTest

@testable import FeedwatchConfig
@testable import FeedwatchDaemon

/// The schedule at start and after a reload: a reload is a diff, so every feed it does not touch
/// keeps its entry (and its place in the due-time queue) exactly.
final class FeedScheduleTests: XCTestCase {
    private var directory: URL!
    private var store: SQLiteStateStore!
    private let now = Date(timeIntervalSince1970: 1_800_000_000)

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
        store = try SQLiteStateStore(directory: directory.path)
    }

    override func tearDownWithError() throws {
        store.close()
        try? FileManager.default.removeItem(at: directory)
    }

    private func feed(_ name: String, url: String? = nil, interval: TimeInterval = 600) -> FeedConfig {
        var settings = FeedSettings()
        settings.interval = interval
        return FeedConfig(
            name: name, source: .remote(url ?? "https://example.org/\(name).xml"), tags: [], headers: [:],
            settings: SharedFeedSettings(settings))
    }

    private func runtime(_ feeds: [FeedConfig]) throws -> Runtime {
        var config = try ConfigLoader.parse(
            "state_dir: \(directory.path)\nfeeds: []\nrules: [{name: r, any: [x]}]", path: "test.yaml")
        config.feeds = feeds
        return try Runtime(config: config)
    }

    func testStartUsesStoredNextPollsAndSpreadsNewFeedsOverTheWindow() async throws {
        let polled = feed("polled")
        var state = FeedState(name: "polled", url: nil, configuredURL: polled.source.url)
        state.lastPoll = now.addingTimeInterval(-100)
        state.nextDue = now.addingTimeInterval(500)
        try store.saveFeedStates([state])
        let fresh = (0..<499).map { feed("f\($0)") }
        var scheduler = try await FeedSchedule.initial(runtime([polled] + fresh), store: store, now: now)
        XCTAssertEqual(scheduler.feed(named: "polled")?.nextDue, now.addingTimeInterval(500))
        let window = FeedSchedule.firstPollWindow(feedCount: 500)
        XCTAssertEqual(window, 10)
        let dues = fresh.compactMap { scheduler.feed(named: $0.name)?.nextDue?.timeIntervalSince(now) }
        XCTAssertEqual(dues.count, 499)
        XCTAssertTrue(dues.allSatisfy { $0 >= 0 && $0 < window }, "first polls fall inside the window")
        XCTAssertGreaterThan(Set(dues.map { Int($0) }).count, 5, "and are spread over it")
        XCTAssertEqual(scheduler.takeDueFeeds(now: now.addingTimeInterval(window)).count, 499)
    }

    func testReloadKeepsUntouchedEntriesAndAppliesOnlyTheDifference() async throws {
        let old = [feed("same"), feed("slower"), feed("faster", interval: 3600), feed("moved"), feed("dropped")]
        var scheduler = try await FeedSchedule.initial(runtime(old), store: store, now: now)
        // Give every feed a known next poll, as after a first cycle.
        for (index, config) in old.enumerated() {
            scheduler.restore(
                ScheduledFeed(
                    name: config.name, interval: config.settings.interval,
                    nextDue: now.addingTimeInterval(Double(100 * (index + 1))), consecutiveErrors: index == 0 ? 2 : 0))
        }
        let before = scheduler.feed(named: "same")
        let new = [
            feed("same"), feed("slower", interval: 7200), feed("faster", interval: 60),
            feed("moved", url: "https://example.org/elsewhere.xml"), feed("added"),
        ]
        let oldRuntime = try runtime(old)
        let names = FeedSchedule.feedsToRead(from: oldRuntime, to: new, schedule: scheduler)
        XCTAssertEqual(Set(names), ["moved", "added"], "only feeds added or moved read their stored state")
        FeedSchedule.apply(
            from: oldRuntime, to: new, schedule: &scheduler,
            stored: try store.feedStates(named: names), now: now)

        XCTAssertEqual(scheduler.feed(named: "same"), before, "an untouched feed keeps its entry, errors included")
        XCTAssertEqual(scheduler.feed(named: "slower")?.nextDue, now.addingTimeInterval(200), "a longer interval waits")
        XCTAssertEqual(scheduler.feed(named: "slower")?.interval, 7200)
        XCTAssertEqual(
            scheduler.feed(named: "faster")?.nextDue, now.addingTimeInterval(60), "a shorter one comes closer")
        XCTAssertNil(scheduler.feed(named: "dropped"))
        let moved = try XCTUnwrap(scheduler.feed(named: "moved")?.nextDue)
        XCTAssertLessThan(
            moved.timeIntervalSince(now), FeedSchedule.firstPollWindow(feedCount: 5), "a new URL starts afresh")
        XCTAssertNotNil(scheduler.feed(named: "added")?.nextDue)
        XCTAssertEqual(scheduler.count, 5)
        XCTAssertEqual(scheduler.failingCount, 1, "the running counts follow the diff")
        // The queue agrees with the entries: dropped is never handed out, everything else is.
        let due = scheduler.takeDueFeeds(now: now.addingTimeInterval(10_000))
        XCTAssertEqual(Set(due), ["same", "slower", "faster", "moved", "added"])
    }

    func testAFeedThatAnsweredGoneStaysStoppedUntilItsURLChanges() async throws {
        let gone = feed("gone")
        var state = FeedState(name: "gone", url: nil, configuredURL: gone.source.url)
        state.lastPoll = now
        state.gone = true
        try store.saveFeedStates([state])
        var scheduler = try await FeedSchedule.initial(runtime([gone]), store: store, now: now)
        XCTAssertEqual(scheduler.goneCount, 1)
        XCTAssertTrue(scheduler.takeDueFeeds(now: now.addingTimeInterval(1e6)).isEmpty)
        FeedSchedule.apply(
            from: try runtime([gone]), to: [feed("gone", url: "https://example.org/new.xml")], schedule: &scheduler,
            stored: try store.feedStates(named: ["gone"]), now: now)
        XCTAssertEqual(scheduler.goneCount, 0)
        XCTAssertEqual(scheduler.takeDueFeeds(now: now.addingTimeInterval(60)), ["gone"])
    }

    /// Feeds taken from another instance before their first poll are first polled within the
    /// window that began at this instance's start, not a new one: 10,000 feeds shared by two
    /// instances are first polled within the minute, as by one.
    func testFeedsTakenBeforeTheirFirstPollKeepTheStartWindow() {
        let start = now
        let window = FeedSchedule.firstPollWindow(feedCount: 10_000)
        let turns = LeaseTurns(period: 60, firstPollsEnd: start.addingTimeInterval(window))
        XCTAssertEqual(turns.firstPollWindow(gained: 10_000, now: start), 60)
        XCTAssertEqual(turns.firstPollWindow(gained: 5_000, now: start.addingTimeInterval(6)), 54, accuracy: 1e-6)
        // Near its end, no faster than the first-poll rate allows.
        XCTAssertEqual(turns.firstPollWindow(gained: 5_000, now: start.addingTimeInterval(59)), 5, accuracy: 1e-6)
        // Once it is over, feeds taken get a window of their own.
        XCTAssertEqual(turns.firstPollWindow(gained: 100, now: start.addingTimeInterval(120)), 2, accuracy: 1e-6)
    }
}
