import FeedwatchState
import Foundation
import PostgresNIO

/// History and housekeeping: the alerts fired (`AlertHistoryStore`), and pruning
/// (`StoreHousekeeping`) by one instance at a time — the one that holds the housekeeping advisory
/// lock for the length of its transaction; the others find it taken and do nothing.
extension PostgresStateStore {
    static let housekeepingLock: Int64 = 0x6665_6564_7761_7402

    static func tryHousekeepingLock(_ connection: PostgresConnection, store: PostgresStateStore) async throws -> Bool {
        let rows = try await connection.query("SELECT pg_try_advisory_xact_lock(\(housekeepingLock))", logger: store.logger)
        for try await taken in rows.decode(Bool.self) { return taken }
        return false
    }

    public func alertHistory(since: Date, rule: String?, limit: Int?) async throws -> [OutboxEntry] {
        try await read("reading the alert history") { connection in
            let ids: [String]
            if let rule {
                // `fired.at` is whole seconds: from the second `since` falls in, then exactly below.
                let second = Int64(since.timeIntervalSince1970.rounded(.down))
                let rows = try await connection.query(
                    """
                    SELECT alert_id FROM fired WHERE rule = \(rule) AND at >= \(second)
                    ORDER BY at DESC LIMIT \(limit.map(Int64.init))
                    """, logger: self.logger)
                ids = try await rows.decode(String.self).all()
            } else if let limit {
                let rows = try await connection.query(
                    """
                    SELECT alert_id FROM outbox WHERE created_at >= \(since.timeIntervalSince1970)
                    GROUP BY alert_id ORDER BY max(created_at) DESC LIMIT \(Int64(limit))
                    """, logger: self.logger)
                ids = try await rows.decode(String.self).all()
            } else {
                let entries = try await PostgresOutboxRow.entries(
                    connection.query(
                        """
                        SELECT \(unescaped: PostgresOutboxRow.columns) FROM outbox
                        WHERE created_at >= \(since.timeIntervalSince1970) ORDER BY created_at DESC, id
                        """, logger: self.logger))
                return entries
            }
            let entries = try await PostgresOutboxRow.entries(
                connection.query(
                    "SELECT \(unescaped: PostgresOutboxRow.columns) FROM outbox WHERE alert_id = ANY(\(ids)::text[])",
                    logger: self.logger))
            return entries.filter { $0.createdAt >= since }.sorted { ($0.createdAt, $1.id) > ($1.createdAt, $0.id) }
        }
    }

    public func prune(now: Date, batchSize: Int) async throws -> Int {
        guard !readOnly else { return 0 }
        let seconds = now.timeIntervalSince1970
        return try await transaction("pruning") { connection in
            guard try await Self.tryHousekeepingLock(connection, store: self) else { return 0 }
            var deleted = 0
            let statements: [PostgresQuery] = [
                """
                DELETE FROM seen_item WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM seen_item WHERE last_seen < \(Int64(seconds - Retention.seenItems)) LIMIT \(batchSize)))
                """,
                """
                DELETE FROM fired WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM fired WHERE at < \(Int64(seconds - Retention.fired)) LIMIT \(batchSize)))
                """,
                """
                DELETE FROM story WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM story WHERE at < \(Int64(seconds - storyWindow)) LIMIT \(batchSize)))
                """,
                """
                DELETE FROM outbox WHERE id = ANY(ARRAY(
                    SELECT id FROM outbox WHERE delivered_at < \(seconds - Retention.delivered) LIMIT \(batchSize)))
                """,
                // Instances not seen for a day: their leases ran out long ago.
                "DELETE FROM instance WHERE seen_at < \(unescaped: Self.serverNow) - 86400",
            ]
            for statement in statements {
                let result = try await connection.query(
                    PostgresQuery(unsafeSQL: statement.sql + " RETURNING 1", binds: statement.binds), logger: self.logger)
                deleted += try await result.collect().count
            }
            return deleted
        }
    }
}
