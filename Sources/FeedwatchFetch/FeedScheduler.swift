import Foundation

/// Decides when each feed is polled. A plain value: it never reads a clock, every call is given `now`.
///
/// - First poll: spread over the interval by a hash of the feed name plus a little randomness, so
///   10,000 feeds started together do not fire together, and a restart keeps each feed near its slot.
/// - After success: `effectiveInterval` later, where the feed's `<ttl>`/max-age may lengthen the
///   configured interval (up to `maxLengthenedInterval`) but never shorten it.
/// - After failures: the interval doubled per consecutive failure, capped at `maxBackoff`, and never
///   earlier than a 429/503 Retry-After. Reset by the next success.
/// - After 410: never again.
public struct FeedScheduler: Sendable {
    /// The longest back-off after repeated failures (unless the interval itself is longer).
    public static let maxBackoff: TimeInterval = 6 * 3600
    /// A feed's own ttl/max-age lengthens its interval up to this (a year-long max-age must not
    /// silence a feed); a configured interval longer than this is kept.
    public static let maxLengthenedInterval: TimeInterval = 24 * 3600
    /// The random part of the first-poll offset, as a fraction of the interval (±).
    public static let firstPollRandomness = 0.05

    private var feeds: [String: ScheduledFeed] = [:]
    /// The waiting feeds by due time: what runs on every wake-up looks only at what is due.
    private var queue = DueQueue()
    /// Feeds failing or gone, kept as entries change so the status line never counts them all.
    public private(set) var failingCount = 0
    /// Feeds that answered 410 Gone (counted among the failing too).
    public private(set) var goneCount = 0
    /// How many feeds the schedule holds.
    public var count: Int { feeds.count }
    private var random: SplitMix64

    /// Creates an empty schedule; `seed` fixes the random part of the jitter (for tests).
    public init(seed: UInt64 = UInt64.random(in: .min ... .max)) {
        random = SplitMix64(seed: seed)
    }

    /// The entry of feed `name`.
    public func feed(named name: String) -> ScheduledFeed? { feeds[name] }

    /// Every entry, in no particular order.
    public var allFeeds: [ScheduledFeed] { Array(feeds.values) }

    /// Adds a new feed, first due at `now` plus its spread offset. Replaces an entry of the same name.
    public mutating func add(feed name: String, interval: TimeInterval, now: Date) {
        let offset = firstPollOffset(feed: name, interval: interval)
        restore(ScheduledFeed(name: name, interval: interval, nextDue: now.addingTimeInterval(offset)))
    }

    /// Adds an entry as it is (restored from the state store), or replaces the one of that name.
    public mutating func restore(_ feed: ScheduledFeed) {
        if let old = feeds.updateValue(feed, forKey: feed.name) { uncount(old) }
        count(feed)
        queue.schedule(feed.name, at: feed.gone ? nil : feed.nextDue)
    }

    /// Removes a feed (dropped from the configuration).
    public mutating func remove(feed name: String) {
        if let old = feeds[name] { uncount(old) }
        feeds[name] = nil
        queue.remove(name)
    }

    private mutating func count(_ feed: ScheduledFeed) {
        if Self.isFailing(feed) { failingCount += 1 }
        if feed.gone { goneCount += 1 }
    }

    private mutating func uncount(_ feed: ScheduledFeed) {
        if Self.isFailing(feed) { failingCount -= 1 }
        if feed.gone { goneCount -= 1 }
    }

    private static func isFailing(_ feed: ScheduledFeed) -> Bool { feed.consecutiveErrors > 0 || feed.gone }

    /// Where in `[0, interval)` a feed's first poll falls: the name's hash, moved by up to ±5 %.
    public mutating func firstPollOffset(feed name: String, interval: TimeInterval) -> TimeInterval {
        let hashed = Double(mix64(fnv1a64(name)) >> 11) / Double(1 << 53)
        let nudge = (Double(random.next() >> 11) / Double(1 << 53) * 2 - 1) * FeedScheduler.firstPollRandomness
        var fraction = (hashed + nudge).truncatingRemainder(dividingBy: 1)
        if fraction < 0 { fraction += 1 }
        return fraction * interval
    }

