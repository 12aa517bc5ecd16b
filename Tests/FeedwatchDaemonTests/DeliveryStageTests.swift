import FeedwatchAlert
import FeedwatchConfig
import FeedwatchDeliver
import FeedwatchHTTP
import FeedwatchState
import Foundation
import Logging
import TestSupport
import XCTest

@testable import FeedwatchDaemon

/// Webhook delivery from the durable outbox, through the delivery stage, against a real receiver on 127.0.0.1 and a real
/// SQLite file. Time is stepped by hand (`attemptDue(now:)`) so the retry schedule is exercised
/// without waiting for it.
final class DeliveryStageTests: XCTestCase {
    private var directory: URL!
    private let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A store holding one queued alert for the webhook `hook` at `url`, and the runtime to deliver it.
    private func queue(
        webhookURL: String, timeout: String = "2s", retryFor: String = "24h", alerts: Int = 1
    ) async throws -> (DeliveryStage, Runtime, SQLiteStateStore, [Alert]) {
        let feedPath = directory.appendingPathComponent("feed.xml").path
        try FeedFixtures.rss(FeedFixtures.outageStories(alerts)).write(
            toFile: feedPath, atomically: true, encoding: .utf8)
        let yaml = """
            state_dir: \(directory.appendingPathComponent("state").path)
            feeds: [{url: "file:feed.xml", name: news, alert_on_first_poll: true}]
            rules: [{name: outages, any: [panne], notify: [hook]}]
            webhooks: [{name: hook, url: "\(webhookURL)", secret: "\(secret)", timeout: \(timeout), retry_for: \(retryFor)}]
            """
        let configPath = directory.appendingPathComponent("feedwatch.yaml").path
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
        let config = try ConfigLoader.load(path: configPath, environment: [:])
        let runtime = try Runtime(config: config)
        let store = try SQLiteStateStore(directory: config.stateDirectory)
        let processed = try await DocumentProcessor(runtime: runtime, store: store).process(
            feed: config.feeds[0], documentURL: config.feeds[0].source.url,
            body: try Data(contentsOf: URL(fileURLWithPath: feedPath)), charset: nil, now: Date())
        XCTAssertEqual(processed.alerts.count, alerts)
        let http = try HTTPClient(configuration: .init(concurrency: 8, perHost: 8))
        addTeardownBlock { http.shutdown() }
        let queue = DeliveryStage(
            store: store,
            destinations: try DestinationSet.make(
                config: config, http: http, journal: JournalSink(destination: .standardError)),
            logger: Logger(label: "test"))
        return (queue, runtime, store, processed.alerts)
    }

    private func verifySigned(_ request: HTTPTestRequest, alertID: String) throws {
        XCTAssertEqual(request.header("webhook-id"), alertID)
        try StandardWebhooksVerifier(secret: secret).verify(
            headers: request.headers.map { ($0.name, $0.value) }, body: request.body, tolerance: 100_000)
    }

    func testServerErrorIsRetriedWithTheSameWebhookIDThenDelivered() async throws {
        let calls = Counter()
        let server = try HTTPTestServer { _ in
            calls.next() == 1 ? .init(status: 500, text: "oops") : .init(status: 200, text: "ok")
        }
        defer { server.stop() }
        let (queue, _, store, alerts) = try await queue(webhookURL: server.url("/hook").absoluteString)
        let start = Date()
        var result = await queue.attemptDue(now: start)
        XCTAssertEqual(result.failed, 1)
        var pending = try store.pending().filter { $0.target == "hook" }
        XCTAssertEqual(pending.count, 1)
        XCTAssertEqual(pending[0].attempts, 1)
        XCTAssertEqual(pending[0].lastError, "HTTP 500")
        // About 5 s later (±20 %), not before.
        XCTAssertGreaterThanOrEqual(pending[0].nextAttempt.timeIntervalSince(start), 3.9)
        XCTAssertLessThanOrEqual(pending[0].nextAttempt.timeIntervalSince(start), 6.1)
        result = await queue.attemptDue(now: start.addingTimeInterval(3))
        XCTAssertEqual(result.delivered + result.failed, 0, "not due yet")
        result = await queue.attemptDue(now: start.addingTimeInterval(7))
        XCTAssertEqual(result.delivered, 1)
        pending = try store.pending().filter { $0.target == "hook" }
        XCTAssertTrue(pending.isEmpty)
        XCTAssertEqual(server.requests.count, 2)
        for request in server.requests { try verifySigned(request, alertID: alerts[0].alertID) }
        XCTAssertEqual(try store.deadLetters().count, 0)
    }

