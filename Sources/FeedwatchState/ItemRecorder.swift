import Foundation
import GRDB

/// How long a story fired for a rule holds back the same story under another guid or feed.
let storyWindow: TimeInterval = 48 * 3600

extension StateStore {
    /// Records one fetched document's items and enqueues the alerts that are not duplicates, in ONE
    /// transaction: either the items are marked seen and their alerts are in the outbox, or neither.
    ///
    /// Marks the feed's first poll done. Items already seen are skipped (their last-seen time is
    /// refreshed so they are not forgotten while still in the feed). New items are marked seen; on the
    /// feed's first successful poll with `alertOnFirstPoll` false nothing fires. Otherwise a candidate
    /// fires unless its (rule, feed, item) fired before, or the same story — same canonical link or
    /// same title key — fired for that rule within 48 hours in any feed.
    ///
    /// In a read-only store nothing is written: the outcome is what would have happened, and the
    /// store remembers it in memory so that later calls in the same dry run agree.
    /// - Throws: `StateError.diskFull` (nothing was recorded; poll again later), other `StateError`s.
    public func recordItemsAndEnqueueAlerts(
        feed: String, items: [IncomingItem], now: Date, alertOnFirstPoll: Bool
    ) throws -> RecordOutcome {
        switch mode {
        case .readWrite, .maintenance:
            return try write { db in
                try ItemRecorder(db: db, overlay: nil, feed: feed, now: now)
                    .record(items, alertOnFirstPoll: alertOnFirstPoll)
            }
        case .readOnly:
            let overlay = self.overlay ?? DryRunOverlay()
            return try read { db in
                try overlay.withLock { overlay in
                    try ItemRecorder(db: db, overlay: overlay, feed: feed, now: now)
                        .record(items, alertOnFirstPoll: alertOnFirstPoll)
                }
            }
        }
    }

    /// The keys among `keys` not yet seen in `feed`, in their order. One query per 512 keys.
    public func unseenKeys(feed: String, keys: [String]) throws -> [String] {
        try read { db in
            guard let feedID = try ItemRecorder.feedRow(db, feed: feed)?.id else { return keys }
            let hashes = keys.map(KeyHash.init)
            let seen = try ItemRecorder.seenHashes(db, feedID: feedID, hashes: hashes)
            var unseen: [String] = []
            unseen.reserveCapacity(keys.count - min(keys.count, seen.count))
            for (key, hash) in zip(keys, hashes) where seen[hash] == nil {
                if let overlay, overlay.withLock({ $0.isSeen(feed: feed, keyHash: hash.data) }) { continue }
                unseen.append(key)
            }
            return unseen
        }
    }
}

/// The body of `recordItemsAndEnqueueAlerts`, inside its transaction. With an overlay (read-only
/// store) every write goes to the overlay instead, and every lookup consults it too.
///
/// Every statement is a cached one, seen items are inserted, looked up and refreshed many rows per
/// statement, and story keys are derived only for items that have alert candidates: recording is
/// the daemon's most frequent write.
struct ItemRecorder {
    let db: Database
    let overlay: DryRunOverlay?
    let feed: String
    let now: Date

    private var nowSeconds: Int64 { Int64(now.timeIntervalSince1970.rounded(.down)) }

    /// A seen item's last-seen time is rewritten only when it is older than this: a feed polled every
    /// few minutes would otherwise rewrite the same rows (and their index entries) on every poll, for
    /// a 90-day retention that an hour does not change.
    static let refreshAfter: Int64 = 3600

