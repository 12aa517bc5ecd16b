import Foundation
import GRDB

/// How long the store remembers, so that its size stays bounded however long it runs.
public enum Retention {
    /// Items that left their feed are forgotten this long after they were last seen (SPEC §4).
    public static let seenItems: TimeInterval = 90 * 86400
    /// Fired alerts (and their story keys) are forgotten this long after they fired. An item's
    /// alert fires no later than the item was last seen, so its fired row never outlives its seen
    /// row; while the item is still seen, the seen check alone keeps it from firing again.
    public static let fired: TimeInterval = 90 * 86400
    /// Delivered outbox rows are the alert history (`feedwatch alerts`, SPEC §7): kept 90 days.
    public static let delivered: TimeInterval = 90 * 86400
}

extension SQLiteStateStore {
    /// Deletes at most `batchSize` expired rows of each kind (seen items, fired alerts, delivered
    /// deliveries) in one short transaction, and returns how many it deleted. Call it again while it
    /// returns a positive number, between polls, so that pruning never holds the writer for long.
    @discardableResult
    public func prune(now: Date, batchSize: Int = 500) throws -> Int {
        if mode == .readOnly { return 0 }
        let nowSeconds = now.timeIntervalSince1970
        return try write { db in
            try db.execute(
                sql: "DELETE FROM seen_item WHERE (feed_id, key_hash) IN (\(HotQueries.staleSeen))",
                arguments: [Int64(nowSeconds - Retention.seenItems), batchSize])
            var deleted = db.changesCount
            try db.execute(
                sql: "DELETE FROM fired WHERE (rule, feed_id, key_hash) IN (\(HotQueries.staleFired))",
                arguments: [Int64(nowSeconds - Retention.fired), batchSize])
            deleted += db.changesCount
            try db.execute(
                sql: "DELETE FROM outbox WHERE id IN (\(HotQueries.staleDelivered))",
                arguments: [nowSeconds - Retention.delivered, batchSize])
            deleted += db.changesCount
            return deleted
        }
    }

    /// Prunes in batches until nothing is left to prune; returns the total deleted.
    @discardableResult
    public func pruneAll(now: Date, batchSize: Int = 500) throws -> Int {
        var total = 0
        while true {
            let deleted = try prune(now: now, batchSize: batchSize)
            if deleted == 0 { return total }
            total += deleted
        }
    }
}
