import FeedwatchState
import Foundation
import PostgresNIO

/// Seen items, fired alerts and story keys (`ItemLedger`), shared by every instance.
///
/// A document is recorded in one transaction that first takes an advisory lock on its feed, so two
/// instances recording the same feed (a lease that changed hands mid-poll) run one after the
/// other and the second finds the first's items seen. Across feeds, the `story` table's key is the
/// arbiter: an alert fires only if it inserts (or renews an expired) row for each of its story
/// keys, so two instances recording the same story in two feeds at once fire it once.
///
/// A recording is five round trips whatever the document holds: BEGIN, the lock, one statement
/// reading every fact (`ReadLedgerFacts`), one writing the plan (`WriteItems`, or
/// `WriteItemsAndAlerts` when alerts fire), COMMIT — the lock's wait and the commit's flush to
/// disk are what remains of its time.
extension PostgresStateStore {
    public func recordItemsAndEnqueueAlerts(
        feed: String, items: [IncomingItem], now: Date, alertOnFirstPoll: Bool
    ) async throws -> RecordOutcome {
        try await transaction("recording \(feed)") { connection in
            let ledger = Ledger(connection: connection, store: self, now: now)
            try await ledger.lock(feed)
            let hashes = RecordingPlan.hashes(items)
            let (row, facts) = try await ledger.read(feed, items: items, hashes: hashes, create: true)
            guard let row else {
                throw StateError.database(path: self.location, message: "the feed \(feed) could not be created")
            }
            let plan = RecordingPlan(
                items: items, hashes: hashes, facts: facts, alertOnFirstPoll: alertOnFirstPoll,
                nowSeconds: ledger.nowSeconds)
            return try await ledger.write(plan, feedRow: row)
        }
    }

    public func ledgerFacts(feed: String, items: [IncomingItem], now: Date) async throws -> LedgerFacts {
        try await read("reading seen items") { connection in
            let ledger = Ledger(connection: connection, store: self, now: now)
            return try await ledger.read(feed, items: items, hashes: RecordingPlan.hashes(items), create: false).facts
        }
    }

    public func unseenKeys(feed: String, keys: [String]) async throws -> [String] {
        guard !keys.isEmpty else { return [] }
        return try await read("reading seen items") { connection in
            let hashes = keys.map(KeyHash.init)
            let seen = try await Set(connection.execute(SeenKeys(feed: feed, keys: hashes), logger: self.logger).all())
            return zip(keys, hashes).filter { !seen.contains($0.1) }.map(\.0)
        }
    }

    public func recordHealthAlert(feed: String, key: String, candidate: AlertCandidate, now: Date) async throws -> Bool {
        try await transaction("recording a feed-health alert") { connection in
            let ledger = Ledger(connection: connection, store: self, now: now)
            let feedID = try await ledger.feedID(feed)
            guard try await ledger.insertFired(candidate, feedID: feedID, item: KeyHash(key)) else { return false }
            for target in candidate.targets { _ = try await ledger.enqueue(candidate, target: target) }
            return true
        }
    }

    public func hasFired(rule: String, feed: String, key: String) async throws -> Bool {
        try await read("reading fired alerts") { connection in
            let hash = KeyHash(key)
            let rows = try await connection.query(
                """
                SELECT 1 FROM feed f JOIN fired r ON r.feed_id = f.id WHERE f.name = \(feed) AND r.rule = \(rule)
                AND r.key_high = \(hash.highBits) AND r.key_low = \(hash.lowBits)
                """, logger: self.logger)
            return try await !rows.collect().isEmpty
        }
    }
}

/// A feed's row as a recording needs it.
struct FeedRow: Sendable {
    var id: Int64
    var firstPollDone: Bool
}

/// The statements of one recording, on its connection.
struct Ledger {
    let connection: PostgresConnection
    let store: PostgresStateStore
    let now: Date
    var nowSeconds: Int64 { Int64(now.timeIntervalSince1970.rounded(.down)) }
    var storySince: Int64 { nowSeconds - Int64(storyWindow) }

    /// Waits for any other recording of the feed to commit, and holds it off until this one does.
    func lock(_ feed: String) async throws {
        _ = try await connection.execute(LockFeed(feed: feed), logger: store.logger).all()
    }

    /// The feed's row (created when `create` and missing) and the facts the plan is decided from.
    func read(_ feed: String, items: [IncomingItem], hashes: [KeyHash], create: Bool) async throws
        -> (row: FeedRow?, facts: LedgerFacts)
    {
        // Whether an item fired or its story did is asked of every item with candidates, before
        // knowing which are seen, so that one statement asks everything; the answers about seen
        // items are then dropped, as `RecordingPlan.questions` asks only about unseen ones.
        let asked = RecordingPlan.questions(items, hashes: hashes, seen: [:])
        let statement = ReadLedgerFacts(
            feed: feed, create: create, items: hashes, fired: asked.fired, stories: asked.links + asked.titles,
            since: storySince)
        for attempt in 0..<2 {
            var row: FeedRow?
            var seen: [KeyHash: Int64] = [:]
            var fired = Set<RuleKey>()
            var stories = Set<RuleKey>()
            for try await fact in try await connection.execute(statement, logger: store.logger) {
                let key = KeyHash(highBits: fact.high, lowBits: fact.low)
                switch fact.kind {
                case "feed": row = FeedRow(id: fact.high, firstPollDone: fact.value != 0)
                case "seen": seen[key] = fact.value
                case "fired": fired.insert(RuleKey(fact.rule, key))
                default: stories.insert(RuleKey(fact.rule, key))
                }
            }
            // A feed row another writer (a feed state saved meanwhile) inserted after this
            // statement began is not in its view: the second reading sees it.
            if row == nil, create, attempt == 0 { continue }
            var facts = LedgerFacts()
            facts.firstPollDone = row?.firstPollDone ?? false
            if row != nil { facts.seen = seen }
            let questions = RecordingPlan.questions(items, hashes: hashes, seen: facts.seen)
            facts.fired = fired.intersection(questions.fired)
            facts.stories = stories.intersection(questions.links + questions.titles)
            return (row, facts)
        }
        return (nil, LedgerFacts())
    }