    static func feedRow(_ db: Database, feed: String) throws -> (id: Int64, firstPollDone: Bool)? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT id, first_poll_done FROM feed WHERE name = ?"), arguments: [feed])
        else { return nil }
        return (row[0], row[1])
    }

    func record(_ items: [IncomingItem], alertOnFirstPoll: Bool) throws -> RecordOutcome {
        var outcome = RecordOutcome()
        let row = try Self.feedRow(db, feed: feed)
        var feedID = row?.id
        let firstPollDone = row?.firstPollDone ?? false
        let isFirstPoll = !(firstPollDone || (overlay?.firstPollDone(feed: feed) ?? false))
        if let overlay {
            overlay.markFirstPollDone(feed: feed)
        } else if let id = feedID {
            if !firstPollDone {
                try db.cachedStatement(sql: "UPDATE feed SET first_poll_done = 1 WHERE id = ?").execute(arguments: [id])
            }
        } else {
            try db.cachedStatement(sql: "INSERT INTO feed (name, first_poll_done) VALUES (?, 1)").execute(arguments: [
                feed
            ])
            feedID = db.lastInsertedRowID
        }

        let hashes = items.map { KeyHash($0.key) }
        let seenBefore = try feedID.map { try Self.seenHashes(db, feedID: $0, hashes: hashes) } ?? [:]
        var seenNow = Set<KeyHash>(minimumCapacity: items.count)  // repeats within this document count as seen
        var inserted: [KeyHash] = []
        var refreshed: [KeyHash] = []
        let staleBefore = nowSeconds - Self.refreshAfter
        let silent = isFirstPoll && !alertOnFirstPoll
        outcome.silentFirstPoll = silent

        for (item, hash) in zip(items, hashes) {
            if let lastSeen = seenBefore[hash] {
                outcome.seenItems += 1
                if lastSeen < staleBefore { refreshed.append(hash) }
                continue
            }
            if seenNow.contains(hash) || (overlay?.isSeen(feed: feed, keyHash: hash.data) ?? false) {
                outcome.seenItems += 1
                continue
            }
            seenNow.insert(hash)
            outcome.newItems += 1
            if let overlay {
                overlay.markSeen(feed: feed, keyHash: hash.data)
            } else {
                inserted.append(hash)
            }
            if silent || item.candidates.isEmpty { continue }
            let linkKey = StoryKeys.canonicalLink(item.link).map(KeyHash.init)
            let titleKey = StoryKeys.titleKey(item.title).map(KeyHash.init)
            for candidate in item.candidates {
                if try alreadyFired(candidate.rule, feedID: feedID, keyHash: hash)
                    || storyFired(candidate.rule, linkKey: linkKey, titleKey: titleKey)
                {
                    outcome.suppressed += 1
                    continue
                }
                try recordFired(candidate, feedID: feedID, keyHash: hash, linkKey: linkKey, titleKey: titleKey)
                outcome.fired += 1
                outcome.firedAlertIDs.append(candidate.alertID)
                for target in candidate.targets {
                    if let entry = try enqueue(candidate, target: target) { outcome.entries.append(entry) }
                }
            }
        }
        if overlay == nil, let feedID {
            try insertSeen(inserted, feedID: feedID)
            try refreshSeen(refreshed, feedID: feedID)
        }
        return outcome
    }

    private static let insertSQL = Dictionary(
        uniqueKeysWithValues: BatchedStatements.insertBatchSizes(2 * BatchedStatements.maxInsertRows - 1)
            .map { ($0, BatchedStatements.insertSeen(rows: $0)) })
    private static let selectSQL = (0...9).map { BatchedStatements.selectSeen(keys: 1 << $0) }
    private static let refreshSQL = (0...9).map { BatchedStatements.refreshSeen(keys: 1 << $0) }

    private func insertSeen(_ hashes: [KeyHash], feedID: Int64) throws {
        var start = 0
        for size in BatchedStatements.insertBatchSizes(hashes.count) {
            var values: [DatabaseValue] = [feedID.databaseValue, nowSeconds.databaseValue]
            values.reserveCapacity(size + 2)
            for hash in hashes[start..<(start + size)] { values.append(hash.databaseValue) }
            try db.cachedStatement(sql: Self.insertSQL[size] ?? BatchedStatements.insertSeen(rows: size))
                .execute(arguments: StatementArguments(values))
            start += size
        }
    }

    private func refreshSeen(_ hashes: [KeyHash], feedID: Int64) throws {
        try Self.forEachInList(hashes, sql: Self.refreshSQL, leading: [nowSeconds.databaseValue, feedID.databaseValue])
        {
            try db.cachedStatement(sql: $0).execute(arguments: $1)
        }
    }

    /// The hashes among `hashes` already seen in the feed, with their last-seen time: one indexed
    /// query per 512 keys.
    static func seenHashes(_ db: Database, feedID: Int64, hashes: [KeyHash]) throws -> [KeyHash: Int64] {
        var seen: [KeyHash: Int64] = [:]
        try forEachInList(hashes, sql: selectSQL, leading: [feedID.databaseValue]) { sql, arguments in
            let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
            while let row = try rows.next() {
                let hash = try row.withUnsafeData(atIndex: 0) { data in data?.withUnsafeBytes { KeyHash(bytes: $0) } }
                if let hash { seen[hash] = row[1] }
            }
        }
        return seen
    }

    /// Runs the statement of `sql` (indexed by log2 of the list size) over `hashes` in lists of at
    /// most 512, each padded to a power of two with its last hash, after the `leading` arguments.
    private static func forEachInList(
        _ hashes: [KeyHash], sql: [String], leading: [DatabaseValue],
        _ body: (String, StatementArguments) throws -> Void
    ) throws {
        var start = 0
        while start < hashes.count {
            let count = min(BatchedStatements.maxInKeys, hashes.count - start)
            let size = BatchedStatements.inListSize(count)
            var values = leading
            values.reserveCapacity(leading.count + size)
            for index in 0..<size { values.append(hashes[start + min(index, count - 1)].databaseValue) }
            try body(sql[size.trailingZeroBitCount], StatementArguments(values))
            start += count
        }
    }

    private func alreadyFired(_ rule: String, feedID: Int64?, keyHash: KeyHash) throws -> Bool {
        if overlay?.hasFired(rule: rule, feed: feed, keyHash: keyHash.data) ?? false { return true }
        guard let feedID else { return false }
        return try Bool.fetchOne(db.cachedStatement(sql: HotQueries.firedForItem), arguments: [rule, feedID, keyHash])
            ?? false
    }

    private func storyFired(_ rule: String, linkKey: KeyHash?, titleKey: KeyHash?) throws -> Bool {
        if let overlay,
            overlay.storyFired(rule: rule, storyKey: linkKey?.data)
                || overlay.storyFired(rule: rule, storyKey: titleKey?.data)
        {
            return true
        }
        let since = nowSeconds - Int64(storyWindow)
        if let linkKey,
            try Bool.fetchOne(db.cachedStatement(sql: HotQueries.storyByLink), arguments: [rule, linkKey, since])
                ?? false
        {
            return true
        }
        if let titleKey,
            try Bool.fetchOne(db.cachedStatement(sql: HotQueries.storyByTitle), arguments: [rule, titleKey, since])
                ?? false
        {
            return true
        }
        return false
    }

    private func recordFired(
        _ candidate: AlertCandidate, feedID: Int64?, keyHash: KeyHash, linkKey: KeyHash?, titleKey: KeyHash?
    ) throws {
        if let overlay {
            overlay.markFired(rule: candidate.rule, feed: feed, keyHash: keyHash.data)
            overlay.markStory(rule: candidate.rule, storyKey: linkKey?.data)
            overlay.markStory(rule: candidate.rule, storyKey: titleKey?.data)
            return
        }
        try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO fired (rule, feed_id, key_hash, alert_id, link_key, title_key, at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [candidate.rule, feedID, keyHash, candidate.alertID, linkKey, titleKey, nowSeconds])
    }

    private func enqueue(_ candidate: AlertCandidate, target: String) throws -> OutboxEntry? {
        var entry = OutboxEntry(
            id: 0, alertID: candidate.alertID, target: target, payload: candidate.payload, attempts: 0,
            nextAttempt: now, lastError: nil, status: .pending, createdAt: now)
        if overlay != nil { return entry }
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
