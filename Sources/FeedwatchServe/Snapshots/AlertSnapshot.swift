import Foundation

/// One fired alert and where it went (SPEC §7): what `/api/v1/alerts` and `feedwatch alerts --json`
/// list, newest first.
public struct AlertSnapshot: Codable, Sendable, Equatable {
    /// The feed the item came from.
    public struct Feed: Codable, Sendable, Equatable {
        public var name: String
        /// For display: the URL without credentials, its query values hidden (see `DisplayURL`).
        public var url: String

        public init(name: String, url: String) {
            self.name = name
            self.url = url
        }
    }

    /// The item that matched.
    public struct Item: Codable, Sendable, Equatable {
        public var title: String
        public var link: String

        public init(title: String, link: String) {
            self.title = title
            self.link = link
        }
    }

    /// Stable across retries and restarts (the deliveries' `webhook-id`).
    public var alertID: String
    public var rule: String
    /// The keywords that matched, as written in the rule.
    public var keywords: [String]
    public var feed: Feed
    public var item: Item
    public var detectedAt: Date
    /// Every destination the alert was queued for, in the order it was queued.
    public var destinations: [DeliveryStatus]

    public init(
        alertID: String, rule: String, keywords: [String], feed: Feed, item: Item, detectedAt: Date,
        destinations: [DeliveryStatus]
    ) {
        self.alertID = alertID
        self.rule = rule
        self.keywords = keywords
        self.feed = feed
        self.item = item
        self.detectedAt = detectedAt
        self.destinations = destinations
    }

    enum CodingKeys: String, CodingKey {
        case alertID = "alert_id"
        case rule, keywords, feed, item, destinations
        case detectedAt = "detected_at"
    }
}

/// Where one alert stands at one destination: delivered at, pending with its next attempt, held
/// until, or dead with the reason. Destinations are named with their type only: never a URL, a
/// token or a header.
public struct DeliveryStatus: Codable, Sendable, Equatable {
    /// The delivery's state.
    public enum State: String, Codable, Sendable {
        case delivered
        /// Waiting for its next attempt (after a failure, or not tried yet).
        case pending
        /// Being attempted now.
        case inFlight = "in_flight"
        /// Held by shaping (a group, a digest, quiet hours) until `until`.
        case held
        /// Failed for good, or for longer than the destination's `retry_for`.
        case dead
    }

    /// The destination's name (`journal`, or a `destinations:`/`webhooks:` entry).
    public var name: String
    /// Its type (`journal`, `webhook`, `email`, …); nil when the configuration no longer has it.
    public var type: String?
    public var status: State
    /// Delivered: when, and the receiver's HTTP status (none for the journal or e-mail).
    public var deliveredAt: Date?
    public var httpStatus: Int?
    /// Pending or in flight: when it is tried next.
    public var nextAttempt: Date?
    /// Held: why (`group`, `digest`, `quiet`) and until when.
    public var hold: String?
    public var until: Date?
    /// Dead: the reason; pending: why the last attempt failed.
    public var error: String?
    /// Failed attempts so far.
    public var attempts: Int

    public init(
        name: String, type: String?, status: State, deliveredAt: Date? = nil, httpStatus: Int? = nil,
        nextAttempt: Date? = nil, hold: String? = nil, until: Date? = nil, error: String? = nil, attempts: Int = 0
    ) {
        self.name = name
        self.type = type
        self.status = status
        self.deliveredAt = deliveredAt
        self.httpStatus = httpStatus
        self.nextAttempt = nextAttempt
        self.hold = hold
        self.until = until
        self.error = error
        self.attempts = attempts
    }

    enum CodingKeys: String, CodingKey {
        case name, type, status, hold, until, error, attempts
        case deliveredAt = "delivered_at"
        case httpStatus = "http_status"
        case nextAttempt = "next_attempt"
    }
}
