import Foundation

/// The answer of `/api/v1/feeds`: how many feeds are in each status, and one page of them.
public struct FeedsSnapshot: Codable, Sendable, Equatable {
    /// Every configured feed, by status (whatever the query's filter).
    public var counts: FeedCounts
    /// How many feeds match the query's statuses: the page is a part of these.
    public var matched: Int
    /// The query's offset and limit, as applied.
    public var offset: Int
    public var limit: Int
    /// The page, in configuration order.
    public var feeds: [FeedSnapshot]

    public init(counts: FeedCounts, matched: Int, offset: Int, limit: Int, feeds: [FeedSnapshot]) {
        self.counts = counts
        self.matched = matched
        self.offset = offset
        self.limit = limit
        self.feeds = feeds
    }
}

/// How many configured feeds are in each status.
public struct FeedCounts: Codable, Sendable, Equatable {
    public var total: Int
    public var ok: Int
    public var failing: Int
    public var gone: Int
    public var silent: Int

    public init(total: Int = 0, ok: Int = 0, failing: Int = 0, gone: Int = 0, silent: Int = 0) {
        self.total = total
        self.ok = ok
        self.failing = failing
        self.gone = gone
        self.silent = silent
    }

    /// The count of one status.
    public subscript(status: FeedStatus) -> Int {
        switch status {
        case .ok: return ok
        case .failing: return failing
        case .gone: return gone
        case .silent: return silent
        }
    }
}

/// One configured feed and its health.
public struct FeedSnapshot: Codable, Sendable, Equatable {
    /// The feed's name from the configuration.
    public var name: String
    /// The URL polled, for display: without credentials and with query values hidden, which may
    /// hold a token (see `DisplayURL`).
    public var url: String
    public var tags: [String]
    public var status: FeedStatus
    /// Since when the status holds: failing since the first failed poll, silent since the last new
    /// item, gone since the poll that answered 410; nil for ok.
    public var since: Date?
    /// Why it fails (the last poll's error), for a failing or gone feed.
    public var error: String?
    /// When the last poll finished; nil for a feed not polled yet.
    public var lastPoll: Date?
    /// How the last poll ended: "200", "304", "timeout: …".
    public var lastStatus: String?
    /// When it is due next; nil when it is no longer polled (gone) or not scheduled yet.
    public var nextPoll: Date?
    public var consecutiveErrors: Int
    /// When a poll last brought an item never seen before.
    public var lastNewItem: Date?

    public init(
        name: String, url: String, tags: [String], status: FeedStatus, since: Date? = nil, error: String? = nil,
        lastPoll: Date? = nil, lastStatus: String? = nil, nextPoll: Date? = nil, consecutiveErrors: Int = 0,
        lastNewItem: Date? = nil
    ) {
        self.name = name
        self.url = url
        self.tags = tags
        self.status = status
        self.since = since
        self.error = error
        self.lastPoll = lastPoll
        self.lastStatus = lastStatus
        self.nextPoll = nextPoll
        self.consecutiveErrors = consecutiveErrors
        self.lastNewItem = lastNewItem
    }

    enum CodingKeys: String, CodingKey {
        case name, url, tags, status, since, error
        case lastPoll = "last_poll"
        case lastStatus = "last_status"
        case nextPoll = "next_poll"
        case consecutiveErrors = "consecutive_errors"
        case lastNewItem = "last_new_item"
    }
}
