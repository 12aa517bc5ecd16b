import FeedwatchState
import Foundation
import PostgresNIO

/// Feed leases (`FeedLeases`): which instance polls which feed. Every configured feed has a row in
/// `feed_lease`; an instance holds the rows it renewed within the lease period. Each lease turn (a
/// third of the period) an instance renews what it holds, gives back what exceeds its share of the
/// feeds among the instances seen alive, and takes free or expired rows up to its share with
/// `FOR UPDATE SKIP LOCKED` — so a dead instance's feeds are taken over within one lease period,
/// and a new instance gets its share within a turn or two.
extension PostgresStateStore {
    public func registerFeeds(_ names: [String]) async throws {
        guard !names.isEmpty else { return }
        // A transaction per 10,000 feeds: each is quick, and a retry repeats only its own.
        for start in stride(from: 0, to: names.count, by: 10_000) {
            let chunk = Array(names[start..<min(start + 10_000, names.count)])
            try await transaction("registering feeds") { connection in
                _ = try await connection.query(
                    "INSERT INTO feed_lease (feed) SELECT unnest(\(chunk)::text[]) ON CONFLICT DO NOTHING",
                    logger: self.logger)
            }
        }
    }

    public func balanceLeases(feedCount: Int) async throws -> FeedLeaseChange {
        let me = instanceID
        let period = leasePeriod
        let held = try await transaction("renewing feed leases") { connection -> [String] in
            try await connection.query(
                """
                INSERT INTO instance (id, seen_at) VALUES (\(me), \(unescaped: Self.serverNow))
                ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at
                """, logger: self.logger)
            let live = try await connection.query(
                "SELECT count(*) FROM instance WHERE seen_at > \(unescaped: Self.serverNow) - \(period)",
                logger: self.logger
            ).decode(Int64.self).all().first ?? 1
            let share = Int((Double(feedCount) / Double(max(1, live))).rounded(.up))
            var held = try await connection.query(
                """
                UPDATE feed_lease SET expires_at = \(unescaped: Self.serverNow) + \(period)
                WHERE holder = \(me) AND expires_at > \(unescaped: Self.serverNow) RETURNING feed
                """, logger: self.logger
            ).decode(String.self).all()
            // A little over the share is kept: giving one feed back and forth every turn helps no one.
            let keep = share + max(1, share / 50)
            if held.count > keep {
                let excess = Array(held.sorted().suffix(held.count - share))
                try await connection.query(
                    "UPDATE feed_lease SET holder = '', expires_at = 0 WHERE holder = \(me) AND feed = ANY(\(excess)::text[])",
                    logger: self.logger)
                held.removeAll { excess.contains($0) }
            } else if held.count < share {
                let taken = try await connection.query(
                    """
                    WITH free AS (
                        SELECT feed FROM feed_lease WHERE expires_at <= \(unescaped: Self.serverNow)
                        ORDER BY feed LIMIT \(share - held.count) FOR UPDATE SKIP LOCKED)
                    UPDATE feed_lease l SET holder = \(me), expires_at = \(unescaped: Self.serverNow) + \(period)
                    FROM free WHERE l.feed = free.feed RETURNING l.feed
                    """, logger: self.logger
                ).decode(String.self).all()
                held += taken
            }
            return held
        }
        return leases.update(held)
    }

    public func releaseAllLeases() async throws {
        let me = instanceID
        try await transaction("giving back feed leases") { connection in
            try await connection.query(
                "UPDATE feed_lease SET holder = '', expires_at = 0 WHERE holder = \(me)", logger: self.logger)
            try await connection.query("DELETE FROM instance WHERE id = \(me)", logger: self.logger)
        }
        _ = leases.update([])
    }
}

/// The feeds this process held at its last lease turn, to tell what a turn changed.
final class LeaseBook: @unchecked Sendable {
    private let lock = NSLock()
    private var held = Set<String>()

    func update(_ now: [String]) -> FeedLeaseChange {
        lock.withLock {
            let current = Set(now)
            let change = FeedLeaseChange(
                gained: current.subtracting(held).sorted(), lost: held.subtracting(current).sorted(), held: current.count)
            held = current
            return change
        }
    }
}
