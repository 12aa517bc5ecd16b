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
extension PostgresStateStore {
    public func recordItemsAndEnqueueAlerts(
        feed: String, items: [IncomingItem], now: Date, alertOnFirstPoll: Bool
    ) async throws -> RecordOutcome {
        try await transaction("recording \(feed)") { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\("feed:" + feed), 0))", logger: self.logger)
            let ledger = Ledger(connection: connection, store: self, now: now)
            let row = try await ledger.feedRow(feed, create: true)
            let hashes = RecordingPlan.hashes(items)
            let facts = try await ledger.facts(items, hashes: hashes, feedRow: row)
            let plan = RecordingPlan(
                items: items, hashes: hashes, facts: facts, alertOnFirstPoll: alertOnFirstPoll,
                nowSeconds: ledger.nowSeconds)
            return try await ledger.write(plan, feedRow: row!)
        }
    }

    public func ledgerFacts(feed: String, items: [IncomingItem], now: Date) async throws -> LedgerFacts {
        try await read("reading seen items") { connection in
            let ledger = Ledger(connection: connection, store: self, now: now)
            let row = try await ledger.feedRow(feed, create: false)
            return try await ledger.facts(items, hashes: RecordingPlan.hashes(items), feedRow: row)
        }
    }

    public func unseenKeys(feed: String, keys: [String]) async throws -> [String] {
        try await read("reading seen items") { connection in
            let ledger = Ledger(connection: connection, store: self, now: Date())
            guard let row = try await ledger.feedRow(feed, create: false) else { return keys }
            let hashes = keys.map(KeyHash.init)
            let seen = try await ledger.seen(feedID: row.id, hashes: hashes)
            return zip(keys, hashes).filter { seen[$0.1] == nil }.map(\.0)
        }
    }

    public func recordHealthAlert(feed: String, key: String, candidate: AlertCandidate, now: Date) async throws -> Bool {
        try await transaction("recording a feed-health alert") { connection in
            let ledger = Ledger(connection: connection, store: self, now: now)
            let row = try await ledger.feedRow(feed, create: true)!
            guard try await ledger.insertFired(candidate, feedID: row.id, item: KeyHash(key)) else { return false }
            for target in candidate.targets { _ = try await ledger.enqueue(candidate, target: target) }
            return true
        }
    }

    public func hasFired(rule: String, feed: String, key: String) async throws -> Bool {
        try await read("reading fired alerts") { connection in
            let ledger = Ledger(connection: connection, store: self, now: Date())
            guard let row = try await ledger.feedRow(feed, create: false) else { return false }
            return try await !ledger.firedBefore([RuleKey(rule, KeyHash(key))], feedID: row.id).isEmpty
        }
    }
}

/// The statements of one recording, on its connection.
struct Ledger {
    let connection: PostgresConnection
    let store: PostgresStateStore
    let now: Date
    var nowSeconds: Int64 { Int64(now.timeIntervalSince1970.rounded(.down)) }

    func feedRow(_ feed: String, create: Bool) async throws -> (id: Int64, firstPollDone: Bool)? {
        for _ in 0..<2 {
            let rows = try await connection.query(
                "SELECT id, first_poll_done FROM feed WHERE name = \(feed)", logger: store.logger)
            for try await (id, done) in rows.decode((Int64, Bool).self) { return (id, done) }
            guard create else { return nil }
            // Another writer (a feed state saved meanwhile) may insert it first: then read it.
            try await connection.query(
                "INSERT INTO feed (name) VALUES (\(feed)) ON CONFLICT (name) DO NOTHING", logger: store.logger)
        }
        return nil
    }

    func facts(_ items: [IncomingItem], hashes: [KeyHash], feedRow: (id: Int64, firstPollDone: Bool)?) async throws
        -> LedgerFacts
    {
        var facts = LedgerFacts()
        facts.firstPollDone = feedRow?.firstPollDone ?? false
        if let feedID = feedRow?.id { facts.seen = try await seen(feedID: feedID, hashes: hashes) }
        let questions = RecordingPlan.questions(items, hashes: hashes, seen: facts.seen)
        if let feedID = feedRow?.id, !questions.fired.isEmpty {
            facts.fired = try await firedBefore(questions.fired, feedID: feedID)
        }
        let stories = questions.links + questions.titles
        if !stories.isEmpty { facts.stories = try await storiesFired(stories) }
        return facts
    }

