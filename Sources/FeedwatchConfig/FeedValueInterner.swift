/// Feed settings held once and shared by reference: a million feeds with the `defaults:` settings
/// point at one copy.
final class SharedFeedSettings: Sendable, Equatable {
    let value: FeedSettings

    init(_ value: FeedSettings) { self.value = value }

    static func == (lhs: SharedFeedSettings, rhs: SharedFeedSettings) -> Bool {
        lhs === rhs || lhs.value == rhs.value
    }
}

/// One copy of each value that many feeds repeat: a tag list (`[news, fr]` on 100,000 feeds is one
/// array, not 100,000), a header map, the settings of feeds that override the same keys alike.
struct FeedValueInterner {
    private var tagLists: [[String]: [String]] = [:]
    private var headerMaps: [[String: String]: [String: String]] = [:]
    private var settings: [FeedSettings: SharedFeedSettings] = [:]

    init(defaults: SharedFeedSettings) {
        settings[defaults.value] = defaults
    }

    mutating func tags(_ tags: [String]) -> [String] {
        if tags.isEmpty { return [] }
        if let known = tagLists[tags] { return known }
        tagLists[tags] = tags
        return tags
    }

    mutating func headers(_ headers: [String: String]) -> [String: String] {
        if headers.isEmpty { return [:] }
        if let known = headerMaps[headers] { return known }
        headerMaps[headers] = headers
        return headers
    }

    mutating func settings(_ value: FeedSettings) -> SharedFeedSettings {
        if let known = settings[value] { return known }
        let shared = SharedFeedSettings(value)
        settings[value] = shared
        return shared
    }

    /// The same feed with its values replaced by this interner's copies: feeds read apart (pieces
    /// of `feeds:` read on several cores) end up sharing one copy.
    mutating func intern(_ feed: FeedConfig, defaults: SharedFeedSettings) -> FeedConfig {
        var feed = feed
        feed.tags = tags(feed.tags)
        feed.headers = headers(feed.headers)
        if feed.sharedSettings !== defaults { feed.sharedSettings = settings(feed.sharedSettings.value) }
        return feed
    }

    /// Every distinct tag.
    var allTags: Set<String> { Set(tagLists.keys.joined()) }
}
