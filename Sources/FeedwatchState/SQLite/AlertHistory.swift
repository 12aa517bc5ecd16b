import Foundation
import GRDB

/// The alerts fired, as the outbox remembers them (SPEC §7): one row per destination, kept 90 days.
extension SQLiteStateStore {
    /// Every outbox row of the alerts raised since `since` (of `rule` only, if given), newest alert
    /// first, an alert's rows together in the order they were queued. With `limit`, only the rows of
    /// the `limit` newest alerts: the status listener asks for a page of a 90-day history.
    ///
    /// Each query reads only the alerts it returns: without a rule, the outbox by creation time;
    /// with one, the fired alerts of that rule by time (the rule is not an outbox column), which
    /// are kept as long as the history.
    public func alertHistory(since: Date, rule: String? = nil, limit: Int? = nil) throws -> [OutboxEntry] {
        try read { db in
            let alertIDs: [String]
            if let rule {
                // `fired.at` is whole seconds: from the second `since` falls in, then exactly below.
                let second = Int64(since.timeIntervalSince1970.rounded(.down))
                alertIDs = try String.fetchAll(
                    db, sql: "SELECT alert_id FROM fired WHERE rule = ? AND at >= ? ORDER BY at DESC LIMIT ?",
                    arguments: [rule, second, limit ?? -1])
            } else if let limit {
                alertIDs = try Self.newestAlertIDs(db, since: since, limit: limit)
            } else {
                return try Row.fetchAll(
                    db, sql: "SELECT * FROM outbox WHERE created_at >= ? ORDER BY created_at DESC, id",
                    arguments: [since.timeIntervalSince1970]
                ).map(OutboxEntry.init(row:))
            }
            var rows: [OutboxEntry] = []
            for chunk in alertIDs.chunked(by: 500) {
                rows += try Row.fetchAll(
                    db, sql: "SELECT * FROM outbox WHERE alert_id IN (\(placeholders(chunk.count)))",
                    arguments: StatementArguments(Array(chunk))
                ).map(OutboxEntry.init(row:))
            }
            return
                rows
                .filter { $0.createdAt >= since }
                .sorted { ($0.createdAt, $1.id) > ($1.createdAt, $0.id) }
        }
    }

    /// The ids of the `limit` newest alerts, walking the outbox by creation time (an alert's rows
    /// share it) and stopping as soon as there are enough.
    private static func newestAlertIDs(_ db: Database, since: Date, limit: Int) throws -> [String] {
        var ids: [String] = []
        var seen = Set<String>()
        let cursor = try String.fetchCursor(
            db, sql: "SELECT alert_id FROM outbox WHERE created_at >= ? ORDER BY created_at DESC",
            arguments: [since.timeIntervalSince1970])
        while ids.count < limit, let id = try cursor.next() {
            if seen.insert(id).inserted { ids.append(id) }
        }
        return ids
    }
}
