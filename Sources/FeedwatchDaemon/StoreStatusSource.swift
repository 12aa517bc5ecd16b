import FeedwatchAlert
import FeedwatchConfig
import FeedwatchDeliver
import FeedwatchServe
import FeedwatchState
import Foundation

/// What the HTTP listener shows (SPEC §8), read from the state store: the feeds and their health,
/// the alert history, the outbox. The configuration is asked for on every request, since a reload
/// changes it; the metrics text comes from wherever the daemon keeps its metrics.
///
/// Sized for 100,000 feeds and a 90-day history: a request reads the feeds in trouble (indexed,
/// few) and the page it shows, never every feed's row; the configured feeds are looked at in memory,
/// their name index rebuilt only when a reload brings a new list.
public struct StoreStatusSource: StatusSource {
    private let store: any StateStore
    private let config: @Sendable () async -> Config
    private let metrics: @Sendable () async -> String
    private let now: @Sendable () -> Date
    private let positions = FeedPositions()

    /// Dead letters `outbox()` lists (the newest); `feedwatch outbox` lists them all.
    public static let deadLetterLimit = 50

    /// - Parameters:
    ///   - store: the daemon's store (reads run beside its writes), or one opened `.readOnly`.
    ///   - config: the configuration in force now (feeds, health thresholds, destinations).
    ///   - metrics: the Prometheus text exposition for `/metrics`.
    ///   - now: the clock, for feeds' silence.
    public init(
        store: any StateStore, config: @escaping @Sendable () async -> Config,
        metrics: @escaping @Sendable () async -> String, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.config = config
        self.metrics = metrics
        self.now = now
    }

    public func metricsText() async -> String {
        await metrics()
    }

    // MARK: - Feeds

    public func feeds(_ query: FeedQuery) async throws -> FeedsSnapshot {
        let config = await config()
        let feeds = config.feeds
        let index = positions.index(of: feeds)
        let silentAfter = config.health.silentAfter
        let silentBefore = silentAfter > 0 ? now().addingTimeInterval(-silentAfter) : nil

        // The feeds in trouble that the configuration still has, with the URL it has (a changed URL
        // starts afresh, as the scheduler does), by position in the configuration.
        var troubled: [Int: (state: FeedState, status: FeedStatus)] = [:]
        for state in try await store.troubledFeedStates(silentBefore: silentBefore) {
            guard let position = index[state.name], state.configuredURL == feeds[position].source.url else { continue }
            let status = Self.status(of: state, silentBefore: silentBefore)
            if status != .ok { troubled[position] = (state, status) }
        }
        var counts = FeedCounts(total: feeds.count, ok: feeds.count - troubled.count)
        for (_, entry) in troubled {
            switch entry.status {
            case .failing: counts.failing += 1
            case .gone: counts.gone += 1
            case .silent: counts.silent += 1
            case .ok: break
            }
        }

        let matched: Int
        let page: [Int]
        if query.statuses.isEmpty || query.statuses.count == FeedStatus.allCases.count {
            matched = feeds.count
            page = Array(feeds.indices.dropFirst(query.offset).prefix(query.limit))
        } else if !query.includes(.ok) {
            let positions = troubled.filter { query.includes($0.value.status) }.keys.sorted()
            matched = positions.count
            page = Array(positions.dropFirst(query.offset).prefix(query.limit))
        } else {
            // Ok feeds are those not in trouble: one pass over positions, no row read.
            var count = 0
            var selected: [Int] = []
            for position in feeds.indices where query.includes(troubled[position]?.status ?? .ok) {
                if count >= query.offset && selected.count < query.limit { selected.append(position) }
                count += 1
            }
            matched = count
            page = selected
        }

        let unread = page.filter { troubled[$0] == nil }.map { feeds[$0].name }
        let states = try await store.feedStates(named: unread)
        let snapshots = page.map { position in
            let feed = feeds[position]
            let state =
                troubled[position]?.state
                ?? states[feed.name].flatMap { $0.configuredURL == feed.source.url ? $0 : nil }
            return Self.snapshot(feed, state: state, silentBefore: silentBefore)
        }
        return FeedsSnapshot(
            counts: counts, matched: matched, offset: query.offset, limit: query.limit, feeds: snapshots)
    }

