/// A Microsoft Teams Workflows webhook body: a message with one Adaptive Card 1.4 attachment
/// (the shape the "Post to a channel when a webhook request is received" workflow expects).
enum TeamsPayload {
    /// `text` (a template's rendering) replaces the default blocks with one block per line.
    static func render(_ alert: Alert, text: String? = nil) -> String {
        var body: [JSONWriter.Value]
        if let text {
            body = text.split(separator: "\n").map { textBlock(String($0)) }
        } else {
            body = [
                textBlock(
                    "[\(alert.rule)] \(ChatText.title(alert))",
                    extra: [("weight", .string("Bolder")), ("size", .string("Medium"))]),
                textBlock("matched: " + ChatText.keywords(alert)),
                textBlock(ChatText.feedLine(alert), extra: [("isSubtle", .bool(true))]),
            ]
            let excerpt = ChatText.excerpt(alert)
            if !excerpt.isEmpty { body.append(textBlock(excerpt)) }
        }
        var card: [(String, JSONWriter.Value)] = [
            ("$schema", .string("http://adaptivecards.io/schemas/adaptive-card.json")),
            ("type", .string("AdaptiveCard")),
            ("version", .string("1.4")),
            ("body", .array(body)),
        ]
        if SafeText.isWebURL(alert.item.link) {
            card.append(
                (
                    "actions",
                    .array([
                        .object([
                            ("type", .string("Action.OpenUrl")), ("title", .string("Open the story")),
                            ("url", .string(SafeText.urlValue(alert.item.link))),
                        ])
                    ])
                ))
        }
        return JSONWriter.render(
            .object([
                ("type", .string("message")),
                (
                    "attachments",
                    .array([
                        .object([
                            ("contentType", .string("application/vnd.microsoft.card.adaptive")),
                            ("content", .object(card)),
                        ])
                    ])
                ),
            ]))
    }

    /// A wrapped TextBlock. Its text is Markdown to Teams: "](" is broken with a zero-width space so
    /// that feed text cannot forge a link.
    private static func textBlock(_ text: String, extra: [(String, JSONWriter.Value)] = []) -> JSONWriter.Value {
        let safe = SafeText.oneLine(text).replacingOccurrences(of: "](", with: "]\u{200B}(")
        return .object([("type", .string("TextBlock")), ("text", .string(safe)), ("wrap", .bool(true))] + extra)
    }
}
