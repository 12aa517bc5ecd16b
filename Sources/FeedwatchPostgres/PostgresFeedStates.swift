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

    /// One feed's state: what the daemon reads before each poll of a feed whose state it does not
    /// hold, so a prepared statement (parsed and planned once per connection).
    public func feedState(named name: String) async throws -> FeedState? {
        try await read("reading feed states") { connection in
            try await connection.execute(FeedStateNamed(name: name), logger: self.logger).all().first
        }
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
            // One statement per thousand feeds, the states as one JSON document: a batch of states
            // is one round trip, and JSON's null is SQL's NULL.
            for start in stride(from: 0, to: states.count, by: 1000) {
                let rows = states[start..<min(start + 1000, states.count)].map(StateRow.init)
                let json = String(decoding: try JSONEncoder().encode(rows), as: UTF8.self)
                try await connection.query(
                    PostgresQuery(unsafeSQL: Self.saveStatesSQL, binds: try binds(json)), logger: self.logger)
            }
        }
    }

    private static let saveStatesSQL = """
        INSERT INTO feed AS f (name, url, configured_url, etag, last_modified, last_poll, last_status,
                               consecutive_errors, next_due, gone, first_poll_done, failing_since, last_new_item)
        SELECT name, url, configured_url, etag, last_modified, last_poll, last_status, consecutive_errors, next_due,
               gone, first_poll_done, failing_since, last_new_item
        FROM jsonb_to_recordset($1::jsonb) AS s(
            name text, url text, configured_url text, etag text, last_modified text, last_poll float8,
            last_status text, consecutive_errors integer, next_due float8, gone boolean, first_poll_done boolean,
            failing_since float8, last_new_item float8)
        ON CONFLICT (name) DO UPDATE SET
            url = excluded.url, configured_url = excluded.configured_url, etag = excluded.etag,
            last_modified = excluded.last_modified, last_poll = excluded.last_poll,
            last_status = excluded.last_status, consecutive_errors = excluded.consecutive_errors,
            next_due = excluded.next_due, gone = excluded.gone,
            first_poll_done = f.first_poll_done OR excluded.first_poll_done,
            failing_since = excluded.failing_since, last_new_item = excluded.last_new_item
        """

    /// A feed state as one element of the JSON document `saveFeedStates` sends.
    private struct StateRow: Encodable {
        var name: String
        var url, configured_url, etag, last_modified, last_status: String?
        var last_poll, next_due, failing_since, last_new_item: Double?
        var consecutive_errors: Int
        var gone, first_poll_done: Bool

        init(_ state: FeedState) {
            name = state.name
            url = state.url
            configured_url = state.configuredURL
            etag = state.etag
            last_modified = state.lastModified
            last_status = state.lastStatus
            last_poll = state.lastPoll?.timeIntervalSince1970
            next_due = state.nextDue?.timeIntervalSince1970
            failing_since = state.failingSince?.timeIntervalSince1970
            last_new_item = state.lastNewItem?.timeIntervalSince1970
            consecutive_errors = state.consecutiveErrors
            gone = state.gone
            first_poll_done = state.firstPollDone
        }

        /// Absent values are written as null, never left out: every column is named.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(url, forKey: .url)
            try container.encode(configured_url, forKey: .configured_url)
            try container.encode(etag, forKey: .etag)
            try container.encode(last_modified, forKey: .last_modified)
            try container.encode(last_status, forKey: .last_status)
            try container.encode(last_poll, forKey: .last_poll)
            try container.encode(next_due, forKey: .next_due)
            try container.encode(failing_since, forKey: .failing_since)
            try container.encode(last_new_item, forKey: .last_new_item)
            try container.encode(consecutive_errors, forKey: .consecutive_errors)
            try container.encode(gone, forKey: .gone)
            try container.encode(first_poll_done, forKey: .first_poll_done)
        }

        enum CodingKeys: String, CodingKey {
            case name, url, configured_url, etag, last_modified, last_status, last_poll, next_due, failing_since,
                last_new_item, consecutive_errors, gone, first_poll_done
        }
    }

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

/// The state of the feed named `name` (no row: never saved nor polled).
struct FeedStateNamed: PostgresPreparedStatement {
    typealias Row = FeedState
    static let sql = "SELECT \(PostgresStateStore.feedColumns) FROM feed WHERE name = $1"

    var name: String

    func makeBindings() throws -> PostgresBindings { try binds(name) }
    func decodeRow(_ row: PostgresRow) throws -> FeedState { try PostgresStateStore.feedState(row) }
}
