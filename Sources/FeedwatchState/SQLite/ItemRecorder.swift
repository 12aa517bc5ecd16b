import Foundation
import GRDB

extension SQLiteStateStore {
    public func recordItemsAndEnqueueAlerts(
        feed: String, items: [IncomingItem], now: Date, alertOnFirstPoll: Bool
    ) throws -> RecordOutcome {
        try write { db in
            try ItemRecorder(db: db, feed: feed, now: now).record(items, alertOnFirstPoll: alertOnFirstPoll)
        }
    }

    public func recordItemsAndEnqueueAlerts(
        feed: String, items: [IncomingItem], now: Date, alertOnFirstPoll: Bool,
        completingNew: (Int) throws -> IncomingItem
    ) throws -> RecordOutcome {
        // The closure is called only inside the transaction, before this returns.
        try withoutActuallyEscaping(completingNew) { complete in
            try write { db in
                try ItemRecorder(db: db, feed: feed, now: now)
                    .record(items, alertOnFirstPoll: alertOnFirstPoll, completingNew: complete)
            }
        }
    }

    /// Every document in one transaction: one commit (and one wait for the disk) for all of them.
    public func recordDocuments(_ documents: [DocumentRecording], now: Date) throws -> [RecordOutcome] {
        try write { db in
            try documents.map { document in
                try ItemRecorder(db: db, feed: document.feed, now: now)
                    .record(document.items, alertOnFirstPoll: document.alertOnFirstPoll)
            }
        }
    }

    /// The group in one transaction. Should a recording throw, the transaction is rolled back and
    /// each document is recorded in one of its own, so that it fails alone (a completion may then
    /// be asked for twice; it returns the same item).
    public func recordGroup(_ recordings: [GroupedRecording], now: Date) -> [Result<RecordOutcome, any Error>] {
        if recordings.count > 1,
            let outcomes = try? write({ db in
                try recordings.map { recording in
                    try ItemRecorder(db: db, feed: recording.document.feed, now: now)
                        .record(
                            recording.document.items, alertOnFirstPoll: recording.document.alertOnFirstPoll,
                            completingNew: recording.completingNew)
                }
            })
        {
            return outcomes.map { .success($0) }
        }
        return recordings.map { recording in
            Result {
                try recordItemsAndEnqueueAlerts(
                    feed: recording.document.feed, items: recording.document.items, now: now,
                    alertOnFirstPoll: recording.document.alertOnFirstPoll, completingNew: recording.completingNew)
            }
        }
    }

    public func ledgerFacts(feed: String, items: [IncomingItem], now: Date) throws -> LedgerFacts {
        try read { db in
            let row = try ItemRecorder.feedRow(db, feed: feed)
            return try ItemRecorder(db: db, feed: feed, now: now)
                .facts(items, hashes: RecordingPlan.hashes(items), feedRow: row)
        }
    }

    /// The keys among `keys` not yet seen in `feed`, in their order. One statement per 512 keys,
    /// the feed found by name inside it, and no transaction around it (`readStatement`): asked for
    /// every changed document, this cost the daemon more than matching the document's new items.
    /// It only spares matching; recording decides again what is new.
    public func unseenKeys(feed: String, keys: [String]) throws -> [String] {
        let hashes = keys.map(KeyHash.init)
        let seen = try readStatement { db in try ItemRecorder.seenHashes(db, feed: feed, hashes: hashes) }
        return zip(keys, hashes).filter { seen[$0.1] == nil }.map(\.0)
    }
}

/// The body of `recordItemsAndEnqueueAlerts`, inside its transaction: the facts in a few batched
/// queries, the shared decision (`RecordingPlan`), then its writes.
///
/// Every statement is a cached one, seen items are inserted, looked up and refreshed many rows per
/// statement, and story keys are looked up only for new items that have alert candidates:
/// recording is the daemon's most frequent write.
struct ItemRecorder {
    let db: Database
    let feed: String
    let now: Date

    private var nowSeconds: Int64 { Int64(now.timeIntervalSince1970.rounded(.down)) }

    static func feedRow(_ db: Database, feed: String) throws -> (id: Int64, firstPollDone: Bool)? {
        var found: (id: Int64, firstPollDone: Bool)?
        try RawStatement.run(
            db, sql: "SELECT id, first_poll_done FROM feed WHERE name = ?1", bind: { $0.bind(1, feed) }
        ) {
            found = ($0.int64(0), $0.bool(1))
        }
        return found
    }

