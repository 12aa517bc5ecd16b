import Foundation
import TestSupport
import XCTest

/// `feedwatch once [--dry-run]`, `state` and `parse`, run as the real executable.
final class OnceCommandTests: DaemonTestCase {
    private func writeFeedAndConfig(server: HTTPTestServer) throws {
        try writeConfig(
            """
            feeds:
              - {url: "file:feed.xml", name: local, alert_on_first_poll: true, tags: [fr]}
              - {url: "\(server.url("/rss").absoluteString)", name: remote}
            rules:
              - {name: outages, any: [panne*, Telegram], none: [publicité]}
              - {name: growth, all: [Telegram, "/\\\\d+ millions/"], feeds: ["tag:fr"]}
            """)
        try FeedFixtures.rss([
            .init(
                guid: "a", title: "Panne géante : Telegram gagne 3 millions d’utilisateurs",
                link: "https://news.example.org/a"),
            .init(guid: "b", title: "Le festival de jazz", link: "https://news.example.org/b"),
            .init(guid: "c", title: "Des pannes en série (publicité)", link: "https://news.example.org/c"),
        ]).write(to: directory.appendingPathComponent("feed.xml"), atomically: true, encoding: .utf8)
    }

    func testDryRunPrintsTheJSONAlertsThatWouldFireAndWritesNothing() throws {
        let server = try HTTPTestServer { _ in
            .init(status: 200, headers: [("ETag", "\"v1\"")], text: FeedFixtures.rss([]))
        }
        defer { server.stop() }
        try writeFeedAndConfig(server: server)
        let dry = try feedwatch(["once", "--dry-run"])
        XCTAssertEqual(dry.status, 0, dry.stderr)
        let lines = dry.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, dry.stdout)
        let alerts = try lines.map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(alerts.map { $0["type"] as? String }, ["feedwatch.alert", "feedwatch.alert"])
        XCTAssertEqual(alerts.map { $0["rule"] as? String }, ["outages", "growth"])
        XCTAssertEqual(alerts[0]["keywords"] as? [String], ["panne*", "Telegram"])
        XCTAssertEqual(alerts[1]["keywords"] as? [String], ["Telegram", "/\\d+ millions/"])
        XCTAssertEqual((alerts[0]["feed"] as? [String: Any])?["name"] as? String, "local")
        XCTAssertEqual((alerts[0]["item"] as? [String: Any])?["id"] as? String, "a")
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: stateDirectory + "/feedwatch.sqlite"), "a dry run writes nothing")
        // Run again: same answer, since nothing was recorded (but for the time of detection, which
        // may fall in the next second).
        let withoutTime = { (text: String) in
            text.replacingOccurrences(of: #""detected_at":"[^"]*""#, with: "", options: .regularExpression)
        }
        XCTAssertEqual(withoutTime(try feedwatch(["once", "--dry-run"]).stdout), withoutTime(dry.stdout))
    }

    func testOnceRecordsStateAndTheSecondPollIsConditional() throws {
        let server = try HTTPTestServer { request in
            if request.header("If-None-Match") == "\"v1\"" { return .init(status: 304, text: "") }
            return .init(
                status: 200, headers: [("ETag", "\"v1\""), ("Last-Modified", "Wed, 25 Nov 2026 01:00:00 GMT")],
                text: FeedFixtures.rss([]))
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
        XCTAssertTrue(remote.contains(" etag+lm "), "both validators held: \(remote)")
        let second = try feedwatch(["once"])
        XCTAssertTrue(second.stdout.contains("0 alerts"), "nothing fires twice: \(second.stdout)")
        XCTAssertEqual(server.requests.last?.header("If-None-Match"), "\"v1\"")
        XCTAssertEqual(server.requests.last?.header("If-Modified-Since"), "Wed, 25 Nov 2026 01:00:00 GMT")
        let after = try feedwatch(["state"])
        XCTAssertTrue(
            after.stdout.split(separator: "\n").contains { $0.hasPrefix("remote ") && $0.contains(" 304 ") },
            after.stdout)
        XCTAssertEqual(try feedwatch(["once", "--dry-run"]).stdout, "", "a dry run after a real one finds nothing new")
    }

    /// `once` saves feed states in batches while it polls on: every feed's state must be there at
    /// the end, those of the last, partial batch included, or the next poll of that feed would be
    /// unconditional.
    func testEveryFeedsStateIsSavedWhenThereAreMoreFeedsThanOneBatchOfStates() throws {
        let feedCount = 600  // two whole batches of 256 states and a partial one
        let server = try HTTPTestServer { request in
            let etag = "\"\(request.pathWithoutQuery)\""
            if request.header("If-None-Match") == etag { return .init(status: 304, text: "") }
            return .init(status: 200, headers: [("ETag", etag)], text: FeedFixtures.rss([]))
        }
        defer { server.stop() }
        let feeds = (0..<feedCount).map { "  - {url: \"\(server.url("/f\($0)").absoluteString)\", name: feed-\($0)}" }
        try writeConfig("feeds:\n" + feeds.joined(separator: "\n") + "\nrules:\n  - {name: outages, any: [panne]}\n")
        let first = try feedwatch(["once"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let state = try feedwatch(["state"])
        let rows = state.stdout.split(separator: "\n").filter { $0.hasPrefix("feed-") }
        XCTAssertEqual(rows.count, feedCount, state.stdout)
        XCTAssertEqual(rows.filter { $0.contains(" 200 ") && $0.contains(" etag ") }.count, feedCount, state.stdout)
        let second = try feedwatch(["once"])
        XCTAssertEqual(second.status, 0, second.stderr)
        let conditional = server.requests.suffix(feedCount).filter { $0.header("If-None-Match") != nil }
        XCTAssertEqual(conditional.count, feedCount, "every feed's second poll sends its validator")
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

    func testParseRefusesADocumentLargerThanMaxSize() throws {
        let path = directory.appendingPathComponent("big.xml").path
        let document = FeedFixtures.rss(FeedFixtures.outageStories(20))
        try document.write(toFile: path, atomically: true, encoding: .utf8)
        let size = document.utf8.count
        XCTAssertGreaterThan(size, 2048)

        let refused = try FeedwatchProcess.run(["parse", "file:\(path)", "--max-size", "2KiB"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.stdout, "")
        XCTAssertEqual(refused.stderr, "feedwatch: \(path): larger than --max-size 2KiB\n")

        let exact = try FeedwatchProcess.run(["parse", "file:\(path)", "--max-size", String(size)])
        XCTAssertEqual(exact.status, 0, "a document of exactly the maximum is read: \(exact.stderr)")
        XCTAssertTrue(exact.stdout.contains("\"rss2.0\""), exact.stdout)
        let byDefault = try FeedwatchProcess.run(["parse", "file:\(path)"])
        XCTAssertEqual(byDefault.status, 0, "10MiB by default: \(byDefault.stderr)")
        XCTAssertEqual(
            try FeedwatchProcess.run(["parse", "file:\(path)", "--max-size", String(size - 1)]).status, 1)

        let unreadable = try FeedwatchProcess.run(["parse", path, "--max-size", "lots"])
        XCTAssertNotEqual(unreadable.status, 0)
        XCTAssertTrue(unreadable.stderr.contains("--max-size"), unreadable.stderr)
    }

    /// `feedwatch state` fits a 100-column terminal: a status too long for its column shows its
    /// start there and the whole text on indented lines below.
    func testStateLinesFitInOneHundredColumns() throws {
        let longPath = "/feeds/" + String(repeating: "regional-news-", count: 6) + "rss.xml?token=abc"
        let server = try HTTPTestServer { request in
            request.pathWithoutQuery == "/ok"
                ? .init(status: 200, text: FeedFixtures.rss([])) : .init(status: 503, text: "")
        }
        defer { server.stop() }
        let longName = "a-feed-with-a-name-longer-than-its-column"
        try writeConfig(
            """
            feeds:
              - {url: "\(server.url("/ok").absoluteString)", name: short}
              - {url: "\(server.url(longPath).absoluteString)", name: failing}
              - {url: "\(server.url("/ok").absoluteString)?x", name: \(longName)}
            rules: [{name: r, any: [panne]}]
            """)
        let once = try feedwatch(["once"])
        XCTAssertTrue(once.stdout.contains("polled 3 feeds (1 failed)"), once.stdout + once.stderr)
        let state = try feedwatch(["state"])
        XCTAssertEqual(state.status, 0, state.stderr)
        let lines = state.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        for line in lines { XCTAssertLessThanOrEqual(line.count, 100, line) }

        let time = #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#
        XCTAssertNotNil(
            lines[0].range(of: #"^FEED +LAST POLL +STATUS +HELD +ERRORS +NEXT POLL$"#, options: .regularExpression))
        let failing = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("failing ") }, state.stdout)
        // The row: name, last poll, the status's start cut with "…", 1 error, next poll.
        XCTAssertNotNil(
            lines[failing].range(
                of: "^failing +\(time)  503: HTTP status 503 from http:[^ ]*… +- +1 +\(time)$",
                options: .regularExpression),
            lines[failing])
        // The whole status on the lines below: broken at a space, and inside the URL, longer than a line.
        XCTAssertEqual(lines[failing + 1], "    status: 503: HTTP status 503 from")
        let continuation = lines[(failing + 2)...].prefix { $0.hasPrefix(String(repeating: " ", count: 12)) }
        XCTAssertEqual(continuation.count, 2, state.stdout)
        XCTAssertEqual(continuation.first?.count, 100)
        XCTAssertEqual(continuation.map { $0.dropFirst(12) }.joined(), server.url(longPath).absoluteString)

        let short = try XCTUnwrap(lines.first { $0.hasPrefix("short ") }, state.stdout)
        XCTAssertNotNil(short.range(of: "^short +\(time)  200 +- +0 +\(time)$", options: .regularExpression), short)
        // A name longer than its column gets a line of its own, its row under it.
        let named = try XCTUnwrap(lines.firstIndex(of: longName), state.stdout)
        XCTAssertNotNil(
            lines[named + 1].range(of: "^ +\(time)  200 +- +0 +\(time)$", options: .regularExpression),
            lines[named + 1])
    }
}

/// Feeds that move or disappear, and receivers that go away, across runs of the real binary.
final class FeedLifecycleTests: DaemonTestCase {
    func testPermanentRedirectIsRememberedAndGoneFeedIsNoLongerPolled() throws {
        let server = try HTTPTestServer { request in
            switch request.pathWithoutQuery {
            case "/old": return .init(status: 301, headers: [("Location", "/new")], text: "")
            case "/new": return .init(status: 200, text: FeedFixtures.rss([]))
            default: return .init(status: 410, text: "gone")
            }
        }
        defer { server.stop() }
        try writeConfig(
            """
            feeds:
              - {url: "\(server.url("/old").absoluteString)", name: moved}
              - {url: "\(server.url("/removed").absoluteString)", name: removed}
            rules: [{name: r, any: [panne]}]
            """)
        XCTAssertEqual(try feedwatch(["once"]).status, 2, "a feed that answered 410 failed")
        let state = try feedwatch(["state"]).stdout
        let lines = state.split(separator: "\n").map(String.init)
        let moved = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("moved ") }, state)
        XCTAssertEqual(lines[moved + 1], "    moved to: \(server.url("/new").absoluteString)", state)
        let removed = try XCTUnwrap(state.split(separator: "\n").first { $0.hasPrefix("removed ") }, state)
        XCTAssertTrue(removed.contains("410 gone") && removed.contains("stopped (410 Gone)"), String(removed))

        let before = server.requests.count
        XCTAssertEqual(try feedwatch(["once"]).status, 0)
        let later = server.requests[before...].map(\.path)
        XCTAssertEqual(later, ["/new"], "the new URL is polled directly, the gone feed not at all")
    }

    func testReceiverDownThenUpAfterRestartGetsTheQueuedAlert() throws {
        let down = try HTTPTestServer { _ in .init(status: 200, text: "") }
        let port = down.port
        down.stop()
        try FeedFixtures.rss(FeedFixtures.outageStories(1)).write(
            to: directory.appendingPathComponent("feed.xml"), atomically: true, encoding: .utf8)
        try writeConfig(
            """
            feeds: [{url: "file:feed.xml", name: news, alert_on_first_poll: true}]
            rules: [{name: outages, any: [panne], notify: [hook]}]
            webhooks: [{name: hook, url: "http://127.0.0.1:\(port)/hook"}]
            """)
        let once = try feedwatch(["once"])
        XCTAssertTrue(once.stdout.contains("1 alerts, 0 deliveries made, 1 failed"), once.stdout)
        let outbox = try feedwatch(["outbox"]).stdout
        XCTAssertTrue(outbox.contains("pending") && outbox.contains("hook"), outbox)

        let receiver = try HTTPTestServer(port: port) { _ in .init(status: 200, text: "ok") }
        defer { receiver.stop() }
        let daemon = try startDaemon()
        // The retry is due about 5 s after the failed attempt.
        XCTAssertTrue(waitUntil(timeout: 15) { receiver.requests.count == 1 }, daemon.stderr)
        daemon.signal(SIGTERM)
        XCTAssertEqual(daemon.waitForExit(timeout: 10), 0)
        let alertID = try XCTUnwrap(receiver.requests.first?.header("webhook-id"))
        XCTAssertTrue(outbox.contains(alertID), "the alert queued by once is the one delivered: \(outbox)")
        XCTAssertEqual(try feedwatch(["outbox"]).stdout, "outbox empty: no pending or dead-lettered deliveries\n")
    }
}

/// `feedwatch webhook test NAME`.
final class WebhookTestCommandTests: DaemonTestCase {
    func testSendsASignedSampleAlertAndPrintsTheStatus() throws {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        let receiver = try HTTPTestServer { request in
            request.pathWithoutQuery == "/ok" ? .init(status: 202, text: "") : .init(status: 404, text: "")
        }
        defer { receiver.stop() }
        try writeConfig(
            """
            feeds: []
            rules: [{name: r, any: [x], notify: [ops]}]
            webhooks:
              - {name: ops, url: "\(receiver.url("/ok").absoluteString)", secret: "\(secret)", format: slack}
              - {name: broken, url: "\(receiver.url("/missing").absoluteString)"}
            """)
        let ok = try feedwatch(["webhook", "test", "ops"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(ok.stdout, "ops: HTTP 202 (delivered)\n")
        let request = try XCTUnwrap(receiver.requests.first)
        try StandardWebhooksVerifier(secret: secret).verify(
            headers: request.headers.map { ($0.name, $0.value) }, body: request.body)
        let body = try XCTUnwrap(JSONSerialization.jsonObject(with: request.body) as? [String: Any])
        XCTAssertNotNil(body["text"] as? String, "the webhook's own format (slack) is used")
        XCTAssertFalse(ok.stdout.contains(secret) || ok.stderr.contains(secret))

        let broken = try feedwatch(["webhook", "test", "broken"])
        XCTAssertEqual(broken.status, 1)
        XCTAssertEqual(broken.stdout, "broken: HTTP 404 (permanent failure)\n")
        let unknown = try feedwatch(["webhook", "test", "nope"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.stdout, "")
        XCTAssertTrue(unknown.stderr.hasPrefix("feedwatch: no destination named \"nope\""), unknown.stderr)
    }
}

/// `feedwatch outbox` and `feedwatch outbox retry`, run as the real executable.
final class OutboxCommandTests: DaemonTestCase {
    func testDeadLetterIsListedAndRetryPutsItBackInTheQueue() throws {
        let fixed = Flag()
        let receiver = try HTTPTestServer { _ in
            fixed.isSet ? .init(status: 200, text: "ok") : .init(status: 404, text: "")
        }
        defer { receiver.stop() }
        try FeedFixtures.rss(FeedFixtures.outageStories(1)).write(
            to: directory.appendingPathComponent("feed.xml"), atomically: true, encoding: .utf8)
        try writeConfig(
            """
            feeds: [{url: "file:feed.xml", name: news, alert_on_first_poll: true}]
            rules: [{name: outages, any: [panne], notify: [hook]}]
            webhooks: [{name: hook, url: "\(receiver.url("/hook").absoluteString)", secret: "whsec_c2VjcmV0LXZhbHVl"}]
            """)
        XCTAssertTrue(try feedwatch(["once"]).stdout.contains("1 failed"))
        let listed = try feedwatch(["outbox"]).stdout
        let row = try XCTUnwrap(listed.split(separator: "\n").first { $0.contains("dead") }, listed)
        XCTAssertTrue(row.contains("hook") && row.contains("HTTP 404") && row.contains("outages"), String(row))
        XCTAssertFalse(listed.contains("whsec_"), "secrets never shown")
        let id = try XCTUnwrap(row.split(separator: " ").first.map(String.init))

        XCTAssertEqual(try feedwatch(["outbox", "retry", "999"]).status, 1)
        let retried = try feedwatch(["outbox", "retry", id])
        XCTAssertEqual(retried.status, 0, retried.stderr)
        XCTAssertEqual(retried.stdout, "1 delivery(ies) queued again\n")
        XCTAssertTrue(try feedwatch(["outbox"]).stdout.contains("pending"))
        fixed.set()
        XCTAssertTrue(try feedwatch(["once"]).stdout.contains("1 deliveries made"))
        XCTAssertEqual(Set(receiver.requests.compactMap { $0.header("webhook-id") }).count, 1, "the same alert, twice")
        XCTAssertEqual(receiver.requests.count, 2)
        XCTAssertEqual(try feedwatch(["outbox"]).stdout, "outbox empty: no pending or dead-lettered deliveries\n")
    }
}

/// Deduplication through the whole pipeline: the daemon hands the store the keys it needs.
final class StoryDeduplicationTests: DaemonTestCase {
    func testTheSameStoryInTwoFeedsAlertsOncePerRule() throws {
        try FeedFixtures.rss([
            .init(
                guid: "a-1", title: "Panne géante chez Facebook ce matin",
                link: "https://www.news.example.org/panne?utm_source=rss")
        ]).write(to: directory.appendingPathComponent("a.xml"), atomically: true, encoding: .utf8)
        try FeedFixtures.rss([
            // Another guid, http and no www.: the same link once canonical.
            .init(guid: "b-77", title: "Facebook : panne géante ce matin", link: "http://news.example.org/panne#top"),
            // Another link, the same title but for case, accents and punctuation.
            .init(guid: "b-78", title: "PANNE GEANTE chez Facebook, ce matin !", link: "https://other.example.org/x"),
        ]).write(to: directory.appendingPathComponent("b.xml"), atomically: true, encoding: .utf8)
        try writeConfig(
            """
            feeds:
              - {url: "file:a.xml", name: a, alert_on_first_poll: true}
              - {url: "file:b.xml", name: b, alert_on_first_poll: true}
            rules: [{name: outages, any: [panne]}]
            """)
        let dry = try feedwatch(["once", "--dry-run"])
        XCTAssertEqual(dry.stdout.split(separator: "\n").count, 1, dry.stdout)
        let once = try feedwatch(["once"])
        XCTAssertTrue(once.stdout.contains("3 new items, 1 alerts"), once.stdout)
    }

    /// Fetches finish in any order; `once` records in configuration order all the same. Feed b
    /// (listed second) is answered first: its server holds a's document until b's was sent.
    func testTheSameStoryIsCreditedToTheFeedListedFirstWhicheverFetchFinishesFirst() throws {
        let bAnswered = DispatchSemaphore(value: 0)
        let a = FeedFixtures.rss([
            .init(guid: "a-1", title: "Panne géante chez Facebook ce matin", link: "https://news.example.org/panne")
        ])
        let b = FeedFixtures.rss([
            .init(guid: "b-1", title: "Facebook : panne géante ce matin", link: "http://www.news.example.org/panne"),
            .init(guid: "b-2", title: "PANNE GEANTE chez Facebook, ce matin !", link: "https://other.example.org/x"),
        ])
        let server = try HTTPTestServer { request in
            if request.pathWithoutQuery == "/b" {
                defer { bAnswered.signal() }
                return .init(status: 200, text: b)
            }
            _ = bAnswered.wait(timeout: .now() + 10)
            return .init(status: 200, text: a)
        }
        defer { server.stop() }
        try writeConfig(
            """
            feeds:
              - {url: "\(server.url("/a").absoluteString)", name: a, alert_on_first_poll: true}
              - {url: "\(server.url("/b").absoluteString)", name: b, alert_on_first_poll: true}
            rules: [{name: outages, any: [panne]}]
            """)
        let dry = try feedwatch(["once", "--dry-run"])
        let lines = dry.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, dry.stdout)
        XCTAssertTrue(lines.first?.contains("\"id\":\"a-1\"") == true, dry.stdout)
        let once = try feedwatch(["once"])
        XCTAssertEqual(once.status, 0, once.stderr)
        XCTAssertTrue(once.stdout.contains("3 new items, 1 alerts"), once.stdout)
    }
}

/// `once`'s exit status tells a script whether everything went through (SPEC §1).
final class OnceExitStatusTests: DaemonTestCase {
    private func configure(feedURL: String, webhookURL: String) throws {
        try writeConfig(
            """
            feeds: [{url: "\(feedURL)", name: news, alert_on_first_poll: true}]
            rules: [{name: outages, any: [panne], notify: [journal, hook]}]
            webhooks: [{name: hook, url: "\(webhookURL)"}]
            """)
    }

    func testZeroWhenEveryFeedIsPolledAndEveryAlertDelivered() throws {
        let receiver = try HTTPTestServer { _ in .init(status: 204, text: "") }
        defer { receiver.stop() }
        try FeedFixtures.rss(FeedFixtures.outageStories(2)).write(
            to: directory.appendingPathComponent("feed.xml"), atomically: true, encoding: .utf8)
        try configure(feedURL: "file:feed.xml", webhookURL: receiver.url("/hook").absoluteString)
        let once = try feedwatch(["once"])
        XCTAssertEqual(once.status, 0, once.stdout + once.stderr)
        XCTAssertEqual(receiver.requests.count, 2)
        XCTAssertEqual(try feedwatch(["once", "--dry-run"]).status, 0)
    }

    func testTwoWhenAFeedFails() throws {
        let server = try HTTPTestServer { _ in .init(status: 500, text: "down") }
        defer { server.stop() }
        try configure(feedURL: server.url("/feed").absoluteString, webhookURL: server.url("/hook").absoluteString)
        let once = try feedwatch(["once"])
        XCTAssertEqual(once.status, 2, once.stdout + once.stderr)
        XCTAssertTrue(once.stdout.hasPrefix("polled 1 feeds (1 failed)"), once.stdout)
        XCTAssertEqual(try feedwatch(["once", "--dry-run"]).status, 2)
    }

    func testTwoWhileADeliveryIsStillQueued() throws {
        let receiver = try HTTPTestServer { _ in .init(status: 503, text: "busy") }
        defer { receiver.stop() }
        try FeedFixtures.rss(FeedFixtures.outageStories(1)).write(
            to: directory.appendingPathComponent("feed.xml"), atomically: true, encoding: .utf8)
        try configure(feedURL: "file:feed.xml", webhookURL: receiver.url("/hook").absoluteString)
        let first = try feedwatch(["once"])
        XCTAssertEqual(first.status, 2, "a 503 leaves the alert queued for run")
        XCTAssertEqual(first.stdout, "polled 1 feeds (0 failed): 1 new items, 1 alerts, 1 deliveries made, 1 failed\n")
        XCTAssertTrue(try feedwatch(["outbox"]).stdout.contains("pending"))
        // Nothing new and the retry not due yet: the alert is still queued.
        let second = try feedwatch(["once"])
        XCTAssertEqual(second.status, 2)
        XCTAssertEqual(second.stdout, "polled 1 feeds (0 failed): 0 new items, 0 alerts, 0 deliveries made, 0 failed\n")
    }
}
