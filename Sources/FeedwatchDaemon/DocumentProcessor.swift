import FeedwatchAlert
import FeedwatchConfig
import FeedwatchDeliver
import FeedwatchMatch
import FeedwatchParse
import FeedwatchState
import Foundation

/// What became of one fetched document: only what the scheduler, the log and `once` need, not the
/// items themselves (10,000 feeds polled at once must not hold 300,000 items in memory).
struct ProcessedDocument: Sendable {
    /// The feed's RSS `<ttl>`, in minutes.
    var ttlMinutes: Int?
    /// The parser's warnings (a few at most are logged).
    var warnings: [String]
    var record: RecordOutcome
    /// Items the document held (new or not).
    var itemsParsed: Int
    /// The alerts that fired (were recorded and queued), in item order.
    var alerts: [Alert]
}

/// A document parsed and matched, not yet recorded: what the recording transaction needs, and the
/// alerts it may fire. Preparing only reads the feed's own state, so documents are prepared in
/// parallel; recording decides (through story keys shared by all feeds) which alerts fire, so
/// `once` records in configuration order and the outcome never depends on which fetch won.
struct PreparedDocument: Sendable {
    var ttlMinutes: Int?
    var warnings: [String]
    var items: [IncomingItem]
    var alertsByID: [String: Alert]
    /// Set when the items are matched while they are recorded (`matchesWhileRecording`): the
    /// parsed items, in the order of `items`, and what matching them needs.
    var unmatched: Unmatched?

    struct Unmatched: Sendable {
        var items: [FeedItem]
        var feed: Alert.Feed
        var tags: Set<String>
        var detectedAt: Date
    }
}

/// The middle of the pipeline for one fetched document: parse → match the items not seen before →
/// record items and queue alerts in one transaction. Shared by `run`, `once` and `once --dry-run`.
struct DocumentProcessor: Sendable {
    let runtime: Runtime
    let store: any StateStore
    /// The daemon's polls leave matching to the recording transaction, which knows which items
    /// are new from its own look-up (`recordItemsAndEnqueueAlerts(…completingNew:)`): one look-up
    /// of a changed document's items instead of two. `once` prepares many documents in parallel
    /// and records them in one transaction, so it matches while preparing. Not with a store
    /// whose look-ups are round trips: there every item is matched while preparing.
    var matchesWhileRecording = false
    /// The daemon's recordings of documents matched while recording go through this group: the
    /// documents of a moment share one transaction. Nil: each document is recorded on its own.
    var group: RecordingGroup?

    /// Parses, matches and records one document: items in document order, in one transaction.
    func process(
        feed: FeedConfig, documentURL: String, body: Data, charset: String?, now: Date
    ) async throws -> ProcessedDocument {
        let state = try await store.feedState(named: feed.name)
        let prepared = try await prepare(
            feed: feed, state: state, documentURL: documentURL, body: body, charset: charset, now: now)
        return try await record(prepared, feed: feed, now: now)
    }

    /// Parses the document and matches the items its feed has not seen; writes nothing. `state` is
    /// the feed's current state (its `firstPollDone` says whether this poll may alert at all).
    func prepare(
        feed: FeedConfig, state: FeedState?, documentURL: String, body: Data, charset: String?, now: Date
    ) async throws -> PreparedDocument {
        let parsed = try FeedParser.parse(body, url: documentURL, httpCharset: charset)
        // Matching costs more than a local look-up: only items never seen before are matched, and
        // not at all on a first poll that records silently. Where a look-up is a round trip to a
        // server, every item is matched instead (nil: no look-up); recording ignores the seen ones.
        // A feed the store holds no state for has seen nothing yet: its items are all matched
        // without a look-up (on SQLite the look-up would wait for the writer, which `once` keeps
        // busy recording the documents before it).
        let silent = RecordingPlan.isSilent(
            firstPollDone: state?.firstPollDone == true, alertOnFirstPoll: feed.settings.alertOnFirstPoll)
        let feedInfo = Alert.Feed(name: feed.name, url: feed.source.url, title: parsed.title)
        let tags = Set(feed.tags)
        let deferred = !silent && matchesWhileRecording && !store.lookupsAreRoundTrips
        let unseen: Set<String>?
        if silent || deferred {
            unseen = []
        } else if store.lookupsAreRoundTrips || state == nil {
            unseen = nil
        } else {
            unseen = Set(try await store.unseenKeys(feed: feed.name, keys: parsed.items.map(\.id)))
        }
        var alertsByID: [String: Alert] = [:]
        var incoming: [IncomingItem] = []
        incoming.reserveCapacity(parsed.items.count)
        // Through a buffer pointer: the items are read in place, where `for item in` (or an
        // array subscript) would copy each one, retaining and releasing every string of it.
        try parsed.items.withUnsafeBufferPointer { items in
            try runtime.matcher.withSession { session in
                for index in items.indices {
                    if unseen?.contains(items[index].id) ?? true {
                        incoming.append(
                            try matched(
                                items[index], feed: feed, feedInfo: feedInfo, tags: tags, now: now,
                                alerts: &alertsByID, session: &session))
                    } else {
                        incoming.append(
                            IncomingItem(key: items[index].id, link: items[index].link, title: "", candidates: []))
                    }
                }
            }
        }
        return PreparedDocument(
            ttlMinutes: parsed.ttlMinutes, warnings: Array(parsed.warnings.prefix(5)), items: incoming,
            alertsByID: alertsByID,
            unmatched: deferred ? .init(items: parsed.items, feed: feedInfo, tags: tags, detectedAt: now) : nil)
    }