    /// The names of the feeds due at `now` (not in flight, not gone), earliest first. It looks at
    /// every feed: for `state` and tests, never on the poll path (`takeDueFeeds` is).
    public func dueFeeds(now: Date) -> [String] {
        feeds.values.filter { !$0.gone && ($0.nextDue.map { $0 <= now } ?? false) }
            .sorted { ($0.nextDue ?? now, $0.name) < ($1.nextDue ?? now, $1.name) }
            .map(\.name)
    }

    /// The feeds due at `now`, earliest first, at most `limit`, marked in flight (not due again until
    /// `record` is called): O(log n) per feed taken.
    public mutating func takeDueFeeds(now: Date, limit: Int = .max) -> [String] {
        let due = queue.takeDue(now: now, limit: limit)
        for name in due { feeds[name]?.nextDue = nil }
        return due
    }

    /// When the next feed falls due (to sleep until then), or nil when none is waiting.
    public mutating func earliestDue() -> Date? { queue.earliestDue() }

    /// Records a finished poll and returns when the feed is next due (nil once gone or unknown).
    @discardableResult
    public mutating func record(_ outcome: PollOutcome, feed name: String, now: Date) -> Date? {
        recordPoll(outcome, feed: name, now: now)?.nextDue
    }

    /// Records a finished poll and returns the feed's entry after it (nil when unknown): its next
    /// due time and its failures in a row, without a second look-up.
    public mutating func recordPoll(_ outcome: PollOutcome, feed name: String, now: Date) -> ScheduledFeed? {
        // One look-up for the entry and its update (this runs at every poll; `restore` takes two).
        guard let index = feeds.index(forKey: name) else { return nil }
        let old = feeds.values[index]
        let updated = FeedScheduler.next(after: outcome, feed: old, now: now)
        uncount(old)
        count(updated)
        feeds.values[index] = updated
        queue.schedule(name, at: updated.gone ? nil : updated.nextDue)
        return updated
    }

    /// When `feed` is next due after `outcome` (nil when gone). Pure.
    public static func nextDue(after outcome: PollOutcome, feed: ScheduledFeed, now: Date) -> Date? {
        next(after: outcome, feed: feed, now: now).nextDue
    }

    /// The feed's entry after `outcome`. Pure.
    public static func next(after outcome: PollOutcome, feed: ScheduledFeed, now: Date) -> ScheduledFeed {
        var feed = feed
        switch outcome {
        case .gone:
            feed.gone = true
            feed.nextDue = nil
        case .success(let asked):
            feed.consecutiveErrors = 0
            let lengthened = min(asked ?? 0, maxLengthenedInterval)
            feed.effectiveInterval = max(feed.interval, lengthened)
            feed.nextDue = now.addingTimeInterval(feed.effectiveInterval)
        case .failure(let retryAfter):
            feed.consecutiveErrors += 1
            let base = feed.effectiveInterval
            let doubled = base * pow(2, Double(min(feed.consecutiveErrors, 40)))
            let backoff = max(base, min(doubled, maxBackoff))
            feed.nextDue = now.addingTimeInterval(max(backoff, retryAfter ?? 0))
        }
        return feed
    }
}

/// FNV-1a: a stable hash (Swift's `hashValue` changes every run, which would move every feed's slot).
func fnv1a64(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01b3
    }
    return hash
}

/// SplitMix64's finaliser: FNV-1a alone leaves names that differ in one digit ("feed-1", "feed-2")
/// with close high bits, which would bunch their slots together.
func mix64(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// A tiny seedable generator, so tests can fix the random part of the jitter.
struct SplitMix64: Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return mix64(state)
    }
}
