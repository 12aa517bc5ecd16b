import Foundation
import TestSupport
import XCTest

/// `feedwatch run` as systemd runs it: sd_notify on a datagram socket, signals, exit status.
final class DaemonLifecycleTests: DaemonTestCase {
    func testReadyStatusWatchdogAndStoppingAreSent() throws {
        let server = try HTTPTestServer { _ in .init(status: 200, text: FeedFixtures.rss([])) }
        defer { server.stop() }
        try writeConfig(
            """
            feeds: [{url: "\(server.url("/feed.xml").absoluteString)", name: news}]
            rules: [{name: outages, any: [panne]}]
            """)
        let notify = try NotifySocketListener()
        defer { notify.stop() }
        let daemon = try startDaemon(notify: notify, watchdogMicroseconds: 1_000_000)
        let ready = try XCTUnwrap(notify.waitFor { $0.contains("READY=1") }, daemon.stderr)
        XCTAssertTrue(
            notify.messages[ready].contains("STATUS=1 feeds, 0 alerts today, 0 failing"), notify.messages[ready])
        // WATCHDOG_USEC=1s: keepalives at least every half second.
        let first = try XCTUnwrap(notify.waitFor(after: ready, timeout: 3) { $0 == "WATCHDOG=1" })
        XCTAssertNotNil(notify.waitFor(after: first + 1, timeout: 3) { $0 == "WATCHDOG=1" })
        XCTAssertTrue(waitUntil(timeout: 5) { server.requests.count == 1 }, "the feed is polled soon after start")
        daemon.signal(SIGTERM)
        XCTAssertEqual(daemon.waitForExit(timeout: 10), 0, daemon.stderr)
        XCTAssertTrue(notify.messages.contains("STOPPING=1"))
    }

    func testReloadAppliesAValidConfigurationAndKeepsTheOldOneOnErrors() throws {
        let server = try HTTPTestServer { _ in .init(status: 200, text: FeedFixtures.rss([])) }
        defer { server.stop() }
        let feedA = "{url: \"\(server.url("/a.xml").absoluteString)\", name: a}"
        let feedB = "{url: \"\(server.url("/b.xml").absoluteString)\", name: b}"
        try writeConfig("feeds: [\(feedA)]\nrules: [{name: outages, any: [panne]}]")
        let notify = try NotifySocketListener()
        defer { notify.stop() }
        let daemon = try startDaemon(notify: notify)
        let ready = try XCTUnwrap(notify.waitFor { $0.contains("READY=1") }, daemon.stderr)
        XCTAssertTrue(waitUntil(timeout: 5) { server.requests.contains { $0.path == "/a.xml" } })

        try writeConfig("feeds: [\(feedA), \(feedB)]\nrules: [{name: outages, any: [panne]}]")
        daemon.signal(SIGHUP)
        let reloading = try XCTUnwrap(notify.waitFor(after: ready + 1) { $0.contains("RELOADING=1") })
        XCTAssertTrue(notify.messages[reloading].contains("MONOTONIC_USEC="))
        let readyAgain = try XCTUnwrap(notify.waitFor(after: reloading + 1) { $0.contains("READY=1") })
        XCTAssertTrue(notify.messages[readyAgain].contains("STATUS=2 feeds"), notify.messages[readyAgain])
        XCTAssertTrue(
            waitUntil(timeout: 5) { server.requests.contains { $0.path == "/b.xml" } }, "the new feed is polled")

        try writeConfig(
            "feeds:\n  - url: \"\(server.url("/a.xml").absoluteString)\"\n    name: a\n    interval: 1s\nrules: [{name: outages, any: [panne]}]"
        )
        daemon.signal(SIGHUP)
        let refused = try XCTUnwrap(notify.waitFor(after: readyAgain + 1) { $0.contains("RELOADING=1") })
        XCTAssertNotNil(notify.waitFor(after: refused + 1) { $0.contains("READY=1") })
        XCTAssertTrue(daemon.isRunning, "an invalid configuration never stops the daemon")
        XCTAssertTrue(
            waitUntil(timeout: 3) {
                daemon.stderr.contains(
                    "\(self.configPath):5:15: feeds[0].interval: 1s is too short (the minimum is 30s)")
            }, daemon.stderr)
        XCTAssertTrue(daemon.stderr.contains("the previous one keeps running"))
        daemon.signal(SIGTERM)
        XCTAssertEqual(daemon.waitForExit(timeout: 10), 0)
    }