    /// `item` as recorded, with the alerts its matches would raise (added to `alerts`).
    private func matched(
        _ item: FeedItem, feed: FeedConfig, feedInfo: Alert.Feed, tags: Set<String>, now: Date,
        alerts: inout [String: Alert], session: inout MatchSession
    ) throws -> IncomingItem {
        var candidates: [AlertCandidate] = []
        for match in session.matches(Self.matchInput(item), feed: feed.name, tags: tags) {
            let alert = Alert(
                rule: match.rule, keywords: match.keywords, feed: feedInfo,
                item: Alert.Item(
                    id: item.id, title: item.title, link: item.link, summary: item.summary,
                    published: item.published ?? item.updated, authors: item.authors,
                    categories: item.categories),
                detectedAt: now, snippet: match.snippet)
            let targets = runtime.rules[match.rule]?.notify ?? ["journal"]
            candidates.append(
                AlertCandidate(
                    alertID: alert.alertID, rule: match.rule, targets: targets,
                    payload: try OutboxCodec.payload(for: alert)))
            alerts[alert.alertID] = alert
        }
        // The normalised title is a story key, consulted only for an item that raises alerts:
        // the items already seen (most of every poll) skip the normalisation.
        let storyTitle = candidates.isEmpty ? "" : TextNormaliser.normalisedText(item.title)
        return IncomingItem(key: item.id, link: item.link, title: storyTitle, candidates: candidates)
    }

    /// Records a prepared document's items and queues the alerts that fire, in one transaction;
    /// items left unmatched are matched there, those the store finds new only.
    func record(_ prepared: PreparedDocument, feed: FeedConfig, now: Date) async throws -> ProcessedDocument {
        guard let unmatched = prepared.unmatched else {
            let record = try await store.recordItemsAndEnqueueAlerts(
                feed: feed.name, items: prepared.items, now: now, alertOnFirstPoll: feed.settings.alertOnFirstPoll)
            return Self.processed(prepared, record)
        }
        let alerts = FiredAlerts()
        let complete: @Sendable (Int) throws -> IncomingItem = { [self] index in
            try alerts.adding { alerts in
                try runtime.matcher.withSession { session in
                    try matched(
                        unmatched.items[index], feed: feed, feedInfo: unmatched.feed, tags: unmatched.tags,
                        now: unmatched.detectedAt, alerts: &alerts, session: &session)
                }
            }
        }
        let record: RecordOutcome
        if let group {
            let document = DocumentRecording(
                feed: feed.name, items: prepared.items, alertOnFirstPoll: feed.settings.alertOnFirstPoll)
            record = try await group.record(GroupedRecording(document: document, completingNew: complete))
        } else {
            record = try await store.recordItemsAndEnqueueAlerts(
                feed: feed.name, items: prepared.items, now: now, alertOnFirstPoll: feed.settings.alertOnFirstPoll,
                completingNew: complete)
        }
        var done = prepared
        done.alertsByID = alerts.byID
        return Self.processed(done, record)
    }

    /// Records prepared documents in order, in as few transactions as the store can (`once`).
    func record(_ documents: [(feed: FeedConfig, document: PreparedDocument)], now: Date) async throws
        -> [ProcessedDocument]
    {
        let records = try await store.recordDocuments(
            documents.map {
                DocumentRecording(
                    feed: $0.feed.name, items: $0.document.items, alertOnFirstPoll: $0.feed.settings.alertOnFirstPoll)
            }, now: now)
        return zip(documents, records).map { Self.processed($0.document, $1) }
    }

    private static func processed(_ prepared: PreparedDocument, _ record: RecordOutcome) -> ProcessedDocument {
        ProcessedDocument(
            ttlMinutes: prepared.ttlMinutes, warnings: prepared.warnings, record: record,
            itemsParsed: prepared.items.count, alerts: record.firedAlertIDs.compactMap { prepared.alertsByID[$0] })
    }

    static func matchInput(_ item: FeedItem) -> MatchInput {
        MatchInput(
            title: item.title, summary: item.summary, content: item.content, link: item.link,
            categories: item.categories, authors: item.authors)
    }
}

/// The alerts a recording's completions raise: filled inside the store's transaction, on whichever
/// thread runs it (a group's runs outside the caller's task), and read once the recording returns.
private final class FiredAlerts: @unchecked Sendable {
    private let lock = NSLock()
    private var alerts: [String: Alert] = [:]

    func adding<T>(_ body: (inout [String: Alert]) throws -> T) rethrows -> T {
        try lock.withLock { try body(&alerts) }
    }

    var byID: [String: Alert] { lock.withLock { alerts } }
}
