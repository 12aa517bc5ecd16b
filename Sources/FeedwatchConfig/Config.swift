import Foundation

/// A validated feedwatch configuration (SPEC §2): every value typed, every default applied,
/// every `${VAR}` expanded.
public struct Config: Sendable {
    /// The file this configuration was read from, as the user named it.
    public var path: String
    /// Where the state database lives.
    public var stateDirectory: String
    /// Transfers in flight, all feeds together.
    public var concurrency: Int
    /// Transfers in flight to one host.
    public var perHost: Int
    public var feeds: [FeedConfig]
    public var rules: [RuleConfig]
    /// Every destination `notify:` may name besides the journal: the `webhooks:` entries (as type
    /// webhook) first, then the `destinations:` entries, in the order written.
    public var destinations: [DestinationConfig]
    /// Where quiet hours and daily digests are counted (`timezone:`, an IANA name; default the system's).
    public var timeZone: TimeZone = .current
    /// Feed-health alerts (SPEC §7).
    public var health = HealthConfig()
    /// The file `feeds_from:` names, and how many of `feeds` it gave (they come after those of `feeds:`).
    public var feedsFrom: FeedsFromSummary? = nil
    /// The HTTP listener (SPEC §8); nil without `http:`.
    public var http: HTTPListenerConfig? = nil
    /// Where the state lives when several instances share it (SPEC §9); nil without `database:`
    /// (SQLite in `stateDirectory`).
    public var database: DatabaseConfig? = nil
    /// Valid but probably unintended settings (`feeds: []`), each at its place in the file:
    /// `check` prints them, the daemon logs them at start and after a reload.
    public var warnings: [ConfigDiagnostic]

    /// The webhooks, from `webhooks:` and from `destinations:` entries of type webhook.
    public var webhooks: [WebhookConfig] {
        destinations.compactMap { destination in
            if case .webhook(let webhook) = destination.kind { return webhook }
            return nil
        }
    }

    /// The webhook of that name, if configured.
    public func webhook(named name: String) -> WebhookConfig? {
        webhooks.first { $0.name == name }
    }
}

/// Where a feed document comes from.
public enum FeedSource: Sendable, Equatable {
    /// An `http:` or `https:` URL.
    case remote(String)
    /// A local file (`file:PATH`), already resolved against the configuration file's folder.
    case file(String)

    /// The URL handed to the fetcher (`file://` + absolute path for local files).
    public var url: String {
        switch self {
        case .remote(let url): return url
        case .file(let path): return URL(fileURLWithPath: path).absoluteString
        }
    }

    /// The name a feed gets without `name:`: `lemonde.fr/rss/une.xml` for a URL, the file name for a file.
    public var derivedName: String { ConfigBuilder.derivedName(self) }
}

/// The per-feed settings that `defaults:` provides and each feed may override.
public struct FeedSettings: Sendable, Hashable {
    /// Seconds between polls (at least 30).
    public var interval: TimeInterval = 600
    /// Seconds allowed for a whole transfer.
    public var timeout: TimeInterval = 30
    /// Cap on the decompressed body, in bytes.
    public var maxSize: Int = 10 * 1024 * 1024
    public var userAgent: String = FeedSettings.defaultUserAgent
    /// Whether the first successful poll of a new feed raises alerts (false: records silently).
    public var alertOnFirstPoll: Bool = false

    public static let version = "0.1.0"
    public static let defaultUserAgent = "feedwatch/\(version) (+https://github.com/feedwatch/feedwatch)"

    public init() {}
}

/// One watched feed.
public struct FeedConfig: Sendable, Equatable {
    public var name: String
    public var source: FeedSource
    /// One array shared by every feed with the same tags (`FeedValueInterner`).
    public var tags: [String]
    /// Extra request headers (values may hold secrets: never print them).
    public var headers: [String: String]
    public var settings: FeedSettings {
        get { sharedSettings.value }
        set { sharedSettings = SharedFeedSettings(newValue) }
    }
    /// The settings, held once for every feed that has the same (usually all of them: `defaults:`)
    /// rather than copied into each of a million feeds.
    var sharedSettings: SharedFeedSettings

    init(name: String, source: FeedSource, tags: [String], headers: [String: String], settings: SharedFeedSettings) {
        self.name = name
        self.source = source
        self.tags = tags
        self.headers = headers
        self.sharedSettings = settings
    }
}

/// One keyword rule (SPEC §4).
public struct RuleConfig: Sendable, Equatable {
    public var name: String
    public var any: [String]
    public var all: [String]
    public var none: [String]
    /// The fields searched: title, summary, content, categories, author, link.
    public var fields: [String]
    /// Feed names or `tag:NAME`; empty means every feed.
    public var feeds: [String]
    /// `journal` and destination names.
    public var notify: [String]
    /// Goes through quiet hours.
    public var urgent: Bool = false
    /// Overrides of the destinations' grouping, digest and quiet hours for this rule's alerts.
    public var shaping: Shaping? = nil

    public static let defaultFields = ["title", "summary", "content", "categories"]
    public static let allFields = ["title", "summary", "content", "categories", "author", "link"]
}

/// The payload shapes a webhook can receive (SPEC §5).
public enum WebhookFormat: String, Sendable, CaseIterable {
    case json, slack, discord, ntfy, mattermost, teams, googlechat
}

/// One webhook receiver.
public struct WebhookConfig: Sendable, Equatable {
    public var name: String
    public var url: String
    public var format: WebhookFormat
    /// Signing secret (Standard Webhooks); never printed.
    public var secret: String?
    public var headers: [String: String]
    public var timeout: TimeInterval
    /// How long an undelivered alert is retried before it is dead-lettered.
    public var retryFor: TimeInterval
    /// The Mustache template of the body, as written; nil for the format's own shape.
    public var template: TemplateSource? = nil
    /// The `${VAR}`s found unset when loaded with `unsetDestinationSecrets: .allowed`; the values
    /// that used them were left out. Never deliver to a webhook that has any.
    public var unsetVariables: [String] = []

    public init(
        name: String, url: String, format: WebhookFormat = .json, secret: String? = nil,
        headers: [String: String] = [:],
        timeout: TimeInterval = 10, retryFor: TimeInterval = 86400, template: TemplateSource? = nil,
        unsetVariables: [String] = []
    ) {
        self.name = name
        self.url = url
        self.format = format
        self.secret = secret
        self.headers = headers
        self.timeout = timeout
        self.retryFor = retryFor
        self.template = template
        self.unsetVariables = unsetVariables
    }
}

/// `health:` (SPEC §7): alerts about the feeds themselves.
public struct HealthConfig: Sendable, Equatable {
    /// A feed failing this long raises `feedwatch.feed_failing`; 0: never.
    public var failingAfter: TimeInterval = 6 * 3600
    /// A feed with no new item this long raises `feedwatch.feed_silent`; 0: never.
    public var silentAfter: TimeInterval = 0
    /// Where they go.
    public var notify: [String] = ["journal"]

    public init(failingAfter: TimeInterval = 6 * 3600, silentAfter: TimeInterval = 0, notify: [String] = ["journal"]) {
        self.failingAfter = failingAfter
        self.silentAfter = silentAfter
        self.notify = notify
    }
}
