import FeedwatchState
import Foundation
import PostgresNIO

/// The outbox (`OutboxStore`) shared by every instance. A claim marks rows in flight with who
/// claimed them and until when (the server's clock, plus the lease period): rows are claimed with
/// `FOR UPDATE SKIP LOCKED`, so two instances never claim the same row, and a row whose claimer
/// died is claimable again once its claim runs out.
extension PostgresStateStore {
    /// The server's clock in Unix seconds: claims compare against one clock, whatever the instances' say.
    static let serverNow = "extract(epoch from clock_timestamp())"
    /// A row another instance may take: waiting, or claimed by one that never reported back.
    static let claimable = "(status = 'pending' OR (status = 'inflight' AND claimed_until < \(serverNow)))"

    /// A delivery made is recorded however long the server is away (within reason): otherwise its
    /// claim runs out and another instance sends it again. It runs in the delivery's own task.
    static let settleBudget: TimeInterval = 600

    public func dueDeliveries(now: Date, limit: Int, excludingTargets: Set<String>) async throws -> [OutboxEntry] {
        guard limit > 0, !readOnly else { return [] }
        return try await transaction("claiming deliveries") { connection in
            let rows = try await connection.query(
                """
                WITH due AS (
                    SELECT id FROM outbox WHERE \(unescaped: Self.claimable) AND next_attempt <= \(now.timeIntervalSince1970)
                    AND NOT (target = ANY(\(excludingTargets.sorted())::text[]))
                    ORDER BY next_attempt LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                UPDATE outbox o SET status = 'inflight', claimed_by = \(self.instanceID),
                    claimed_until = \(unescaped: Self.serverNow) + \(self.leasePeriod)
                FROM due WHERE o.id = due.id RETURNING \(unescaped: PostgresOutboxRow.prefixed("o"))
                """, logger: self.logger)
            return try await PostgresOutboxRow.entries(rows).sorted { ($0.nextAttempt, $0.id) < ($1.nextAttempt, $1.id) }
        }
    }

    public func dueMessages(now: Date, target: String, limit: Int) async throws -> [[OutboxEntry]] {
        guard limit > 0, !readOnly else { return [] }
        return try await transaction("claiming deliveries") { connection in
            let due = try await PostgresOutboxRow.entries(
                connection.query(
                    """
                    SELECT \(unescaped: PostgresOutboxRow.columns) FROM outbox
                    WHERE target = \(target) AND shaped AND \(unescaped: Self.claimable)
                    AND next_attempt <= \(now.timeIntervalSince1970)
                    ORDER BY next_attempt, id LIMIT \(limit) FOR UPDATE SKIP LOCKED
                    """, logger: self.logger))
            var messages: [[OutboxEntry]] = []
            var groups = Set<String>()
            for entry in due where messages.count < limit {
                guard let key = entry.groupKey else {
                    messages.append([entry])
                    continue
                }
                guard groups.insert(key).inserted else { continue }
                let members = try await PostgresOutboxRow.entries(
                    connection.query(
                        """
                        SELECT \(unescaped: PostgresOutboxRow.columns) FROM outbox
                        WHERE group_key = \(key) AND target = \(target) AND \(unescaped: Self.claimable)
                        ORDER BY id FOR UPDATE SKIP LOCKED
                        """, logger: self.logger))
                if !members.isEmpty { messages.append(members) }
            }
            let ids = messages.joined().map(\.id)
            if !ids.isEmpty {
                try await connection.query(
                    """
                    UPDATE outbox SET status = 'inflight', claimed_by = \(self.instanceID),
                        claimed_until = \(unescaped: Self.serverNow) + \(self.leasePeriod)
                    WHERE id = ANY(\(ids)::int8[])
                    """, logger: self.logger)
            }
            return messages.map { $0.map { entry in
                var entry = entry
                entry.status = .inFlight
                return entry
            } }
        }
    }

    public func releaseDeliveries(ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        try await transaction("releasing deliveries") { connection in
            _ = try await connection.query(
                """
                UPDATE outbox SET status = 'pending', claimed_by = NULL, claimed_until = NULL
                WHERE status = 'inflight' AND id = ANY(\(ids)::int8[])
                """, logger: self.logger)
        }
    }

    public func markDelivered(id: Int64, status: Int?, now: Date) async throws {
        let code = status.map(Int32.init)
        try await transaction("recording a delivery", budget: Self.settleBudget) { connection in
            _ = try await connection.query(
                """
                UPDATE outbox SET status = 'delivered', delivered_at = \(now.timeIntervalSince1970),
                    http_status = \(code), last_error = NULL, claimed_by = NULL, claimed_until = NULL
                WHERE id = \(id)
                """, logger: self.logger)
        }
    }