    func facts(
        _ items: [IncomingItem], hashes: [KeyHash], feedRow: (id: Int64, firstPollDone: Bool)?,
        seen: [KeyHash: Int64]? = nil
    ) throws -> LedgerFacts {
        var facts = LedgerFacts()
        facts.firstPollDone = feedRow?.firstPollDone ?? false
        if let seen {
            facts.seen = seen
        } else if let feedID = feedRow?.id {
            facts.seen = try Self.seenHashes(db, feedID: feedID, hashes: hashes)
        }
        let questions = RecordingPlan.questions(items, hashes: hashes, seen: facts.seen)
        if let feedID = feedRow?.id {
            for question in questions.fired where try firedBefore(question, feedID: feedID) {
                facts.fired.insert(question)
            }
        }
        let since = nowSeconds - Int64(storyWindow)
        for question in questions.links where try storyFired(question, sql: HotQueries.storyByLink, since: since) {
            facts.stories.insert(question)
        }
        for question in questions.titles where try storyFired(question, sql: HotQueries.storyByTitle, since: since) {
            facts.stories.insert(question)
        }
        return facts
    }

    /// With `completingNew`, the items' candidates are asked for once the seen look-up has told
    /// which items are new (see `recordItemsAndEnqueueAlerts(…completingNew:)`).
    func record(
        _ items: [IncomingItem], alertOnFirstPoll: Bool, completingNew: ((Int) throws -> IncomingItem)? = nil
    ) throws -> RecordOutcome {
        let row = try Self.feedRow(db, feed: feed)
        let hashes = RecordingPlan.hashes(items)
        var items = items
        var seen: [KeyHash: Int64]?
        if let completingNew {
            let looked = try row.map { try Self.seenHashes(db, feedID: $0.id, hashes: hashes) } ?? [:]
            if !RecordingPlan.isSilent(firstPollDone: row?.firstPollDone ?? false, alertOnFirstPoll: alertOnFirstPoll) {
                for index in items.indices where looked[hashes[index]] == nil {
                    items[index] = try completingNew(index)
                }
            }
            seen = looked
        }
        let facts = try facts(items, hashes: hashes, feedRow: row, seen: seen)
        let plan = RecordingPlan(
            items: items, hashes: hashes, facts: facts, alertOnFirstPoll: alertOnFirstPoll, nowSeconds: nowSeconds)
        let feedID: Int64
        if let row {
            feedID = row.id
            if !row.firstPollDone {
                try db.cachedStatement(sql: "UPDATE feed SET first_poll_done = 1 WHERE id = ?").execute(arguments: [
                    feedID
                ])
            }
        } else {
            try db.cachedStatement(sql: "INSERT INTO feed (name, first_poll_done) VALUES (?, 1)").execute(arguments: [
                feed
            ])
            feedID = db.lastInsertedRowID
        }
        var outcome = plan.outcome
        for alert in plan.alerts {
            try recordFired(alert, feedID: feedID)
            for target in alert.candidate.targets {
                if let entry = try enqueue(alert.candidate, target: target) { outcome.entries.append(entry) }
            }
        }
        try insertSeen(plan.inserted, feedID: feedID)
        try refreshSeen(plan.refreshed, feedID: feedID)
        return outcome
    }

    private static let insertSQL = Dictionary(
        uniqueKeysWithValues: BatchedStatements.insertBatchSizes(2 * BatchedStatements.maxInsertRows - 1)
            .map { ($0, BatchedStatements.insertSeen(rows: $0)) })
    private static let selectSQL = (0...9).map { BatchedStatements.selectSeen(keys: 1 << $0) }
    private static let selectByNameSQL = (0...9).map { BatchedStatements.selectSeenByFeedName(keys: 1 << $0) }
    private static let refreshSQL = (0...9).map { BatchedStatements.refreshSeen(keys: 1 << $0) }

    private func insertSeen(_ unordered: [KeyHash], feedID: Int64) throws {
        // In key order (the blob's bytes are big-endian): a feed's new rows then land one after
        // another at the end of the key's B-tree and of the last-seen index, where SQLite appends
        // and splits full pages cheaply, instead of at random places among each other.
        let hashes = unordered.sorted { ($0.high, $0.low) < ($1.high, $1.low) }
        var start = 0
        for size in BatchedStatements.insertBatchSizes(hashes.count) {
            try RawStatement.run(db, sql: Self.insertSQL[size] ?? BatchedStatements.insertSeen(rows: size)) {
                statement in
                statement.bind(1, feedID)
                statement.bind(2, nowSeconds)
                for (offset, hash) in hashes[start..<(start + size)].enumerated() {
                    statement.bind(Int32(3 + offset), hash)
                }
            }
            start += size
        }
    }

    private func refreshSeen(_ hashes: [KeyHash], feedID: Int64) throws {
        try Self.forEachList(db, hashes, sql: Self.refreshSQL, first: 3) {
            $0.bind(1, nowSeconds)
            $0.bind(2, feedID)
        }
    }

    /// The hashes among `hashes` already seen in the feed, with their last-seen time: one indexed
    /// query per 512 keys.
    static func seenHashes(_ db: Database, feedID: Int64, hashes: [KeyHash]) throws -> [KeyHash: Int64] {
        try seenHashes(db, hashes, sql: selectSQL) { $0.bind(1, feedID) }
    }

