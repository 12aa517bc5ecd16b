import FeedwatchState
import Foundation
import PostgresNIO

/// Feed poll states (`FeedStateStore`): the same upsert as SQLite's, `first_poll_done` only ever
/// turning on, so that a state saved by one instance never undoes another's recording.
extension PostgresStateStore {
    static let feedColumns = """
        name, url, configured_url, etag, last_modified, last_poll, last_status, consecutive_errors, next_due, gone, \
        first_poll_done, failing_since, last_new_item
        """

    static func feedState(_ row: PostgresRow) throws -> FeedState {
        let (name, url, configuredURL, etag, lastModified, lastPoll, lastStatus) = try row.decode(
            (String, String?, String?, String?, String?, Double?, String?).self)
        let cells = row.makeRandomAccess()
        return FeedState(
            name: name, url: url, configuredURL: configuredURL, etag: etag, lastModified: lastModified,
            lastPoll: lastPoll.map(Date.init(timeIntervalSince1970:)), lastStatus: lastStatus,
            consecutiveErrors: Int(try cells[7].decode(Int32.self)),
            nextDue: try cells[8].decode(Double?.self).map(Date.init(timeIntervalSince1970:)),
            gone: try cells[9].decode(Bool.self), firstPollDone: try cells[10].decode(Bool.self),
            failingSince: try cells[11].decode(Double?.self).map(Date.init(timeIntervalSince1970:)),
            lastNewItem: try cells[12].decode(Double?.self).map(Date.init(timeIntervalSince1970:)))
    }

    public func feedState(named name: String) async throws -> FeedState? {
        try await feedStates(named: [name])[name]
    }

    public func feedStates(named names: [String]) async throws -> [String: FeedState] {
        guard !names.isEmpty else { return [:] }
        return try await read("reading feed states") { connection in
            var states: [String: FeedState] = [:]
            for chunk in stride(from: 0, to: names.count, by: 5000).map({ Array(names[$0..<min($0 + 5000, names.count)]) }) {
                let rows = try await connection.query(
                    PostgresQuery(unsafeSQL: "SELECT \(Self.feedColumns) FROM feed WHERE name = ANY($1)", binds: try binds(chunk)),
                    logger: self.logger)
                for try await row in rows {
                    let state = try Self.feedState(row)
                    states[state.name] = state
                }
            }
            return states
        }
    }

    public func allFeedStates() async throws -> [FeedState] {
        try await read("reading feed states") { connection in
            try await Self.states(connection, "SELECT \(Self.feedColumns) FROM feed ORDER BY name", logger: self)
        }
    }

