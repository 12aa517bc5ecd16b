import Foundation
import GRDB

/// What waits in the outbox for one target (the status listener's outbox, SPEC §8).
public struct OutboxQueue: Sendable, Equatable {
    public var target: String
    /// Waiting for an attempt: not tried yet, or retried after a failure (not held).
    public var pending = 0
    /// Claimed by the delivery stage, being attempted.
    public var inFlight = 0
    /// Waiting for shaping to let it go (a group, a digest, quiet hours): never tried yet.
    public var held = 0
    public var dead = 0
    /// The earliest next attempt of its pending and held rows.
    public var nextAttempt: Date?

    public init(target: String) {
        self.target = target
    }
}

extension SQLiteStateStore {
    /// Every target with a row not yet delivered, by name; rows counted, never read one by one.
    /// A row is held as `feedwatch alerts` says: pending, never tried, with a hold reason.
    public func outboxQueues() throws -> [OutboxQueue] {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT target, status, (hold IS NOT NULL AND attempts = 0) AS held, count(*) AS n,
                           min(next_attempt) AS next
                    FROM outbox WHERE status IN ('pending', 'inflight', 'dead')
                    GROUP BY target, status, held ORDER BY target
                    """)
            var queues: [String: OutboxQueue] = [:]
            for row in rows {
                let target: String = row["target"]
                var queue = queues[target] ?? OutboxQueue(target: target)
                let count: Int = row["n"]
                switch (row["status"] as String, row["held"] as Bool) {
                case ("dead", _): queue.dead += count
                case ("inflight", _): queue.inFlight += count
                case (_, true): queue.held += count
                default: queue.pending += count
                }
                if row["status"] as String == "pending", let next = row["next"] as Double? {
                    let date = Date(timeIntervalSince1970: next)
                    queue.nextAttempt = min(queue.nextAttempt ?? date, date)
                }
                queues[target] = queue
            }
            return queues.values.sorted { $0.target < $1.target }
        }
    }

    /// The `limit` most recent dead letters, newest first (`deadLetters()` lists them all).
    public func recentDeadLetters(limit: Int) throws -> [OutboxEntry] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM outbox WHERE status = 'dead' ORDER BY id DESC LIMIT ?", arguments: [limit]
            ).map(OutboxEntry.init(row:))
        }
    }
}
