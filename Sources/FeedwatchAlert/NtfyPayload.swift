import Foundation

/// The ntfy body and headers: a plain-text message, `Title` (the item title), `Click` (its link) and
/// `Tags` (the matched keywords).
///
/// Headers are built from feed text, so each is one line, cut to 250 characters and RFC 2047 encoded
/// when not ASCII (ntfy decodes `=?UTF-8?B?…?=`). The body stays under ntfy's 4,096-byte message size,
/// beyond which ntfy turns the message into an attachment.
enum NtfyPayload {
    static let bodyLimit = 4_096
    static let headerLimit = 250
    /// A longer link is left out of `Click` rather than cut into a wrong URL.
    static let clickLimit = 2_000

    static func make(_ alert: Alert) -> WebhookPayload {
        var headers: [(String, String)] = [("Content-Type", "text/plain; charset=utf-8")]
        let title = SafeText.oneLine(alert.item.title)
        headers.append(("Title", SafeText.headerValue(title.isEmpty ? alert.feed.name : title, limit: headerLimit)))
        if SafeText.isWebURL(alert.item.link) {
            let click = SafeText.urlValue(alert.item.link)
            if click.count <= clickLimit { headers.append(("Click", click)) }
        }
        // ntfy splits Tags on commas, so a comma inside one keyword must not make two tags.
        let tags = alert.keywords.map { SafeText.oneLine($0).replacingOccurrences(of: ",", with: " ") }
        if !tags.isEmpty {
            headers.append(("Tags", SafeText.headerValue(tags.joined(separator: ","), limit: headerLimit)))
        }
        return WebhookPayload(body: Data(body(alert).utf8), headers: headers)
    }

    /// `[RULE] matched: K1, K2`, the feed line, the link, a blank line and the excerpt, within 4,096 bytes.
    static func body(_ alert: Alert) -> String {
        var head = "[\(SafeText.oneLine(alert.rule))] matched: \(ChatText.keywords(alert))\n\(ChatText.feedLine(alert))"
        if !alert.item.link.isEmpty { head += "\n" + SafeText.cut(SafeText.oneLine(alert.item.link), to: clickLimit) }
        head = SafeText.cut(head, to: bodyLimit, by: .utf8)
        let room = bodyLimit - head.utf8.count - 2
        let excerpt = SafeText.cut(ChatText.excerpt(alert), to: max(room, 0), by: .utf8)
        return excerpt.isEmpty ? head : head + "\n\n" + excerpt
    }
}
