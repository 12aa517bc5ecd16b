import Foundation
import XCTest

@testable import FeedwatchState

final class OutboxTests: StateTestCase {
    func testDeliveryLifecycleFromPendingThroughRetryAndDeadLetterToDelivered() throws {
        let store = try openStore()
        let entry = try XCTUnwrap(
            poll(store, "news", [item("a", link: "https://ex.org/a", title: "outage one two")])
                .entries.first { $0.target == "ops" })

        // Due now: claimed once, not handed out twice.
        let due = try store.dueDeliveries(now: t0, limit: 10)
        XCTAssertEqual(due.map(\.target), ["journal", "ops"])
        XCTAssertEqual(due.map(\.status), [.inFlight, .inFlight])
        XCTAssertEqual(try store.dueDeliveries(now: t0, limit: 10), [])

        // A 503: retried later.
        let retryAt = t0.addingTimeInterval(5)
        try store.markFailed(id: entry.id, error: "HTTP 503", retryAt: retryAt)
        XCTAssertEqual(try store.earliestNextAttempt(), retryAt)
        XCTAssertEqual(try store.dueDeliveries(now: t0.addingTimeInterval(4), limit: 10), [])
        let retry = try XCTUnwrap(store.dueDeliveries(now: retryAt, limit: 10).first)
        XCTAssertEqual(retry.id, entry.id)
        XCTAssertEqual(retry.attempts, 1)
        XCTAssertEqual(retry.lastError, "HTTP 503")

        // A 404: dead-lettered.
        try store.markFailed(id: entry.id, error: "HTTP 404", retryAt: nil)
        let dead = try store.deadLetters()
        XCTAssertEqual(dead.map(\.id), [entry.id])
        XCTAssertEqual(dead.first?.attempts, 2)
        XCTAssertEqual(dead.first?.lastError, "HTTP 404")
        XCTAssertNil(try store.earliestNextAttempt())

        // `feedwatch outbox retry ID`: pending again, due now, attempts reset.
        let later = t0.addingTimeInterval(3600)
        XCTAssertTrue(try store.requeue(id: entry.id, now: later))
        XCTAssertFalse(try store.requeue(id: entry.id, now: later), "only dead letters are requeued")
        XCTAssertEqual(try store.deadLetters(), [])
        let requeued = try XCTUnwrap(store.dueDeliveries(now: later, limit: 10).first)
        XCTAssertEqual(requeued.attempts, 0)
        XCTAssertEqual(requeued.nextAttempt, later)

        try store.markDelivered(id: entry.id, status: 200, now: later)
        let journal = try XCTUnwrap(due.first { $0.target == "journal" })
        try store.markDelivered(id: journal.id, status: nil, now: later)
        XCTAssertEqual(try store.pending(), [])
        XCTAssertEqual(try store.deadLetters(), [])
        XCTAssertEqual(
            try store.read {
                try Int.fetchOne($0, sql: "SELECT http_status FROM outbox WHERE id = ?", arguments: [entry.id])
            }, 200)
    }

    func testDeliveriesInFlightWhenTheProcessStoppedArePendingAgainAfterRestart() throws {
        do {
            let store = try openStore()
            try poll(store, "news", [item("a", link: "https://ex.org/a", title: "outage one two")])
            XCTAssertEqual(try store.dueDeliveries(now: t0, limit: 10).count, 2)
            store.close()  // "crash" before reporting back
        }
        let store = try openStore()
        XCTAssertEqual(try store.pending().map(\.status), [.pending, .pending])
        XCTAssertEqual(try store.dueDeliveries(now: t0, limit: 10).count, 2)
    }

    func testUndeliveredAlertsExpireAfterTheirTargetsRetryFor() throws {
        let store = try openStore()
        try poll(store, "news", [item("a", link: "https://ex.org/a", title: "outage one two")])
        XCTAssertEqual(try store.expire(olderThan: ["ops": 86400], now: t0.addingTimeInterval(3600)), 0)
        XCTAssertEqual(try store.expire(olderThan: ["ops": 86400], now: t0.addingTimeInterval(86401)), 1)
        let dead = try store.deadLetters()
        XCTAssertEqual(dead.map(\.target), ["ops"])
        XCTAssertEqual(dead.first?.lastError, "expired: undelivered after 86400s")
        XCTAssertEqual(try store.pending().map(\.target), ["journal"], "targets without retry_for never expire")
        XCTAssertEqual(try store.requeueAll(now: t0), 1)
    }

    func testARetriedDeadLetterGetsAWholeRetryWindowAgain() throws {
        let store = try openStore()
        try poll(store, "news", [item("a", link: "https://ex.org/a", title: "outage one two")])
        let dayLater = t0.addingTimeInterval(86401)
        XCTAssertEqual(try store.expire(olderThan: ["ops": 86400], now: dayLater), 1)
        let dead = try XCTUnwrap(store.deadLetters().first)
        // `feedwatch outbox retry` a day after the alert was raised: due now, with 24 h ahead of it.
        XCTAssertTrue(try store.requeue(id: dead.id, now: dayLater))
        let requeued = try XCTUnwrap(store.pending().first { $0.target == "ops" })
        XCTAssertEqual(requeued.retryFrom, dayLater)
        XCTAssertEqual(requeued.createdAt, t0, "the alert keeps its time")
        XCTAssertEqual(requeued.attempts, 0)
        XCTAssertEqual(requeued.lastError, "expired: undelivered after 86400s", "it shows that it failed before")
        XCTAssertEqual(try store.expire(olderThan: ["ops": 86400], now: dayLater.addingTimeInterval(60)), 0)
        XCTAssertEqual(
            try store.dueDeliveries(now: dayLater, limit: 10, excludingTargets: ["journal"]).map(\.id), [dead.id])
        XCTAssertEqual(
            try store.expire(olderThan: ["ops": 86400], now: dayLater.addingTimeInterval(86401)), 0, "in flight")
    }

    /// The delivery loop's periodic look is skipped while no other process wrote: the daemon's own
    /// writes do not count, `feedwatch outbox retry` (another connection) does.
    func testOnlyAnotherProcesssWriteCountsAsAChangeElsewhere() throws {
        let store = try openStore()
        XCTAssertTrue(try store.outboxChangedElsewhere(), "the first look always counts")
        XCTAssertFalse(try store.outboxChangedElsewhere())
        let entry = try XCTUnwrap(
            poll(store, "news", [item("a", link: "https://ex.org/a", title: "outage one two")]).entries.first)
        _ = try store.dueDeliveries(now: t0, limit: 10)
        try store.markFailed(id: entry.id, error: "HTTP 404", retryAt: nil)
        XCTAssertFalse(try store.outboxChangedElsewhere(), "its own writes are known to it")

        let beside = try openStore(.maintenance)
        XCTAssertTrue(try beside.requeue(id: entry.id, now: t0))
        beside.close()
        XCTAssertTrue(try store.outboxChangedElsewhere(), "a retry from the command line is noticed")
        XCTAssertFalse(try store.outboxChangedElsewhere())
    }

    func testAnAlertIsQueuedOncePerTargetEvenIfTheCallerRepeatsItsID() throws {
        let store = try openStore()
        var twin = item("b", link: "https://ex.org/b", title: "other outage three four")
        twin.candidates[0].alertID = "outages|a"
        let outcome = try poll(store, "news", [item("a", link: "https://ex.org/a", title: "outage one two"), twin])
        XCTAssertEqual(outcome.entries.count, 2)
        XCTAssertEqual(try store.pending().count, 2)
    }
}
