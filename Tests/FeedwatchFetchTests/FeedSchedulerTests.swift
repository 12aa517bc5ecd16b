import FeedwatchFetch
import Foundation
import XCTest

final class FeedSchedulerTests: XCTestCase {
    private let start = Date(timeIntervalSince1970: 1_800_000_000)
    private let tenMinutes: TimeInterval = 600

    func testFirstPollsOfTenThousandFeedsAreSpreadOverTheInterval() {
        var scheduler = FeedScheduler(seed: 42)
        for index in 0..<10_000 { scheduler.add(feed: "feed-\(index)", interval: tenMinutes, now: start) }
        var buckets = [Int](repeating: 0, count: 10)
        for feed in scheduler.allFeeds {
            let offset = feed.nextDue?.timeIntervalSince(start) ?? -1
            XCTAssertTrue((0..<tenMinutes).contains(offset), "offset \(offset)")
            buckets[min(9, Int(offset / 60))] += 1
        }
        for count in buckets { XCTAssertTrue((800...1200).contains(count), "\(buckets)") }
        XCTAssertLessThan(scheduler.dueFeeds(now: start.addingTimeInterval(1)).count, 100)
        XCTAssertEqual(scheduler.dueFeeds(now: start.addingTimeInterval(tenMinutes)).count, 10_000)
    }

    func testFirstPollOffsetDependsMostlyOnTheFeedName() {
        var one = FeedScheduler(seed: 1)
        var two = FeedScheduler(seed: 2)
        let a = one.firstPollOffset(feed: "lemonde", interval: tenMinutes)
        let b = two.firstPollOffset(feed: "lemonde", interval: tenMinutes)
        let apart = abs(a - b)
        XCTAssertLessThanOrEqual(min(apart, tenMinutes - apart), 0.1 * tenMinutes)
    }

    func testSuccessSchedulesOneIntervalLater() {
        let feed = ScheduledFeed(name: "a", interval: tenMinutes, nextDue: start)
        XCTAssertEqual(
            FeedScheduler.nextDue(after: .success(minimumInterval: nil), feed: feed, now: start),
            start.addingTimeInterval(tenMinutes))
    }

    func testEachConsecutiveErrorDoublesTheDelayUpToSixHours() {
        var scheduler = FeedScheduler(seed: 1)
        scheduler.add(feed: "a", interval: tenMinutes, now: start)
        var delays: [TimeInterval] = []
        for _ in 0..<8 {
            let due = scheduler.record(.failure(retryAfter: nil), feed: "a", now: start)
            delays.append((due ?? start).timeIntervalSince(start))
        }
        XCTAssertEqual(delays, [1200, 2400, 4800, 9600, 19200, 21600, 21600, 21600])
        XCTAssertEqual(scheduler.feed(named: "a")?.consecutiveErrors, 8)
        // The entry a poll's recording returns is the one the schedule now holds.
        let ninth = scheduler.recordPoll(.failure(retryAfter: nil), feed: "a", now: start)
        XCTAssertEqual(ninth?.consecutiveErrors, 9)
        XCTAssertEqual(ninth, scheduler.feed(named: "a"))
        XCTAssertNil(scheduler.recordPoll(.failure(retryAfter: nil), feed: "unknown", now: start))
    }

    func testSuccessResetsTheBackoff() {
        var scheduler = FeedScheduler(seed: 1)
        scheduler.add(feed: "a", interval: tenMinutes, now: start)
        scheduler.record(.failure(retryAfter: nil), feed: "a", now: start)
        scheduler.record(.failure(retryAfter: nil), feed: "a", now: start)
        XCTAssertEqual(scheduler.record(.success(minimumInterval: nil), feed: "a", now: start), start + tenMinutes)
        XCTAssertEqual(scheduler.feed(named: "a")?.consecutiveErrors, 0)
        XCTAssertEqual(scheduler.record(.failure(retryAfter: nil), feed: "a", now: start), start + 2 * tenMinutes)
    }

