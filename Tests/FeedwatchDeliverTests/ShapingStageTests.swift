import FeedwatchAlert
import FeedwatchConfig
import FeedwatchDeliver
import FeedwatchState
import Foundation
import Logging
import TestSupport
import XCTest

/// Grouping, digests, quiet hours and rates through the delivery stage, a real SQLite outbox and a
/// loopback receiver, on a clock the test sets (`attemptDue(now:)`).
final class ShapingStageTests: XCTestCase {
    private var directory: URL!
    private var receiver: HTTPTestServer!
    private let t0 = ISO8601DateFormatter().date(from: "2026-11-27T09:00:00Z")!  // 10:00 in Paris

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("shaping-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        receiver = try HTTPTestServer { _ in .init(status: 204, text: "") }
    }

    override func tearDownWithError() throws {
        receiver.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    private func config(_ hook: String, rules: String = "[{name: outages, any: [panne], notify: [hook]}]") throws
        -> Config
    {
        try ConfigLoader.parse(
            """
            state_dir: \(directory.path)
            timezone: Europe/Paris
            feeds: [{url: "https://example.org/feed.xml", name: news}]
            rules: \(rules)
            webhooks: [{name: hook, url: "\(receiver.url("/hook").absoluteString)", \(hook)}]
            """, path: "feedwatch.yaml", environment: [:])
    }

    private func stage(_ config: Config, store: SQLiteStateStore) throws -> DeliveryStage {
        DeliveryStage(
            store: store,
            destinations: try DestinationSet.make(
                config: config, http: try DeliverFixtures.client(self),
                journal: JournalSink(destination: .standardError)),
            policy: ShapingPolicy(config: config), logger: Logger(label: "test"))
    }

    /// Queues one alert per id, for `rule`, as the document processor does at `at`.
    private func queue(_ ids: [String], rule: String = "outages", at: Date, store: SQLiteStateStore) throws {
        let items = try ids.map { id in
            let alert = Alert(
                rule: rule, keywords: ["panne"],
                feed: Alert.Feed(name: "news", url: "https://example.org/feed.xml", title: "News"),
                item: Alert.Item(
                    id: id, title: "Panne \(id)", link: "https://example.org/\(id)", summary: "", published: nil,
                    authors: [], categories: []),
                detectedAt: at, snippet: "")
            return IncomingItem(
                key: id, link: alert.item.link, title: "panne \(id)",
                candidates: [
                    AlertCandidate(
                        alertID: alert.alertID, rule: rule, targets: ["hook"],
                        payload: try OutboxCodec.payload(for: alert))
                ])
        }
        _ = try store.recordItemsAndEnqueueAlerts(feed: "news", items: items, now: at, alertOnFirstPoll: true)
    }

    /// The item ids each received message carried, in order.
    private func received() throws -> [[String]] {
        try receiver.requests.map { request in
            let body = try DeliverFixtures.json(request.body)
            if body["type"] as? String == "feedwatch.alerts" {
                return (body["alerts"] as? [[String: Any]] ?? []).compactMap {
                    ($0["item"] as? [String: Any])?["id"] as? String
                }
            }
            return [(body["item"] as? [String: Any])?["id"] as? String ?? "?"]
        }
    }

    func testAlertsWithinGroupWaitGoAsOneMessage() async throws {
        let config = try config("group_wait: 3s")
        let store = try SQLiteStateStore(directory: config.stateDirectory)
        defer { store.close() }
        let stage = try stage(config, store: store)
        try queue(["a", "b"], at: t0, store: store)
        try queue(["c"], at: t0.addingTimeInterval(1), store: store)
        await stage.attemptDue(now: t0.addingTimeInterval(1))
        try queue(["d", "e"], at: t0.addingTimeInterval(2.5), store: store)
        await stage.attemptDue(now: t0.addingTimeInterval(2.9))
        XCTAssertEqual(receiver.requests.count, 0, "the group waits 3 s from its first alert")
        let result = await stage.attemptDue(now: t0.addingTimeInterval(3))
        XCTAssertEqual(result.delivered, 1)
        XCTAssertEqual(try received(), [["a", "b", "c", "d", "e"]])
        let request = try XCTUnwrap(receiver.requests.first)
        XCTAssertEqual(try DeliverFixtures.json(request.body)["count"] as? Int, 5)
        XCTAssertNotNil(request.header("webhook-id"))
        // An alert after the window opens the next group.
        try queue(["f"], at: t0.addingTimeInterval(3.5), store: store)
        await stage.attemptDue(now: t0.addingTimeInterval(6.5))
        XCTAssertEqual(try received(), [["a", "b", "c", "d", "e"], ["f"]])
        XCTAssertTrue(try store.pending().isEmpty)
    }

    func testADigestCollectsAcrossPollsAndARestart() async throws {
        let config = try config("digest: \"11:00\"")
        var store = try SQLiteStateStore(directory: config.stateDirectory)
        try queue(["a"], at: t0, store: store)
        await (try stage(config, store: store)).attemptDue(now: t0.addingTimeInterval(60))
        store.close()
        // A restart: a new store and a new stage over the same file.
        store = try SQLiteStateStore(directory: config.stateDirectory)
        defer { store.close() }
        let restarted = try stage(config, store: store)
        try queue(["b"], at: t0.addingTimeInterval(1800), store: store)
        await restarted.attemptDue(now: t0.addingTimeInterval(3599))
        XCTAssertEqual(receiver.requests.count, 0, "held until 11:00 Paris time")
        let held = try store.pending()
        XCTAssertEqual(held.map(\.hold), ["digest", "digest"])
        XCTAssertEqual(
            held.map(\.nextAttempt), [t0.addingTimeInterval(3600), t0.addingTimeInterval(3600)], "11:00 in Paris")
        await restarted.attemptDue(now: t0.addingTimeInterval(3600))
        XCTAssertEqual(try received(), [["a", "b"]])
    }

    func testQuietHoursHoldUntilTheyEndAndUrgentRulesGoThrough() async throws {
        let config = try config(
            "quiet: {from: \"22:00\", to: \"07:00\"}",
            rules:
                "[{name: outages, any: [panne], notify: [hook]}, {name: alarm, any: [feu], urgent: true, notify: [hook]}]"
        )
        let store = try SQLiteStateStore(directory: config.stateDirectory)
        defer { store.close() }
        let stage = try stage(config, store: store)
        let night = ISO8601DateFormatter().date(from: "2026-11-27T22:30:00Z")!  // 23:30 in Paris
        try queue(["a"], at: night, store: store)
        try queue(["fire"], rule: "alarm", at: night, store: store)
        try queue(["b"], at: night.addingTimeInterval(3600), store: store)
        await stage.attemptDue(now: night.addingTimeInterval(3600))
        XCTAssertEqual(try received(), [["fire"]], "urgent goes at once")
        let morning = ISO8601DateFormatter().date(from: "2026-11-28T06:00:00Z")!  // 07:00 in Paris
        await stage.attemptDue(now: morning.addingTimeInterval(-1))
        XCTAssertEqual(receiver.requests.count, 1)
        await stage.attemptDue(now: morning)
        XCTAssertEqual(try received(), [["fire"], ["a", "b"]], "held alerts go as one message when quiet ends")
    }

    func testARateSpacesMessagesAndDropsNothing() async throws {
        let config = try config("rate: 2/min")
        let store = try SQLiteStateStore(directory: config.stateDirectory)
        defer { store.close() }
        let stage = try stage(config, store: store)
        try queue(["a", "b", "c", "d", "e"], at: t0, store: store)
        await stage.attemptDue(now: t0)
        XCTAssertEqual(try received().count, 2)
        await stage.attemptDue(now: t0.addingTimeInterval(30))
        XCTAssertEqual(try received().count, 2, "still within the minute")
        await stage.attemptDue(now: t0.addingTimeInterval(60))
        XCTAssertEqual(try received().count, 4)
        await stage.attemptDue(now: t0.addingTimeInterval(120))
        // Two messages of a minute go at once and may arrive in either order; none is lost.
        XCTAssertEqual(try received().flatMap { $0 }.sorted(), ["a", "b", "c", "d", "e"])
        XCTAssertEqual(receiver.requests.count, 5)
        XCTAssertTrue(try store.pending().isEmpty)
    }

    func testAGroupThatFailsIsRetriedAsTheSameMessage() async throws {
        let fail = Flag()
        fail.set()
        receiver.stop()
        receiver = try HTTPTestServer { _ in
            fail.isSet ? .init(status: 503, text: "busy") : .init(status: 200, text: "ok")
        }
        let config = try config("group_wait: 2s")
        let store = try SQLiteStateStore(directory: config.stateDirectory)
        defer { store.close() }
        let stage = try stage(config, store: store)
        try queue(["a", "b"], at: t0, store: store)
        await stage.attemptDue(now: t0.addingTimeInterval(2))
        try queue(["c"], at: t0.addingTimeInterval(3), store: store)
        fail.clear()
        await stage.attemptDue(now: t0.addingTimeInterval(60))
        // The retry and c's own group are both due by then; they go in the order they fell due.
        let messages = try received()
        XCTAssertEqual(messages.count, 3)
        XCTAssertEqual(messages.filter { $0 == ["a", "b"] }.count, 2, "the failed group is resent whole: \(messages)")
        XCTAssertEqual(messages.filter { $0 == ["c"] }.count, 1, "c is not added to a group that was sent")
        let ids = zip(messages, receiver.requests).map { ($0, $1.header("webhook-id")) }
        let groupIDs = Set(ids.filter { $0.0 == ["a", "b"] }.map(\.1))
        XCTAssertEqual(groupIDs.count, 1, "a retried group keeps its id")
        XCTAssertFalse(groupIDs.contains(ids.first { $0.0 == ["c"] }?.1 ?? nil))
    }
}

/// A flag a receiver reads and the test sets or clears.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    func clear() { lock.withLock { value = false } }
    var isSet: Bool { lock.withLock { value } }
}