    func testTooManyRequestsWaitsForRetryAfter() async throws {
        let calls = Counter()
        let server = try HTTPTestServer { _ in
            calls.next() == 1
                ? .init(status: 429, headers: [("Retry-After", "120")], text: "slow down")
                : .init(status: 204, text: "")
        }
        defer { server.stop() }
        let (queue, _, store, alerts) = try await queue(webhookURL: server.url("/hook").absoluteString)
        let start = Date()
        await queue.attemptDue(now: start)
        let entry = try XCTUnwrap(store.pending().first { $0.target == "hook" })
        XCTAssertGreaterThanOrEqual(entry.nextAttempt.timeIntervalSince(start), 119.9)
        var result = await queue.attemptDue(now: start.addingTimeInterval(60))
        XCTAssertEqual(result.delivered + result.failed, 0, "Retry-After: 120 is honoured")
        result = await queue.attemptDue(now: start.addingTimeInterval(121))
        XCTAssertEqual(result.delivered, 1)
        XCTAssertEqual(Set(server.requests.map { $0.header("webhook-id") }), [alerts[0].alertID])
    }

    func testNotFoundIsAPermanentFailureListedAsDeadLetterAndCanBeRequeued() async throws {
        let healthy = Flag()
        let server = try HTTPTestServer { _ in
            healthy.isSet ? .init(status: 200, text: "ok") : .init(status: 404, text: "no")
        }
        defer { server.stop() }
        let (queue, runtime, store, alerts) = try await queue(webhookURL: server.url("/hook").absoluteString)
        let start = Date()
        await queue.attemptDue(now: start)
        await queue.attemptDue(now: start.addingTimeInterval(3600))
        XCTAssertEqual(server.requests.count, 1, "a 404 is never retried")
        let dead = try store.deadLetters()
        XCTAssertEqual(dead.count, 1)
        XCTAssertEqual(dead[0].alertID, alerts[0].alertID)
        XCTAssertEqual(dead[0].lastError, "HTTP 404")
        let lines = try await Reports.outboxLines(config: runtime.config)
        XCTAssertTrue(
            lines.contains { $0.contains("dead") && $0.contains("hook") && $0.contains("HTTP 404") },
            lines.joined(separator: "\n"))
        XCTAssertFalse(lines.joined().contains(secret))
        // `feedwatch outbox retry --all` after the receiver is fixed.
        healthy.set()
        XCTAssertTrue(try store.requeue(id: dead[0].id))
        let result = await queue.attemptDue(now: Date())
        XCTAssertEqual(result.delivered, 1)
        XCTAssertEqual(server.requests.map { $0.header("webhook-id") }, [alerts[0].alertID, alerts[0].alertID])
        XCTAssertEqual(try store.deadLetters().count, 0)
    }

    func testHangingReceiverTimesOutAndIsRetried() async throws {
        let server = try HTTPTestServer { _ in .fault(.hang) }
        defer { server.stop() }
        let (queue, _, store, _) = try await queue(webhookURL: server.url("/hook").absoluteString, timeout: "1s")
        let result = await queue.attemptDue(now: Date())
        XCTAssertEqual(result.failed, 1)
        let entry = try XCTUnwrap(store.pending().first { $0.target == "hook" })
        XCTAssertEqual(entry.attempts, 1)
        XCTAssertTrue(entry.lastError?.contains("timed out") ?? false, entry.lastError ?? "nil")
        XCTAssertEqual(server.requests.count, 1)
    }

