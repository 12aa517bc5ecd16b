import Foundation
import GRDB

/// What the delivery stage decided for one new outbox row.
public struct ShapingDecision: Sendable, Equatable {
    public var id: Int64
    /// Rows with the same key go as one message; nil: alone.
    public var groupKey: String?
    /// "group", "digest" or "quiet"; nil: not held.
    public var hold: String?
    /// When it may go (its first attempt); nil: now.
    public var releaseAt: Date?

    public init(id: Int64, groupKey: String? = nil, hold: String? = nil, releaseAt: Date? = nil) {
        self.id = id
        self.groupKey = groupKey
        self.hold = hold
        self.releaseAt = releaseAt
    }
}

/// Shaping in the outbox: new rows wait, unclaimable, until the delivery stage has decided when
/// they go and with which others; a group's rows are then claimed, retried and settled together,
/// so a kill -9 at any point loses none and sends a group at most twice (what was in flight).
extension SQLiteStateStore {
    /// Rows queued and not yet shaped, oldest first.
    public func unshapedDeliveries(limit: Int) throws -> [OutboxEntry] {
        try read { db in
            try Row.fetchAll(
                // Through the partial index of unshaped rows alone: they are all new, pending rows.
                db.cachedStatement(sql: HotQueries.unshaped),
                arguments: [limit]
            ).map(OutboxEntry.init(row:))
        }
    }

    /// Records the stage's decisions; each row becomes claimable at its release time.
    public func applyShaping(_ decisions: [ShapingDecision]) throws {
        guard !decisions.isEmpty, mode != .readOnly else { return }
        try write { db in
            for decision in decisions {
                try db.execute(
                    sql: """
                        UPDATE outbox SET shaped = 1, group_key = ?, hold = ?,
                            next_attempt = coalesce(?, next_attempt)
                        WHERE id = ? AND shaped = 0
                        """,
                    arguments: [
                        decision.groupKey, decision.hold, decision.releaseAt?.timeIntervalSince1970, decision.id,
                    ])
            }
        }
    }

    /// The newest group of `target` still waiting (not yet claimed) whose key starts with `prefix`,
    /// with its release time: an alert arriving before then joins it.
    public func openGroup(target: String, keyPrefix: String) throws -> (key: String, releaseAt: Date)? {
        try read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT group_key, next_attempt FROM outbox
                        WHERE target = ? AND status = 'pending' AND shaped = 1 AND attempts = 0
                            AND group_key LIKE ? ESCAPE '\\'
                        ORDER BY id DESC LIMIT 1
                        """,
                    arguments: [target, Self.likePrefix(keyPrefix)])
            else { return nil }
            return (row["group_key"], Date(timeIntervalSince1970: row["next_attempt"]))
        }
    }

    /// Claims up to `limit` due messages of `target`: each a row alone, or every pending row of its
    /// group. They are marked in flight like `dueDeliveries`' rows.
    public func dueMessages(now: Date, target: String, limit: Int) throws -> [[OutboxEntry]] {
        if mode == .readOnly || limit <= 0 { return [] }
        return try write { db in
            var messages: [[OutboxEntry]] = []
            var seenGroups: Set<String> = []
            // A group's rows are all due together: its other rows are read with it below, so `limit`
            // rows give at least `limit` messages' worth.
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: HotQueries.dueShaped), arguments: [now.timeIntervalSince1970, target, limit]
            ).map(OutboxEntry.init(row:))
            for entry in rows where messages.count < limit {
                guard let key = entry.groupKey else {
                    messages.append([entry])
                    continue
                }
                guard seenGroups.insert(key).inserted else { continue }
                let members = try Row.fetchAll(
                    db.cachedStatement(
                        sql:
                            "SELECT * FROM outbox WHERE group_key = ? AND target = ? AND status = 'pending' ORDER BY id"
                    ),
                    arguments: [key, target]
                ).map(OutboxEntry.init(row:))
                messages.append(members)
            }
            let claim = try db.cachedStatement(sql: "UPDATE outbox SET status = 'inflight' WHERE id = ?")
            for entry in messages.joined() { try claim.execute(arguments: [entry.id]) }
            return messages.map { message in
                message.map { entry in
                    var entry = entry
                    entry.status = .inFlight
                    return entry
                }
            }
        }
    }

    /// Delivered messages of `target` since `since` (distinct groups count once), for its rate.
    public func messagesDelivered(target: String, since: Date) throws -> [Date] {
        try read { db in
            try Double.fetchAll(
                db,
                sql: """
                    SELECT max(delivered_at) FROM outbox WHERE target = ? AND delivered_at >= ?
                    GROUP BY coalesce(group_key, 'row:' || id)
                    """,
                arguments: [target, since.timeIntervalSince1970]
            ).map(Date.init(timeIntervalSince1970:))
        }
    }

    private static func likePrefix(_ prefix: String) -> String {
        prefix.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
    }
}
