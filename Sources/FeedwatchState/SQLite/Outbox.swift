import Foundation
import GRDB

/// The durable webhook outbox: an alert is in it before anyone tries to deliver it, and leaves it
/// only as delivered or dead.
extension SQLiteStateStore {
    /// Claims up to `limit` pending deliveries due at `now`, oldest first, and marks them in flight
    /// so that a second call does not hand them out again. Report each back with `markDelivered` or
    /// `markFailed`; whatever is still in flight when the process stops is pending again at next open.
    /// Targets in `excludingTargets` (a webhook already at its concurrency limit) are left queued,
    /// so that one slow receiver's backlog never hides another target's deliveries.
    public func dueDeliveries(now: Date, limit: Int, excludingTargets: Set<String> = []) throws -> [OutboxEntry] {
        if mode == .readOnly || limit <= 0 { return [] }
        return try write { db in
            var sql = HotQueries.due
            var arguments: [any DatabaseValueConvertible] = [now.timeIntervalSince1970]
            if !excludingTargets.isEmpty {
                sql = sql.replacingOccurrences(
                    of: "ORDER BY", with: "AND target NOT IN (\(placeholders(excludingTargets.count))) ORDER BY")
                arguments += excludingTargets.sorted()
            }
            arguments.append(limit)
            let rows = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments))
            let entries = rows.map(OutboxEntry.init(row:))
            for chunk in entries.map(\.id).chunked(by: 500) {
                try db.execute(
                    sql: "UPDATE outbox SET status = 'inflight' WHERE id IN (\(placeholders(chunk.count)))",
                    arguments: StatementArguments(Array(chunk)))
            }
            return entries.map { entry in
                var entry = entry
                entry.status = .inFlight
                return entry
            }
        }
    }

    /// Hands claimed deliveries back, untried (their webhook was at its concurrency limit).
    public func releaseDeliveries(ids: [Int64]) throws {
        guard !ids.isEmpty else { return }
        try write { db in
            for chunk in ids.chunked(by: 500) {
                try db.execute(
                    sql:
                        "UPDATE outbox SET status = 'pending' WHERE status = 'inflight' AND id IN (\(placeholders(chunk.count)))",
                    arguments: StatementArguments(Array(chunk)))
            }
        }
    }

    /// Records a successful delivery, with the receiver's HTTP status (nil for the journal).
    public func markDelivered(id: Int64, status: Int?, now: Date = Date()) throws {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE outbox SET status = 'delivered', delivered_at = ?, http_status = ?, last_error = NULL
                    WHERE id = ?
                    """,
                arguments: [now.timeIntervalSince1970, status, id])
        }
    }

    /// Records a failed attempt: pending again at `retryAt`, or dead-lettered when `retryAt` is nil.
    public func markFailed(id: Int64, error: String, retryAt: Date?) throws {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE outbox SET attempts = attempts + 1, last_error = ?,
                        status = CASE WHEN ? IS NULL THEN 'dead' ELSE 'pending' END,
                        next_attempt = coalesce(?, next_attempt)
                    WHERE id = ?
                    """,
                arguments: [error, retryAt?.timeIntervalSince1970, retryAt?.timeIntervalSince1970, id])
        }
    }

    /// Dead-letters pending deliveries whose retry window (from creation, or from `outbox retry`)
    /// is longer than their target's `retry_for` (targets absent from `retryFor` never expire).
    /// Returns how many expired.
    @discardableResult
    public func expire(olderThan retryFor: [String: TimeInterval], now: Date) throws -> Int {
        try write { db in
            var expired = 0
            for (target, window) in retryFor.sorted(by: { $0.key < $1.key }) {
                try db.execute(
                    sql: """
                        UPDATE outbox SET status = 'dead',
                            last_error = coalesce(last_error || '; ', '') || 'expired: undelivered after ' || ? || 's'
                        WHERE status = 'pending' AND target = ? AND coalesce(retry_from, created_at) < ?
                        """,
                    arguments: [Int(window), target, now.timeIntervalSince1970 - window])
                expired += db.changesCount
            }
            return expired
        }
    }

    /// Dead-lettered deliveries, oldest first.
    public func deadLetters() throws -> [OutboxEntry] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE status = 'dead' ORDER BY id").map(
                OutboxEntry.init(row:))
        }
    }

    /// Deliveries not yet delivered nor dead (pending or in flight), oldest first.
    public func pending() throws -> [OutboxEntry] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE status IN ('pending', 'inflight') ORDER BY id")
                .map(OutboxEntry.init(row:))
        }
    }

    /// Puts one dead letter back in the queue, due now with its attempts reset and a new retry
    /// window from now. Its last error stays, to show that it failed before.
    /// Returns false if there is no dead letter with that id.
    @discardableResult
    public func requeue(id: Int64, now: Date = Date()) throws -> Bool {
        try write { db in
            try db.execute(
                sql:
                    "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt = ?1, retry_from = ?1 WHERE id = ?2 AND status = 'dead'",
                arguments: [now.timeIntervalSince1970, id])
            return db.changesCount == 1
        }
    }

    /// Puts every dead letter back in the queue. Returns how many.
    @discardableResult
    public func requeueAll(now: Date = Date()) throws -> Int {
        try write { db in
            try db.execute(
                sql:
                    "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt = ?1, retry_from = ?1 WHERE status = 'dead'",
                arguments: [now.timeIntervalSince1970])
            return db.changesCount
        }
    }

    /// `PRAGMA data_version` on the writer connection changes only when another connection commits
    /// — another process, since this one writes through that connection alone — so an idle daemon
    /// learns that nothing changed with one pragma instead of a look at the outbox.
    public func outboxChangedElsewhere() throws -> Bool {
        let version = try readStatement { db in try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
        return dataVersion.exchange(version) != version
    }

    /// Rows waiting (pending, held or in flight) and dead, per destination: the metrics' outbox
    /// gauges. Reads only those rows, through the status index.
    public func outboxCounts() throws -> [String: (pending: Int, dead: Int)] {
        try read { db in
            var counts: [String: (pending: Int, dead: Int)] = [:]
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT target, status = 'dead' AS dead, COUNT(*) AS n FROM outbox
                    WHERE status IN ('pending', 'inflight', 'dead') GROUP BY target, status = 'dead'
                    """)
            for row in rows {
                let target: String = row["target"]
                let n: Int = row["n"]
                if row["dead"] as Bool { counts[target, default: (0, 0)].dead += n } else {
                    counts[target, default: (0, 0)].pending += n
                }
            }
            return counts
        }
    }

    /// When the next pending delivery is due, so the delivery loop can sleep until then.
    public func earliestNextAttempt() throws -> Date? {
        try read { db in
            try Double.fetchOne(db, sql: "SELECT min(next_attempt) FROM outbox WHERE status = 'pending'")
                .map(Date.init(timeIntervalSince1970:))
        }
    }

    /// Deliveries handed out but never reported back (the process stopped mid-delivery) are due again:
    /// delivery is at least once.
    func returnInFlightToPending() throws {
        try write { db in
            try db.execute(sql: "UPDATE outbox SET status = 'pending' WHERE status = 'inflight'")
        }
    }
}
