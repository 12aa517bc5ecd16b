import FeedwatchPostgres
import FeedwatchState
import Foundation
import Logging
import TestSupport
import XCTest

/// What sharing one database adds to the contract: two stores (two instances) at once never fire
/// an item or a story twice, never claim the same delivery, split the feeds between them, and take
/// over what a dead one held once its lease or claim runs out.
final class PostgresSharingTests: XCTestCase {
    private let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    override class func tearDown() {
        PostgresStoreContractTests.stopSharedServer()
        super.tearDown()
    }

    private func twoStores(leasePeriod: TimeInterval = 60) async throws -> (PostgresStateStore, PostgresStateStore) {
        let settings = try PostgresStoreContractTests.freshDatabase(leasePeriod: leasePeriod)
        let first = try await PostgresStateStore.connect(settings, logger: Logger(label: "first"))
        let second = try await PostgresStateStore.connect(settings, logger: Logger(label: "second"))
        return (first, second)
    }

    private func item(_ key: String, link: String, title: String) -> IncomingItem {
        IncomingItem(
            key: key, link: link, title: title,
            candidates: [
                AlertCandidate(alertID: "outages|\(key)", rule: "outages", targets: ["hook"], payload: Data("{}".utf8))
            ])
    }

    func testTwoInstancesRacingOnTheSameNewItemsFireEachOnce() async throws {
        let (first, second) = try await twoStores()
        let t0 = self.t0
        for round in 0..<20 {
            let items = (0..<5).map {
                item("r\(round)-\($0)", link: "https://ex.org/\(round)/\($0)", title: "outage number \(round) \($0) today")
            }
            // The same document recorded by both at once (a lease that changed hands mid-poll).
            async let a = first.recordItemsAndEnqueueAlerts(feed: "news", items: items, now: t0, alertOnFirstPoll: true)
            async let b = second.recordItemsAndEnqueueAlerts(feed: "news", items: items, now: t0, alertOnFirstPoll: true)
            let (one, two) = try await (a, b)
            XCTAssertEqual(one.fired + two.fired, 5, "round \(round)")
            XCTAssertEqual(one.newItems + two.newItems, 5, "round \(round)")
        }
        // The same story in two feeds, recorded at once: one alert.
        for round in 0..<20 {
            let story = "https://ex.org/story/\(round)"
            let itemA = [item("a\(round)", link: story, title: "story \(round) a")]
            let itemB = [item("b\(round)", link: story, title: "story \(round) b")]
            async let a = first.recordItemsAndEnqueueAlerts(feed: "wire-a", items: itemA, now: t0, alertOnFirstPoll: true)
            async let b = second.recordItemsAndEnqueueAlerts(feed: "wire-b", items: itemB, now: t0, alertOnFirstPoll: true)
            let (one, two) = try await (a, b)
            XCTAssertEqual(one.fired + two.fired, 1, "round \(round)")
            XCTAssertEqual(one.suppressed + two.suppressed, 1, "round \(round)")
        }
        let queued = try await first.pending().count
        XCTAssertEqual(queued, 100 + 20)
        await first.close()
        await second.close()
    }

    func testTwoInstancesClaimingAtOnceNeverShareADelivery() async throws {
        let (first, second) = try await twoStores()
        let t0 = self.t0
        let items = (0..<200).map { item("i\($0)", link: "https://ex.org/\($0)", title: "outage \($0) somewhere big") }
        _ = try await first.recordItemsAndEnqueueAlerts(feed: "news", items: items, now: t0, alertOnFirstPoll: true)
        try await first.applyShaping(try await first.unshapedDeliveries(limit: 500).map { ShapingDecision(id: $0.id) })
        var claimed: [Int64] = []
        for _ in 0..<25 {
            async let a = first.dueMessages(now: t0, target: "hook", limit: 5)
            async let b = second.dueMessages(now: t0, target: "hook", limit: 5)
            let (one, two) = try await (a, b)
            claimed += (one + two).joined().map(\.id)
        }
        XCTAssertEqual(claimed.count, 200)
        XCTAssertEqual(Set(claimed).count, 200, "no delivery claimed twice")
        await first.close()
        await second.close()
    }

    func testAClaimOfADeadInstanceIsTakenOverWhenItRunsOut() async throws {
        let (first, second) = try await twoStores(leasePeriod: 1)
        _ = try await first.recordItemsAndEnqueueAlerts(
            feed: "news", items: [item("a", link: "https://ex.org/a", title: "outage one two three")], now: t0,
            alertOnFirstPoll: true)
        try await first.applyShaping(try await first.unshapedDeliveries(limit: 5).map { ShapingDecision(id: $0.id) })
        let taken = try await first.dueMessages(now: t0, target: "hook", limit: 5)
        XCTAssertEqual(taken.count, 1)
        // The first never reports back: while its claim runs, the second gets nothing.
        let meanwhile = try await second.dueMessages(now: t0, target: "hook", limit: 5)
        XCTAssertTrue(meanwhile.isEmpty)
        var takenOver: [[OutboxEntry]] = []
        let deadline = Date().addingTimeInterval(10)
        while takenOver.isEmpty, Date() < deadline {
            takenOver = try await second.dueMessages(now: t0, target: "hook", limit: 5)
            if takenOver.isEmpty { try await Task.sleep(for: .milliseconds(100)) }
        }
        XCTAssertEqual(takenOver.first?.first?.id, taken.first?.first?.id)
        // The late report of the first does not undo the second's delivery.
        let id = try XCTUnwrap(takenOver.first?.first?.id)
        try await second.markDelivered(id: id, status: 200, now: t0)
        try await first.markFailed(id: id, error: "late", retryAt: t0)
        let delivered = try await first.messagesDelivered(target: "hook", since: t0)
        XCTAssertEqual(delivered.count, 1)
        await first.close()
        await second.close()
    }

    func testLeasesSplitTheFeedsAndADeadInstancesFeedsAreTakenOver() async throws {
        let (first, second) = try await twoStores(leasePeriod: 1)
        let names = (0..<40).map { "feed-\($0)" }
        try await first.registerFeeds(names)
        let alone = try await first.balanceLeases(feedCount: 40)
        XCTAssertEqual(alone.held, 40, "alone, an instance holds every feed")
        let joined = try await second.balanceLeases(feedCount: 40)
        XCTAssertEqual(joined.held, 0, "nothing is free yet")
        let gaveUp = try await first.balanceLeases(feedCount: 40)
        XCTAssertEqual(gaveUp.held, 20)
        XCTAssertEqual(gaveUp.lost.count, 20)
        let took = try await second.balanceLeases(feedCount: 40)
        XCTAssertEqual(took.held, 20)
        XCTAssertEqual(Set(took.gained).intersection(Set(gaveUp.lost)).count, 20, "each feed held by one instance")
        // The first stops renewing (it died): once its leases run out, the second takes them all.
        var change = FeedLeaseChange()
        let deadline = Date().addingTimeInterval(10)
        while change.held < 40, Date() < deadline {
            change = try await second.balanceLeases(feedCount: 40)
            if change.held < 40 { try await Task.sleep(for: .milliseconds(200)) }
        }
        XCTAssertEqual(change.held, 40)
        await first.close()
        await second.close()
    }
}
