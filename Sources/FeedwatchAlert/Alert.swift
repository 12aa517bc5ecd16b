import Crypto
import Foundation

/// One alert: a rule fired for one item of one feed.
///
/// It carries every fact the journal entry and the webhook payloads show (SPEC §5), so that it can be
/// recorded in the outbox before delivery and rendered again, identically, on every retry.
public struct Alert: Sendable, Codable, Equatable {
    /// The feed the item came from.
    public struct Feed: Sendable, Codable, Equatable {
        /// The feed's configured name.
        public var name: String
        /// The feed's configured URL.
        public var url: String
        /// The feed's own title, as the document gives it (may be empty).
        public var title: String

        /// Creates a feed description.
        public init(name: String, url: String, title: String) {
            self.name = name
            self.url = url
            self.title = title
        }
    }

    /// The item that matched.
    public struct Item: Sendable, Codable, Equatable {
        /// The item's identity within its feed (guid/id, else link, else a hash).
        public var id: String
        /// The item's title, plain text.
        public var title: String
        /// The item's link (absolute), or empty.
        public var link: String
        /// The item's summary, plain text, uncut (payloads cut it to their own limits).
        public var summary: String
        /// When the item says it was published, if it says so readably.
        public var published: Date?
        /// The item's authors.
        public var authors: [String]
        /// The item's categories.
        public var categories: [String]

        /// Creates an item description.
        public init(
            id: String, title: String, link: String, summary: String, published: Date?,
            authors: [String], categories: [String]
        ) {
            self.id = id
            self.title = title
            self.link = link
            self.summary = summary
            self.published = published
            self.authors = authors
            self.categories = categories
        }
    }

    /// Stable identity of this alert: the same (rule, feed, item) always gives the same id.
    /// See ``makeID(rule:feed:itemID:)``.
    public var alertID: String
    /// The name of the rule that fired.
    public var rule: String
    /// The keywords that matched, as written in the rule.
    public var keywords: [String]
    /// The feed the item came from.
    public var feed: Feed
    /// The item that matched.
    public var item: Item
    /// When feedwatch detected the match.
    public var detectedAt: Date
    /// A short excerpt of the text around the first match, for chat formats; not part of the `json` payload.
    public var snippet: String

    /// Creates an alert. `alertID` defaults to ``makeID(rule:feed:itemID:)`` of the rule, feed name and item id.
    public init(
        alertID: String? = nil, rule: String, keywords: [String], feed: Feed, item: Item, detectedAt: Date,
        snippet: String = ""
    ) {
        self.alertID = alertID ?? Alert.makeID(rule: rule, feed: feed.name, itemID: item.id)
        self.rule = rule
        self.keywords = keywords
        self.feed = feed
        self.item = item
        self.detectedAt = detectedAt
        self.snippet = snippet
    }

    /// The alert id of a (rule, feed, item): UUID-shaped, lower case, derived from SHA-256.
    ///
    /// Deterministic on purpose: a retry, a restart or a re-detection of the same (rule, item) carries the
    /// same id, so receivers can deduplicate on `webhook-id` / `alert_id` (at-least-once delivery).
    /// The three parts are joined with NUL, which cannot occur in a name or an id read from YAML or XML,
    /// so ("a b", "c") and ("a", "b c") never collide.
    public static func makeID(rule: String, feed: String, itemID: String) -> String {
        var input = Data(rule.utf8)
        input.append(0)
        input.append(contentsOf: Array(feed.utf8))
        input.append(0)
        input.append(contentsOf: Array(itemID.utf8))
        var bytes = Array(SHA256.hash(data: input).prefix(16))
        // RFC 9562 version 8 ("custom") and the RFC variant, so the id is a well-formed UUID.
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [
            hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4),
            hex.dropFirst(16).prefix(4), hex.dropFirst(20),
        ]
        return parts.joined(separator: "-")
    }
}
