import FeedwatchHTTP
import Foundation

/// Polls feeds over a shared `HTTPClient`: conditional GET, redirects, and the mapping of each
/// response onto what the feed's state and schedule need.
public final class FeedFetcher: Sendable {
    /// The User-Agent sent unless a feed overrides it.
    public static let defaultUserAgent = "feedwatch/0.1 (+https://github.com/feedwatch/feedwatch)"

    /// The client every poll runs on (its concurrency and per-host limits apply).
    public let client: HTTPClient

    /// Creates a fetcher over `client`.
    public init(client: HTTPClient) {
        self.client = client
    }

    /// Polls one feed.
    public func fetch(_ request: FetchRequest) async -> FetchResult {
        let result = await client.perform(request.httpRequest)
        return FeedFetcher.result(of: result, for: request, now: Date())
    }

    /// Polls one feed and calls `completion` on the HTTP event-loop thread (keep it short).
    public func fetch(_ request: FetchRequest, completion: @escaping @Sendable (FetchResult) -> Void) {
        client.perform(request.httpRequest) { result in
            completion(FeedFetcher.result(of: result, for: request, now: Date()))
        }
    }

    /// What an HTTP result means for the feed polled with `request`.
    public static func result(of httpResult: HTTPResult, for request: FetchRequest, now: Date) -> FetchResult {
        let response: HTTPResponse
        switch httpResult {
        case .failure(let error):
            return FetchResult(
                outcome: .failed(error.description), etag: request.etag, lastModified: request.lastModified)
        case .success(let success):
            response = success
        }
        let headers = response.headers
        var result = FetchResult(
            outcome: .notModified, status: response.status, etag: request.etag, lastModified: request.lastModified,
            retryAfter: ResponseHeaderValues.retryAfter(headers["Retry-After"], now: now),
            maxAge: ResponseHeaderValues.maxAge(fromCacheControl: headers["Cache-Control"]))
        switch response.status {
        case 200..<300:
            result.outcome = .document(
                body: response.body, charset: ResponseHeaderValues.charset(fromContentType: headers["Content-Type"]),
                finalURL: response.finalURL)
            // A new document replaces the validators: ones it does not carry no longer apply.
            result.etag = headers["ETag"]
            result.lastModified = headers["Last-Modified"]
            result.permanentRedirectURL = response.permanentRedirectURL
        case 304:
            result.outcome = .notModified
            result.etag = headers["ETag"] ?? request.etag
            result.lastModified = headers["Last-Modified"] ?? request.lastModified
            result.permanentRedirectURL = response.permanentRedirectURL
        case 410:
            result.outcome = .gone
        default:
            result.outcome = .failed("HTTP status \(response.status) from \(response.finalURL.absoluteString)")
        }
        return result
    }
}
