import Foundation
import TestSupport
import XCTest

/// Several `feedwatch run` on one PostgreSQL database (SPEC §9): the feeds are shared out by
/// leases, every alert is delivered once, an instance killed with SIGKILL has its feeds and its
/// deliveries taken over within a lease period, and a database restart loses nothing.
final class SharedStateTests: DaemonTestCase {
    nonisolated(unsafe) private static var server: PostgresTestServer?
    nonisolated(unsafe) private static var databases = 0
    /// Short, so that a takeover happens within a test's patience; the default is 60 s.
    static let lease = "2s"

    override class func tearDown() {
        server?.shutdown()
        server = nil
        super.tearDown()
    }

    private var database: PostgresTestServer!
    private var databaseName = ""
    /// The daemons read the password from the environment, as the README shows.
    private var environment: [String: String] { ["DB_PASSWORD": database.password] }

    override func setUpWithError() throws {
        try super.setUpWithError()
        if Self.server == nil { Self.server = try PostgresTestServer() }
        database = Self.server
        Self.databases += 1
        databaseName = "shared_\(Self.databases)"
        try database.psql("CREATE DATABASE \(databaseName) OWNER \(PostgresTestServer.user)", superuser: true)
    }

    /// The `database:` block of the configuration.
    private var databaseSettings: String {
        let url = "postgres://\(PostgresTestServer.user):${DB_PASSWORD}@127.0.0.1:\(database.port)/\(databaseName)"
        return "database: {url: \"\(url)\", lease: \(Self.lease)}"
    }

    /// `count` feeds of `items` stories each, every story its own (no two feeds share one).
    private func writeFeeds(_ count: Int, items: Int, round: Int = 0) throws {
        for feed in 0..<count {
            let stories = (0..<items).map { index in
                FeedFixtures.Story(
                    guid: "f\(feed)-r\(round)-\(index)", title: "Panne \(feed)-\(round)-\(index) du réseau",
                    link: "https://news.example.org/f\(feed)/r\(round)/\(index)")
            }
            try FeedFixtures.rss(stories).write(
                to: directory.appendingPathComponent("f\(feed).xml"), atomically: true, encoding: .utf8)
        }
    }

    private func writeSharedConfig(feeds: Int, receiver: HTTPTestServer, interval: String = "30s") throws {
        let feedList = (0..<feeds).map { "  - {url: \"file:f\($0).xml\", name: feed-\($0)}" }.joined(separator: "\n")
        try writeConfig(
            """
            \(databaseSettings)
            defaults: {interval: \(interval), alert_on_first_poll: true}
            feeds:
            \(feedList)
            rules: [{name: outages, any: [panne], notify: [hook]}]
            webhooks: [{name: hook, url: "\(receiver.url("/hook").absoluteString)"}]
            """)
    }

    private func alertIDs(_ receiver: HTTPTestServer) -> [String] {
        receiver.requests.compactMap { request in
            (try? JSONSerialization.jsonObject(with: request.body) as? [String: Any])?["alert_id"] as? String
        }
    }

    func testTwoInstancesShareTheFeedsAndDeliverEveryAlertOnce() throws {
        let receiver = try HTTPTestServer { _ in .init(status: 200, text: "ok") }
        defer { receiver.stop() }
        try writeFeeds(40, items: 3)
        try writeSharedConfig(feeds: 40, receiver: receiver)
        let first = try startDaemon(environment: environment)
        let second = try startDaemon(environment: environment)
        XCTAssertTrue(waitUntil(timeout: 60) { Set(self.alertIDs(receiver)).count == 120 }, first.stderr + second.stderr)
        // Within a few lease turns each holds its half.
        XCTAssertTrue(
            waitUntil(timeout: 30) {
                first.stderr.contains("feed leases: 20 held") && second.stderr.contains("feed leases: 20 held")
            }, first.stderr + second.stderr)
        // New stories after the split: polled by whichever holds each feed, still once each.
        try writeFeeds(40, items: 3, round: 1)
        XCTAssertTrue(waitUntil(timeout: 60) { Set(self.alertIDs(receiver)).count == 240 }, first.stderr + second.stderr)
        for daemon in [first, second] {
            daemon.signal(SIGTERM)
            XCTAssertEqual(daemon.waitForExit(timeout: 10), 0, daemon.stderr)
        }
        XCTAssertEqual(alertIDs(receiver).count, 240, "no alert delivered twice")
        XCTAssertEqual(
            try feedwatch(["outbox"], environment: environment).stdout,
            "outbox empty: no pending or dead-lettered deliveries\n")
        let state = try feedwatch(["state"], environment: environment).stdout
        XCTAssertTrue(state.contains("feed-39"), state)
        XCTAssertFalse(state.contains("never"), "every feed was polled: \(state)")
    }

