import FeedwatchAlert

/// The e-mail's default shapes (SPEC §5): `Subject: [RULE] TITLE`, and a text and an HTML part
/// giving the rule, the title, the link, the keywords matched, the feed, the published time and
/// the snippet (else the summary).
///
/// A message with several alerts (a group or a digest) is titled `[RULE] N alerts` when they share
/// a rule, `[feedwatch] N alerts` when they do not, and lists them all. In HTML every feed value is
/// escaped and the link is only made a link when it is an http(s) URL.
enum EmailDefaultContent {
    /// Characters of the snippet or summary shown: more than a chat line, still a glance.
    static let excerptLimit = 1_000

    static func subject(_ alerts: [Alert]) -> String {
        guard let first = alerts.first else { return "[feedwatch] no alert" }
        if alerts.count == 1 { return "[\(SafeText.oneLine(first.rule))] \(ChatText.title(first))" }
        let rules = Set(alerts.map(\.rule))
        let tag = rules.count == 1 ? SafeText.oneLine(first.rule) : "feedwatch"
        return "[\(tag)] \(alerts.count) alerts"
    }

    // MARK: Text

    static func text(_ alerts: [Alert]) -> String {
        if alerts.count == 1, let alert = alerts.first { return textBlock(alert) + "\n" }
        let blocks = alerts.enumerated().map { index, alert in "\(index + 1). " + textBlock(alert) }
        return "\(alerts.count) alerts\n\n" + blocks.joined(separator: "\n\n") + "\n"
    }

    private static func textBlock(_ alert: Alert) -> String {
        var lines = ["[\(SafeText.oneLine(alert.rule))] \(ChatText.title(alert))"]
        if SafeText.isWebURL(alert.item.link) { lines.append(SafeText.urlValue(alert.item.link)) }
        lines.append("matched: " + ChatText.keywords(alert))
        lines.append(ChatText.feedLine(alert))
        let excerpt = ChatText.excerpt(alert, limit: excerptLimit)
        if !excerpt.isEmpty { lines += ["", excerpt] }
        return lines.joined(separator: "\n")
    }

    // MARK: HTML

    static func html(_ alerts: [Alert]) -> String {
        let body: String
        if alerts.count == 1, let alert = alerts.first {
            body = htmlBlock(alert)
        } else {
            let items = alerts.map { "<li>\n\(htmlBlock($0))\n</li>" }.joined(separator: "\n")
            body = "<p>\(alerts.count) alerts</p>\n<ol>\n\(items)\n</ol>"
        }
        return """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>\(SafeText.htmlEscaped(subject(alerts)))</title></head>
            <body>
            \(body)
            </body></html>

            """
    }

    private static func htmlBlock(_ alert: Alert) -> String {
        let title = SafeText.htmlEscaped(ChatText.title(alert))
        let headline =
            SafeText.isWebURL(alert.item.link)
            ? "<a href=\"\(SafeText.htmlEscaped(SafeText.urlValue(alert.item.link)))\">\(title)</a>" : title
        var lines = [
            "<p><b>[\(SafeText.htmlEscaped(SafeText.oneLine(alert.rule)))]</b> \(headline)</p>",
            "<p>matched: \(SafeText.htmlEscaped(ChatText.keywords(alert)))<br>",
            "\(SafeText.htmlEscaped(ChatText.feedLine(alert)))</p>",
        ]
        let excerpt = ChatText.excerpt(alert, limit: excerptLimit)
        if !excerpt.isEmpty { lines.append("<blockquote>\(SafeText.htmlEscaped(excerpt))</blockquote>") }
        return lines.joined(separator: "\n")
    }
}
