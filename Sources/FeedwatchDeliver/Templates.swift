import FeedwatchAlert
import FeedwatchConfig
import FeedwatchTemplate
import Foundation

/// A destination's `template:` compiled once (at start and on each reload), rendered per message.
public struct CompiledTemplate: Sendable {
    let template: MessageTemplate

    /// `source` compiled with the escaping its target needs, or nil when there is none. The
    /// configuration was validated when it was loaded, so an error here is only re-reported.
    public init?(_ source: TemplateSource?, escaping: TemplateEscaping) throws(TemplateError) {
        guard let source else { return nil }
        template = try MessageTemplate(source.text, escaping: escaping)
    }

    /// One alert as itself; several as a group (`{{#alerts}}`, `{{count}}`).
    public func render(_ alerts: [Alert]) -> String {
        alerts.count == 1
            ? template.render(TemplateAlert(alerts[0])) : template.render(group: alerts.map(TemplateAlert.init))
    }
}

extension TemplateAlert {
    /// The values of SPEC §5 for one alert: keywords as written, dates in RFC 3339, the summary cut
    /// to 1,000 characters as in the json payload.
    public init(_ alert: Alert) {
        self.init(
            alertID: alert.alertID, rule: alert.rule, keywords: alert.keywords, feedName: alert.feed.name,
            feedURL: alert.feed.url, feedTitle: alert.feed.title, itemID: alert.item.id, itemTitle: alert.item.title,
            itemLink: alert.item.link, itemSummary: SafeText.cut(alert.item.summary, to: 1_000),
            itemPublished: alert.item.published.map(RFC3339.string(from:)),
            detectedAt: RFC3339.string(from: alert.detectedAt))
    }
}