    func testAnInstanceKilledWhilePollingAndDeliveringIsTakenOverWithinALeasePeriod() throws {
        // Slow deliveries: the killed instance has some in flight.
        let receiver = try HTTPTestServer { _ in .init(status: 200, text: "ok", delay: 0.05) }
        defer { receiver.stop() }
        try writeFeeds(40, items: 2)
        try writeSharedConfig(feeds: 40, receiver: receiver)
        let doomed = try startDaemon(environment: environment)
        let survivor = try startDaemon(environment: environment)
        XCTAssertTrue(waitUntil(timeout: 60) { Set(self.alertIDs(receiver)).count == 80 }, doomed.stderr)
        XCTAssertTrue(
            waitUntil(timeout: 30) {
                doomed.stderr.contains("feed leases: 20 held") && survivor.stderr.contains("feed leases: 20 held")
            }, doomed.stderr + survivor.stderr)
        let before = receiver.requests.count
        try writeFeeds(40, items: 5, round: 1)
        // Killed once its polls of the new stories have queued deliveries, mid-way through them.
        XCTAssertTrue(waitUntil(timeout: 30) { receiver.requests.count >= before + 20 })
        doomed.signal(SIGKILL)
        _ = doomed.waitForExit(timeout: 5)
        XCTAssertTrue(
            waitUntil(timeout: 60) { Set(self.alertIDs(receiver)).count == 280 },
            "\(Set(alertIDs(receiver)).count) of 280; \(survivor.stderr)")
        XCTAssertTrue(survivor.stderr.contains("feed leases: 40 held"), survivor.stderr)
        survivor.signal(SIGTERM)
        XCTAssertEqual(survivor.waitForExit(timeout: 10), 0, survivor.stderr)
        let duplicates = alertIDs(receiver).count - 280
        // Only what the killed instance had claimed (4 per destination at most) goes twice.
        XCTAssertLessThanOrEqual(duplicates, 4, "\(duplicates) duplicate deliveries")
    }

    func testTheDatabaseRestartedUnderARunningDaemonLosesNothing() throws {
        let receiver = try HTTPTestServer { _ in .init(status: 200, text: "ok") }
        defer { receiver.stop() }
        try writeFeeds(4, items: 2)
        try writeSharedConfig(feeds: 4, receiver: receiver)
        let daemon = try startDaemon(environment: environment)
        XCTAssertTrue(waitUntil(timeout: 60) { Set(self.alertIDs(receiver)).count == 8 }, daemon.stderr)
        try database.stop(.fast)
        try writeFeeds(4, items: 3, round: 1)
        // Polls and lease turns fail while it is down; the daemon waits and retries.
        XCTAssertTrue(waitUntil(timeout: 30) { daemon.stderr.contains("database:") }, daemon.stderr)
        try database.start()
        XCTAssertTrue(
            waitUntil(timeout: 90) { Set(self.alertIDs(receiver)).count == 20 },
            "\(Set(alertIDs(receiver)).count) of 20; \(daemon.stderr)")
        XCTAssertTrue(daemon.isRunning)
        daemon.signal(SIGTERM)
        XCTAssertEqual(daemon.waitForExit(timeout: 10), 0, daemon.stderr)
        XCTAssertEqual(alertIDs(receiver).count, 20, "no alert twice")
    }

    /// `once` on PostgreSQL overlaps recordings with the outcome of recording the feeds in
    /// configuration order: a story in two feeds is credited to the one listed first, even when its
    /// fetch finishes last and the feeds between them (nothing to alert) are recorded meanwhile.
    func testOnceCreditsAStoryToTheFeedListedFirstWhicheverFetchFinishesFirst() throws {
        let quiet = 12
        let lastAnswered = DispatchSemaphore(value: 0)
        let first = FeedFixtures.rss([
            .init(guid: "a-1", title: "Panne géante chez Facebook ce matin", link: "https://news.example.org/panne")
        ])
        let last = FeedFixtures.rss([
            .init(guid: "z-1", title: "Facebook : panne géante ce matin", link: "http://www.news.example.org/panne")
        ])
        let calm = FeedFixtures.rss([
            .init(guid: "q-1", title: "Nothing to report today at all", link: "https://calm.example.org/1")
        ])
        let server = try HTTPTestServer { request in
            switch request.pathWithoutQuery {
            case "/a":
                _ = lastAnswered.wait(timeout: .now() + 10)
                return .init(status: 200, text: first)
            case "/z":
                defer { lastAnswered.signal() }
                return .init(status: 200, text: last)
            default:
                return .init(status: 200, text: calm)
            }
        }
        defer { server.stop() }
        let quietFeeds = (0..<quiet).map { "  - {url: \"\(server.url("/q\($0)").absoluteString)\", name: quiet-\($0)}" }
        try writeConfig(
            """
            \(databaseSettings)
            defaults: {alert_on_first_poll: true}
            feeds:
              - {url: "\(server.url("/a").absoluteString)", name: a}
            \(quietFeeds.joined(separator: "\n"))
              - {url: "\(server.url("/z").absoluteString)", name: z}
            rules: [{name: outages, any: [panne]}]
            """)
        let once = try feedwatch(["once"], environment: environment)
        XCTAssertEqual(once.status, 0, once.stderr)
        XCTAssertTrue(once.stdout.contains("\(quiet + 2) new items, 1 alerts"), once.stdout)
        XCTAssertTrue(once.stderr.contains("[feed=a] 1 alert(s)"), once.stderr)
        XCTAssertFalse(once.stderr.contains("[feed=z] 1 alert(s)"), once.stderr)
    }

    func testKillNineLoopOnPostgreSQL() throws {
        try killNineLoop(settings: databaseSettings, environment: environment)
    }

    func testAnUnreachableDatabaseAtStartIsOneClearError() throws {
        let port = try PostgresTestServer.freePort()
        try writeConfig(
            """
            database: "postgres://feedwatch:secret@127.0.0.1:\(port)/feedwatch?connect_timeout=2"
            feeds: []
            rules: [{name: outages, any: [panne]}]
            """)
        let daemon = try startDaemon()
        XCTAssertEqual(daemon.waitForExit(timeout: 20), 1, daemon.stderr)
        XCTAssertTrue(daemon.stderr.contains("127.0.0.1:\(port)/feedwatch"), daemon.stderr)
        XCTAssertFalse(daemon.stderr.contains("secret"), "the password is never printed")
    }
}