    /// Writes the plan in one statement: the feed's first poll, the items, and each alert that the
    /// database lets fire.
    func write(_ plan: RecordingPlan, feedRow: FeedRow) async throws -> RecordOutcome {
        let items = WriteItems(
            feedID: feedRow.id, markFirstPoll: !feedRow.firstPollDone, nowSeconds: nowSeconds,
            inserted: plan.inserted, refreshed: plan.refreshed)
        var outcome = plan.outcome
        guard !plan.alerts.isEmpty else {
            // Nothing changes when every item was seen lately: no statement at all.
            guard items.markFirstPoll || !plan.inserted.isEmpty || !plan.refreshed.isEmpty else { return outcome }
            _ = try await connection.execute(items, logger: store.logger).all()
            return outcome
        }
        let statement = WriteItemsAndAlerts(
            items: items, alerts: plan.alerts, since: storySince, at: now.timeIntervalSince1970)
        var fired = Set<String>()
        var entries: [OutboxEntry] = []
        for try await row in try await connection.execute(statement, logger: store.logger) {
            if let alertID = row.firedAlertID { fired.insert(alertID) }
            if let entry = row.entry { entries.append(entry) }
        }
        for alert in plan.alerts where !fired.contains(alert.candidate.alertID) {
            // Another instance fired the same story (or item) since the facts were read.
            outcome.fired -= 1
            outcome.suppressed += 1
            outcome.firedAlertIDs.removeAll { $0 == alert.candidate.alertID }
        }
        // In plan order, alert by alert and target by target, as the rows were inserted.
        var order: [String: [String: Int]] = [:]
        var position = 0
        for alert in plan.alerts {
            for target in alert.candidate.targets where order[alert.candidate.alertID]?[target] == nil {
                order[alert.candidate.alertID, default: [:]][target] = position
                position += 1
            }
        }
        outcome.entries += entries.sorted {
            (order[$0.alertID]?[$0.target] ?? 0, $0.id) < (order[$1.alertID]?[$1.target] ?? 0, $1.id)
        }
        return outcome
    }

    /// The feed's id, its row created if missing (a feed-health alert may come before any document).
    func feedID(_ feed: String) async throws -> Int64 {
        let rows = try await connection.query(
            """
            WITH created AS (INSERT INTO feed (name) VALUES (\(feed)) ON CONFLICT (name) DO NOTHING RETURNING id)
            SELECT id FROM created UNION ALL SELECT id FROM feed WHERE name = \(feed)
            """, logger: store.logger)
        for try await id in rows.decode(Int64.self) { return id }
        // Inserted by another transaction after this statement began: visible to the next one.
        for try await id in try await connection.query("SELECT id FROM feed WHERE name = \(feed)", logger: store.logger)
            .decode(Int64.self)
        {
            return id
        }
        throw StateError.database(path: store.location, message: "the feed \(feed) could not be created")
    }

    func insertFired(_ candidate: AlertCandidate, feedID: Int64, item: KeyHash) async throws -> Bool {
        let rows = try await connection.query(
            """
            INSERT INTO fired (rule, feed_id, key_high, key_low, alert_id, at)
            VALUES (\(candidate.rule), \(feedID), \(item.highBits), \(item.lowBits), \(candidate.alertID), \(nowSeconds))
            ON CONFLICT DO NOTHING RETURNING 1
            """, logger: store.logger)
        return try await rows.collect().count == 1
    }

    func enqueue(_ candidate: AlertCandidate, target: String) async throws -> OutboxEntry? {
        let at = now.timeIntervalSince1970
        let rows = try await connection.query(
            """
            INSERT INTO outbox (alert_id, target, payload, status, attempts, next_attempt, created_at, shaped)
            VALUES (\(candidate.alertID), \(target), \(candidate.payload), 'pending', 0, \(at), \(at), false)
            ON CONFLICT (alert_id, target) DO NOTHING RETURNING \(unescaped: PostgresOutboxRow.columns)
            """, logger: store.logger)
        for try await row in rows { return try PostgresOutboxRow.entry(row) }
        return nil  // that alert was already queued for that target
    }
}

extension KeyHash {
    /// The hash's halves as PostgreSQL's signed 64-bit integers (the same bits).
    var highBits: Int64 { Int64(bitPattern: high) }
    var lowBits: Int64 { Int64(bitPattern: low) }

    init(highBits: Int64, lowBits: Int64) {
        self.init(high: UInt64(bitPattern: highBits), low: UInt64(bitPattern: lowBits))
    }
}
