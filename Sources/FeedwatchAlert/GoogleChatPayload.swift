/// A Google Chat incoming-webhook body: `{"text": …, "thread": {"threadKey": RULE}}`, so that the
/// alerts of one rule gather in one thread (the URL gets `messageReplyOption` to allow that).
enum GoogleChatPayload {
    /// The query the webhook URL needs for `threadKey` to open or join a thread.
    static let query = [("messageReplyOption", "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD")]

    /// `text` replaces the default message (a template's rendering).
    static func render(_ alert: Alert, text: String? = nil) -> String {
        // Google Chat's text formatting is Slack's: *bold*, <URL|text>, and &, <, > escaped.
        JSONWriter.render(
            .object([
                ("text", .string(text ?? ChatText.slack(alert))),
                ("thread", .object([("threadKey", .string(String(alert.rule.prefix(128))))])),
            ]))
    }
}
