import Foundation
import GRDB

extension FeedState {
    /// The columns `init(row:)` reads, by position: looking columns up by name costs more than the
    /// query when the daemon reads a feed's state for every document.
    static let columns = """
        name, url, configured_url, etag, last_modified, last_poll, last_status, consecutive_errors, next_due, gone, \
        first_poll_done, failing_since, last_new_item
        """

    /// Where `columns` come from: the feed's row and its poll times (schema v10).
    static let tables = "feed LEFT JOIN feed_schedule ON feed_schedule.feed_id = feed.id"

    /// `columns` without the poll times, read from the feed's row alone: a poll sets both times
    /// when it ends, so the state it starts from needs neither. Without the join, a poll's read is
    /// two B-tree look-ups instead of three: a quarter less of the daemon's CPU went into it in the
    /// scale bench's all-304 window (11.9 % → 8.8 %).
    static let pollColumns = """
        name, url, configured_url, etag, last_modified, NULL, last_status, consecutive_errors, NULL, gone, \
        first_poll_done, failing_since, last_new_item
        """

    /// A row of `SELECT \(columns) FROM feed`, read through SQLite's calls (the per-poll read).
    init(raw row: RawStatement) {
        func date(_ column: Int32) -> Date? { row.double(column).map(Date.init(timeIntervalSince1970:)) }
        self.init(
            name: row.text(0) ?? "", url: row.text(1), configuredURL: row.text(2), etag: row.text(3),
            lastModified: row.text(4), lastPoll: date(5), lastStatus: row.text(6),
            consecutiveErrors: Int(row.int64(7)), nextDue: date(8), gone: row.bool(9), firstPollDone: row.bool(10),
            failingSince: date(11), lastNewItem: date(12))
    }

    /// A row of `SELECT \(columns) FROM feed`.
    init(row: Row) {
        self.init(
            name: row[0], url: row[1], configuredURL: row[2], etag: row[3], lastModified: row[4],
            lastPoll: (row[5] as Double?).map(Date.init(timeIntervalSince1970:)),
            lastStatus: row[6], consecutiveErrors: row[7],
            nextDue: (row[8] as Double?).map(Date.init(timeIntervalSince1970:)),
            gone: row[9], firstPollDone: row[10],
            failingSince: (row[11] as Double?).map(Date.init(timeIntervalSince1970:)),
            lastNewItem: (row[12] as Double?).map(Date.init(timeIntervalSince1970:)))
    }
}

