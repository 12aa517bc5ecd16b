import Foundation

/// How webhook deliveries are retried (SPEC §5): about 5 s, 30 s, 2 min, 10 min, 30 min, then
/// hourly, with jitter, never before a `Retry-After`, until the webhook's `retry_for` has passed.
public enum RetryPolicy {
    static let schedule: [TimeInterval] = [5, 30, 120, 600, 1800, 3600]
    /// Spread of ±20 % so that alerts queued together are not retried in one burst.
    static let jitter = 0.2

    /// What one attempt's outcome means.
    public enum Verdict: Equatable, Sendable {
        case delivered
        case retry
        case permanent
    }

    /// 2xx delivered; 408, 425, 429 and 5xx retried; anything else (including 3xx: webhook
    /// redirects are not followed) a permanent failure.
    public static func verdict(forStatus status: Int) -> Verdict {
        switch status {
        case 200..<300: return .delivered
        case 408, 425, 429, 500..<600: return .retry
        default: return .permanent
        }
    }

    /// The delay before the next attempt, after `failedAttempts` failures (1 after the first).
    public static func delay(
        afterFailedAttempts failedAttempts: Int, retryAfter: TimeInterval?,
        random: Double = Double.random(in: -1...1)
    ) -> TimeInterval {
        let base = schedule[min(max(failedAttempts, 1), schedule.count) - 1]
        let jittered = base * (1 + jitter * random)
        return max(jittered, retryAfter ?? 0)
    }

    /// The next attempt's time, or nil when it would fall after `retryFor` from the alert's creation:
    /// the delivery is then dead-lettered.
    public static func nextAttempt(
        failedAttempts: Int, retryAfter: TimeInterval?, createdAt: Date, retryFor: TimeInterval, now: Date
    ) -> Date? {
        let next = now.addingTimeInterval(delay(afterFailedAttempts: failedAttempts, retryAfter: retryAfter))
        return next <= createdAt.addingTimeInterval(retryFor) ? next : nil
    }
}
