import Foundation

/// How long a story fired for a rule holds back the same story under another guid or feed.
public let storyWindow: TimeInterval = 48 * 3600

/// A rule with an item's or a story's key hash: what "fired before" is asked of.
public struct RuleKey: Hashable, Sendable {
    public var rule: String
    public var key: KeyHash

    public init(_ rule: String, _ key: KeyHash) {
        self.rule = rule
        self.key = key
    }
}

/// What the ledger knew before one document is recorded: everything the decision needs, read in a
/// few batched queries. Only the items not seen before are asked about alerts.
public struct LedgerFacts: Sendable, Equatable {
    /// A document of this feed was recorded before.
    public var firstPollDone = false
    /// The document's items already seen in the feed, with when they were last seen (Unix seconds).
    public var seen: [KeyHash: Int64] = [:]
    /// (rule, item) pairs that fired in this feed.
    public var fired: Set<RuleKey> = []
    /// (rule, story key) pairs that fired within `storyWindow`, in any feed.
    public var stories: Set<RuleKey> = []

    public init() {}
}

/// One candidate that fires, with the keys it is recorded under.
public struct PlannedAlert: Sendable {
    public var candidate: AlertCandidate
    public var item: KeyHash
    public var linkKey: KeyHash?
    public var titleKey: KeyHash?
}

/// The decision of `recordItemsAndEnqueueAlerts`, made in memory from `LedgerFacts` so that every
/// store — and a dry run — decides alike; the store then writes it in the same transaction.
public struct RecordingPlan: Sendable {
    /// Counts, and whether the first poll was silent; the store adds the outbox entries it wrote.
    public var outcome = RecordOutcome()
    /// Items seen for the first time, to insert.
    public var inserted: [KeyHash] = []
    /// Items seen before whose last-seen time is older than `refreshAfter`, to refresh.
    public var refreshed: [KeyHash] = []
    /// The alerts that fire, in item order.
    public var alerts: [PlannedAlert] = []

    /// A seen item's last-seen time is rewritten only when it is older than this: a feed polled every
    /// few minutes would otherwise rewrite the same rows (and their index entries) on every poll, for
    /// a 90-day retention that an hour does not change.
    public static let refreshAfter: Int64 = 3600

    /// The key hashes of `items`, in order.
    public static func hashes(_ items: [IncomingItem]) -> [KeyHash] { items.map { KeyHash($0.key) } }

    /// The story keys of an item: its canonical link and its title key, when it has them.
    public static func storyKeys(_ item: IncomingItem) -> (link: KeyHash?, title: KeyHash?) {
        (StoryKeys.canonicalLink(item.link).map(KeyHash.init), StoryKeys.titleKey(item.title).map(KeyHash.init))
    }

    /// What the store must look up, once it knows which items are seen: the (rule, item), (rule,
    /// link key) and (rule, title key) pairs of the candidates of items not seen before.
    public static func questions(
        _ items: [IncomingItem], hashes: [KeyHash], seen: [KeyHash: Int64]
    ) -> (fired: [RuleKey], links: [RuleKey], titles: [RuleKey]) {
        var fired: [RuleKey] = []
        var links: [RuleKey] = []
        var titles: [RuleKey] = []
        for (item, hash) in zip(items, hashes) where seen[hash] == nil && !item.candidates.isEmpty {
            let keys = storyKeys(item)
            for candidate in item.candidates {
                fired.append(RuleKey(candidate.rule, hash))
                if let link = keys.link { links.append(RuleKey(candidate.rule, link)) }
                if let title = keys.title { titles.append(RuleKey(candidate.rule, title)) }
            }
        }
        return (fired, links, titles)
    }

    /// A feed's first poll records its items without alerting, unless `alert_on_first_poll` says so.
    public static func isSilent(firstPollDone: Bool, alertOnFirstPoll: Bool) -> Bool {
        !firstPollDone && !alertOnFirstPoll
    }

    /// Decides, item by item: repeats within the document count as seen, and an alert fired for an
    /// earlier item of the document holds back the same story later in it.
    public init(
        items: [IncomingItem], hashes: [KeyHash], facts: LedgerFacts, alertOnFirstPoll: Bool, nowSeconds: Int64
    ) {
        let silent = Self.isSilent(firstPollDone: facts.firstPollDone, alertOnFirstPoll: alertOnFirstPoll)
        outcome.silentFirstPoll = silent
        var seenNow = Set<KeyHash>(minimumCapacity: items.count)
        var firedNow = Set<RuleKey>()
        var storiesNow = Set<RuleKey>()
        let staleBefore = nowSeconds - Self.refreshAfter
        for (item, hash) in zip(items, hashes) {
            if let lastSeen = facts.seen[hash] {
                outcome.seenItems += 1
                if lastSeen < staleBefore { refreshed.append(hash) }
                continue
            }
            guard seenNow.insert(hash).inserted else {
                outcome.seenItems += 1
                continue
            }
            outcome.newItems += 1
            inserted.append(hash)
            if silent || item.candidates.isEmpty { continue }
            let keys = Self.storyKeys(item)
            for candidate in item.candidates {
                let rule = candidate.rule
                let storyKeys = [keys.link, keys.title].compactMap { $0.map { RuleKey(rule, $0) } }
                let itemKey = RuleKey(rule, hash)
                if facts.fired.contains(itemKey) || firedNow.contains(itemKey)
                    || storyKeys.contains(where: { facts.stories.contains($0) || storiesNow.contains($0) })
                {
                    outcome.suppressed += 1
                    continue
                }
                firedNow.insert(itemKey)
                storiesNow.formUnion(storyKeys)
                alerts.append(PlannedAlert(candidate: candidate, item: hash, linkKey: keys.link, titleKey: keys.title))
                outcome.fired += 1
                outcome.firedAlertIDs.append(candidate.alertID)
            }
        }
    }

    /// The outbox entries of the planned alerts, one per target, as a store that cannot write (a dry
    /// run) reports them: not stored, `id` 0.
    public func unstoredEntries(now: Date) -> [OutboxEntry] {
        alerts.flatMap { alert in
            alert.candidate.targets.map { target in
                OutboxEntry(
                    id: 0, alertID: alert.candidate.alertID, target: target, payload: alert.candidate.payload,
                    attempts: 0, nextAttempt: now, lastError: nil, status: .pending, createdAt: now)
            }
        }
    }
}
