import Foundation
import TestSupport
import XCTest

/// `feedwatch once [--dry-run]`, `state` and `parse`, run as the real executable.
final class OnceCommandTests: DaemonTestCase {
    private func writeFeedAndConfig(server: HTTPTestServer) throws {
        try writeConfig("""
            feeds:
              - {url: "file:feed.xml", name: local, alert_on_first_poll: true, tags: [fr]}
              - {url: "\(server.url("/rss").absoluteString)", name: remote}
            rules:
              - {name: outages, any: [panne*, Telegram], none: [publicité]}
              - {name: growth, all: [Telegram, "/\\\\d+ millions/"], feeds: ["tag:fr"]}
            """)
        try FeedFixtures.rss([
            .init(guid: "a", title: "Panne géante : Telegram gagne 3 millions d’utilisateurs", link: "https://news.example.org/a"),
            .init(guid: "b", title: "Le festival de jazz", link: "https://news.example.org/b"),
            .init(guid: "c", title: "Des pannes en série (publicité)", link: "https://news.example.org/c"),
        ]).write(to: directory.appendingPathComponent("feed.xml"), atomically: true, encoding: .utf8)
    }

    func testDryRunPrintsTheJSONAlertsThatWouldFireAndWritesNothing() throws {
        let server = try HTTPTestServer { _ in .init(status: 200, headers: [("ETag", "\"v1\"")], text: FeedFixtures.rss([])) }
        defer { server.stop() }
        try writeFeedAndConfig(server: server)
        let dry = try feedwatch(["once", "--dry-run"])
        XCTAssertEqual(dry.status, 0, dry.stderr)
        let lines = dry.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, dry.stdout)
        let alerts = try lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(alerts.map { $0["type"] as? String }, ["feedwatch.alert", "feedwatch.alert"])
        XCTAssertEqual(alerts.map { $0["rule"] as? String }, ["outages", "growth"])
        XCTAssertEqual(alerts[0]["keywords"] as? [String], ["panne*", "Telegram"])
        XCTAssertEqual(alerts[1]["keywords"] as? [String], ["Telegram", "/\\d+ millions/"])
        XCTAssertEqual((alerts[0]["feed"] as? [String: Any])?["name"] as? String, "local")
        XCTAssertEqual((alerts[0]["item"] as? [String: Any])?["id"] as? String, "a")
        XCTAssertFalse(FileManager.default.fileExists(atPath: stateDirectory + "/feedwatch.sqlite"), "a dry run writes nothing")
        // Run again: same answer, since nothing was recorded.
        XCTAssertEqual(try feedwatch(["once", "--dry-run"]).stdout, dry.stdout)
    }

    func testOnceRecordsStateAndTheSecondPollIsConditional() throws {
        let server = try HTTPTestServer { request in
            if request.header("If-None-Match") == "\"v1\"" { return .init(status: 304, text: "") }
            return .init(status: 200, headers: [("ETag", "\"v1\""), ("Last-Modified", "Wed, 25 Nov 2026 01:00:00 GMT")], text: FeedFixtures.rss([]))
        }
        defer { server.stop() }
        try writeFeedAndConfig(server: server)
        let first = try feedwatch(["once"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("polled 2 feeds (0 failed)"), first.stdout)
        XCTAssertTrue(first.stdout.contains("2 alerts"), first.stdout)
        let state = try feedwatch(["state"])
        XCTAssertEqual(state.status, 0, state.stderr)
        let remote = try XCTUnwrap(state.stdout.split(separator: "\n").first { $0.hasPrefix("remote ") }, state.stdout)
        XCTAssertTrue(remote.contains(" 200 "), String(remote))
        XCTAssertTrue(remote.contains("\"v1\""), String(remote))
        XCTAssertTrue(remote.contains("Wed, 25 Nov 2026 01:00:00 GMT"), String(remote))
        let second = try feedwatch(["once"])
        XCTAssertTrue(second.stdout.contains("0 alerts"), "nothing fires twice: \(second.stdout)")
        XCTAssertEqual(server.requests.last?.header("If-None-Match"), "\"v1\"")
        XCTAssertEqual(server.requests.last?.header("If-Modified-Since"), "Wed, 25 Nov 2026 01:00:00 GMT")
        let after = try feedwatch(["state"])
        XCTAssertTrue(after.stdout.split(separator: "\n").contains { $0.hasPrefix("remote ") && $0.contains(" 304 ") }, after.stdout)
        XCTAssertEqual(try feedwatch(["once", "--dry-run"]).stdout, "", "a dry run after a real one finds nothing new")
    }

    func testParsePrintsTheFeedAsJSON() throws {
        let path = directory.appendingPathComponent("one.xml").path
        try FeedFixtures.rss([.init(guid: "x1", title: "Panne &amp; reprise", link: "https://news.example.org/x")])
            .write(toFile: path, atomically: true, encoding: .utf8)
        let result = try FeedwatchProcess.run(["parse", path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["format"] as? String, "rss2.0")
        let items = try XCTUnwrap(json["items"] as? [[String: Any]])
        XCTAssertEqual(items.first?["title"] as? String, "Panne & reprise")
        XCTAssertEqual(items.first?["id"] as? String, "x1")
        let missing = try FeedwatchProcess.run(["parse", directory.appendingPathComponent("none.xml").path])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.hasPrefix("feedwatch: "), missing.stderr)
    }
}