    /// The first that applies: gone, failing, silent, ok (`FeedStatus`).
    static func status(of state: FeedState?, silentBefore: Date?) -> FeedStatus {
        guard let state else { return .ok }
        if state.gone { return .gone }
        if state.failingSince != nil { return .failing }
        if let silentBefore, let last = state.lastNewItem, last < silentBefore { return .silent }
        return .ok
    }

    static func snapshot(_ feed: FeedConfig, state: FeedState?, silentBefore: Date?) -> FeedSnapshot {
        let status = status(of: state, silentBefore: silentBefore)
        // Errors quote the URL they fetched, which may hold a token: shown as the URL itself is.
        let lastStatus = state?.lastStatus.map { text in
            [feed.source.url, state?.url].compactMap { $0 }.reduce(text) { DisplayURL.redacting($1, in: $0) }
        }
        var snapshot = FeedSnapshot(
            name: feed.name, url: DisplayURL.redacted(feed.source.url), tags: feed.tags, status: status,
            lastPoll: state?.lastPoll, lastStatus: lastStatus, nextPoll: state?.gone == true ? nil : state?.nextDue,
            consecutiveErrors: state?.consecutiveErrors ?? 0, lastNewItem: state?.lastNewItem)
        switch status {
        case .failing:
            snapshot.since = state?.failingSince
            snapshot.error = lastStatus
        case .gone:
            snapshot.since = state?.lastPoll
            snapshot.error = lastStatus
        case .silent:
            snapshot.since = state?.lastNewItem
        case .ok:
            break
        }
        return snapshot
    }

    // MARK: - Alerts and outbox

    public func alerts(since: Date?, rule: String?, limit: Int) async throws -> [AlertSnapshot] {
        let types = AlertHistoryReport.destinationTypes(await config())
        return try await AlertHistoryReport.snapshots(
            store: store, since: since ?? Date(timeIntervalSince1970: 0), rule: rule, limit: limit, types: types)
    }

    public func outbox() async throws -> OutboxSnapshot {
        let types = AlertHistoryReport.destinationTypes(await config())
        let queues = try await store.outboxQueues()
        let dead = try await store.recentDeadLetters(limit: Self.deadLetterLimit).map { row in
            let alert = OutboxCodec.alert(fromPayload: row.payload)
            return DeadLetter(
                id: row.id, alertID: row.alertID, destination: row.target, type: types[row.target],
                rule: alert?.rule, title: alert.map(ChatText.title), error: row.lastError ?? "unknown reason",
                attempts: row.attempts, createdAt: row.createdAt)
        }
        return OutboxSnapshot(
            destinations: queues.map { queue in
                DestinationQueue(
                    name: queue.target, type: types[queue.target], pending: queue.pending, inFlight: queue.inFlight,
                    held: queue.held, dead: queue.dead, nextAttempt: queue.nextAttempt)
            },
            deadLetters: dead, deadLetterCount: queues.reduce(0) { $0 + $1.dead })
    }
}

/// The configured feeds' positions by name, rebuilt only when the configuration brings a new list.
///
/// The daemon hands out the same array until a reload replaces it: while this cache holds that
/// array, its storage cannot be freed or changed (copy on write), so the same storage address
/// means the same list, an O(1) check instead of comparing 100,000 feeds.
final class FeedPositions: @unchecked Sendable {
    private let lock = NSLock()
    private var feeds: [FeedConfig] = []
    private var positions: [String: Int] = [:]

    func index(of feeds: [FeedConfig]) -> [String: Int] {
        lock.withLock {
            if feeds.count != self.feeds.count || Self.storage(feeds) != Self.storage(self.feeds) {
                var positions = [String: Int](minimumCapacity: feeds.count)
                for (position, feed) in feeds.enumerated() { positions[feed.name] = position }
                self.feeds = feeds
                self.positions = positions
            }
            return positions
        }
    }

    private static func storage(_ feeds: [FeedConfig]) -> UnsafeRawPointer? {
        feeds.withUnsafeBufferPointer { $0.baseAddress.map(UnsafeRawPointer.init) }
    }
}
