import Foundation
import TestSupport
import XCTest

/// The whole pipeline: a loopback feed server, the daemon, a loopback webhook receiver and a real
/// systemd-journald.
final class EndToEndTests: DaemonTestCase {
    func testNewMatchingItemReachesTheWebhookAndTheJournalWithinOnePollInterval() throws {
        try JournaldFixture.ensureRunning()
        let document = MutableDocument(
            FeedFixtures.rss([
                .init(
                    guid: "old-1", title: "Le festival de jazz ouvre ses portes", link: "https://news.example.org/jazz")
            ]))
        let feedServer = try HTTPTestServer { _ in
            .init(status: 200, headers: [("Content-Type", "application/rss+xml")], text: document.current)
        }
        defer { feedServer.stop() }
        let receiver = try HTTPTestServer { _ in .init(status: 200, text: "ok") }
        defer { receiver.stop() }
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        try writeConfig(
            """
            feeds: [{url: "\(feedServer.url("/rss").absoluteString)", name: lemonde-test, interval: 30s, tags: [fr]}]
            rules: [{name: outages, any: [panne*, Telegram], feeds: ["tag:fr"], notify: [journal, ops]}]
            webhooks: [{name: ops, url: "\(receiver.url("/hook").absoluteString)", secret: "\(secret)"}]
            """)
        let notify = try NotifySocketListener()
        defer { notify.stop() }
        let daemon = try startDaemon(notify: notify)
        XCTAssertNotNil(notify.waitFor { $0.contains("READY=1") }, daemon.stderr)
        // The first poll records the existing item silently.
        XCTAssertTrue(waitUntil(timeout: 5) { feedServer.requests.count == 1 }, daemon.stderr)
        document.replace(
            FeedFixtures.rss([
                .init(
                    guid: "new-1", title: "Panne géante : Telegram gagne 3 millions d’utilisateurs",
                    link: "https://news.example.org/panne", summary: "Pendant la panne de Facebook…"),
                .init(
                    guid: "old-1", title: "Le festival de jazz ouvre ses portes", link: "https://news.example.org/jazz"),
            ]))
        // The next poll comes one interval (30 s) after the first.
        XCTAssertTrue(waitUntil(timeout: 40) { receiver.requests.count >= 1 }, daemon.stderr)
        let delivery = receiver.requests[0]
        try StandardWebhooksVerifier(secret: secret).verify(
            headers: delivery.headers.map { ($0.name, $0.value) }, body: delivery.body)
        let payload = try XCTUnwrap(JSONSerialization.jsonObject(with: delivery.body) as? [String: Any])
        let alertID = try XCTUnwrap(payload["alert_id"] as? String)
        XCTAssertEqual(delivery.header("webhook-id"), alertID)
        XCTAssertEqual(payload["rule"] as? String, "outages")
        XCTAssertEqual(payload["keywords"] as? [String], ["panne*", "Telegram"])
        let item = try XCTUnwrap(payload["item"] as? [String: Any])
        XCTAssertEqual(item["title"] as? String, "Panne géante : Telegram gagne 3 millions d’utilisateurs")
        XCTAssertEqual(item["published"] as? String, "2019-03-14T08:05:00Z")

        let entries = try JournaldFixture.readEntries(
            matching: "FEEDWATCH_ALERT_ID=\(alertID)", atLeast: 1, timeout: 10)
        let entry = try XCTUnwrap(entries.first)
        XCTAssertEqual(entry["MESSAGE_ID"], "01d753927b964912bb11f9b587569102")
        XCTAssertEqual(entry["PRIORITY"], "5")
        XCTAssertEqual(entry["FEEDWATCH_RULE"], "outages")
        XCTAssertEqual(entry["FEEDWATCH_KEYWORDS"], "panne*,Telegram")
        XCTAssertEqual(entry["FEEDWATCH_FEED"], "lemonde-test")
        XCTAssertEqual(entry["FEEDWATCH_ITEM_TITLE"], "Panne géante : Telegram gagne 3 millions d’utilisateurs")
        XCTAssertEqual(entry["FEEDWATCH_ITEM_LINK"], "https://news.example.org/panne")
        XCTAssertEqual(
            entry["MESSAGE"],
            "[outages] Panne géante : Telegram gagne 3 millions d’utilisateurs — https://news.example.org/panne (matched: panne*, Telegram)"
        )
        XCTAssertEqual(receiver.requests.count, 1, "one alert, delivered once")
        daemon.signal(SIGTERM)
        XCTAssertEqual(daemon.waitForExit(timeout: 10), 0)
    }
}