    /// A failure is recorded only on a row still in flight: if the claim ran out and another
    /// instance delivered it meanwhile, its success stands.
    public func markFailed(id: Int64, error: String, retryAt: Date?) async throws {
        let retry = retryAt?.timeIntervalSince1970
        try await transaction("recording a failed delivery", budget: Self.settleBudget) { connection in
            _ = try await connection.query(
                """
                UPDATE outbox SET attempts = attempts + 1, last_error = \(error),
                    status = CASE WHEN \(retry)::float8 IS NULL THEN 'dead' ELSE 'pending' END,
                    next_attempt = coalesce(\(retry)::float8, next_attempt), claimed_by = NULL, claimed_until = NULL
                WHERE id = \(id) AND status = 'inflight'
                """, logger: self.logger)
        }
    }

    /// Run by one instance at a time (the housekeeping lock); the others return 0.
    public func expire(olderThan retryFor: [String: TimeInterval], now: Date) async throws -> Int {
        guard !retryFor.isEmpty, !readOnly else { return 0 }
        return try await transaction("expiring deliveries") { connection in
            guard try await Self.tryHousekeepingLock(connection, store: self) else { return 0 }
            var expired = 0
            for (target, window) in retryFor.sorted(by: { $0.key < $1.key }) {
                let rows = try await connection.query(
                    """
                    UPDATE outbox SET status = 'dead',
                        last_error = coalesce(last_error || '; ', '') || 'expired: undelivered after ' || \(String(Int(window))) || 's'
                    WHERE status = 'pending' AND target = \(target)
                    AND coalesce(retry_from, created_at) < \(now.timeIntervalSince1970 - window)
                    RETURNING id
                    """, logger: self.logger)
                expired += try await rows.collect().count
            }
            return expired
        }
    }

    public func earliestNextAttempt() async throws -> Date? {
        try await read("reading the outbox") { connection in
            let rows = try await connection.query(
                "SELECT min(next_attempt) FROM outbox WHERE status = 'pending'", logger: self.logger)
            for try await value in rows.decode(Double?.self) { return value.map(Date.init(timeIntervalSince1970:)) }
            return nil
        }
    }

    public func unshapedDeliveries(limit: Int) async throws -> [OutboxEntry] {
        try await read("reading the outbox") { connection in
            try await PostgresOutboxRow.entries(
                connection.query(
                    "SELECT \(unescaped: PostgresOutboxRow.columns) FROM outbox WHERE NOT shaped ORDER BY id LIMIT \(limit)",
                    logger: self.logger))
        }
    }

    /// Two instances may shape the same new row: the first decision recorded stands.
    public func applyShaping(_ decisions: [ShapingDecision]) async throws {
        guard !decisions.isEmpty, !readOnly else { return }
        try await transaction("shaping deliveries") { connection in
            // Keys and holds are absent for most rows: an empty text stands for none (no key is empty).
            _ = try await connection.query(
                """
                UPDATE outbox o SET shaped = true, group_key = nullif(d.group_key, ''), hold = nullif(d.hold, ''),
                    next_attempt = coalesce(nullif(d.release_at, 'NaN'), o.next_attempt)
                FROM unnest(\(decisions.map(\.id))::int8[], \(decisions.map { $0.groupKey ?? "" })::text[],
                            \(decisions.map { $0.hold ?? "" })::text[],
                            \(decisions.map { $0.releaseAt?.timeIntervalSince1970 ?? .nan })::float8[])
                     AS d(id, group_key, hold, release_at)
                WHERE o.id = d.id AND NOT o.shaped
                """, logger: self.logger)
        }
    }

    public func openGroup(target: String, keyPrefix: String) async throws -> (key: String, releaseAt: Date)? {
        let pattern =
            keyPrefix.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
        return try await read("reading the outbox") { connection in
            let rows = try await connection.query(
                """
                SELECT group_key, next_attempt FROM outbox
                WHERE target = \(target) AND status = 'pending' AND shaped AND attempts = 0
                AND group_key LIKE \(pattern) ESCAPE '\\'
                ORDER BY id DESC LIMIT 1
                """, logger: self.logger)
            for try await (key, next) in rows.decode((String, Double).self) {
                return (key, Date(timeIntervalSince1970: next))
            }
            return nil
        }
    }

    public func messagesDelivered(target: String, since: Date) async throws -> [Date] {
        try await read("reading the outbox") { connection in
            let rows = try await connection.query(
                """
                SELECT max(delivered_at) FROM outbox WHERE target = \(target) AND delivered_at >= \(since.timeIntervalSince1970)
                GROUP BY coalesce(group_key, 'row:' || id)
                """, logger: self.logger)
            var times: [Date] = []
            for try await value in rows.decode(Double.self) { times.append(Date(timeIntervalSince1970: value)) }
            return times.sorted()
        }
    }

    public func outboxCounts() async throws -> [String: (pending: Int, dead: Int)] {
        var counts: [String: (pending: Int, dead: Int)] = [:]
        for queue in try await outboxQueues() {
            counts[queue.target] = (queue.pending + queue.held + queue.inFlight, queue.dead)
        }
        return counts
    }

