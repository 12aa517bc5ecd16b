import Foundation

/// The state the daemon keeps, as the few questions it asks of it. Two implementations: the
/// embedded SQLite file of one instance (`SQLite/`), and PostgreSQL shared by several instances
/// (the FeedwatchPostgres module); `DryRunStore` wraps either to answer as the daemon would
/// without writing. One contract test suite runs against every implementation.
///
/// Every method may throw `StateError`; a failed write has written nothing (each is one transaction).
public protocol StateStore: FeedStateStore, ItemLedger, OutboxStore, AlertHistoryStore, StoreHousekeeping,
    FeedLeases
{
    /// Where the state is, for messages: the SQLite file's path, or the PostgreSQL server and
    /// database (never the password).
    var location: String { get }
    /// Releases the connections (and the SQLite instance lock). Safe to call twice.
    func close() async
}

/// What the store keeps about each feed between polls (SPEC §7): validators, when it was polled and
/// is due, its health. Saving a state never clears `firstPollDone`: only recording a document sets it.
public protocol FeedStateStore: Sendable {
    /// The state of the feed named `name`, or nil if it was never saved nor polled.
    func feedState(named name: String) async throws -> FeedState?
    /// The states of the feeds named in `names` that the store knows, by name.
    func feedStates(named names: [String]) async throws -> [String: FeedState]
    /// The states the polls about to start begin from, by name (feeds never saved are absent): the
    /// daemon asks once for each batch of polls instead of once a poll. A poll sets both poll
    /// times when it ends, so a store may leave `lastPoll` and `nextDue` out (nil) and answer more
    /// cheaply. Defaults to `feedStates(named:)`.
    func pollStates(named names: [String]) async throws -> [String: FeedState]
    /// Every feed the store knows, by name.
    func allFeedStates() async throws -> [FeedState]
    /// Every feed gone (410), failing, or (with `silentBefore`) silent since then, by name; read
    /// through indexes, however many feeds the store holds.
    func troubledFeedStates(silentBefore: Date?) async throws -> [FeedState]
    /// Visits every stored feed's scheduling fields one row at a time: building the schedule of a
    /// million feeds never holds a million states at once.
    func forEachScheduleRow(_ body: (FeedScheduleRow) throws -> Void) async throws
    /// Inserts or replaces these feeds' states in one transaction (`firstPollDone` only ever turns on).
    func saveFeedStates(_ states: [FeedState]) async throws
    /// The same, told which of `states` differ from their stored state in their poll times alone
    /// (`FeedState.differsOnlyInPollTimes`; most polls of a running daemon are 304s): the store may
    /// write only the times of those. Defaults to `saveFeedStates(_:)`.
    func saveFeedStates(_ states: [FeedState], timesOnly: Set<String>) async throws
}

/// Seen items, fired alerts and story keys (SPEC §4): the promise that each story is alerted once.
public protocol ItemLedger: Sendable {
    /// Records one fetched document's items and enqueues the alerts that are not duplicates, in ONE
    /// transaction: either the items are marked seen and their alerts are in the outbox, or neither.
    ///
    /// Marks the feed's first poll done. Items already seen only have their last-seen time
    /// refreshed. On the feed's first successful poll with `alertOnFirstPoll` false nothing fires.
    /// Otherwise a candidate fires unless its (rule, feed, item) fired before, or the same story —
    /// same canonical link or same title key — fired for that rule within 48 hours in any feed.
    /// These hold however many processes record at once: two recording the same item fire it once.
    /// - Throws: `StateError.diskFull` (nothing was recorded; poll again later), other `StateError`s.
    func recordItemsAndEnqueueAlerts(
        feed: String, items: [IncomingItem], now: Date, alertOnFirstPoll: Bool
    ) async throws -> RecordOutcome
    /// The same for items whose alert candidates are not known yet: inside the transaction, the
    /// store asks `completingNew` for each item it finds new (by its index in `items`), which
    /// returns the item with its candidates and story title. A document's seen items are then
    /// looked up once, instead of once to choose what to match and again to record. Not asked on
    /// a first poll that records silently. Defaults to completing every item, then recording.
    func recordItemsAndEnqueueAlerts(
        feed: String, items: [IncomingItem], now: Date, alertOnFirstPoll: Bool,
        completingNew: (Int) throws -> IncomingItem
    ) async throws -> RecordOutcome
    /// Records several documents in order, each exactly as `recordItemsAndEnqueueAlerts` would one
    /// after the other (a later document sees what an earlier one recorded), but in as few
    /// transactions as the store can: `once` records thousands of first polls, and on a durable
    /// store every commit waits for the disk. Each document's promise holds as it would alone; if
    /// this throws, none of the documents of the failed transaction is recorded. The default
    /// records them one transaction each.
    func recordDocuments(_ documents: [DocumentRecording], now: Date) async throws -> [RecordOutcome]
    /// Several documents, each recorded as `recordItemsAndEnqueueAlerts(…completingNew:)` records
    /// one, in as few transactions as the store can: the daemon gathers the documents that changed
    /// within a moment so that they share one commit (one wait for the disk). One result per
    /// recording, in order: a document whose recording throws fails alone. The default records
    /// each in a transaction of its own.
    func recordGroup(_ recordings: [GroupedRecording], now: Date) async -> [Result<RecordOutcome, any Error>]
    /// What the ledger knows of these items, as `recordItemsAndEnqueueAlerts` would find it: read
    /// only, so that a dry run can decide as the daemon would (`DryRunStore`).
    func ledgerFacts(feed: String, items: [IncomingItem], now: Date) async throws -> LedgerFacts
    /// The keys among `keys` not yet seen in `feed`, in their order.
    func unseenKeys(feed: String, keys: [String]) async throws -> [String]
    /// True when every look-up is a round trip to a database server. The poller then matches all of
    /// a document's items instead of first asking which are new: matching a document's 20 items
    /// costs less CPU than a round trip costs the daemon and the server, and recording ignores
    /// the candidates of items already seen. False by default.
    var lookupsAreRoundTrips: Bool { get }
    /// Records a feed-health alert under `key` (its episode) and queues it, at most once per
    /// (rule, feed, key), without touching the feed's items; false when it had already fired.
    func recordHealthAlert(feed: String, key: String, candidate: AlertCandidate, now: Date) async throws -> Bool
    /// Whether `rule` fired for `feed` under `key`.
    func hasFired(rule: String, feed: String, key: String) async throws -> Bool
}

