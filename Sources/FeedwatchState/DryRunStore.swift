import Foundation

/// `once --dry-run`: a store that answers as the daemon's would and writes nothing. It wraps a
/// store opened read-only and remembers in memory what it would have recorded, so that within one
/// dry run an item is new once, a story fires once per rule and a first poll is first once.
/// Reads go to the wrapped store; writes other than recording are refused (`StateError.readOnly`)
/// or, for the poll's own bookkeeping (feed states, health alerts), quietly skipped.
public actor DryRunStore: StateStore {
    private let base: any StateStore
    private var memory = LedgerFacts()
    private var recordedFeeds: Set<String> = []
    private var seenByFeed: [String: Set<KeyHash>] = [:]
    private var firedByFeed: [String: Set<RuleKey>] = [:]

    public init(wrapping base: any StateStore) {
        self.base = base
    }

    public nonisolated var location: String { base.location }
    public nonisolated var isShared: Bool { false }
    public nonisolated var lookupsAreRoundTrips: Bool { base.lookupsAreRoundTrips }
    public nonisolated var leasePeriod: TimeInterval { .infinity }

    public func close() async { await base.close() }

    // MARK: - Recording, in memory

    public func recordItemsAndEnqueueAlerts(
        feed: String, items: [IncomingItem], now: Date, alertOnFirstPoll: Bool
    ) async throws -> RecordOutcome {
        let facts = try await ledgerFacts(feed: feed, items: items, now: now)
        let plan = RecordingPlan(
            items: items, hashes: RecordingPlan.hashes(items), facts: facts, alertOnFirstPoll: alertOnFirstPoll,
            nowSeconds: Int64(now.timeIntervalSince1970.rounded(.down)))
        recordedFeeds.insert(feed)
        seenByFeed[feed, default: []].formUnion(plan.inserted)
        for alert in plan.alerts {
            firedByFeed[feed, default: []].insert(RuleKey(alert.candidate.rule, alert.item))
            for key in [alert.linkKey, alert.titleKey].compactMap({ $0 }) {
                // A dry run lasts far less than the story window: a story seen in it always counts.
                memory.stories.insert(RuleKey(alert.candidate.rule, key))
            }
        }
        var outcome = plan.outcome
        outcome.entries = plan.unstoredEntries(now: now)
        return outcome
    }

    public func ledgerFacts(feed: String, items: [IncomingItem], now: Date) async throws -> LedgerFacts {
        var facts = try await base.ledgerFacts(feed: feed, items: items, now: now)
        facts.firstPollDone = facts.firstPollDone || recordedFeeds.contains(feed)
        let seen = seenByFeed[feed] ?? []
        let nowSeconds = Int64(now.timeIntervalSince1970)
        for hash in RecordingPlan.hashes(items) where seen.contains(hash) { facts.seen[hash] = nowSeconds }
        facts.fired.formUnion(firedByFeed[feed] ?? [])
        facts.stories.formUnion(memory.stories)
        return facts
    }

    public func unseenKeys(feed: String, keys: [String]) async throws -> [String] {
        let seen = seenByFeed[feed] ?? []
        return try await base.unseenKeys(feed: feed, keys: keys).filter { !seen.contains(KeyHash($0)) }
    }

    public func recordHealthAlert(feed: String, key: String, candidate: AlertCandidate, now: Date) async throws
        -> Bool
    { false }

    public func hasFired(rule: String, feed: String, key: String) async throws -> Bool {
        try await base.hasFired(rule: rule, feed: feed, key: key)
    }

    // MARK: - Feed states: read through, never saved

    public func feedState(named name: String) async throws -> FeedState? { try await base.feedState(named: name) }
    public func feedStates(named names: [String]) async throws -> [String: FeedState] {
        try await base.feedStates(named: names)
    }
    public func allFeedStates() async throws -> [FeedState] { try await base.allFeedStates() }
    public func troubledFeedStates(silentBefore: Date?) async throws -> [FeedState] {
        try await base.troubledFeedStates(silentBefore: silentBefore)
    }
    public nonisolated func forEachScheduleRow(_ body: (FeedScheduleRow) throws -> Void) async throws {
        try await base.forEachScheduleRow(body)
    }
    public func saveFeedStates(_ states: [FeedState]) async throws {}

    // MARK: - The outbox: read through; nothing is claimed, settling anything is refused

    public func dueDeliveries(now: Date, limit: Int, excludingTargets: Set<String>) async throws -> [OutboxEntry] {
        []
    }
    public func dueMessages(now: Date, target: String, limit: Int) async throws -> [[OutboxEntry]] { [] }
    public func releaseDeliveries(ids: [Int64]) async throws { try refuse() }
    public func markDelivered(id: Int64, status: Int?, now: Date) async throws { try refuse() }
    public func markFailed(id: Int64, error: String, retryAt: Date?) async throws { try refuse() }
    public func expire(olderThan retryFor: [String: TimeInterval], now: Date) async throws -> Int { 0 }
    public func earliestNextAttempt() async throws -> Date? { try await base.earliestNextAttempt() }
    public func unshapedDeliveries(limit: Int) async throws -> [OutboxEntry] { [] }
    public func applyShaping(_ decisions: [ShapingDecision]) async throws {}
    public func openGroup(target: String, keyPrefix: String) async throws -> (key: String, releaseAt: Date)? {
        try await base.openGroup(target: target, keyPrefix: keyPrefix)
    }
    public func messagesDelivered(target: String, since: Date) async throws -> [Date] {
        try await base.messagesDelivered(target: target, since: since)
    }
    public func outboxCounts() async throws -> [String: (pending: Int, dead: Int)] { try await base.outboxCounts() }
    public func outboxQueues() async throws -> [OutboxQueue] { try await base.outboxQueues() }
    public func pending() async throws -> [OutboxEntry] { try await base.pending() }
    public func deadLetters() async throws -> [OutboxEntry] { try await base.deadLetters() }
    public func recentDeadLetters(limit: Int) async throws -> [OutboxEntry] {
        try await base.recentDeadLetters(limit: limit)
    }
    public func requeue(id: Int64, now: Date) async throws -> Bool {
        try refuse()
        return false
    }
    public func requeueAll(now: Date) async throws -> Int {
        try refuse()
        return 0
    }

    // MARK: - History, housekeeping, leases

    public func alertHistory(since: Date, rule: String?, limit: Int?) async throws -> [OutboxEntry] {
        try await base.alertHistory(since: since, rule: rule, limit: limit)
    }
    public func prune(now: Date, batchSize: Int) async throws -> Int { 0 }
    public func registerFeeds(_ names: [String]) async throws {}
    public func balanceLeases(feedCount: Int) async throws -> FeedLeaseChange { FeedLeaseChange(held: feedCount) }
    public func releaseAllLeases() async throws {}

    private func refuse() throws { throw StateError.readOnly(path: base.location) }
}
