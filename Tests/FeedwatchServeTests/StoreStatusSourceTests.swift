import FeedwatchConfig
import FeedwatchDaemon
import FeedwatchServe
import FeedwatchState
import Foundation
import TestSupport
import XCTest

/// `StoreStatusSource` over a real store holding thousands of feeds in every state: statuses,
/// counts, filters and pages, and what the configuration no longer has.
final class StoreStatusSourceTests: XCTestCase {
    private var directory: URL!
    private let now = Date(timeIntervalSince1970: 1_800_000_000)
    private let feedCount = 3000

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory("feedwatch-status-source")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func url(_ index: Int) -> String { "https://example.org/feeds/\(index).xml" }

    /// `feedCount` feeds: every 100th failing (from 50), every 250th gone (from 0: some of them
    /// failing too, which gone wins), every 300th silent for 10 days (from 1), the rest polled fine;
    /// plus a failing feed the configuration no longer lists and a failing one whose URL it changed.
    private func makeSource(silentAfter: String = "7d") throws -> (StoreStatusSource, SQLiteStateStore) {
        var yaml = """
            state_dir: \(directory.appendingPathComponent("state").path)
            health: {silent_after: \(silentAfter)}
            rules: [{name: r, any: [x]}]
            feeds:

            """
        for index in 0..<feedCount {
            let moved = index == 7 ? "?v=2" : ""
            yaml += "  - {url: \"\(url(index))\(moved)\", name: f\(index)}\n"
        }
        let path = directory.appendingPathComponent("feedwatch.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try ConfigLoader.load(path: path, environment: [:])

        let writer = try SQLiteStateStore(directory: config.stateDirectory)
        var states: [FeedState] = []
        for index in 0..<feedCount {
            var state = FeedState(
                name: "f\(index)", url: url(index), configuredURL: url(index), lastPoll: now.addingTimeInterval(-60),
                lastStatus: "200", nextDue: now.addingTimeInterval(540), firstPollDone: true,
                lastNewItem: now.addingTimeInterval(-3600))
            if index % 300 == 1 { state.lastNewItem = now.addingTimeInterval(-10 * 86400) }
            if index % 100 == 50 || index == 7 {
                state.failingSince = now.addingTimeInterval(-7200)
                state.consecutiveErrors = 3
                state.lastStatus = "timeout: no answer from \(url(index)) within 30s"
            }
            if index % 250 == 0 {
                state.gone = true
                state.lastStatus = "410"
            }
            states.append(state)
        }
        states.append(
            FeedState(
                name: "removed", url: "https://old.example.org/", configuredURL: "https://old.example.org/",
                lastStatus: "500", consecutiveErrors: 9, failingSince: now.addingTimeInterval(-86400)))
        try writer.saveFeedStates(states)
        writer.close()

        let store = try SQLiteStateStore(directory: config.stateDirectory, mode: .readOnly)
        let source = StoreStatusSource(store: store, config: { config }, metrics: { "" }, now: { [now] in now })
        return (source, store)
    }

    /// Indices 0..<feedCount in the status the source should give them.
    private func expected(_ index: Int) -> FeedStatus {
        if index == 7 { return .ok }  // its URL changed: the old failure belongs to the old URL
        if index % 250 == 0 { return .gone }
        if index % 100 == 50 { return .failing }
        if index % 300 == 1 { return .silent }
        return .ok
    }

    func testCountsEveryConfiguredFeedOnceByItsStatus() async throws {
        let (source, store) = try makeSource()
        defer { store.close() }
        let snapshot = try await source.feeds(FeedQuery(limit: 10))
        let statuses = (0..<feedCount).map(expected)
        XCTAssertEqual(
            snapshot.counts,
            FeedCounts(
                total: feedCount, ok: statuses.filter { $0 == .ok }.count,
                failing: statuses.filter { $0 == .failing }.count, gone: statuses.filter { $0 == .gone }.count,
                silent: statuses.filter { $0 == .silent }.count))
        XCTAssertEqual(snapshot.matched, feedCount)
        XCTAssertEqual(snapshot.feeds.map(\.name), (0..<10).map { "f\($0)" })
        XCTAssertEqual(snapshot.feeds.map(\.status), (0..<10).map(expected))
    }

    func testEachStatusFilterPagesThroughExactlyItsFeedsInConfigurationOrder() async throws {
        let (source, store) = try makeSource()
        defer { store.close() }
        for statuses: Set<FeedStatus> in [[.failing], [.gone], [.silent], [.ok], FeedStatus.problems, [.ok, .gone]] {
            let wanted = (0..<feedCount).filter { statuses.contains(expected($0)) }.map { "f\($0)" }
            var seen: [String] = []
            var offset = 0
            while true {
                let page = try await source.feeds(FeedQuery(statuses: statuses, limit: 700, offset: offset))
                XCTAssertEqual(page.matched, wanted.count, "\(statuses)")
                XCTAssertTrue(page.feeds.allSatisfy { statuses.contains($0.status) }, "\(statuses)")
                seen += page.feeds.map(\.name)
                if page.feeds.count < 700 { break }
                offset += 700
            }
            XCTAssertEqual(seen, wanted, "\(statuses)")
        }
    }

    func testAFeedsHealthSaysSinceWhenAndWhyWithoutItsQueryValues() async throws {
        let (source, store) = try makeSource()
        defer { store.close() }
        let failing = try await source.feeds(FeedQuery(statuses: [.failing], limit: 1)).feeds[0]
        XCTAssertEqual(failing.name, "f50")
        XCTAssertEqual(failing.since, now.addingTimeInterval(-7200))
        XCTAssertEqual(failing.error, "timeout: no answer from \(url(50)) within 30s")
        XCTAssertEqual(failing.consecutiveErrors, 3)
        let silent = try await source.feeds(FeedQuery(statuses: [.silent], limit: 1)).feeds[0]
        XCTAssertEqual(silent.name, "f1")
        XCTAssertEqual(silent.since, now.addingTimeInterval(-10 * 86400))
        let gone = try await source.feeds(FeedQuery(statuses: [.gone], limit: 1)).feeds[0]
        XCTAssertEqual(gone.name, "f0")
        XCTAssertNil(gone.nextPoll, "a gone feed is not polled again")
        let moved = try await source.feeds(FeedQuery(limit: 1, offset: 7)).feeds[0]
        XCTAssertEqual(moved.url, "https://example.org/feeds/7.xml?v=…")
        XCTAssertNil(moved.lastPoll, "the state of the old URL is not this feed's")
    }

    func testWithoutSilentAfterNoFeedIsSilent() async throws {
        let (source, store) = try makeSource(silentAfter: "0")
        defer { store.close() }
        let snapshot = try await source.feeds(FeedQuery(statuses: [.silent]))
        XCTAssertEqual(snapshot.counts.silent, 0)
        XCTAssertEqual(snapshot.feeds, [])
    }
}