    func testConnectionRefusedIsRetriedUntilRetryForThenDeadLettered() async throws {
        let port = try unusedPort()
        let (queue, _, store, _) = try await queue(webhookURL: "http://127.0.0.1:\(port)/hook", retryFor: "60s")
        let start = Date()
        await queue.attemptDue(now: start)
        var entry = try XCTUnwrap(store.pending().first { $0.target == "hook" })
        XCTAssertTrue(entry.lastError?.lowercased().contains("connect") ?? false, entry.lastError ?? "nil")
        // Second failure at ~6 s: the next try (30 s ± 20 % later) still fits in 60 s.
        await queue.attemptDue(now: start.addingTimeInterval(6.5))
        entry = try XCTUnwrap(store.pending().first { $0.target == "hook" })
        XCTAssertEqual(entry.attempts, 2)
        // Third failure: the next try (~2 min) falls after retry_for, so it is dead-lettered.
        await queue.attemptDue(now: start.addingTimeInterval(45))
        XCTAssertTrue(try store.pending().filter { $0.target == "hook" }.isEmpty)
        XCTAssertEqual(try store.deadLetters().map(\.attempts), [3])
    }

    func testSlowWebhookDoesNotHoldBackAnother() async throws {
        let slow = try HTTPTestServer { _ in .init(status: 200, text: "late", delay: 6) }
        defer { slow.stop() }
        let fast = try HTTPTestServer { _ in .init(status: 200, text: "ok") }
        defer { fast.stop() }
        let feedPath = directory.appendingPathComponent("feed.xml").path
        try FeedFixtures.rss(FeedFixtures.outageStories(6)).write(toFile: feedPath, atomically: true, encoding: .utf8)
        let yaml = """
            state_dir: \(directory.appendingPathComponent("state").path)
            feeds: [{url: "file:feed.xml", name: news, alert_on_first_poll: true}]
            rules: [{name: outages, any: [panne], notify: [slow, fast]}]
            webhooks:
              - {name: slow, url: "\(slow.url("/").absoluteString)", timeout: 10s}
              - {name: fast, url: "\(fast.url("/").absoluteString)"}
            """
        let configPath = directory.appendingPathComponent("feedwatch.yaml").path
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
        let config = try ConfigLoader.load(path: configPath, environment: [:])
        let runtime = try Runtime(config: config)
        let store = try SQLiteStateStore(directory: config.stateDirectory)
        _ = try await DocumentProcessor(runtime: runtime, store: store).process(
            feed: config.feeds[0], documentURL: config.feeds[0].source.url,
            body: try Data(contentsOf: URL(fileURLWithPath: feedPath)), charset: nil, now: Date())
        let http = try HTTPClient(configuration: .init(concurrency: 64, perHost: 8))
        defer { http.shutdown() }
        let queue = DeliveryStage(
            store: store,
            destinations: try DestinationSet.make(
                config: config, http: http, journal: JournalSink(destination: .standardError)),
            logger: Logger(label: "test"))
        let finished = Counter()
        // The daemon calls startDue again whenever a delivery finishes; so does this loop.
        let start = Date()
        while fast.requests.count < 6, Date().timeIntervalSince(start) < 5.5 {
            _ = await queue.startDue(now: Date()) { _ = finished.next() }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        // All six fast deliveries land while the slow receiver still holds its first four.
        XCTAssertEqual(fast.requests.count, 6)
        // The slow receiver's last two can only start after its first four answer (6 s): it still has four.
        XCTAssertEqual(slow.requests.count, 4, "at most 4 deliveries at once per webhook")
        for _ in 0..<200 where !(slow.requests.count == 6 && (try? store.pending().isEmpty) == true) {
            _ = await queue.startDue(now: Date()) { _ = finished.next() }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        XCTAssertEqual(slow.requests.count, 6)
        XCTAssertEqual(try store.pending().count, 0)
        XCTAssertLessThanOrEqual(slow.maxConcurrentRequests, 4)
    }
}

/// A thread-safe counter for receiver handlers.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.withLock {
            value += 1
            return value
        }
    }
    var current: Int { lock.withLock { value } }
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    func clear() { lock.withLock { value = false } }
    var isSet: Bool { lock.withLock { value } }
}

/// A loopback port with nothing listening on it.
func unusedPort() throws -> Int {
    let server = try HTTPTestServer { _ in .init(status: 200, text: "") }
    let port = server.port
    server.stop()
    return port
}