    func testRetryAfterIsNeverPolledEarlier() {
        let feed = ScheduledFeed(name: "a", interval: tenMinutes, nextDue: start)
        XCTAssertEqual(FeedScheduler.nextDue(after: .failure(retryAfter: 7200), feed: feed, now: start), start + 7200)
        // A Retry-After shorter than the back-off does not make the poll earlier either.
        XCTAssertEqual(FeedScheduler.nextDue(after: .failure(retryAfter: 5), feed: feed, now: start), start + 1200)
    }

    func testTTLLengthensButNeverShortensTheInterval() {
        var scheduler = FeedScheduler(seed: 1)
        scheduler.add(feed: "a", interval: tenMinutes, now: start)
        XCTAssertEqual(scheduler.record(.success(minimumInterval: 3600), feed: "a", now: start), start + 3600)
        XCTAssertEqual(scheduler.feed(named: "a")?.effectiveInterval, 3600)
        XCTAssertEqual(scheduler.record(.success(minimumInterval: 60), feed: "a", now: start), start + tenMinutes)
        XCTAssertEqual(
            scheduler.record(.success(minimumInterval: 365 * 86400), feed: "a", now: start), start + 86400,
            "a feed's own ttl lengthens up to a day")
    }

    func testGoneFeedIsNeverDueAgain() {
        var scheduler = FeedScheduler(seed: 1)
        scheduler.add(feed: "a", interval: tenMinutes, now: start)
        scheduler.add(feed: "b", interval: tenMinutes, now: start)
        XCTAssertNil(scheduler.record(.gone, feed: "a", now: start))
        XCTAssertEqual(scheduler.dueFeeds(now: start + 365 * 86400), ["b"])
        XCTAssertEqual(scheduler.feed(named: "a")?.gone, true)
    }

    func testTakenFeedsAreNotDueAgainUntilRecorded() {
        var scheduler = FeedScheduler(seed: 1)
        scheduler.add(feed: "a", interval: tenMinutes, now: start)
        let later = start + tenMinutes
        XCTAssertEqual(scheduler.takeDueFeeds(now: later), ["a"])
        XCTAssertEqual(scheduler.dueFeeds(now: later + 1), [])
        XCTAssertNil(scheduler.earliestDue())
        scheduler.record(.success(minimumInterval: nil), feed: "a", now: later)
        XCTAssertEqual(scheduler.earliestDue(), later + tenMinutes)
    }

    func testTakingDueFeedsRespectsTheLimitAndFailingFeedsAreCountedAsTheyChange() {
        var scheduler = FeedScheduler(seed: 1)
        for name in ["a", "b", "c"] {
            scheduler.restore(ScheduledFeed(name: name, interval: tenMinutes, nextDue: start))
        }
        XCTAssertEqual(scheduler.takeDueFeeds(now: start, limit: 2), ["a", "b"])
        scheduler.record(.failure(retryAfter: nil), feed: "a", now: start)
        scheduler.record(.gone, feed: "b", now: start)
        XCTAssertEqual(scheduler.failingCount, 2)
        XCTAssertEqual(scheduler.earliestDue(), start, "c is still waiting")
        XCTAssertEqual(scheduler.takeDueFeeds(now: start + 365 * 86400), ["c", "a"], "a gone feed is never due")
        scheduler.record(.success(minimumInterval: nil), feed: "a", now: start + 3600)
        XCTAssertEqual(scheduler.failingCount, 1)
        scheduler.remove(feed: "b")
        XCTAssertEqual(scheduler.failingCount, 0)
        XCTAssertEqual(scheduler.earliestDue(), start + 3600 + tenMinutes)
    }

    func testPollOutcomeTakesTheLongerOfTTLAndMaxAge() {
        let result = FetchResult(outcome: .notModified, status: 304, maxAge: 900)
        XCTAssertEqual(PollOutcome(result, feedTTL: 1800), .success(minimumInterval: 1800))
        XCTAssertEqual(PollOutcome(result), .success(minimumInterval: 900))
        let error = FetchResult(outcome: .failed("HTTP status 500"), status: 500, retryAfter: 60)
        XCTAssertEqual(PollOutcome(error), .failure(retryAfter: nil), "Retry-After counts only with 429 and 503")
    }
}