    func testConfigurationWarningsAreLoggedAtStartAndAfterAReload() throws {
        try writeConfig("feeds: []\nrules: [{name: outages, any: [panne]}]")
        let warning = "warning: \(configPath):2:1: feeds: no feeds: the daemon will watch nothing"
        let notify = try NotifySocketListener()
        defer { notify.stop() }
        let daemon = try startDaemon(notify: notify)
        // Logged before READY=1 and before READY=1 again after the reload.
        let ready = try XCTUnwrap(notify.waitFor { $0.contains("READY=1") }, daemon.stderr)
        XCTAssertEqual(daemon.stderr.components(separatedBy: warning).count - 1, 1, daemon.stderr)
        daemon.signal(SIGHUP)
        let reloading = try XCTUnwrap(notify.waitFor(after: ready + 1) { $0.contains("RELOADING=1") })
        XCTAssertNotNil(notify.waitFor(after: reloading + 1) { $0.contains("READY=1") })
        XCTAssertEqual(daemon.stderr.components(separatedBy: warning).count - 1, 2, daemon.stderr)
        daemon.signal(SIGTERM)
        XCTAssertEqual(daemon.waitForExit(timeout: 10), 0)
    }

    func testInvalidConfigurationAtStartExitsSeventyEight() throws {
        try writeConfig("feeds: [{url: 'ftp://x'}]\nrules: [{name: r, any: [x]}]")
        let daemon = try startDaemon()
        XCTAssertEqual(daemon.waitForExit(timeout: 10), 78)
        XCTAssertTrue(
            daemon.stderr.contains("\(configPath):2:15: feeds[0].url: \"ftp://x\" is not a feed URL"), daemon.stderr)
    }