    /// The same for the feed named `feed` (none if it has no row yet).
    static func seenHashes(_ db: Database, feed: String, hashes: [KeyHash]) throws -> [KeyHash: Int64] {
        try seenHashes(db, hashes, sql: selectByNameSQL) { $0.bind(1, feed) }
    }

    /// `sql`'s lists over `hashes`, the feed bound as parameter 1 by `feed`.
    private static func seenHashes(
        _ db: Database, _ hashes: [KeyHash], sql: [String], feed: (RawStatement) -> Void
    ) throws -> [KeyHash: Int64] {
        var seen: [KeyHash: Int64] = [:]
        try forEachList(db, hashes, sql: sql, first: 2, leading: feed) { row in
            if let hash = row.keyHash(0) { seen[hash] = row.int64(1) }
        }
        return seen
    }

    /// Runs the statement of `sql` (indexed by log2 of the list size) over `hashes` in lists of at
    /// most 512, each padded to a power of two with its last hash and bound from parameter
    /// `first` on, after `leading` bound the parameters before it.
    private static func forEachList(
        _ db: Database, _ hashes: [KeyHash], sql: [String], first: Int32, leading: (RawStatement) -> Void,
        row: (RawStatement) throws -> Void = { _ in }
    ) throws {
        var start = 0
        while start < hashes.count {
            let count = min(BatchedStatements.maxInKeys, hashes.count - start)
            let size = BatchedStatements.inListSize(count)
            try RawStatement.run(
                db, sql: sql[size.trailingZeroBitCount],
                bind: { statement in
                    leading(statement)
                    for index in 0..<size {
                        statement.bind(first + Int32(index), hashes[start + min(index, count - 1)])
                    }
                }, row: row)
            start += count
        }
    }

    private func firedBefore(_ question: RuleKey, feedID: Int64) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(sql: HotQueries.firedForItem), arguments: [question.rule, feedID, question.key]) ?? false
    }

    /// Whether the story key (a link key or a title key, by `sql`) fired for the rule since `since`.
    private func storyFired(_ question: RuleKey, sql: String, since: Int64) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: sql), arguments: [question.rule, question.key, since]) ?? false
    }

    private func recordFired(_ alert: PlannedAlert, feedID: Int64) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO fired (rule, feed_id, key_hash, alert_id, link_key, title_key, at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            alert.candidate.rule, feedID, alert.item, alert.candidate.alertID, alert.linkKey, alert.titleKey,
            nowSeconds,
        ])
    }

    private func enqueue(_ candidate: AlertCandidate, target: String) throws -> OutboxEntry? {
        var entry = OutboxEntry(
            id: 0, alertID: candidate.alertID, target: target, payload: candidate.payload, attempts: 0,
            nextAttempt: now, lastError: nil, status: .pending, createdAt: now)
        try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO outbox (alert_id, target, payload, status, attempts, next_attempt, created_at, shaped)
                VALUES (?, ?, ?, 'pending', 0, ?, ?, 0)
                """
        ).execute(arguments: [
            candidate.alertID, target, candidate.payload, now.timeIntervalSince1970, now.timeIntervalSince1970,
        ])
        guard db.changesCount > 0 else { return nil }  // that alert was already queued for that target
        entry.id = db.lastInsertedRowID
        return entry
    }
}

/// The queries run for every item or delivery; a test checks each is answered by an index.
enum HotQueries {
    static let firedForItem = "SELECT 1 FROM fired WHERE rule = ? AND feed_id = ? AND key_hash = ?"
    static let storyByLink = "SELECT 1 FROM fired WHERE rule = ? AND link_key = ? AND at >= ? LIMIT 1"
    static let storyByTitle = "SELECT 1 FROM fired WHERE rule = ? AND title_key = ? AND at >= ? LIMIT 1"
    static let seen = BatchedStatements.selectSeen(keys: 2)
    static let seenByFeedName = BatchedStatements.selectSeenByFeedName(keys: 2)
    static let refreshSeen = BatchedStatements.refreshSeen(keys: 2)
    static let due = "SELECT * FROM outbox WHERE status = 'pending' AND next_attempt <= ? ORDER BY next_attempt LIMIT ?"
    static let unshaped = "SELECT * FROM outbox WHERE shaped = 0 ORDER BY id LIMIT ?"
    /// Due rows the delivery stage has shaped: a row it has not looked at yet is not claimable.
    static let dueShaped = """
        SELECT * FROM outbox WHERE status = 'pending' AND shaped = 1 AND next_attempt <= ? AND target = ?
        ORDER BY next_attempt LIMIT ?
        """
    static let staleSeen = "SELECT feed_id, key_hash FROM seen_item WHERE last_seen < ? LIMIT ?"
    static let staleFired = "SELECT rule, feed_id, key_hash FROM fired WHERE at < ? LIMIT ?"
    static let staleDelivered = "SELECT id FROM outbox WHERE delivered_at < ? LIMIT ?"
}

func placeholders(_ count: Int) -> String {
    Array(repeating: "?", count: count).joined(separator: ", ")
}

extension Array {
    func chunked(by size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
