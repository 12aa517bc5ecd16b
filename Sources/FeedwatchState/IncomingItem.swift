import Foundation

/// One item of a fetched document, as the caller (parser + matcher) hands it to the store.
public struct IncomingItem: Sendable, Equatable {
    /// The item's identity within its feed: guid/id, else link, else a hash (the parser's `id`).
    public var key: String
    /// The item's link, raw: the store derives the canonical story link from it.
    public var link: String
    /// The title as normalised by the caller (case and diacritics folded); the store strips a
    /// trailing comment count and ignores titles too short to identify a story.
    public var title: String
    /// The rules that matched this item, each with the alert it would raise.
    public var candidates: [AlertCandidate]

    public init(key: String, link: String, title: String, candidates: [AlertCandidate] = []) {
        self.key = key
        self.link = link
        self.title = title
        self.candidates = candidates
    }
}

/// An alert a rule would raise for an item, if the store finds it is not a duplicate.
public struct AlertCandidate: Sendable, Equatable {
    /// The alert's id, stable across retries and restarts.
    public var alertID: String
    /// The rule's name.
    public var rule: String
    /// Where it goes: "journal" and webhook names. One outbox row is created per target.
    public var targets: [String]
    /// The alert as the caller will deliver it (opaque to the store).
    public var payload: Data

    public init(alertID: String, rule: String, targets: [String], payload: Data) {
        self.alertID = alertID
        self.rule = rule
        self.targets = targets
        self.payload = payload
    }
}

/// One document to record, as `recordDocuments` takes them: what `recordItemsAndEnqueueAlerts` takes.
public struct DocumentRecording: Sendable, Equatable {
    public var feed: String
    public var items: [IncomingItem]
    public var alertOnFirstPoll: Bool

    public init(feed: String, items: [IncomingItem], alertOnFirstPoll: Bool) {
        self.feed = feed
        self.items = items
        self.alertOnFirstPoll = alertOnFirstPoll
    }
}

/// A document to record in a group (`recordGroup`), with what completes its new items: called
/// inside the transaction, once per item the store finds new (see
/// `recordItemsAndEnqueueAlerts(…completingNew:)`).
public struct GroupedRecording: Sendable {
    public var document: DocumentRecording
    public var completingNew: @Sendable (Int) throws -> IncomingItem

    public init(document: DocumentRecording, completingNew: @escaping @Sendable (Int) throws -> IncomingItem) {
        self.document = document
        self.completingNew = completingNew
    }
}

/// What one `recordItemsAndEnqueueAlerts` did.
public struct RecordOutcome: Sendable, Equatable {
    /// The outbox rows created, one per (fired alert, target), in item order. In a read-only
    /// store they are not stored and their `id` is 0.
    public var entries: [OutboxEntry] = []
    /// The ids of the alerts that fired, in item order, each once.
    public var firedAlertIDs: [String] = []
    /// Items seen for the first time.
    public var newItems = 0
    /// Items already seen (their last-seen time was refreshed).
    public var seenItems = 0
    /// Candidates that fired.
    public var fired = 0
    /// Candidates not fired because the item or the same story already fired for that rule.
    public var suppressed = 0
    /// This was the feed's first successful poll and `alertOnFirstPoll` was false: nothing fired.
    public var silentFirstPoll = false

    public init() {}
}
