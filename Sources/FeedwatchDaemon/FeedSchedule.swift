import FeedwatchConfig
import FeedwatchFetch
import FeedwatchState
import Foundation

/// Builds the schedule from the configuration and the stored poll state, and applies a reload to
/// it as a diff.
enum FeedSchedule {
    /// First polls of never-polled feeds are spread over this window, so that thousands of feeds
    /// do not all start in the same second: a minute at most for a list of up to 60,000 feeds (less
    /// for a short one), and beyond that about a thousand first polls a second — a first poll is a
    /// whole document to parse and record, and a million feeds asked for at once would only queue.
    /// Each feed's own interval caps it (`offsetWindow`).
    static func firstPollWindow(feedCount: Int) -> TimeInterval {
        max(min(60, max(1, Double(feedCount) / 50)), Double(feedCount) / firstPollsPerSecond)
    }

    static let firstPollsPerSecond: Double = 1000

    /// The window a feed's first poll falls in: never later than one interval from now.
    private static func offsetWindow(_ window: TimeInterval, feed: FeedConfig) -> TimeInterval {
        min(window, feed.settings.interval)
    }

    /// The schedule at start: a feed's stored next poll when its state matches its URL; a feed
    /// never polled is due soon, spread over the first-poll window. The stored states are read
    /// once, a row at a time.
    static func initial(_ runtime: Runtime, store: any StateStore, now: Date) async throws -> FeedScheduler {
        var scheduler = FeedScheduler()
        try await store.forEachScheduleRow { row in
            guard let feed = runtime.feed(named: row.name), row.configuredURL == feed.source.url, row.lastPoll != nil
            else { return }
            scheduler.restore(
                ScheduledFeed(
                    name: feed.name, interval: feed.settings.interval,
                    nextDue: row.gone ? nil : max(row.nextDue ?? now, now),
                    consecutiveErrors: row.consecutiveErrors, gone: row.gone))
        }
        let feeds = runtime.config.feeds
        let window = firstPollWindow(feedCount: feeds.count)
        for feed in feeds where scheduler.feed(named: feed.name) == nil {
            schedule(feed, stored: nil, in: &scheduler, window: window, now: now)
        }
        return scheduler
    }

    /// The feeds a reload schedules afresh (added, or moved to another URL): their stored states
    /// are what `apply` needs.
    static func feedsToRead(from old: Runtime, to feeds: [FeedConfig], schedule scheduler: FeedScheduler) -> [String] {
        feeds.filter { feed in
            guard let before = old.feed(named: feed.name) else { return true }
            return before.source != feed.source || scheduler.feed(named: feed.name) == nil
        }.map(\.name)
    }

    /// Applies a reload: only feeds added, removed, moved to another URL or given another interval
    /// change the schedule. `stored` holds the states of `feedsToRead`.
    static func apply(
        from old: Runtime, to feeds: [FeedConfig], schedule scheduler: inout FeedScheduler,
        stored: [String: FeedState], now: Date
    ) {
        var kept = Set<String>()
        kept.reserveCapacity(feeds.count)
        let window = firstPollWindow(feedCount: feeds.count)
        for feed in feeds {
            kept.insert(feed.name)
            let before = old.feed(named: feed.name)
            if let before, before.source == feed.source, let entry = scheduler.feed(named: feed.name) {
                if before.settings.interval != feed.settings.interval {
                    scheduler.restore(
                        ScheduledFeed(
                            name: feed.name, interval: feed.settings.interval,
                            // A shorter interval brings the next poll closer; a longer one waits for it.
                            nextDue: entry.nextDue.map { min($0, now.addingTimeInterval(feed.settings.interval)) },
                            consecutiveErrors: entry.consecutiveErrors, gone: entry.gone))
                }
                continue
            }
            scheduler.remove(feed: feed.name)
            schedule(feed, stored: stored[feed.name], in: &scheduler, window: window, now: now)
        }
        for name in old.feedsByName.keys where !kept.contains(name) {
            scheduler.remove(feed: name)
        }
    }

    static func schedule(
        _ feed: FeedConfig, stored: FeedState?, in scheduler: inout FeedScheduler, window: TimeInterval, now: Date
    ) {
        // State recorded for another URL is not this feed's: a changed URL starts afresh.
        if let stored, stored.configuredURL == feed.source.url, stored.lastPoll != nil {
            scheduler.restore(
                ScheduledFeed(
                    name: feed.name, interval: feed.settings.interval,
                    nextDue: stored.gone ? nil : max(stored.nextDue ?? now, now),
                    consecutiveErrors: stored.consecutiveErrors, gone: stored.gone))
        } else {
            let offset = scheduler.firstPollOffset(feed: feed.name, interval: offsetWindow(window, feed: feed))
            scheduler.restore(
                ScheduledFeed(name: feed.name, interval: feed.settings.interval, nextDue: now.addingTimeInterval(offset)))
        }
    }
}
