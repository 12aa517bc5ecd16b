/// The message text of the chat formats (Slack mrkdwn, Mattermost Markdown) and the facts they share.
///
/// Feed text is escaped for each markup so a title cannot forge a link, a mention or formatting that
/// misleads the reader: Slack's `&`, `<`, `>`, Markdown's punctuation, and `@` for Mattermost's mentions.
public enum ChatText {
    /// Characters of the title shown in chat lines.
    public static let titleLimit = 250
    /// Characters of the excerpt (snippet, else summary) shown in chat messages.
    public static let excerptLimit = 500

    /// The title on one line, cut; "(untitled)" when the item has none.
    public static func title(_ alert: Alert) -> String {
        let line = SafeText.cut(SafeText.oneLine(alert.item.title), to: titleLimit)
        return line.isEmpty ? "(untitled)" : line
    }

    /// The snippet around the match, else the summary, on one line and cut to `limit` (by `measure`).
    public static func excerpt(_ alert: Alert, limit: Int = excerptLimit, by measure: SafeText.Measure = .characters)
        -> String
    {
        let source = alert.snippet.isEmpty ? alert.item.summary : alert.snippet
        return SafeText.cut(SafeText.oneLine(source), to: limit, by: measure)
    }

    /// "feed: NAME" and, when known, " · published 2019-03-14T09:05:00Z".
    public static func feedLine(_ alert: Alert) -> String {
        var line = "feed: " + SafeText.oneLine(alert.feed.name)
        if let published = alert.item.published { line += " · published " + RFC3339.string(from: published) }
        return line
    }

    /// The keywords as a comma-separated list, on one line.
    public static func keywords(_ alert: Alert) -> String {
        alert.keywords.map(SafeText.oneLine).joined(separator: ", ")
    }

    // MARK: HTML (Telegram, Matrix)

    /// `<b>[RULE]</b> <a href="LINK">TITLE</a>`, the keywords, the feed line and the excerpt in
    /// italics, a line each; every feed value escaped, so a title cannot forge a link or markup.
    public static func htmlLines(_ alert: Alert) -> [String] {
        let title = SafeText.htmlEscaped(title(alert))
        let headline =
            SafeText.isWebURL(alert.item.link)
            ? "<a href=\"\(SafeText.htmlEscaped(SafeText.urlValue(alert.item.link)))\">\(title)</a>" : title
        var lines = [
            "<b>[\(SafeText.htmlEscaped(alert.rule))]</b> \(headline)",
            "matched: " + SafeText.htmlEscaped(keywords(alert)),
            SafeText.htmlEscaped(feedLine(alert)),
        ]
        let excerpt = excerpt(alert)
        if !excerpt.isEmpty { lines.append("<i>\(SafeText.htmlEscaped(excerpt))</i>") }
        return lines
    }

    // MARK: Slack

    /// Slack mrkdwn: `*[RULE]* <LINK|TITLE> (matched: K1, K2)`, the feed line, and a quoted excerpt.
    static func slack(_ alert: Alert) -> String {
        let title = slackEscaped(title(alert))
        let headline: String
        if SafeText.isWebURL(alert.item.link) {
            // `|` and `>` would end the URL part of `<URL|TEXT>` early.
            let url = SafeText.urlValue(
                alert.item.link, alsoEscaping: [UInt8(ascii: "|"), UInt8(ascii: "<"), UInt8(ascii: ">")])
            headline = "<\(url)|\(title)>"
        } else {
            headline = title
        }
        var lines = [
            "*[\(slackEscaped(alert.rule))]* \(headline) (matched: \(slackEscaped(keywords(alert))))",
            slackEscaped(feedLine(alert)),
        ]
        let excerpt = excerpt(alert)
        if !excerpt.isEmpty { lines.append("> " + slackEscaped(excerpt)) }
        return lines.joined(separator: "\n")
    }

    /// Slack's three control characters, escaped as its documentation requires.
    static func slackEscaped(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            default: result.append(character)
            }
        }
        return result
    }

    // MARK: Mattermost

    /// Mattermost Markdown: `**[RULE]** [TITLE](LINK) (matched: K1, K2)`, the feed line, a quoted excerpt.
    static func mattermost(_ alert: Alert) -> String {
        let title = markdownEscaped(title(alert))
        let headline: String
        if SafeText.isWebURL(alert.item.link) {
            let url = SafeText.urlValue(
                alert.item.link,
                alsoEscaping: [UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">")])
            headline = "[\(title)](\(url))"
        } else {
            headline = title
        }
        var lines = [
            "**[\(markdownEscaped(alert.rule))]** \(headline) (matched: \(markdownEscaped(keywords(alert))))",
            markdownEscaped(feedLine(alert)),
        ]
        let excerpt = excerpt(alert)
        if !excerpt.isEmpty { lines.append("> " + markdownEscaped(excerpt)) }
        return lines.joined(separator: "\n")
    }

    /// Markdown punctuation backslash-escaped; `@` followed by a zero-width space so that feed text saying
    /// "@channel" or "@all" does not notify a whole Mattermost channel.
    static func markdownEscaped(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "\\", "`", "*", "_", "[", "]", "(", ")", "<", ">", "#", "|", "~", "!":
                result.append("\\")
                result.append(character)
            case "@": result += "@\u{200B}"
            default: result.append(character)
            }
        }
        return result
    }
}
