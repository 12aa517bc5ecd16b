/// The body shapes a webhook can be configured with (`format:` in SPEC §2).
public enum WebhookFormat: String, Sendable, Codable, CaseIterable {
    /// feedwatch's own JSON document (SPEC §5), for receivers written against feedwatch.
    case json
    /// A Slack incoming webhook: `{"text": …}` in mrkdwn.
    case slack
    /// A Discord webhook: `{"content": …, "embeds": [...]}`.
    case discord
    /// A Mattermost incoming webhook: `{"text": …}` in Markdown.
    case mattermost
    /// An ntfy topic URL: a text body with `Title`, `Click` and `Tags` headers.
    case ntfy
    /// A Microsoft Teams Workflows webhook: a message with an Adaptive Card 1.4.
    case teams
    /// A Google Chat space webhook: `{"text": …}`, threaded by rule.
    case googlechat
}
