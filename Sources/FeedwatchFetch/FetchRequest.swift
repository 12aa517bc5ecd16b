import FeedwatchHTTP
import Foundation

/// One poll of one feed, as the daemon asks for it.
public struct FetchRequest: Sendable {
    /// The feed URL (http, https, or file when `allowFileURL`).
    public var url: URL
    /// The ETag held from the last 200, sent as If-None-Match.
    public var etag: String?
    /// The Last-Modified held from the last 200, sent as If-Modified-Since.
    public var lastModified: String?
    /// Headers configured for the feed (e.g. Authorization); never sent to another host after a redirect.
    public var headers: HTTPHeaders
    /// The User-Agent; the configured default unless the feed overrides it.
    public var userAgent: String
    /// Seconds for the whole transfer, redirects included.
    public var timeout: Double
    /// Seconds to connect.
    public var connectTimeout: Double
    /// Cap on the decompressed body, in bytes.
    public var maxSize: Int
    /// Abort below this many bytes/s sustained for `lowSpeedTime` seconds.
    public var lowSpeedLimit: Int
    /// See `lowSpeedLimit`.
    public var lowSpeedTime: Int
    /// Whether the URL may be file: (only when the configuration itself names a file feed).
    public var allowFileURL: Bool

    /// The Accept header sent with every poll: feed types first, anything else accepted.
    public static let accept =
        "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
        + "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"

    /// Creates a request with the configuration file's defaults (30 s, 10 MiB).
    public init(
        url: URL, etag: String? = nil, lastModified: String? = nil, headers: HTTPHeaders = [:],
        userAgent: String = FeedFetcher.defaultUserAgent, timeout: Double = 30, connectTimeout: Double = 10,
        maxSize: Int = 10 * 1024 * 1024, lowSpeedLimit: Int = 1, lowSpeedTime: Int = 30, allowFileURL: Bool = false
    ) {
        self.url = url
        self.etag = etag
        self.lastModified = lastModified
        self.headers = headers
        self.userAgent = userAgent
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxSize = maxSize
        self.lowSpeedLimit = lowSpeedLimit
        self.lowSpeedTime = lowSpeedTime
        self.allowFileURL = allowFileURL
    }

    /// The HTTP request for this poll: conditional when validators are held.
    public var httpRequest: HTTPRequest {
        var headers = self.headers
        if !headers.contains("Accept") { headers.add(name: "Accept", value: FetchRequest.accept) }
        if let etag { headers.set(name: "If-None-Match", value: etag) }
        if let lastModified { headers.set(name: "If-Modified-Since", value: lastModified) }
        return HTTPRequest(
            url: url, method: "GET", headers: headers, userAgent: userAgent, timeout: timeout,
            connectTimeout: connectTimeout, lowSpeedLimit: lowSpeedLimit, lowSpeedTime: lowSpeedTime,
            maxBodySize: maxSize, followRedirects: true, allowFileURL: allowFileURL)
    }
}