    public func outboxQueues() async throws -> [OutboxQueue] {
        try await read("reading the outbox") { connection in
            let rows = try await connection.query(
                """
                SELECT target, status, (hold IS NOT NULL AND attempts = 0) AS held, count(*), min(next_attempt)
                FROM outbox WHERE status IN ('pending', 'inflight', 'dead')
                GROUP BY target, status, held ORDER BY target
                """, logger: self.logger)
            var queues: [String: OutboxQueue] = [:]
            for try await (target, status, held, count, next) in rows.decode((String, String, Bool, Int64, Double?).self) {
                var queue = queues[target] ?? OutboxQueue(target: target)
                switch (status, held) {
                case ("dead", _): queue.dead += Int(count)
                case ("inflight", _): queue.inFlight += Int(count)
                case (_, true): queue.held += Int(count)
                default: queue.pending += Int(count)
                }
                if status == "pending", let next {
                    let date = Date(timeIntervalSince1970: next)
                    queue.nextAttempt = min(queue.nextAttempt ?? date, date)
                }
                queues[target] = queue
            }
            return queues.values.sorted { $0.target < $1.target }
        }
    }

    public func pending() async throws -> [OutboxEntry] {
        try await rows("WHERE status IN ('pending', 'inflight') ORDER BY id")
    }

    public func deadLetters() async throws -> [OutboxEntry] {
        try await rows("WHERE status = 'dead' ORDER BY id")
    }

    public func recentDeadLetters(limit: Int) async throws -> [OutboxEntry] {
        try await rows("WHERE status = 'dead' ORDER BY id DESC LIMIT \(max(0, limit))")
    }

    public func requeue(id: Int64, now: Date) async throws -> Bool {
        try await transaction("putting a dead letter back") { connection in
            let rows = try await connection.query(
                """
                UPDATE outbox SET status = 'pending', attempts = 0, next_attempt = \(now.timeIntervalSince1970),
                    retry_from = \(now.timeIntervalSince1970)
                WHERE id = \(id) AND status = 'dead' RETURNING id
                """, logger: self.logger)
            return try await rows.collect().count == 1
        }
    }

    public func requeueAll(now: Date) async throws -> Int {
        try await transaction("putting dead letters back") { connection in
            let rows = try await connection.query(
                """
                UPDATE outbox SET status = 'pending', attempts = 0, next_attempt = \(now.timeIntervalSince1970),
                    retry_from = \(now.timeIntervalSince1970)
                WHERE status = 'dead' RETURNING id
                """, logger: self.logger)
            return try await rows.collect().count
        }
    }

    /// Outbox rows by a fixed clause (no values from outside).
    func rows(_ clause: String) async throws -> [OutboxEntry] {
        try await read("reading the outbox") { connection in
            try await PostgresOutboxRow.entries(
                connection.query(
                    PostgresQuery(unsafeSQL: "SELECT \(PostgresOutboxRow.columns) FROM outbox \(clause)"),
                    logger: self.logger))
        }
    }
}

/// An outbox row as the store reads it.
enum PostgresOutboxRow {
    static let names = [
        "id", "alert_id", "target", "payload", "status", "attempts", "next_attempt", "last_error", "created_at",
        "retry_from", "delivered_at", "http_status", "group_key", "hold",
    ]
    static let columns = names.joined(separator: ", ")
    static func prefixed(_ table: String) -> String { names.map { "\(table).\($0)" }.joined(separator: ", ") }

    static func entry(_ row: PostgresRow) throws -> OutboxEntry {
        let (id, alertID, target, payload, status, attempts, nextAttempt) = try row.decode(
            (Int64, String, String, Data, String, Int32, Double).self)
        let cells = row.makeRandomAccess()
        var entry = OutboxEntry(
            id: id, alertID: alertID, target: target, payload: payload, attempts: Int(attempts),
            nextAttempt: Date(timeIntervalSince1970: nextAttempt), lastError: try cells[7].decode(String?.self),
            status: OutboxEntry.Status(rawValue: status) ?? .pending,
            createdAt: Date(timeIntervalSince1970: try cells[8].decode(Double.self)),
            retryFrom: try cells[9].decode(Double?.self).map(Date.init(timeIntervalSince1970:)),
            deliveredAt: try cells[10].decode(Double?.self).map(Date.init(timeIntervalSince1970:)),
            httpStatus: try cells[11].decode(Int32?.self).map(Int.init))
        entry.groupKey = try cells[12].decode(String?.self)
        entry.hold = try cells[13].decode(String?.self)
        return entry
    }

    static func entries(_ rows: PostgresRowSequence) async throws -> [OutboxEntry] {
        var entries: [OutboxEntry] = []
        for try await row in rows { entries.append(try entry(row)) }
        return entries
    }
}
