import Foundation

/// One webhook message for several alerts (a group, a digest, the alerts held through quiet hours):
/// each format lists them in its own way (SPEC §5).
extension WebhookPayload {
    /// The payload listing `alerts` (at least two) for a webhook of `format`.
    public static func make(group alerts: [Alert], format: WebhookFormat) -> WebhookPayload {
        let json = [("Content-Type", "application/json")]
        switch format {
        case .json:
            let body = JSONWriter.render(
                .object([
                    ("type", .string("feedwatch.alerts")),
                    ("count", .number(alerts.count)),
                    ("alerts", .array(alerts.map(\.jsonDocument))),
                ]))
            return WebhookPayload(body: Data(body.utf8), headers: json)
        case .slack:
            return chat(header: "*\(alerts.count) alerts*", alerts.map(ChatText.slack))
        case .mattermost:
            return chat(header: "**\(alerts.count) alerts**", alerts.map(ChatText.mattermost))
        case .discord:
            // One message, one embed per alert, up to Discord's ten.
            return make(for: alerts[0], format: .discord, text: "\(alerts.count) alerts\n" + lines(alerts))
        case .ntfy:
            var payload = make(for: alerts[0], format: .ntfy, text: lines(alerts))
            payload.headers = payload.headers.map { $0.0 == "Title" ? ("Title", "\(alerts.count) alerts") : $0 }
            return payload
        case .teams:
            return make(for: alerts[0], format: .teams, text: "\(alerts.count) alerts\n" + lines(alerts))
        case .googlechat:
            return make(for: alerts[0], format: .googlechat, text: alerts.map(ChatText.slack).joined(separator: "\n\n"))
        }
    }

    private static func chat(header: String, _ texts: [String]) -> WebhookPayload {
        let body = JSONWriter.render(.object([("text", .string(([header] + texts).joined(separator: "\n\n")))]))
        return WebhookPayload(body: Data(body.utf8), headers: [("Content-Type", "application/json")])
    }

    /// "[RULE] TITLE — LINK" a line per alert.
    private static func lines(_ alerts: [Alert]) -> String {
        alerts.map { alert in
            let link = SafeText.isWebURL(alert.item.link) ? " — " + SafeText.urlValue(alert.item.link) : ""
            return "[\(SafeText.oneLine(alert.rule))] \(ChatText.title(alert))\(link)"
        }.joined(separator: "\n")
    }
}
