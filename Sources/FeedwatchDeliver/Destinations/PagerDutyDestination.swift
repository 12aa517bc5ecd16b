import FeedwatchAlert
import FeedwatchConfig
import FeedwatchHTTP
import Foundation

/// `pagerduty`: an Events API v2 `trigger` per alert, `dedup_key` the alert id, so that a retried
/// event (or the same alert twice) opens one incident (SPEC §5). 202 is delivered; 400 (an invalid
/// event, a bad routing key) is permanent with PagerDuty's message; 429 and 5xx are retried.
public struct PagerDutyDestination: Destination {
    public let name: String
    public let retryFor: TimeInterval
    public let maxInFlight = 4
    let config: PagerDutyConfig
    let timeout: TimeInterval
    let http: HTTPClient

    /// PagerDuty's limits: the summary is cut at 1,024 characters, the dedup key at 255.
    static let summaryLimit = 1_024

    /// A PagerDuty destination.
    public init(name: String, config: PagerDutyConfig, timeout: TimeInterval, retryFor: TimeInterval, http: HTTPClient)
    {
        self.name = name
        self.config = config
        self.timeout = timeout
        self.retryFor = retryFor
        self.http = http
    }

    public func deliver(_ message: OutgoingMessage) async -> DeliveryOutcome {
        guard let url = URL(string: "\(config.apiURL)/v2/enqueue") else {
            return .failed(reason: "the PagerDuty API URL is not valid")
        }
        // One event per alert, even in a group: each is its own incident to acknowledge.
        for alert in message.alerts {
            let request = HTTPRequest(
                url: url, method: "POST", headers: HTTPHeaders([("Content-Type", "application/json")]),
                body: Data(event(for: alert).utf8), timeout: timeout, connectTimeout: min(10, timeout),
                maxBodySize: 64 * 1024, followRedirects: false)
            let outcome: DeliveryOutcome
            switch await http.perform(request) {
            case .failure(let error):
                outcome = HTTPVerdict.outcome(of: error)
            case .success(let response):
                let answer = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]
                let errors = (answer?["errors"] as? [String])?.joined(separator: "; ")
                let reason = (answer?["message"] as? String).map { message in
                    errors.map { "\(message): \($0)" } ?? message
                }
                outcome = HTTPVerdict.outcome(
                    of: response, now: message.now, reason: response.status == 202 ? nil : reason)
            }
            guard case .delivered = outcome else { return outcome }
        }
        return .delivered(status: 202)
    }

    /// The event: summary "[RULE] TITLE (matched: K1, K2)", source feedwatch, the configured
    /// severity, the facts in `custom_details`, the item's link in `links`.
    func event(for alert: Alert) -> String {
        var details: [(String, JSONWriter.Value)] = [
            ("rule", .string(alert.rule)),
            ("keywords", .array(alert.keywords.map { .string($0) })),
            ("feed", .string(alert.feed.name)),
            ("feed_url", .string(alert.feed.url)),
            ("item_title", .string(alert.item.title)),
            ("item_link", .string(alert.item.link)),
            ("detected_at", .string(RFC3339.string(from: alert.detectedAt))),
        ]
        if let published = alert.item.published {
            details.append(("published", .string(RFC3339.string(from: published))))
        }
        let excerpt = ChatText.excerpt(alert)
        if !excerpt.isEmpty { details.append(("excerpt", .string(excerpt))) }
        var event: [(String, JSONWriter.Value)] = [
            ("routing_key", .string(config.routingKey)),
            ("event_action", .string("trigger")),
            ("dedup_key", .string(String(alert.alertID.prefix(255)))),
            (
                "payload",
                .object([
                    (
                        "summary",
                        .string(
                            SafeText.cut(
                                "[\(SafeText.oneLine(alert.rule))] \(ChatText.title(alert)) (matched: \(ChatText.keywords(alert)))",
                                to: Self.summaryLimit))
                    ),
                    ("source", .string("feedwatch")),
                    ("severity", .string(config.severity)),
                    ("timestamp", .string(RFC3339.string(from: alert.detectedAt))),
                    ("custom_details", .object(details)),
                ])
            ),
        ]
        if SafeText.isWebURL(alert.item.link) {
            event.append(
                (
                    "links",
                    .array([.object([("href", .string(alert.item.link)), ("text", .string(ChatText.title(alert)))])])
                ))
        }
        return JSONWriter.render(.object(event))
    }
}
