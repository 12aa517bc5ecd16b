import Foundation

/// What a poll means for the feed.
public enum FetchOutcome: Sendable, Equatable {
    /// A new document to parse (2xx). `charset` is the Content-Type parameter, if any.
    case document(body: Data, charset: String?, finalURL: URL)
    /// 304: nothing changed since the validators sent.
    case notModified
    /// 410: the feed is gone for good; polling must stop (the caller logs it as an error).
    case gone
    /// Any other status or a transfer failure, with a message for the log.
    case failed(String)
}

/// The outcome of one poll plus everything the state store and scheduler keep from it.
public struct FetchResult: Sendable, Equatable {
    /// The outcome.
    public var outcome: FetchOutcome
    /// The HTTP status of the last hop, or nil when no response arrived.
    public var status: Int?
    /// The validators to hold for the next poll (the new ones, or the ones sent when the server
    /// sent none with a 304 or an error).
    public var etag: String?
    /// See `etag`.
    public var lastModified: String?
    /// When the feed answered a document or 304 through permanent redirects only: the URL to poll from now on.
    public var permanentRedirectURL: URL?
    /// Retry-After, as seconds from now (from delta-seconds or an HTTP date).
    public var retryAfter: TimeInterval?
    /// Cache-Control max-age, in seconds.
    public var maxAge: TimeInterval?

    /// Creates a result.
    public init(
        outcome: FetchOutcome, status: Int? = nil, etag: String? = nil, lastModified: String? = nil,
        permanentRedirectURL: URL? = nil, retryAfter: TimeInterval? = nil, maxAge: TimeInterval? = nil
    ) {
        self.outcome = outcome
        self.status = status
        self.etag = etag
        self.lastModified = lastModified
        self.permanentRedirectURL = permanentRedirectURL
        self.retryAfter = retryAfter
        self.maxAge = maxAge
    }
}