    func seen(feedID: Int64, hashes: [KeyHash]) async throws -> [KeyHash: Int64] {
        guard !hashes.isEmpty else { return [:] }
        let rows = try await connection.query(
            """
            SELECT key_high, key_low, last_seen FROM seen_item WHERE feed_id = \(feedID)
            AND (key_high, key_low) IN (SELECT * FROM unnest(\(hashes.map(\.highBits))::int8[], \(hashes.map(\.lowBits))::int8[]))
            """, logger: store.logger)
        var seen: [KeyHash: Int64] = [:]
        for try await (high, low, lastSeen) in rows.decode((Int64, Int64, Int64).self) {
            seen[KeyHash(highBits: high, lowBits: low)] = lastSeen
        }
        return seen
    }

    func firedBefore(_ questions: [RuleKey], feedID: Int64) async throws -> Set<RuleKey> {
        let rows = try await connection.query(
            """
            SELECT rule, key_high, key_low FROM fired WHERE feed_id = \(feedID)
            AND (rule, key_high, key_low) IN (SELECT * FROM unnest(\(questions.map(\.rule))::text[],
                \(questions.map(\.key.highBits))::int8[], \(questions.map(\.key.lowBits))::int8[]))
            """, logger: store.logger)
        return try await ruleKeys(rows)
    }

    func storiesFired(_ questions: [RuleKey]) async throws -> Set<RuleKey> {
        let since = nowSeconds - Int64(storyWindow)
        let rows = try await connection.query(
            """
            SELECT rule, key_high, key_low FROM story WHERE at >= \(since)
            AND (rule, key_high, key_low) IN (SELECT * FROM unnest(\(questions.map(\.rule))::text[],
                \(questions.map(\.key.highBits))::int8[], \(questions.map(\.key.lowBits))::int8[]))
            """, logger: store.logger)
        return try await ruleKeys(rows)
    }

    private func ruleKeys(_ rows: PostgresRowSequence) async throws -> Set<RuleKey> {
        var keys = Set<RuleKey>()
        for try await (rule, high, low) in rows.decode((String, Int64, Int64).self) {
            keys.insert(RuleKey(rule, KeyHash(highBits: high, lowBits: low)))
        }
        return keys
    }

    /// Writes the plan: the feed's first poll, the items, and each alert that the database lets fire.
    func write(_ plan: RecordingPlan, feedRow: (id: Int64, firstPollDone: Bool)) async throws -> RecordOutcome {
        let feedID = feedRow.id
        if !feedRow.firstPollDone {
            try await connection.query("UPDATE feed SET first_poll_done = true WHERE id = \(feedID)", logger: store.logger)
        }
        if !plan.inserted.isEmpty {
            try await connection.query(
                """
                INSERT INTO seen_item (feed_id, key_high, key_low, last_seen)
                SELECT \(feedID), h, l, \(nowSeconds) FROM unnest(\(plan.inserted.map(\.highBits))::int8[],
                    \(plan.inserted.map(\.lowBits))::int8[]) AS t(h, l)
                ON CONFLICT DO NOTHING
                """, logger: store.logger)
        }
        if !plan.refreshed.isEmpty {
            try await connection.query(
                """
                UPDATE seen_item SET last_seen = \(nowSeconds) WHERE feed_id = \(feedID)
                AND (key_high, key_low) IN (SELECT * FROM unnest(\(plan.refreshed.map(\.highBits))::int8[],
                    \(plan.refreshed.map(\.lowBits))::int8[]))
                """, logger: store.logger)
        }
        var outcome = plan.outcome
        for alert in plan.alerts {
            let stories = [alert.linkKey, alert.titleKey].compactMap { $0 }
            var fires = true
            for key in stories where try await !claimStory(alert.candidate.rule, key) { fires = false }
            if fires { fires = try await insertFired(alert.candidate, feedID: feedID, item: alert.item) }
            guard fires else {
                // Another instance fired the same story (or item) since the facts were read.
                outcome.fired -= 1
                outcome.suppressed += 1
                outcome.firedAlertIDs.removeAll { $0 == alert.candidate.alertID }
                continue
            }
            for target in alert.candidate.targets {
                if let entry = try await enqueue(alert.candidate, target: target) { outcome.entries.append(entry) }
            }
        }
        return outcome
    }

    /// Takes the story key for the rule: true when no alert of the rule holds it within the story
    /// window. A concurrent transaction holding the same key makes this wait for its outcome.
    private func claimStory(_ rule: String, _ key: KeyHash) async throws -> Bool {
        let since = nowSeconds - Int64(storyWindow)
        let rows = try await connection.query(
            """
            INSERT INTO story (rule, key_high, key_low, at) VALUES (\(rule), \(key.highBits), \(key.lowBits), \(nowSeconds))
            ON CONFLICT (rule, key_high, key_low) DO UPDATE SET at = excluded.at WHERE story.at < \(since)
            RETURNING 1
            """, logger: store.logger)
        return try await rows.collect().count == 1
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
