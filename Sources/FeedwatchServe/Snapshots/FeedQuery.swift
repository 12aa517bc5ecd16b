/// A feed's health, as the status page shows it and `/api/v1/feeds?status=` filters by it.
///
/// A feed is in exactly one status, the first that applies: `gone` (it answered 410 Gone and is no
/// longer polled), `failing` (its last polls failed), `silent` (no new item for `health.silent_after`),
/// else `ok` — a feed not polled yet included, as in the `feedwatch_feeds` metric.
public enum FeedStatus: String, Codable, Sendable, CaseIterable, Comparable {
    case gone
    case failing
    case silent
    case ok

    /// The statuses that call for a look: listed first on the status page.
    public static let problems: Set<FeedStatus> = [.gone, .failing, .silent]

    public static func < (a: FeedStatus, b: FeedStatus) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Which feeds `/api/v1/feeds` lists: `?status=failing,gone&limit=100&offset=0`.
///
/// Feeds come in configuration order; a page holds at most `limit` of those matching `statuses`,
/// after skipping `offset` of them. With 100,000 feeds a client pages through them (the answer's
/// `matched` says how many there are) rather than receive them all at once.
public struct FeedQuery: Sendable, Equatable, Codable {
    /// A page when `limit=` is not given.
    public static let defaultLimit = 100
    /// The largest page one request may ask for.
    public static let maximumLimit = 1000

    /// Only feeds in one of these statuses; empty means every feed.
    public var statuses: Set<FeedStatus>
    /// At most this many feeds (1…`maximumLimit`).
    public var limit: Int
    /// Matching feeds skipped before the page starts.
    public var offset: Int

    public init(statuses: Set<FeedStatus> = [], limit: Int = FeedQuery.defaultLimit, offset: Int = 0) {
        self.statuses = statuses
        self.limit = min(max(limit, 0), Self.maximumLimit)
        self.offset = max(offset, 0)
    }

    /// Whether a feed in `status` belongs to the answer.
    public func includes(_ status: FeedStatus) -> Bool {
        statuses.isEmpty || statuses.contains(status)
    }
}