extension SQLiteStateStore {
    /// The state of the feed named `name`, or nil if it was never saved nor polled.
    public func feedState(named name: String) throws -> FeedState? {
        try readStatement { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(FeedState.columns) FROM \(FeedState.tables) WHERE name = ?"),
                arguments: [name]
            ).map(FeedState.init(row:))
        }
    }

    /// The states a batch of polls starts from, without their poll times (`pollColumns`): one
    /// statement on the writer connection, as for a single feed's (see `readStatement`), its `IN`
    /// list padded to a power of two so that the statement cache keeps a few statements instead of
    /// preparing one per batch.
    public func pollStates(named names: [String]) throws -> [String: FeedState] {
        guard !names.isEmpty else { return [:] }
        return try readStatement { db in
            var states: [String: FeedState] = [:]
            states.reserveCapacity(names.count)
            var start = 0
            while start < names.count {
                let chunk = names[start..<min(names.count, start + BatchedStatements.maxInKeys)]
                start += chunk.count
                let size = BatchedStatements.inListSize(chunk.count)
                let list = BatchedStatements.numbered(from: 1, count: size)
                let sql = "SELECT \(FeedState.pollColumns) FROM feed WHERE name IN (\(list))"
                try RawStatement.run(
                    db, sql: sql,
                    bind: { statement in
                        for index in 0..<size {
                            statement.bind(Int32(index + 1), chunk[chunk.startIndex + min(index, chunk.count - 1)])
                        }
                    }
                ) { row in
                    let state = FeedState(raw: row)
                    states[state.name] = state
                }
            }
            return states
        }
    }

    /// Visits every stored feed's scheduling fields one row at a time: building the schedule of a
    /// million feeds never holds a million states at once.
    public func forEachScheduleRow(_ body: (FeedScheduleRow) throws -> Void) throws {
        try read { db in
            let rows = try Row.fetchCursor(
                db,
                sql:
                    "SELECT name, configured_url, last_poll, next_due, consecutive_errors, gone FROM \(FeedState.tables)"
            )
            while let row = try rows.next() {
                try body(
                    FeedScheduleRow(
                        name: row[0], configuredURL: row[1],
                        lastPoll: (row[2] as Double?).map(Date.init(timeIntervalSince1970:)),
                        nextDue: (row[3] as Double?).map(Date.init(timeIntervalSince1970:)),
                        consecutiveErrors: row[4] ?? 0, gone: row[5] ?? false))
            }
        }
    }

    /// Every feed the store knows, by name.
    public func allFeedStates() throws -> [FeedState] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT \(FeedState.columns) FROM \(FeedState.tables) ORDER BY name").map(
                FeedState.init(row:))
        }
    }

    /// Inserts or replaces the state of `state.name` (except `firstPollDone`, which only ever turns on).
    public func saveFeedState(_ state: FeedState) throws {
        try saveFeedStates([state])
    }

    /// The feed's row, rewritten only when something in it changed: most polls change only the
    /// times, which `saveScheduleSQL` writes to their narrow table.
    private static let saveStateSQL = """
        INSERT INTO feed (name, url, configured_url, etag, last_modified, last_status, consecutive_errors, gone,
                          first_poll_done, failing_since, last_new_item)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
        ON CONFLICT (name) DO UPDATE SET
            url = excluded.url, configured_url = excluded.configured_url, etag = excluded.etag,
            last_modified = excluded.last_modified, last_status = excluded.last_status,
            consecutive_errors = excluded.consecutive_errors, gone = excluded.gone,
            first_poll_done = max(first_poll_done, excluded.first_poll_done),
            failing_since = excluded.failing_since, last_new_item = excluded.last_new_item
        WHERE url IS NOT excluded.url OR configured_url IS NOT excluded.configured_url OR etag IS NOT excluded.etag
            OR last_modified IS NOT excluded.last_modified OR last_status IS NOT excluded.last_status
            OR consecutive_errors IS NOT excluded.consecutive_errors OR gone IS NOT excluded.gone
            OR first_poll_done < excluded.first_poll_done OR failing_since IS NOT excluded.failing_since
            OR last_new_item IS NOT excluded.last_new_item
        """

    /// The feed's poll times, by its row id (found through the name index the row's save just read).
    private static let saveScheduleSQL = """
        INSERT INTO feed_schedule (feed_id, last_poll, next_due) SELECT id, ?2, ?3 FROM feed WHERE name = ?1
        ON CONFLICT (feed_id) DO UPDATE SET last_poll = excluded.last_poll, next_due = excluded.next_due
        """

    /// Saves many feeds' states in one transaction (`feedwatch once` after polling every feed).
    public func saveFeedStates(_ states: [FeedState]) throws {
        try saveFeedStates(states, timesOnly: [])
    }

    /// The feeds in `timesOnly` have only their times written: their row is neither read nor
    /// rewritten.
    public func saveFeedStates(_ states: [FeedState], timesOnly: Set<String>) throws {
        if states.isEmpty { return }
        try write { db in
            let save = try RawStatement(db, sql: Self.saveStateSQL)
            let schedule = try RawStatement(db, sql: Self.saveScheduleSQL)
            for state in states {
                if !timesOnly.contains(state.name) {
                    try save.run { statement in
                        statement.bind(1, state.name)
                        statement.bind(2, state.url)
                        statement.bind(3, state.configuredURL)
                        statement.bind(4, state.etag)
                        statement.bind(5, state.lastModified)
                        statement.bind(6, state.lastStatus)
                        statement.bind(7, state.consecutiveErrors)
                        statement.bind(8, state.gone)
                        statement.bind(9, state.firstPollDone)
                        statement.bind(10, state.failingSince?.timeIntervalSince1970)
                        statement.bind(11, state.lastNewItem?.timeIntervalSince1970)
                    }
                }
                try schedule.run { statement in
                    statement.bind(1, state.name)
                    statement.bind(2, state.lastPoll?.timeIntervalSince1970)
                    statement.bind(3, state.nextDue?.timeIntervalSince1970)
                }
            }
        }
    }
}
