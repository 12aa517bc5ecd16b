import Foundation
import GRDB

/// What the store keeps about one feed between polls, as listed by `feedwatch state`.
public struct FeedState: Sendable, Equatable {
    /// The feed's unique name from the configuration.
    public var name: String
    /// The URL to poll: the configured one, or where a permanent redirect pointed.
    public var url: String?
    /// The URL in the configuration when this state was saved.
    public var configuredURL: String?
    /// The `ETag` of the last 200 response, sent back as `If-None-Match`.
    public var etag: String?
    /// The `Last-Modified` of the last 200 response, sent back as `If-Modified-Since`.
    public var lastModified: String?
    /// When the last poll finished.
    public var lastPoll: Date?
    /// How the last poll ended: "200", "304", "timeout: …".
    public var lastStatus: String?
    /// Failed polls in a row; 0 after a success.
    public var consecutiveErrors: Int
    /// When the feed is due next.
    public var nextDue: Date?
    /// The feed answered 410 Gone: it is no longer polled.
    public var gone: Bool
    /// A successful poll has been recorded. Only `recordItemsAndEnqueueAlerts` sets it; saving a
    /// `FeedState` never clears it, so a copy read before a poll cannot undo it.
    public var firstPollDone: Bool
    /// When the current run of failed polls began; nil while the feed polls fine (SPEC §7).
    public var failingSince: Date?
    /// When a poll last brought an item never seen before (or the first poll): how long it has
    /// been silent is counted from here.
    public var lastNewItem: Date?

    /// A feed never polled.
    public init(
        name: String, url: String? = nil, configuredURL: String? = nil, etag: String? = nil,
        lastModified: String? = nil,
        lastPoll: Date? = nil, lastStatus: String? = nil, consecutiveErrors: Int = 0,
        nextDue: Date? = nil, gone: Bool = false, firstPollDone: Bool = false, failingSince: Date? = nil,
        lastNewItem: Date? = nil
    ) {
        self.name = name
        self.url = url
        self.configuredURL = configuredURL
        self.etag = etag
        self.lastModified = lastModified
        self.lastPoll = lastPoll
        self.lastStatus = lastStatus
        self.consecutiveErrors = consecutiveErrors
        self.nextDue = nextDue
        self.gone = gone
        self.firstPollDone = firstPollDone
        self.failingSince = failingSince
        self.lastNewItem = lastNewItem
    }

    /// The columns `init(row:)` reads, by position: looking columns up by name costs more than the
    /// query when the daemon reads a feed's state for every document.
    static let columns = """
        name, url, configured_url, etag, last_modified, last_poll, last_status, consecutive_errors, next_due, gone, \
        first_poll_done, failing_since, last_new_item
        """

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

extension StateStore {
    /// The state of the feed named `name`, or nil if it was never saved nor polled.
    public func feedState(named name: String) throws -> FeedState? {
        try readStatement { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(FeedState.columns) FROM feed WHERE name = ?"), arguments: [name]
            ).map(FeedState.init(row:))
        }
    }

    /// What the schedule needs of a stored feed.
    public struct ScheduleRow: Sendable {
        public var name: String
        public var configuredURL: String?
        public var lastPoll: Date?
        public var nextDue: Date?
        public var consecutiveErrors: Int
        public var gone: Bool
    }

    /// Visits every stored feed's scheduling fields one row at a time: building the schedule of a
    /// million feeds never holds a million states at once.
    public func forEachScheduleRow(_ body: (ScheduleRow) throws -> Void) throws {
        try read { db in
            let rows = try Row.fetchCursor(
                db, sql: "SELECT name, configured_url, last_poll, next_due, consecutive_errors, gone FROM feed")
            while let row = try rows.next() {
                try body(
                    ScheduleRow(
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
            try Row.fetchAll(db, sql: "SELECT \(FeedState.columns) FROM feed ORDER BY name").map(FeedState.init(row:))
        }
    }

    /// Inserts or replaces the state of `state.name` (except `firstPollDone`, which only ever turns on).
    /// In a read-only store this does nothing: a dry run polls but keeps nothing.
    public func saveFeedState(_ state: FeedState) throws {
        try saveFeedStates([state])
    }

    /// Saves many feeds' states in one transaction (`feedwatch once` after polling every feed).
    public func saveFeedStates(_ states: [FeedState]) throws {
        if mode == .readOnly || states.isEmpty { return }
        try write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO feed (name, url, configured_url, etag, last_modified, last_poll, last_status,
                                      consecutive_errors, next_due, gone, first_poll_done, failing_since,
                                      last_new_item)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET
                        url = excluded.url, configured_url = excluded.configured_url, etag = excluded.etag,
                        last_modified = excluded.last_modified, last_poll = excluded.last_poll,
                        last_status = excluded.last_status, consecutive_errors = excluded.consecutive_errors,
                        next_due = excluded.next_due, gone = excluded.gone,
                        first_poll_done = max(first_poll_done, excluded.first_poll_done),
                        failing_since = excluded.failing_since, last_new_item = excluded.last_new_item
                    """)
            for state in states {
                try statement.execute(arguments: [
                    state.name, state.url, state.configuredURL, state.etag, state.lastModified,
                    state.lastPoll?.timeIntervalSince1970, state.lastStatus, state.consecutiveErrors,
                    state.nextDue?.timeIntervalSince1970, state.gone, state.firstPollDone,
                    state.failingSince?.timeIntervalSince1970, state.lastNewItem?.timeIntervalSince1970,
                ])
            }
        }
    }
}
