import Foundation
import GRDB

/// Alerts about the feeds themselves (SPEC §7): recorded like any alert — at most once per
/// (rule, key) in the fired table, queued in the outbox in the same transaction — but without
/// touching the feed's seen items or its first-poll flag.
extension SQLiteStateStore {
    /// Records `candidate` for `feed` under `key` (the episode) and queues it for its targets;
    /// returns false when it already fired.
    @discardableResult
    public func recordHealthAlert(feed: String, key: String, candidate: AlertCandidate, now: Date) throws -> Bool {
        if mode == .readOnly { return false }
        return try write { db in
            var feedID = try ItemRecorder.feedRow(db, feed: feed)?.id
            if feedID == nil {
                try db.execute(sql: "INSERT INTO feed (name) VALUES (?)", arguments: [feed])
                feedID = db.lastInsertedRowID
            }
            let seconds = Int64(now.timeIntervalSince1970)
            try db.execute(
                sql: "INSERT OR IGNORE INTO fired (rule, feed_id, key_hash, alert_id, at) VALUES (?, ?, ?, ?, ?)",
                arguments: [candidate.rule, feedID, KeyHash(key), candidate.alertID, seconds])
            guard db.changesCount > 0 else { return false }
            for target in candidate.targets {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO outbox (alert_id, target, payload, status, attempts, next_attempt,
                                                      created_at, shaped)
                        VALUES (?, ?, ?, 'pending', 0, ?, ?, 0)
                        """,
                    arguments: [
                        candidate.alertID, target, candidate.payload, now.timeIntervalSince1970,
                        now.timeIntervalSince1970,
                    ])
            }
            return true
        }
    }

    /// Whether `rule` fired for `feed` under `key` (a health episode's failing alert, say).
    public func hasFired(rule: String, feed: String, key: String) throws -> Bool {
        try read { db in
            guard let feedID = try ItemRecorder.feedRow(db, feed: feed)?.id else { return false }
            return try Bool.fetchOne(
                db.cachedStatement(sql: HotQueries.firedForItem), arguments: [rule, feedID, KeyHash(key)]) ?? false
        }
    }
}
