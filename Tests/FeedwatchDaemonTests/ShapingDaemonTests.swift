import Foundation
import TestSupport
import XCTest

/// Shaping through the real daemon, on a real (short) window.
final class ShapingDaemonTests: DaemonTestCase {
    func testFiveMatchingItemsWithGroupWaitGoAsOneMessageListingFive() throws {
        let receiver = try HTTPTestServer { _ in .init(status: 204, text: "") }
        defer { receiver.stop() }
        try FeedFixtures.rss(FeedFixtures.outageStories(5)).write(
            to: directory.appendingPathComponent("feed.xml"), atomically: true, encoding: .utf8)
        try writeConfig(
            """
            feeds: [{url: "file:feed.xml", name: news, alert_on_first_poll: true}]
            rules: [{name: outages, any: [panne], notify: [hook]}]
            webhooks: [{name: hook, url: "\(receiver.url("/hook").absoluteString)", group_wait: 3s}]
            """)
        let daemon = try startDaemon()
        XCTAssertTrue(waitUntil(timeout: 15) { receiver.requests.count == 1 }, daemon.stderr)
        let body = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: try XCTUnwrap(receiver.requests.first).body) as? [String: Any])
        XCTAssertEqual(body["type"] as? String, "feedwatch.alerts")
        XCTAssertEqual(body["count"] as? Int, 5)
        XCTAssertEqual((body["alerts"] as? [[String: Any]])?.count, 5)
        daemon.signal(SIGTERM)
        XCTAssertEqual(daemon.waitForExit(timeout: 10), 0)
        XCTAssertEqual(receiver.requests.count, 1, "one message, not five")
    }

    func testADigestHoldsAlertsInTheOutboxWithTheTimeTheyGo() throws {
        let receiver = try HTTPTestServer { _ in .init(status: 204, text: "") }
        defer { receiver.stop() }
        try FeedFixtures.rss(FeedFixtures.outageStories(3)).write(
            to: directory.appendingPathComponent("feed.xml"), atomically: true, encoding: .utf8)
        try writeConfig(
            """
            timezone: UTC
            feeds: [{url: "file:feed.xml", name: news, alert_on_first_poll: true}]
            rules: [{name: outages, any: [panne], notify: [hook]}]
            webhooks: [{name: hook, url: "\(receiver.url("/hook").absoluteString)", digest: "03:00"}]
            """)
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let nextThree = {
            ISO8601DateFormatter().string(
                from: utc.nextDate(
                    after: Date(), matching: DateComponents(hour: 3, minute: 0), matchingPolicy: .nextTime)!)
        }
        let before = nextThree()
        XCTAssertEqual(try feedwatch(["once"]).status, 2, "held alerts are still queued")
        XCTAssertEqual(receiver.requests.count, 0)
        // The next 03:00 UTC as seen just before and just after the run (the same but at 03:00 itself).
        let goes = [before, nextThree()]
        let listed = try feedwatch(["outbox"]).stdout
        let held = listed.split(separator: "\n").filter { $0.contains(" held:digest ") }
        XCTAssertEqual(held.count, 3, listed)
        XCTAssertTrue(held.allSatisfy { row in goes.contains { row.contains($0) } }, "\(held) should go at \(goes)")
    }
}
