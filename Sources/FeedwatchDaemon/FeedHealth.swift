import FeedwatchAlert
import FeedwatchConfig
import FeedwatchDeliver
import FeedwatchState
import Foundation
import Logging

/// Alerts about the feeds themselves (SPEC §7), decided after each poll: `feedwatch.feed_failing`
/// once a feed has failed for `failing_after`, `feedwatch.feed_recovered` when such a feed polls
/// again, `feedwatch.feed_silent` when it brought no new item for `silent_after`. Each is recorded
/// once per episode (the episode's start is its key), so a restart or a repeated check never
/// sends one twice.
struct FeedHealth: Sendable {
    let config: HealthConfig

    static let failingRule = "feedwatch.feed_failing"
    static let recoveredRule = "feedwatch.feed_recovered"
    static let silentRule = "feedwatch.feed_silent"

    /// Records the health alerts `state` (just saved after a poll) calls for; returns how many.
    @discardableResult
    func check(
        _ state: FeedState, previous: FeedState?, feed: FeedConfig, store: any StateStore, now: Date, logger: Logger
    ) async -> Int {
        var raised = 0
        do {
            if config.failingAfter > 0, let since = state.failingSince,
                now.timeIntervalSince(since) >= config.failingAfter
            {
                let what =
                    "\(feed.name) has been failing since \(RFC3339.string(from: since)): \(state.lastStatus ?? "error")"
                raised += try await record(
                    Self.failingRule, episode: since, title: what, feed: feed, store: store, now: now)
            }
            if let since = previous?.failingSince, state.failingSince == nil,
                try await store.hasFired(rule: Self.failingRule, feed: feed.name, key: Self.key(Self.failingRule, since))
            {
                let what = "\(feed.name) polls again (it was failing since \(RFC3339.string(from: since)))"
                raised += try await record(
                    Self.recoveredRule, episode: since, title: what, feed: feed, store: store, now: now)
            }
            if config.silentAfter > 0, state.failingSince == nil, let last = state.lastNewItem,
                now.timeIntervalSince(last) >= config.silentAfter
            {
                let what = "\(feed.name) has had no new item since \(RFC3339.string(from: last))"
                raised += try await record(
                    Self.silentRule, episode: last, title: what, feed: feed, store: store, now: now)
            }
        } catch {
            logger.error(
                "cannot record a feed-health alert (will retry at the next poll): \(error)",
                metadata: ["feed": "\(feed.name)"])
        }
        return raised
    }

    /// Milliseconds: two episodes of one feed may begin within the same second.
    private static func key(_ rule: String, _ episode: Date) -> String {
        "\(rule)|\(Int((episode.timeIntervalSince1970 * 1000).rounded()))"
    }

    private func record(
        _ rule: String, episode: Date, title: String, feed: FeedConfig, store: any StateStore, now: Date
    ) async throws -> Int {
        let key = Self.key(rule, episode)
        let alert = Alert(
            rule: rule, keywords: [], feed: Alert.Feed(name: feed.name, url: feed.source.url, title: ""),
            item: Alert.Item(
                id: key, title: title, link: feed.source.url, summary: title, published: nil, authors: [],
                categories: []),
            detectedAt: now, snippet: "")
        let candidate = AlertCandidate(
            alertID: alert.alertID, rule: rule, targets: config.notify, payload: try OutboxCodec.payload(for: alert))
        return try await store.recordHealthAlert(feed: feed.name, key: key, candidate: candidate, now: now) ? 1 : 0
    }
}
