import FeedwatchAlert
import FeedwatchFetch
import FeedwatchHTTP
import Foundation

/// The result of one delivery attempt.
enum DeliveryAttempt: Sendable, Equatable {
    case delivered(status: Int?)
    /// Worth retrying: 408, 425, 429, 5xx, a timeout or a connection error.
    case retry(error: String, retryAfter: TimeInterval?)
    /// Not worth retrying: another status, a removed webhook, an unreadable payload.
    case permanent(error: String)
}

/// Sends one queued alert to one target: the journal, or a webhook through the shared curl loop.
struct AlertDelivery: Sendable {
    let http: HTTPClient
    let journal: JournalSink

    func deliver(alert: Alert, target: String, runtime: Runtime, now: Date = Date()) async -> DeliveryAttempt {
        if target == "journal" {
            _ = journal.record(alert)
            return .delivered(status: nil)
        }
        guard let webhook = runtime.webhooks[target] else {
            return .permanent(error: "no webhook named \(target) in the configuration any more")
        }
        return await post(alert, to: webhook, now: now)
    }

    /// One POST. Redirects are not followed: a 3xx is a permanent failure (SPEC §5).
    func post(_ alert: Alert, to webhook: WebhookTarget, now: Date = Date()) async -> DeliveryAttempt {
        guard let url = URL(string: webhook.config.url) else {
            return .permanent(error: "the webhook URL is not valid")
        }
        let payload = WebhookPayload.make(for: alert, format: webhook.format)
        var headers = HTTPHeaders(payload.headers)
        for (name, value) in webhook.config.headers.sorted(by: { $0.key < $1.key }) {
            headers.set(name: name, value: value)
        }
        let timestamp = Int(now.timeIntervalSince1970)
        for (name, value) in WebhookSigner.deliveryHeaders(
            id: alert.alertID, timestamp: timestamp, body: payload.body, signer: webhook.signer)
        {
            headers.set(name: name, value: value)
        }
        let request = HTTPRequest(
            url: url, method: "POST", headers: headers, body: payload.body, timeout: webhook.config.timeout,
            connectTimeout: min(10, webhook.config.timeout), maxBodySize: 64 * 1024, followRedirects: false)
        switch await http.perform(request) {
        case .success(let response):
            switch RetryPolicy.verdict(forStatus: response.status) {
            case .delivered:
                return .delivered(status: response.status)
            case .retry:
                let retryAfter = ResponseHeaderValues.retryAfter(response.headers["Retry-After"], now: now)
                return .retry(error: "HTTP \(response.status)", retryAfter: retryAfter)
            case .permanent:
                return .permanent(error: "HTTP \(response.status)")
            }
        case .failure(let error):
            // The URL may carry a token (Slack, Discord): the message names the failure, never the URL.
            return .retry(error: Self.describe(error), retryAfter: nil)
        }
    }

    static func describe(_ error: HTTPError) -> String {
        error.description.replacingOccurrences(of: "\n", with: " ")
    }
}