    func testCorruptStateFileIsAClearErrorNotAFreshStart() throws {
        try writeConfig("feeds: [{url: 'file:feed.xml', name: f}]\nrules: [{name: r, any: [x]}]")
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try garbage.write(to: URL(fileURLWithPath: stateDirectory + "/feedwatch.sqlite"))
        let daemon = try startDaemon()
        XCTAssertEqual(daemon.waitForExit(timeout: 10), 1)
        XCTAssertTrue(daemon.stderr.contains(stateDirectory + "/feedwatch.sqlite"), daemon.stderr)
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: stateDirectory + "/feedwatch.sqlite")), garbage, "left untouched")
    }

    func testSecondDaemonOnTheSameStateRefusesToStart() throws {
        let server = try HTTPTestServer { _ in .init(status: 200, text: FeedFixtures.rss([])) }
        defer { server.stop() }
        try writeConfig(
            "feeds: [{url: \"\(server.url("/f.xml").absoluteString)\", name: f}]\nrules: [{name: r, any: [x]}]")
        let notify = try NotifySocketListener()
        defer { notify.stop() }
        let first = try startDaemon(notify: notify)
        XCTAssertNotNil(notify.waitFor { $0.contains("READY=1") })
        let second = try startDaemon()
        XCTAssertEqual(second.waitForExit(timeout: 10), 1)
        XCTAssertTrue(second.stderr.contains("pid \(first.pid)"), second.stderr)
        first.signal(SIGTERM)
        XCTAssertEqual(first.waitForExit(timeout: 10), 0)
    }

    func testSigtermDuringDeliveriesExitsZeroAndTheRestIsDeliveredAfterRestart() throws {
        let slow = Flag()
        let receiver = try HTTPTestServer { _ in .init(status: 200, text: "ok", delay: slow.isSet ? 0 : 1.5) }
        defer { receiver.stop() }
        let feed = directory.appendingPathComponent("feed.xml")
        try FeedFixtures.rss(FeedFixtures.outageStories(12)).write(to: feed, atomically: true, encoding: .utf8)
        try writeConfig(
            """
            feeds: [{url: "file:feed.xml", name: news, alert_on_first_poll: true}]
            rules: [{name: outages, any: [panne], notify: [hook]}]
            webhooks: [{name: hook, url: "\(receiver.url("/hook").absoluteString)", timeout: 5s}]
            """)
        let daemon = try startDaemon()
        XCTAssertTrue(waitUntil(timeout: 10) { receiver.requests.count >= 1 }, daemon.stderr)
        daemon.signal(SIGTERM)
        XCTAssertEqual(daemon.waitForExit(timeout: 10), 0, daemon.stderr)
        let beforeRestart = Set(receiver.requests.compactMap { $0.header("webhook-id") })
        XCTAssertLessThan(beforeRestart.count, 12, "the test stops the daemon while deliveries are still queued")

        slow.set()
        let restarted = try startDaemon()
        XCTAssertTrue(
            waitUntil(timeout: 20) { Set(receiver.requests.compactMap { $0.header("webhook-id") }).count == 12 },
            restarted.stderr)
        restarted.signal(SIGTERM)
        XCTAssertEqual(restarted.waitForExit(timeout: 10), 0)
        XCTAssertEqual(try feedwatch(["outbox"]).stdout, "outbox empty: no pending or dead-lettered deliveries\n")
    }

    func testOutboxRetryBesideARunningDaemonIsDeliveredWithinSeconds() throws {
        let healthy = Flag()
        let receiver = try HTTPTestServer { _ in
            healthy.isSet ? .init(status: 200, text: "ok") : .init(status: 404, text: "no such hook")
        }
        defer { receiver.stop() }
        try FeedFixtures.rss(FeedFixtures.outageStories(1)).write(
            to: directory.appendingPathComponent("feed.xml"), atomically: true, encoding: .utf8)
        try writeConfig(
            """
            feeds: [{url: "file:feed.xml", name: news, alert_on_first_poll: true}]
            rules: [{name: outages, any: [panne], notify: [hook]}]
            webhooks: [{name: hook, url: "\(receiver.url("/hook").absoluteString)", retry_for: 1h}]
            """)
        let daemon = try startDaemon()
        var deadRow: Substring?
        XCTAssertTrue(
            waitUntil(timeout: 15) {
                deadRow = try? feedwatch(["outbox"]).stdout.split(separator: "\n").first {
                    $0.split(separator: " ").contains("dead")
                }
                return deadRow != nil
            }, daemon.stderr)
        let id = try XCTUnwrap(deadRow?.split(separator: " ").first.map(String.init))
        XCTAssertEqual(receiver.requests.count, 1, String(deadRow ?? ""))

        healthy.set()
        let retried = try feedwatch(["outbox", "retry", id])
        XCTAssertEqual(retried.stdout, "1 delivery(ies) queued again\n", retried.stderr)
        // The daemon looks at the outbox every few seconds: well within 15.
        XCTAssertTrue(waitUntil(timeout: 15) { receiver.requests.count == 2 }, daemon.stderr)
        XCTAssertEqual(Set(receiver.requests.compactMap { $0.header("webhook-id") }).count, 1, "the same alert")
        XCTAssertTrue(
            waitUntil(timeout: 10) {
                (try? feedwatch(["outbox"]).stdout) == "outbox empty: no pending or dead-lettered deliveries\n"
            })
        XCTAssertTrue(
            waitUntil(timeout: 5) { daemon.stderr.contains("delivered after an earlier failure (HTTP 404)") },
            daemon.stderr)
        daemon.signal(SIGTERM)
        XCTAssertEqual(daemon.waitForExit(timeout: 10), 0)
        XCTAssertFalse(daemon.stderr.contains("expired"), daemon.stderr)
    }
}
