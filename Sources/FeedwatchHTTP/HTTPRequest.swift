import Foundation

/// One HTTP request as the caller describes it; the client turns it into one or more transfers
/// (one per redirect hop).
public struct HTTPRequest: Sendable {
    /// The URL: http or https, or file when `allowFileURL` is set.
    public var url: URL
    /// The method, e.g. "GET", "POST", "HEAD".
    public var method: String
    /// Request headers. Only `crossHostSafeHeaders` survive a redirect to another host.
    public var headers: HTTPHeaders
    /// The request body, sent as is (for POST or PUT).
    public var body: Data?
    /// The User-Agent header value; kept across redirects.
    public var userAgent: String?
    /// The whole transfer, every redirect hop included, must finish within this many seconds.
    public var timeout: Double
    /// Connecting (DNS, TCP, TLS) must finish within this many seconds.
    public var connectTimeout: Double
    /// Abort when fewer than `lowSpeedLimit` bytes per second arrive for `lowSpeedTime` seconds.
    public var lowSpeedLimit: Int
    /// See `lowSpeedLimit`; whole seconds, as libcurl counts them.
    public var lowSpeedTime: Int
    /// The largest decompressed body accepted; a larger one aborts the transfer with `.tooLarge`.
    public var maxBodySize: Int
    /// Follow 301, 302, 303, 307 and 308 (up to `HTTPRequest.maxRedirects` hops), or return the 3xx as is.
    public var followRedirects: Bool
    /// Whether a file: URL may be read. Redirects never lead to file:, whatever this says.
    public var allowFileURL: Bool

    /// The number of redirect hops followed before `.tooManyRedirects`.
    public static let maxRedirects = 5

    /// Headers that carry no credentials and so are still sent after a redirect to another host.
    /// Every other header the caller set (Authorization, Cookie, custom ones) is dropped there.
    public static let crossHostSafeHeaders: Set<String> = [
        "accept", "accept-language", "if-none-match", "if-modified-since", "user-agent",
    ]

    /// Creates a request. The defaults suit a feed poll: GET, following redirects, 30 s, 10 MiB.
    public init(
        url: URL, method: String = "GET", headers: HTTPHeaders = [:], body: Data? = nil,
        userAgent: String? = nil, timeout: Double = 30, connectTimeout: Double = 10,
        lowSpeedLimit: Int = 1, lowSpeedTime: Int = 30, maxBodySize: Int = 10 * 1024 * 1024,
        followRedirects: Bool = true, allowFileURL: Bool = false
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.userAgent = userAgent
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.lowSpeedLimit = lowSpeedLimit
        self.lowSpeedTime = lowSpeedTime
        self.maxBodySize = maxBodySize
        self.followRedirects = followRedirects
        self.allowFileURL = allowFileURL
    }
}
