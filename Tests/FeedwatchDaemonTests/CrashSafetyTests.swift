import Foundation
import TestSupport
import XCTest

/// kill -9 at any instant loses no alert, and re-sends at most what was in flight.
final class CrashSafetyTests: DaemonTestCase {
    func testKillNineLoopDeliversEveryAlertWithFewDuplicates() throws {
        try killNineLoop()
    }

    /// The same with `group_wait`: every alert arrives, each in exactly one group, and a group is
    /// sent again only when a kill caught it in flight.
    func testKillNineLoopWithGroupingLosesNoAlertAndNeverRegroups() throws {
        let itemCount = 120
        let receiver = try HTTPTestServer { _ in .init(status: 200, text: "ok", delay: 0.01) }
        defer { receiver.stop() }
        try FeedFixtures.rss(FeedFixtures.outageStories(itemCount)).write(
            to: directory.appendingPathComponent("feed.xml"), atomically: true, encoding: .utf8)
        try writeConfig(
            """
            feeds: [{url: "file:feed.xml", name: news, alert_on_first_poll: true, interval: 30s}]
            rules: [{name: outages, any: [panne], notify: [hook]}]
            webhooks: [{name: hook, url: "\(receiver.url("/hook").absoluteString)", group_wait: 1s}]
            """)
        var kills = 0
        var generator = SystemRandomNumberGenerator()
        for round in 0..<6 {
            let daemon = try startDaemon()
            Thread.sleep(forTimeInterval: 0.3 + Double(round) * 0.3 + Double.random(in: 0...0.3, using: &generator))
            daemon.signal(SIGKILL)
            _ = daemon.waitForExit(timeout: 5)
            kills += 1
        }
        // Each request's webhook-id and the alerts it listed.
        let groups = {
            receiver.requests.compactMap { request -> (String, [String])? in
                guard let id = request.header("webhook-id"),
                    let body = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any]
                else { return nil }
                let alerts = (body["alerts"] as? [[String: Any]]) ?? [body]
                return (id, alerts.compactMap { $0["alert_id"] as? String })
            }
        }
        let delivered = { Set(groups().flatMap(\.1)) }
        let notify = try NotifySocketListener()
        defer { notify.stop() }
        let survivor = try startDaemon(notify: notify)
        XCTAssertNotNil(notify.waitFor { $0.contains("READY=1") }, survivor.stderr)
        XCTAssertTrue(
            waitUntil(timeout: 60) { delivered().count == itemCount }, "\(delivered().count) of \(itemCount)")
        survivor.signal(SIGTERM)
        XCTAssertEqual(survivor.waitForExit(timeout: 10), 0)
        var groupOfAlert: [String: String] = [:]
        for (groupID, alerts) in groups() {
            for alert in alerts {
                XCTAssertEqual(groupOfAlert[alert] ?? groupID, groupID, "an alert is in one group only")
                groupOfAlert[alert] = groupID
            }
        }
        let resent = groups().count - Set(groups().map(\.0)).count
        XCTAssertLessThanOrEqual(resent, kills, "a group is sent again only when a kill caught it in flight")
        XCTAssertEqual(try feedwatch(["outbox"]).stdout, "outbox empty: no pending or dead-lettered deliveries\n")
    }
}

extension DaemonTestCase {
    /// kill -9 eight times at random moments, then a survivor: every alert arrives, duplicates only
    /// for what was in flight. `settings` adds to the configuration (a `database:`), `environment`
    /// to the daemons'.
    func killNineLoop(settings: String = "", environment: [String: String] = [:]) throws {
        let itemCount = 300
        let receiver = try HTTPTestServer { _ in .init(status: 200, text: "ok", delay: 0.01) }
        defer { receiver.stop() }
        let feed = directory.appendingPathComponent("feed.xml")
        try FeedFixtures.rss(FeedFixtures.outageStories(itemCount)).write(to: feed, atomically: true, encoding: .utf8)
        try writeConfig(
            """
            feeds: [{url: "file:feed.xml", name: news, alert_on_first_poll: true, interval: 30s}]
            rules: [{name: outages, any: [panne], notify: [journal, hook]}]
            webhooks: [{name: hook, url: "\(receiver.url("/hook").absoluteString)"}]
            \(settings)
            """)
        var kills = 0
        var generator = SystemRandomNumberGenerator()
        for round in 0..<8 {
            let daemon = try startDaemon(environment: environment)
            // Kill at a different moment each time: during start, the first poll, deliveries.
            Thread.sleep(forTimeInterval: 0.2 + Double(round) * 0.15 + Double.random(in: 0...0.2, using: &generator))
            daemon.signal(SIGKILL)
            _ = daemon.waitForExit(timeout: 5)
            kills += 1
        }
        let received = { Set(receiver.requests.compactMap { $0.header("webhook-id") }) }
        let notify = try NotifySocketListener()
        defer { notify.stop() }
        let survivor = try startDaemon(notify: notify, environment: environment)
        XCTAssertNotNil(notify.waitFor { $0.contains("READY=1") }, survivor.stderr)
        XCTAssertTrue(
            waitUntil(timeout: 90) { received().count == itemCount },
            "\(received().count) of \(itemCount); \(survivor.stderr)")
        if !settings.isEmpty {
            // On a shared database a killed instance's claims run out after the lease, not at the
            // survivor's start: one sent before the kill has arrived already, and is delivered
            // again (and marked) only once the survivor takes it over.
            let empty = "outbox empty: no pending or dead-lettered deliveries\n"
            XCTAssertTrue(
                waitUntil(timeout: 30) { (try? self.feedwatch(["outbox"], environment: environment).stdout) == empty },
                survivor.stderr)
        }
        survivor.signal(SIGTERM)
        XCTAssertEqual(survivor.waitForExit(timeout: 10), 0)
        XCTAssertEqual(received().count, itemCount, "every alert arrives")
        let duplicates = receiver.requests.count - itemCount
        // At most the per-webhook limit (4) can be in flight when a kill lands.
        XCTAssertLessThanOrEqual(duplicates, kills * 4, "\(duplicates) duplicate deliveries over \(kills) kills")
        XCTAssertEqual(
            try feedwatch(["outbox"], environment: environment).stdout,
            "outbox empty: no pending or dead-lettered deliveries\n")
    }
}
