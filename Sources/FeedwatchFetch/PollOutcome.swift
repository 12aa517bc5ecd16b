import Foundation

/// What the scheduler needs to know about a finished poll.
public enum PollOutcome: Sendable, Equatable {
    /// A document or 304. `minimumInterval` is what the feed asked for (RSS `<ttl>`, Cache-Control
    /// max-age): it may lengthen the configured interval, never shorten it.
    case success(minimumInterval: TimeInterval?)
    /// Any failure. `retryAfter` (seconds) is honoured for 429 and 503.
    case failure(retryAfter: TimeInterval?)
    /// 410: never poll again.
    case gone

    /// The outcome of a fetch; `feedTTL` is the document's RSS `<ttl>` in seconds, when the parser found one.
    public init(_ result: FetchResult, feedTTL: TimeInterval? = nil) {
        switch result.outcome {
        case .document, .notModified:
            let asked = [feedTTL, result.maxAge].compactMap { $0 }.max()
            self = .success(minimumInterval: asked)
        case .gone:
            self = .gone
        case .failed:
            let honoured = result.status == 429 || result.status == 503
            self = .failure(retryAfter: honoured ? result.retryAfter : nil)
        }
    }
}
