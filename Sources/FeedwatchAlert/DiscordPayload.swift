/// The Discord webhook body: `{"content": …, "embeds": [{title, url, description, timestamp}], …}`.
///
/// Discord rejects a whole message (HTTP 400) that breaks a limit, so every field is cut to its limit,
/// counted in UTF-16 units as Discord counts: content 2,000, embed title 256, description 4,096.
enum DiscordPayload {
    static let contentLimit = 2_000
    static let titleLimit = 256
    static let descriptionLimit = 4_096

    static func render(_ alert: Alert) -> String {
        let content =
            "**[\(escaped(alert.rule))]** matched: \(escaped(ChatText.keywords(alert))) — "
            + escaped(ChatText.feedLine(alert))
        var embed: [(String, JSONWriter.Value)] = [
            ("title", .string(SafeText.cut(ChatText.title(alert), to: titleLimit, by: .utf16)))
        ]
        // Discord refuses an embed whose url is not an http(s) URL, so a missing or odd link is left out.
        if SafeText.isWebURL(alert.item.link) {
            embed.append(("url", .string(SafeText.urlValue(alert.item.link))))
        }
        let description = ChatText.excerpt(alert, limit: descriptionLimit, by: .utf16)
        if !description.isEmpty { embed.append(("description", .string(description))) }
        if let published = alert.item.published {
            embed.append(("timestamp", .string(RFC3339.string(from: published))))
        }
        return JSONWriter.render(
            .object([
                ("content", .string(SafeText.cut(content, to: contentLimit, by: .utf16))),
                ("embeds", .array([.object(embed)])),
                // No @everyone, @here, role or user pings, whatever a feed writes.
                ("allowed_mentions", .object([("parse", .array([]))])),
            ]))
    }

    /// Discord markdown characters backslash-escaped.
    static func escaped(_ text: String) -> String {
        var result = ""
        for character in text {
            if "\\*_~`|>".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
