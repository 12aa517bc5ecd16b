import Foundation

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
}

extension FeedState {
    /// True when `self` and `other` differ in their poll times at most: what a 304 changes.
    public func differsOnlyInPollTimes(from other: FeedState) -> Bool {
        var same = self
        same.lastPoll = other.lastPoll
        same.nextDue = other.nextDue
        return same == other
    }
}