    public func troubledFeedStates(silentBefore: Date?) async throws -> [FeedState] {
        try await read("reading feed health") { connection in
            var sql = """
                SELECT \(Self.feedColumns) FROM feed WHERE gone
                UNION SELECT \(Self.feedColumns) FROM feed WHERE failing_since IS NOT NULL
                """
            var values = PostgresBindings()
            if let silentBefore {
                sql += " UNION SELECT \(Self.feedColumns) FROM feed WHERE last_new_item < $1"
                values.append(silentBefore.timeIntervalSince1970)
            }
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: values), logger: self.logger)
            var states: [FeedState] = []
            for try await row in rows { states.append(try Self.feedState(row)) }
            return states.sorted { $0.name < $1.name }
        }
    }

    public func forEachScheduleRow(_ body: (FeedScheduleRow) throws -> Void) async throws {
        // Rows arrive as the server streams them; the body sees one at a time.
        do {
            try await client.withConnection { connection in
                let rows = try await connection.query(
                    "SELECT name, configured_url, last_poll, next_due, consecutive_errors, gone FROM feed",
                    logger: logger)
                for try await (name, url, lastPoll, nextDue, errors, gone) in rows.decode(
                    (String, String?, Double?, Double?, Int32, Bool).self)
                {
                    try body(
                        FeedScheduleRow(
                            name: name, configuredURL: url, lastPoll: lastPoll.map(Date.init(timeIntervalSince1970:)),
                            nextDue: nextDue.map(Date.init(timeIntervalSince1970:)), consecutiveErrors: Int(errors),
                            gone: gone))
                }
            }
        } catch {
            throw stateError(error)
        }
    }

    public func saveFeedStates(_ states: [FeedState]) async throws {
        guard !states.isEmpty else { return }
        try await transaction("saving feed states") { connection in
            // Arrays of columns, one statement per thousand feeds: a batch of states is one round trip.
            for start in stride(from: 0, to: states.count, by: 1000) {
                let chunk = states[start..<min(start + 1000, states.count)]
                var values = PostgresBindings()
                values.append(chunk.map(\.name))
                values.append(chunk.map { $0.url ?? "\u{0}" })
                values.append(chunk.map { $0.configuredURL ?? "\u{0}" })
                values.append(chunk.map { $0.etag ?? "\u{0}" })
                values.append(chunk.map { $0.lastModified ?? "\u{0}" })
                values.append(chunk.map { $0.lastPoll?.timeIntervalSince1970 ?? .nan })
                values.append(chunk.map { $0.lastStatus ?? "\u{0}" })
                values.append(chunk.map { Int64($0.consecutiveErrors) })
                values.append(chunk.map { $0.nextDue?.timeIntervalSince1970 ?? .nan })
                values.append(chunk.map(\.gone))
                values.append(chunk.map(\.firstPollDone))
                values.append(chunk.map { $0.failingSince?.timeIntervalSince1970 ?? .nan })
                values.append(chunk.map { $0.lastNewItem?.timeIntervalSince1970 ?? .nan })
                try await connection.query(PostgresQuery(unsafeSQL: Self.saveStatesSQL, binds: values), logger: self.logger)
            }
        }
    }

    /// Arrays cannot carry NULLs through the binary protocol here: NUL stands for a missing text
    /// (no URL or header holds one) and NaN for a missing time.
    private static let saveStatesSQL = """
        INSERT INTO feed AS f (name, url, configured_url, etag, last_modified, last_poll, last_status,
                               consecutive_errors, next_due, gone, first_poll_done, failing_since, last_new_item)
        SELECT name, nullif(url, chr(0)), nullif(configured_url, chr(0)), nullif(etag, chr(0)),
               nullif(last_modified, chr(0)), nullif(last_poll, 'NaN'), nullif(last_status, chr(0)),
               errors, nullif(next_due, 'NaN'), gone, polled, nullif(failing_since, 'NaN'),
               nullif(last_new_item, 'NaN')
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::text[],
                    $8::int8[], $9::float8[], $10::bool[], $11::bool[], $12::float8[], $13::float8[])
             AS s(name, url, configured_url, etag, last_modified, last_poll, last_status, errors, next_due, gone,
                  polled, failing_since, last_new_item)
        ON CONFLICT (name) DO UPDATE SET
            url = excluded.url, configured_url = excluded.configured_url, etag = excluded.etag,
            last_modified = excluded.last_modified, last_poll = excluded.last_poll,
            last_status = excluded.last_status, consecutive_errors = excluded.consecutive_errors,
            next_due = excluded.next_due, gone = excluded.gone,
            first_poll_done = f.first_poll_done OR excluded.first_poll_done,
            failing_since = excluded.failing_since, last_new_item = excluded.last_new_item
        """

    static func states(_ connection: PostgresConnection, _ sql: String, logger store: PostgresStateStore) async throws
        -> [FeedState]
    {
        var states: [FeedState] = []
        for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: store.logger) {
            states.append(try feedState(row))
        }
        return states
    }
}

/// Bindings of one value each, in order.
func binds(_ values: any PostgresEncodable & Sendable...) throws -> PostgresBindings {
    var bindings = PostgresBindings()
    for value in values { try bindings.append(value) }
    return bindings
}
