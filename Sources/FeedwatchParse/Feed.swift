// The common model every format is adapted onto: what the matcher, the store and `feedwatch parse`
// see. Format quirks stop at the adapters.
import Foundation

/// The syndication format a document was read as (SPEC §3 `format`).
public enum FeedFormat: String, Sendable, Codable {
    case rss09x = "rss0.9x"
    case rss10 = "rss1.0"
    case rss20 = "rss2.0"
    case atom03 = "atom0.3"
    case atom10 = "atom1.0"
    case jsonFeed = "jsonfeed"
}

/// A media file attached to an item: RSS `<enclosure>`, Atom `rel="enclosure"`, `media:content`,
/// JSON Feed attachments.
public struct FeedEnclosure: Sendable, Equatable {
    /// Absolute URL.
    public var url: String
    /// MIME type, or "" when not given.
    public var type: String
    /// Size in bytes when the feed gives one.
    public var length: Int?

    public init(url: String, type: String = "", length: Int? = nil) {
        self.url = url
        self.type = type
        self.length = length
    }
}

/// One entry of a feed. Text fields are plain text (markup removed, references decoded, white
/// space collapsed, trimmed); absent text is "" rather than nil.
public struct FeedItem: Sendable, Equatable {
    /// The guid/id, else the link, else "fnv1a128:" and 32 hex digits of a hash of title and summary.
    public var id: String
    public var title: String
    /// Absolute URL of the item's page.
    public var link: String
    public var summary: String
    public var content: String
    public var authors: [String]
    public var categories: [String]
    /// In UTC; nil when absent or unreadable.
    public var published: Date?
    public var updated: Date?
    /// `id` came from the feed's guid/id, not from the link or a hash.
    public var hasGuid: Bool
    /// Attached media, links absolute.
    public var enclosures: [FeedEnclosure]
    /// A picture for the item (`media:thumbnail`), absolute, or "".
    public var thumbnail: String

    public init(
        id: String = "", title: String = "", link: String = "", summary: String = "", content: String = "",
        authors: [String] = [], categories: [String] = [], published: Date? = nil, updated: Date? = nil,
        hasGuid: Bool = false, enclosures: [FeedEnclosure] = [], thumbnail: String = ""
    ) {
        self.id = id
        self.title = title
        self.link = link
        self.summary = summary
        self.content = content
        self.authors = authors
        self.categories = categories
        self.published = published
        self.updated = updated
        self.hasGuid = hasGuid
        self.enclosures = enclosures
        self.thumbnail = thumbnail
    }
}

/// A parsed feed document.
public struct ParsedFeed: Sendable {
    public var format: FeedFormat
    public var title: String
    /// Absolute URL of the site the feed belongs to, or "".
    public var link: String
    /// What was wrong with the document but could be read past (bad bytes, bad dates, truncation…).
    public var warnings: [String]
    public var items: [FeedItem]
    /// RSS `<ttl>`: how long the publisher asks readers to cache the feed.
    public var ttlMinutes: Int?

    public init(
        format: FeedFormat, title: String = "", link: String = "", warnings: [String] = [],
        items: [FeedItem] = [], ttlMinutes: Int? = nil
    ) {
        self.format = format
        self.title = title
        self.link = link
        self.warnings = warnings
        self.items = items
        self.ttlMinutes = ttlMinutes
    }
}

/// The feed as a whole could not be read (not a feed, HTML, binary, entity attack…). The description
/// is one sentence a user can act on.
public struct FeedParseError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

/// The feed-level facts a streaming parse reports once the document is read.
public struct FeedHeader: Sendable {
    public var format: FeedFormat
    public var title: String
    public var link: String
    public var ttlMinutes: Int?
    public var warnings: [String]
    /// How many items were delivered.
    public var itemCount: Int
}
