import Foundation
import TestSupport
import XCTest

/// Feed-health alerts (SPEC §7) through `once`, with thresholds of a millisecond so that each run
/// of the binary is past them: once per episode, and a recovery when the feed polls again.
final class FeedHealthTests: DaemonTestCase {
    func testFailingFiresOncePerEpisodeAndRecoveryFollows() throws {
        let down = Flag()
        down.set()
        let server = try HTTPTestServer { request in
            if request.pathWithoutQuery == "/hook" { return .init(status: 204, text: "") }
            return down.isSet ? .init(status: 500, text: "down") : .init(status: 200, text: FeedFixtures.rss([]))
        }
        defer { server.stop() }
        try writeConfig(
            """
            feeds: [{url: "\(server.url("/feed").absoluteString)", name: flaky}]
            rules: [{name: outages, any: [panne]}]
            webhooks: [{name: hook, url: "\(server.url("/hook").absoluteString)"}]
            health: {failing_after: 1ms, silent_after: 0, notify: [hook]}
            """)
        let alerts = {
            server.requests.filter { $0.pathWithoutQuery == "/hook" }.compactMap { request in
                (try? JSONSerialization.jsonObject(with: request.body) as? [String: Any]).map {
                    ($0["rule"] as? String ?? "", ($0["item"] as? [String: Any])?["title"] as? String ?? "")
                }
            }
        }
        XCTAssertEqual(try feedwatch(["once"]).status, 2)
        XCTAssertEqual(alerts().count, 0, "the failing run has just begun")
        _ = try feedwatch(["once"])
        XCTAssertEqual(alerts().map(\.0), ["feedwatch.feed_failing"])
        XCTAssertTrue(alerts()[0].1.hasPrefix("flaky has been failing since "), alerts()[0].1)
        XCTAssertTrue(
            alerts()[0].1.hasSuffix(": 500: HTTP status 500 from \(server.url("/feed").absoluteString)"), alerts()[0].1)
        _ = try feedwatch(["once"])
        XCTAssertEqual(alerts().count, 1, "once per episode")
        down.clear()
        XCTAssertEqual(try feedwatch(["once"]).status, 0)
        XCTAssertEqual(alerts().map(\.0), ["feedwatch.feed_failing", "feedwatch.feed_recovered"])
        _ = try feedwatch(["once"])
        XCTAssertEqual(alerts().count, 2, "recovered once")
        // A new episode is a new alert.
        down.set()
        _ = try feedwatch(["once"])
        _ = try feedwatch(["once"])
        XCTAssertEqual(
            alerts().map(\.0), ["feedwatch.feed_failing", "feedwatch.feed_recovered", "feedwatch.feed_failing"])
    }

    func testSilentFiresOncePerSilenceAndANewItemEndsIt() throws {
        let receiver = try HTTPTestServer { _ in .init(status: 204, text: "") }
        defer { receiver.stop() }
        let feed = directory.appendingPathComponent("feed.xml")
        try FeedFixtures.rss(FeedFixtures.outageStories(1)).write(to: feed, atomically: true, encoding: .utf8)
        try writeConfig(
            """
            feeds: [{url: "file:feed.xml", name: sleepy}]
            rules: [{name: outages, any: [nothing-matches-this]}]
            webhooks: [{name: hook, url: "\(receiver.url("/hook").absoluteString)"}]
            health: {failing_after: 0, silent_after: 1ms, notify: [hook]}
            """)
        let rules = {
            receiver.requests.compactMap {
                (try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any])?["rule"] as? String
            }
        }
        _ = try feedwatch(["once"])
        XCTAssertEqual(rules(), [], "the first poll brought items")
        _ = try feedwatch(["once"])
        XCTAssertEqual(rules(), ["feedwatch.feed_silent"])
        _ = try feedwatch(["once"])
        XCTAssertEqual(rules(), ["feedwatch.feed_silent"], "once per silence")
        try FeedFixtures.rss(FeedFixtures.outageStories(2)).write(to: feed, atomically: true, encoding: .utf8)
        _ = try feedwatch(["once"])
        XCTAssertEqual(rules(), ["feedwatch.feed_silent"], "a new item ends the silence")
        _ = try feedwatch(["once"])
        XCTAssertEqual(rules(), ["feedwatch.feed_silent", "feedwatch.feed_silent"], "a new silence, a new alert")
    }
}
