import Foundation
import TestSupport
import XCTest

/// `feedwatch alerts`: what fired, newest first, and where each alert went.
final class AlertHistoryTests: DaemonTestCase {
    func testAlertsListsWhatFiredWithEveryDestinationsStatus() throws {
        let receiver = try HTTPTestServer { request in
            request.pathWithoutQuery == "/ok" ? .init(status: 204, text: "") : .init(status: 404, text: "gone")
        }
        defer { receiver.stop() }
        try FeedFixtures.rss(FeedFixtures.outageStories(2)).write(
            to: directory.appendingPathComponent("feed.xml"), atomically: true, encoding: .utf8)
        try writeConfig(
            """
            timezone: UTC
            feeds: [{url: "file:feed.xml", name: news, alert_on_first_poll: true}]
            rules: [{name: outages, any: [panne], notify: [journal, ok, broken, later]}]
            webhooks:
              - {name: ok, url: "\(receiver.url("/ok").absoluteString)"}
              - {name: broken, url: "\(receiver.url("/broken").absoluteString)"}
              - {name: later, url: "\(receiver.url("/ok").absoluteString)", digest: "03:00"}
            """)
        XCTAssertEqual(try feedwatch(["once"]).status, 2)
        let result = try feedwatch(["alerts", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let alerts = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(alerts.count, 2)
        for alert in alerts {
            XCTAssertEqual(alert["rule"] as? String, "outages")
            XCTAssertEqual(alert["keywords"] as? [String], ["panne"])
            XCTAssertEqual((alert["feed"] as? [String: Any])?["name"] as? String, "news")
            XCTAssertNotNil((alert["item"] as? [String: Any])?["title"] as? String)
            let destinations = try XCTUnwrap(alert["destinations"] as? [[String: Any]])
            let byName = Dictionary(uniqueKeysWithValues: destinations.map { ($0["name"] as? String ?? "", $0) })
            XCTAssertEqual(Set(byName.keys), ["journal", "ok", "broken", "later"])
            XCTAssertEqual(byName["journal"]?["status"] as? String, "delivered")
            XCTAssertEqual(byName["ok"]?["status"] as? String, "delivered")
            XCTAssertEqual(byName["ok"]?["http_status"] as? Int, 204)
            XCTAssertEqual(byName["broken"]?["status"] as? String, "dead")
            XCTAssertEqual(byName["broken"]?["error"] as? String, "HTTP 404")
            XCTAssertEqual(byName["later"]?["status"] as? String, "held")
            XCTAssertEqual(byName["later"]?["hold"] as? String, "digest")
            XCTAssertTrue((byName["later"]?["until"] as? String)?.hasSuffix("T03:00:00Z") == true)
        }
        let text = try feedwatch(["alerts"]).stdout
        XCTAssertTrue(text.contains("[outages] "), text)
        XCTAssertTrue(text.contains("  broken    dead: HTTP 404"), text)
        XCTAssertTrue(text.contains("  later     held (digest) until "), text)
        XCTAssertEqual(try feedwatch(["alerts", "--rule", "nothing"]).stdout.hasPrefix("no alerts fired since"), true)
        XCTAssertEqual(try feedwatch(["alerts", "--since", "soon"]).status, 64, "a bad option is a usage error")
    }
}
