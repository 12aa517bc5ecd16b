import FeedwatchFetch
import FeedwatchState
import Foundation
import XCTest

@testable import FeedwatchConfig
@testable import FeedwatchDaemon

/// The state a poll leaves, and which polls change only the poll times: the daemon saves those
/// as times alone (`saveFeedStates(_:timesOnly:)`), so a poll that changed anything else must not
/// count as one, or the change would never reach the store.
final class PollStateTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_800_000_000)
    private let feed = FeedConfig(
        name: "news", source: .remote("https://example.org/news.xml"), tags: [], headers: [:],
        settings: SharedFeedSettings(FeedSettings()))

    /// The state of a healthy feed whose last poll was a 304 a minute ago.
    private var stored: FeedState {
        FeedState(
            name: "news", configuredURL: "https://example.org/news.xml", etag: "\"v1\"",
            lastModified: "Wed, 25 Nov 2026 01:00:00 GMT", lastPoll: now.addingTimeInterval(-60), lastStatus: "304",
            nextDue: now, firstPollDone: true, lastNewItem: now.addingTimeInterval(-3600))
    }

    private func after(_ result: FetchResult, errors: Int = 0, processed: Bool = false) -> FeedState {
        var report = PollReport(
            feed: "news", result: result, outcome: PollOutcome(result),
            statusText: result.status.map(String.init) ?? "error")
        if processed {
            report.processed = ProcessedDocument(
                ttlMinutes: nil, warnings: [], record: RecordOutcome(), itemsParsed: 0, alerts: [])
        }
        return FeedPoller.updatedState(
            stored, feed: feed, report: report, nextDue: now.addingTimeInterval(60), consecutiveErrors: errors, now: now
        )
    }

    func testA304WithTheSameValidatorsChangesOnlyThePollTimes() {
        let state = after(
            FetchResult(
                outcome: .notModified, status: 304, etag: "\"v1\"", lastModified: "Wed, 25 Nov 2026 01:00:00 GMT"))
        XCTAssertEqual(state.lastPoll, now)
        XCTAssertEqual(state.nextDue, now.addingTimeInterval(60))
        XCTAssertTrue(state.differsOnlyInPollTimes(from: stored))
    }

    func testAnyOtherPollChangesMore() {
        let url = URL(string: "https://example.org/news.xml")!
        let others: [(String, FeedState)] = [
            ("a 304 with a new ETag", after(FetchResult(outcome: .notModified, status: 304, etag: "\"v2\""))),
            (
                "a 200",
                after(
                    FetchResult(
                        outcome: .document(body: Data(), charset: nil, finalURL: url), status: 200, etag: "\"v1\"",
                        lastModified: "Wed, 25 Nov 2026 01:00:00 GMT"), processed: true)
            ),
            ("a failure", after(FetchResult(outcome: .failed("timeout")), errors: 1)),
            ("a 410", after(FetchResult(outcome: .gone, status: 410))),
        ]
        for (what, state) in others {
            XCTAssertFalse(state.differsOnlyInPollTimes(from: stored), what)
        }
    }
}
