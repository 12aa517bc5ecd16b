/// One alert's values as templates see them.
///
/// Every value is text already formatted for people: dates are RFC 3339, keywords are the rule's words that
/// matched. An empty value counts as absent in a section: `{{^item.link}}no link{{/item.link}}`.
public struct TemplateAlert: Sendable, Equatable {
    /// `{{alert_id}}`: the alert's identifier, stable across retries and restarts.
    public var alertID: String
    /// `{{rule}}`: the name of the rule that matched.
    public var rule: String
    /// `{{keywords}}`: the keywords that matched; `{{keywords}}` joins them with ", ",
    /// `{{#keywords}}{{.}}{{/keywords}}` goes through them one by one.
    public var keywords: [String]
    /// `{{feed.name}}`: the feed's name in the configuration.
    public var feedName: String
    /// `{{feed.url}}`: the feed's URL.
    public var feedURL: String
    /// `{{feed.title}}`: the title the feed gives itself.
    public var feedTitle: String
    /// `{{item.id}}`: the item's identifier (guid, Atom id or JSON Feed id).
    public var itemID: String
    /// `{{item.title}}`: the item's title as text.
    public var itemTitle: String
    /// `{{item.link}}`: the item's link; empty when it has none.
    public var itemLink: String
    /// `{{item.summary}}`: the item's summary as text.
    public var itemSummary: String
    /// `{{item.published}}`: when the item was published, RFC 3339, or nil when the feed does not say.
    public var itemPublished: String?
    /// `{{detected_at}}`: when feedwatch found the item, RFC 3339.
    public var detectedAt: String

    /// Makes an alert from its values.
    public init(
        alertID: String, rule: String, keywords: [String], feedName: String, feedURL: String, feedTitle: String,
        itemID: String, itemTitle: String, itemLink: String, itemSummary: String, itemPublished: String?,
        detectedAt: String
    ) {
        self.alertID = alertID
        self.rule = rule
        self.keywords = keywords
        self.feedName = feedName
        self.feedURL = feedURL
        self.feedTitle = feedTitle
        self.itemID = itemID
        self.itemTitle = itemTitle
        self.itemLink = itemLink
        self.itemSummary = itemSummary
        self.itemPublished = itemPublished
        self.detectedAt = detectedAt
    }
}