extension ItemLedger {
    public var lookupsAreRoundTrips: Bool { false }

    public func recordItemsAndEnqueueAlerts(
        feed: String, items: [IncomingItem], now: Date, alertOnFirstPoll: Bool,
        completingNew: (Int) throws -> IncomingItem
    ) async throws -> RecordOutcome {
        try await recordItemsAndEnqueueAlerts(
            feed: feed, items: try items.indices.map(completingNew), now: now, alertOnFirstPoll: alertOnFirstPoll)
    }

    public func recordDocuments(_ documents: [DocumentRecording], now: Date) async throws -> [RecordOutcome] {
        var outcomes: [RecordOutcome] = []
        outcomes.reserveCapacity(documents.count)
        for document in documents {
            outcomes.append(
                try await recordItemsAndEnqueueAlerts(
                    feed: document.feed, items: document.items, now: now, alertOnFirstPoll: document.alertOnFirstPoll))
        }
        return outcomes
    }

    public func recordGroup(_ recordings: [GroupedRecording], now: Date) async -> [Result<RecordOutcome, any Error>] {
        var results: [Result<RecordOutcome, any Error>] = []
        results.reserveCapacity(recordings.count)
        for recording in recordings {
            do {
                let document = recording.document
                results.append(
                    .success(
                        try await recordItemsAndEnqueueAlerts(
                            feed: document.feed, items: document.items, now: now,
                            alertOnFirstPoll: document.alertOnFirstPoll, completingNew: recording.completingNew)))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }
}

extension OutboxStore {
    public func outboxChangedElsewhere() async throws -> Bool { true }
}

/// The durable outbox (SPEC §5): an alert is in it before anyone tries to deliver it, and leaves it
/// only as delivered or dead. A claimed row is in flight; one whose claimer stopped (or, shared,
/// whose claim outlived `claimTimeout`) is claimable again: delivery is at least once, and a
/// duplicate happens only for what was in flight when an instance died.
public protocol OutboxStore: Sendable {
    /// Claims up to `limit` due, shaped deliveries of targets outside `excludingTargets`, oldest first.
    func dueDeliveries(now: Date, limit: Int, excludingTargets: Set<String>) async throws -> [OutboxEntry]
    /// Claims up to `limit` due messages of `target`: a row alone, or every pending row of its group.
    func dueMessages(now: Date, target: String, limit: Int) async throws -> [[OutboxEntry]]
    /// Hands claimed rows back, untried.
    func releaseDeliveries(ids: [Int64]) async throws
    /// Records a successful delivery, with the receiver's status (nil for the journal).
    func markDelivered(id: Int64, status: Int?, now: Date) async throws
    /// Records a failed attempt: pending again at `retryAt`, or dead when `retryAt` is nil.
    func markFailed(id: Int64, error: String, retryAt: Date?) async throws
    /// Dead-letters pending rows older than their target's window; returns how many.
    func expire(olderThan retryFor: [String: TimeInterval], now: Date) async throws -> Int
    /// When the next pending row is due.
    func earliestNextAttempt() async throws -> Date?
    /// Rows not yet shaped (new), oldest first; they are not claimable until shaped.
    func unshapedDeliveries(limit: Int) async throws -> [OutboxEntry]
    /// Records shaping decisions; each row becomes claimable at its release time.
    func applyShaping(_ decisions: [ShapingDecision]) async throws
    /// The newest unclaimed group of `target` whose key starts with `keyPrefix`, with its release time.
    func openGroup(target: String, keyPrefix: String) async throws -> (key: String, releaseAt: Date)?
    /// When each message of `target` delivered since `since` went (a group counts once).
    func messagesDelivered(target: String, since: Date) async throws -> [Date]
    /// Whether another process may have changed the outbox since the last call (`feedwatch outbox
    /// retry` beside the daemon), so that the delivery loop's periodic look can be skipped when
    /// nothing changed. True when the store cannot tell (the default: a shared store's other
    /// instances change it all the time).
    func outboxChangedElsewhere() async throws -> Bool
    /// Rows waiting (pending, held or in flight) and dead, per target.
    func outboxCounts() async throws -> [String: (pending: Int, dead: Int)]
    /// Every target with a row not yet delivered, by name.
    func outboxQueues() async throws -> [OutboxQueue]
    /// Pending and in-flight rows, oldest first.
    func pending() async throws -> [OutboxEntry]
    /// Dead rows, oldest first.
    func deadLetters() async throws -> [OutboxEntry]
    /// The `limit` newest dead rows, newest first.
    func recentDeadLetters(limit: Int) async throws -> [OutboxEntry]
    /// Puts one dead row back, due now with a new retry window; false if there is none with that id.
    func requeue(id: Int64, now: Date) async throws -> Bool
    /// Puts every dead row back; returns how many.
    func requeueAll(now: Date) async throws -> Int
}

/// The alerts fired, as the outbox remembers them (SPEC §7).
public protocol AlertHistoryStore: Sendable {
    /// The outbox rows of the alerts raised since `since` (of `rule` only), newest alert first, an
    /// alert's rows together; with `limit`, only the `limit` newest alerts'.
    func alertHistory(since: Date, rule: String?, limit: Int?) async throws -> [OutboxEntry]
}

/// Keeping the store's size bounded (`Retention`).
public protocol StoreHousekeeping: Sendable {
    /// Deletes at most `batchSize` expired rows of each kind in one short transaction; returns how
    /// many. Shared stores let one instance at a time prune (the others return 0).
    func prune(now: Date, batchSize: Int) async throws -> Int
}

/// Which feeds this process may poll. A store of one process holds every feed; a shared store
/// splits them between the live instances, each feed held by one at a time for a lease period.
public protocol FeedLeases: Sendable {
    /// True when other processes share the store: the poller must hold a feed's lease to poll it.
    var isShared: Bool { get }
    /// How long a lease lasts without renewal: renew well within it.
    var leasePeriod: TimeInterval { get }
    /// Makes these feeds leasable (the configuration's feeds, at start and after a reload).
    func registerFeeds(_ names: [String]) async throws
    /// Renews this process's leases, gives up what exceeds its share of `feedCount` feeds among the
    /// live instances, and takes free or expired ones up to that share; says what changed.
    func balanceLeases(feedCount: Int) async throws -> FeedLeaseChange
    /// Gives up every lease this process holds (a clean stop), so the others need not wait.
    func releaseAllLeases() async throws
}

/// What a lease turn changed.
public struct FeedLeaseChange: Sendable, Equatable {
    /// Feeds taken in this turn.
    public var gained: [String]
    /// Feeds given up or lost (expired and taken by another) in this turn.
    public var lost: [String]
    /// How many leases this process holds now.
    public var held: Int

    public init(gained: [String] = [], lost: [String] = [], held: Int = 0) {
        self.gained = gained
        self.lost = lost
        self.held = held
    }
}

/// What the schedule needs of a stored feed.
public struct FeedScheduleRow: Sendable {
    public var name: String
    public var configuredURL: String?
    public var lastPoll: Date?
    public var nextDue: Date?
    public var consecutiveErrors: Int
    public var gone: Bool

    public init(
        name: String, configuredURL: String?, lastPoll: Date?, nextDue: Date?, consecutiveErrors: Int, gone: Bool
    ) {
        self.name = name
        self.configuredURL = configuredURL
        self.lastPoll = lastPoll
        self.nextDue = nextDue
        self.consecutiveErrors = consecutiveErrors
        self.gone = gone
    }
}

extension FeedStateStore {
    public func saveFeedState(_ state: FeedState) async throws { try await saveFeedStates([state]) }

    public func saveFeedStates(_ states: [FeedState], timesOnly: Set<String>) async throws {
        try await saveFeedStates(states)
    }

    public func pollStates(named names: [String]) async throws -> [String: FeedState] {
        try await feedStates(named: names)
    }
}

extension StoreHousekeeping {
    /// Prunes in batches until nothing is left to prune; returns the total deleted.
    @discardableResult
    public func pruneAll(now: Date, batchSize: Int = 500) async throws -> Int {
        var total = 0
        while true {
            let deleted = try await prune(now: now, batchSize: batchSize)
            if deleted == 0 { return total }
            total += deleted
        }
    }
}
