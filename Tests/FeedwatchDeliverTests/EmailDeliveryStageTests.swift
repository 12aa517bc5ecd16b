import FeedwatchAlert
import FeedwatchDeliver
import FeedwatchState
import Foundation
import Logging
import TestSupport
import XCTest

/// E-mail from the durable outbox: an alert queued in a real SQLite store goes through the delivery
/// stage to a real SMTP server. Time is stepped by hand (`attemptDue(now:)`).
final class EmailDeliveryStageTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A store holding one alert queued for the e-mail destination `mail`, and the stage delivering it.
    private func queue(to recipient: String) throws -> (DeliveryStage, SQLiteStateStore, Alert, SMTPTestServer) {
        let server = try SMTPTestServer()
        addTeardownBlock { server.stop() }
        let store = try SQLiteStateStore(directory: directory.path)
        let alert = EmailFixtures.alert()
        let candidate = AlertCandidate(
            alertID: alert.alertID, rule: alert.rule, targets: ["mail"], payload: try OutboxCodec.payload(for: alert))
        let recorded = try store.recordItemsAndEnqueueAlerts(
            feed: "news",
            items: [IncomingItem(key: alert.item.id, link: alert.item.link, title: "panne", candidates: [candidate])],
            now: Date(), alertOnFirstPoll: true)
        XCTAssertEqual(recorded.fired, 1)
        let destination = try EmailFixtures.destination(server, to: [recipient])
        let stage = DeliveryStage(store: store, destinations: ["mail": destination], logger: Logger(label: "test"))
        return (stage, store, alert, server)
    }

    func testQueuedAlertIsDelivered() async throws {
        let (stage, store, alert, server) = try queue(to: "desk@example.org")
        let result = await stage.attemptDue(now: Date())
        XCTAssertEqual(result.delivered, 1)
        XCTAssertTrue(try store.pending().isEmpty)
        XCTAssertEqual(try store.deadLetters().count, 0)
        let message = try XCTUnwrap(server.messages.first)
        XCTAssertEqual(message.header("Message-ID"), "<\(alert.alertID)@feedwatch>")
        XCTAssertEqual(message.header("Subject"), "[outages] Panne géante chez Télégram")
    }

    func testTemporaryRejectionIsRetriedLaterThenDelivered() async throws {
        let (stage, store, alert, server) = try queue(to: "once-tempfail@example.org")
        let start = Date()
        var result = await stage.attemptDue(now: start)
        XCTAssertEqual(result.failed, 1)
        let entry = try XCTUnwrap(store.pending().first)
        XCTAssertEqual(entry.attempts, 1)
        XCTAssertEqual(entry.lastError, "SMTP 451 4.3.0 greylisted, try again later")
        XCTAssertGreaterThan(entry.nextAttempt.timeIntervalSince(start), 3.9)
        result = await stage.attemptDue(now: start.addingTimeInterval(3))
        XCTAssertEqual(result.delivered + result.failed, 0, "not due yet")
        result = await stage.attemptDue(now: start.addingTimeInterval(7))
        XCTAssertEqual(result.delivered, 1)
        XCTAssertTrue(try store.pending().isEmpty)
        XCTAssertEqual(try server.messages.map { $0.header("Message-ID") }, ["<\(alert.alertID)@feedwatch>"])
    }

    func testPermanentRejectionIsDeadLettered() async throws {
        let (stage, store, alert, server) = try queue(to: "reject@example.org")
        let start = Date()
        await stage.attemptDue(now: start)
        await stage.attemptDue(now: start.addingTimeInterval(3600))
        let dead = try store.deadLetters()
        XCTAssertEqual(dead.count, 1)
        XCTAssertEqual(dead.first?.alertID, alert.alertID)
        XCTAssertEqual(dead.first?.lastError, "SMTP 550 5.1.1 no such mailbox here")
        XCTAssertTrue(try store.pending().isEmpty)
        XCTAssertEqual(try server.messages.count, 0)
        XCTAssertEqual(try server.stats.connections, 1, "never tried again")
    }
}
