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

    /// The keys among `keys` not yet seen in `feed`, in their order. One query per 500 keys.
    public func unseenKeys(feed: String, keys: [String]) throws -> [String] {
        try read { db in
            guard let feedID = try Int64.fetchOne(db, sql: "SELECT id FROM feed WHERE name = ?", arguments: [feed])
            else { return keys }
            let seen = try ItemRecorder.seenHashes(db, feedID: feedID, hashes: keys.map(StoryKeys.hash))
            return keys.filter { key in
                let hash = StoryKeys.hash(key)
                let seenInDryRun = overlay?.withLock { $0.isSeen(feed: feed, keyHash: hash) } ?? false
                return !seen.contains(hash) && !seenInDryRun
            }
        }
    }
}

/// The body of `recordItemsAndEnqueueAlerts`, inside its transaction. With an overlay (read-only
/// store) every write goes to the overlay instead, and every lookup consults it too.
struct ItemRecorder {
    let db: Database
    let overlay: DryRunOverlay?
    let feed: String
    let now: Date

    private var nowSeconds: Int64 { Int64(now.timeIntervalSince1970.rounded(.down)) }

    func record(_ items: [IncomingItem], alertOnFirstPoll: Bool) throws -> RecordOutcome {
        var outcome = RecordOutcome()
        let row = try Row.fetchOne(db, sql: "SELECT id, first_poll_done FROM feed WHERE name = ?", arguments: [feed])
        var feedID: Int64? = row?["id"]
        let firstPollDone = (row?["first_poll_done"] as Bool?) ?? false
        let isFirstPoll = !(firstPollDone || (overlay?.firstPollDone(feed: feed) ?? false))
        if let overlay {
            overlay.markFirstPollDone(feed: feed)
        } else if let id = feedID {
            try db.execute(sql: "UPDATE feed SET first_poll_done = 1 WHERE id = ?", arguments: [id])
        } else {
            try db.execute(sql: "INSERT INTO feed (name, first_poll_done) VALUES (?, 1)", arguments: [feed])
            feedID = db.lastInsertedRowID
        }

        let hashes = items.map { StoryKeys.hash($0.key) }
        let seenBefore = try feedID.map { try Self.seenHashes(db, feedID: $0, hashes: hashes) } ?? []
        var seenNow: Set<Data> = []  // repeats within this document count as seen
        var refreshed: [Data] = []
        let silent = isFirstPoll && !alertOnFirstPoll
        outcome.silentFirstPoll = silent

        for (item, hash) in zip(items, hashes) {
            if seenBefore.contains(hash) || seenNow.contains(hash) || (overlay?.isSeen(feed: feed, keyHash: hash) ?? false) {
                outcome.seenItems += 1
                if seenBefore.contains(hash) { refreshed.append(hash) }
                continue
            }
            seenNow.insert(hash)
            outcome.newItems += 1
            if let overlay {
                overlay.markSeen(feed: feed, keyHash: hash)
            } else if let feedID {
                try db.cachedStatement(sql: "INSERT INTO seen_item (feed_id, key_hash, last_seen) VALUES (?, ?, ?)")
                    .execute(arguments: [feedID, hash, nowSeconds])
            }
            if silent { continue }
            let linkKey = StoryKeys.canonicalLink(item.link).map(StoryKeys.hash)
            let titleKey = StoryKeys.titleKey(item.title).map(StoryKeys.hash)
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
        if overlay == nil, let feedID, !refreshed.isEmpty {
            for chunk in refreshed.chunked(by: Self.chunkSize) {
                try db.cachedStatement(
                    sql: "UPDATE seen_item SET last_seen = ? WHERE feed_id = ? AND key_hash IN (\(placeholders(chunk.count)))")
                .execute(arguments: StatementArguments([nowSeconds, feedID] + chunk.map { $0 as any DatabaseValueConvertible }))
            }
        }
        return outcome
    }

    static let chunkSize = 500

    /// The hashes among `hashes` already seen in the feed: one indexed query per 500 keys.
    static func seenHashes(_ db: Database, feedID: Int64, hashes: [Data]) throws -> Set<Data> {
        var seen: Set<Data> = []
        for chunk in hashes.chunked(by: chunkSize) {
            let found = try Data.fetchAll(
                db.cachedStatement(sql: "SELECT key_hash FROM seen_item WHERE feed_id = ? AND key_hash IN (\(placeholders(chunk.count)))"),
                arguments: StatementArguments([feedID] + chunk.map { $0 as any DatabaseValueConvertible }))
            seen.formUnion(found)
        }
        return seen
    }

    private func alreadyFired(_ rule: String, feedID: Int64?, keyHash: Data) throws -> Bool {
        if overlay?.hasFired(rule: rule, feed: feed, keyHash: keyHash) ?? false { return true }
        guard let feedID else { return false }
        return try Bool.fetchOne(db.cachedStatement(sql: HotQueries.firedForItem), arguments: [rule, feedID, keyHash]) ?? false
    }

    private func storyFired(_ rule: String, linkKey: Data?, titleKey: Data?) throws -> Bool {
        if let overlay, overlay.storyFired(rule: rule, storyKey: linkKey) || overlay.storyFired(rule: rule, storyKey: titleKey) {
            return true
        }
        let since = nowSeconds - Int64(storyWindow)
        if let linkKey, try Bool.fetchOne(db.cachedStatement(sql: HotQueries.storyByLink), arguments: [rule, linkKey, since]) ?? false {
            return true
        }
        if let titleKey, try Bool.fetchOne(db.cachedStatement(sql: HotQueries.storyByTitle), arguments: [rule, titleKey, since]) ?? false {
            return true
        }
        return false
    }

    private func recordFired(_ candidate: AlertCandidate, feedID: Int64?, keyHash: Data, linkKey: Data?, titleKey: Data?) throws {
        if let overlay {
            overlay.markFired(rule: candidate.rule, feed: feed, keyHash: keyHash)
            overlay.markStory(rule: candidate.rule, storyKey: linkKey)
            overlay.markStory(rule: candidate.rule, storyKey: titleKey)
            return
        }
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO fired (rule, feed_id, key_hash, alert_id, link_key, title_key, at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [candidate.rule, feedID, keyHash, candidate.alertID, linkKey, titleKey, nowSeconds])
    }

    private func enqueue(_ candidate: AlertCandidate, target: String) throws -> OutboxEntry? {
        var entry = OutboxEntry(
            id: 0, alertID: candidate.alertID, target: target, payload: candidate.payload, attempts: 0,
            nextAttempt: now, lastError: nil, status: .pending, createdAt: now)
        if overlay != nil { return entry }
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO outbox (alert_id, target, payload, status, attempts, next_attempt, created_at)
                VALUES (?, ?, ?, 'pending', 0, ?, ?)
                """,
            arguments: [candidate.alertID, target, candidate.payload, now.timeIntervalSince1970, now.timeIntervalSince1970])
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
    static let seen = "SELECT key_hash FROM seen_item WHERE feed_id = ? AND key_hash IN (?, ?)"
    static let due = "SELECT * FROM outbox WHERE status = 'pending' AND next_attempt <= ? ORDER BY next_attempt LIMIT ?"
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
