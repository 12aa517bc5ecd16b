import FeedwatchAlert
import FeedwatchConfig
import FeedwatchHTTP
import Foundation

/// `telegram`: the Bot API's `sendMessage` (SPEC §5): HTML parse mode, feed text escaped, link
/// previews off. A 429's `parameters.retry_after` is honoured; `{"ok": false}` with 400 or 403
/// (chat not found, bot blocked) is permanent, with the API's `description` in the dead letter.
public struct TelegramDestination: Destination {
    public let name: String
    public let retryFor: TimeInterval
    /// Telegram allows about one message a second per chat: one at a time keeps the order.
    public let maxInFlight = 1
    let config: TelegramConfig
    let timeout: TimeInterval
    let http: HTTPClient
    let render: @Sendable ([Alert]) -> String

    /// Telegram's limit on a message's text, in UTF-16 units after entity parsing.
    static let textLimit = 4_096

    /// A Telegram destination; `render` overrides the default HTML text (a template).
    public init(
        name: String, config: TelegramConfig, timeout: TimeInterval, retryFor: TimeInterval, http: HTTPClient,
        render: (@Sendable ([Alert]) -> String)? = nil
    ) {
        self.name = name
        self.config = config
        self.timeout = timeout
        self.retryFor = retryFor
        self.http = http
        self.render = render ?? Self.html
    }

    public func deliver(_ message: OutgoingMessage) async -> DeliveryOutcome {
        // The token is part of the path: it never appears in an outcome (HTTPVerdict names no URL).
        guard let url = URL(string: "\(config.apiURL)/bot\(config.token)/sendMessage") else {
            return .failed(reason: "the Telegram API URL is not valid")
        }
        let body = JSONWriter.render(
            .object([
                ("chat_id", .string(config.chat)),
                ("text", .string(SafeText.cut(render(message.alerts), to: Self.textLimit, by: .utf16))),
                ("parse_mode", .string("HTML")),
                ("link_preview_options", .object([("is_disabled", .bool(true))])),
            ]))
        let request = HTTPRequest(
            url: url, method: "POST", headers: HTTPHeaders([("Content-Type", "application/json")]),
            body: Data(body.utf8), timeout: timeout, connectTimeout: min(10, timeout), maxBodySize: 64 * 1024,
            followRedirects: false)
        switch await http.perform(request) {
        case .failure(let error):
            return HTTPVerdict.outcome(of: error)
        case .success(let response):
            let answer = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]
            let description = answer?["description"] as? String
            let retryAfter = ((answer?["parameters"] as? [String: Any])?["retry_after"] as? NSNumber)?.doubleValue
            if (200..<300).contains(response.status), answer?["ok"] as? Bool == false {
                return .failed(reason: "Telegram: \(description ?? "ok: false")")
            }
            return HTTPVerdict.outcome(of: response, now: message.now, reason: description, retryAfter: retryAfter)
        }
    }

    /// Telegram's HTML: the lines of `ChatText.htmlLines`, a blank line between the alerts of a group.
    static func html(_ alerts: [Alert]) -> String {
        alerts.map { ChatText.htmlLines($0).joined(separator: "\n") }.joined(separator: "\n\n")
    }
}
