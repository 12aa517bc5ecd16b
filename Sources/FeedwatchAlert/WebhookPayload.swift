import Foundation

/// What one webhook delivery sends for one alert: the body and the headers that depend on the format.
///
/// The delivery stage adds the signing headers (``WebhookSigner``) and the webhook's configured headers.
public struct WebhookPayload: Sendable {
    /// The request body.
    public var body: Data
    /// Format-specific headers, `Content-Type` first; every value is safe to send (no controls, ASCII).
    public var headers: [(String, String)]
    /// Query parameters the format adds to the webhook's URL (Google Chat's threading).
    public var query: [(String, String)]

    /// Creates a payload.
    public init(body: Data, headers: [(String, String)], query: [(String, String)] = []) {
        self.body = body
        self.headers = headers
        self.query = query
    }

    /// The payload of `alert` for a webhook of `format`.
    public static func make(for alert: Alert, format: WebhookFormat) -> WebhookPayload {
        switch format {
        case .json:
            return WebhookPayload(body: alert.jsonPayload(), headers: [("Content-Type", "application/json")])
        case .slack:
            return jsonChat(ChatText.slack(alert))
        case .mattermost:
            return jsonChat(ChatText.mattermost(alert))
        case .discord:
            return WebhookPayload(
                body: Data(DiscordPayload.render(alert).utf8), headers: [("Content-Type", "application/json")])
        case .ntfy:
            return NtfyPayload.make(alert)
        case .teams:
            return WebhookPayload(
                body: Data(TeamsPayload.render(alert).utf8), headers: [("Content-Type", "application/json")])
        case .googlechat:
            return WebhookPayload(
                body: Data(GoogleChatPayload.render(alert).utf8),
                headers: [("Content-Type", "application/json; charset=UTF-8")], query: GoogleChatPayload.query)
        }
    }

    /// The payload of `alert` whose message is `text` (a template's rendering): for `json` the text
    /// is the whole body; for ntfy the body (its headers as usual); for the chat formats the message
    /// text that the format's JSON carries.
    public static func make(for alert: Alert, format: WebhookFormat, text: String) -> WebhookPayload {
        switch format {
        case .json:
            return WebhookPayload(body: Data(text.utf8), headers: [("Content-Type", "application/json")])
        case .slack, .mattermost:
            return jsonChat(text)
        case .discord:
            let body = JSONWriter.render(
                .object([
                    ("content", .string(SafeText.cut(text, to: DiscordPayload.contentLimit, by: .utf16))),
                    ("allowed_mentions", .object([("parse", .array([]))])),
                ]))
            return WebhookPayload(body: Data(body.utf8), headers: [("Content-Type", "application/json")])
        case .ntfy:
            var payload = NtfyPayload.make(alert)
            payload.body = Data(SafeText.cut(text, to: NtfyPayload.bodyLimit, by: .utf8).utf8)
            return payload
        case .teams:
            return WebhookPayload(
                body: Data(TeamsPayload.render(alert, text: text).utf8), headers: [("Content-Type", "application/json")]
            )
        case .googlechat:
            return WebhookPayload(
                body: Data(GoogleChatPayload.render(alert, text: text).utf8),
                headers: [("Content-Type", "application/json; charset=UTF-8")], query: GoogleChatPayload.query)
        }
    }

    private static func jsonChat(_ text: String) -> WebhookPayload {
        let body = JSONWriter.render(.object([("text", .string(text))]))
        return WebhookPayload(body: Data(body.utf8), headers: [("Content-Type", "application/json")])
    }
}
