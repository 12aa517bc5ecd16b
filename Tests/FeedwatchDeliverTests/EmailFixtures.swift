import FeedwatchAlert
import FeedwatchConfig
import FeedwatchDeliver
import Foundation
import TestSupport

/// Alerts and e-mail destinations the e-mail tests share.
enum EmailFixtures {
    static let published = Date(timeIntervalSince1970: 1_552_554_300)  // 2019-03-14T09:05:00Z

    /// The French outage story of SPEC §3, as an alert of the rule `outages`.
    static func alert(
        title: String = "Panne géante chez Télégram", link: String = "https://example.org/panne?a=1&b=2",
        summary: String = "Une panne géante touche la messagerie depuis ce matin.", itemID: String = "item-1",
        rule: String = "outages"
    ) -> Alert {
        Alert(
            rule: rule, keywords: ["panne"],
            feed: .init(name: "news", url: "https://example.org/feed.xml", title: "Les nouvelles"),
            item: .init(
                id: itemID, title: title, link: link, summary: summary, published: published, authors: [],
                categories: []),
            detectedAt: published.addingTimeInterval(60), snippet: "")
    }

    static func message(_ alerts: [Alert], now: Date = Date(timeIntervalSince1970: 1_800_000_000)) -> OutgoingMessage {
        OutgoingMessage(id: alerts[0].alertID, alerts: alerts, now: now)
    }

    /// An e-mail destination `mail` sending to `server`.
    static func destination(
        _ server: SMTPTestServer, scheme: String = "smtp", username: String? = nil, password: String? = nil,
        to: [String] = ["desk@example.org"], caFile: String? = nil, timeout: TimeInterval = 5
    ) throws -> EmailDestination {
        try EmailDestination(
            name: "mail",
            config: EmailConfig(
                smtp: server.url(scheme: scheme), username: username, password: password,
                from: "feedwatch <fw@example.org>", to: to),
            timeout: timeout, retryFor: 86400, caFile: caFile)
    }
}
