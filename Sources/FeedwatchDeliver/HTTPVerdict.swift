import FeedwatchHTTP
import Foundation

/// What an HTTP answer means for a delivery (SPEC §5), for every destination that posts over HTTP.
public enum HTTPVerdict {
    /// 2xx delivered; 408, 425, 429 and 5xx retried (after `Retry-After` when given); anything else,
    /// 3xx included (deliveries never follow redirects), a permanent failure. `reason` overrides
    /// the "HTTP 404" text with what the service said (Telegram's `description`, say).
    public static func outcome(
        of response: HTTPResponse, now: Date, reason: String? = nil, retryAfter: TimeInterval? = nil
    ) -> DeliveryOutcome {
        let text = reason.map { "HTTP \(response.status): \($0)" } ?? "HTTP \(response.status)"
        switch RetryPolicy.verdict(forStatus: response.status) {
        case .delivered:
            return .delivered(status: response.status)
        case .retry:
            let after = retryAfter ?? ResponseHeaderValues.retryAfter(response.headers["Retry-After"], now: now)
            return .retry(reason: text, after: after)
        case .permanent:
            return .failed(reason: text)
        }
    }

    /// A transfer that got no answer (timeout, refused, DNS): retried. The message names the
    /// failure, never the URL, which may hold a token.
    public static func outcome(of error: HTTPError) -> DeliveryOutcome {
        .retry(reason: error.description.replacingOccurrences(of: "\n", with: " "), after: nil)
    }
}
