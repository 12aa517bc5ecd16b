import FeedwatchHTTP
import FeedwatchServe
import FeedwatchState
import Foundation
import TestSupport
import XCTest

/// The listener over a state the real pipeline filled (`PipelineFixture`), asked over loopback with
/// the project's libcurl client, as Prometheus, a script or a person's browser would.
final class StatusListenerTests: XCTestCase {
    private var fixture: PipelineFixture!
    private var store: SQLiteStateStore!
    private var listener: RunningListener!
    private var http: HTTPClient!
    private var client: ListenerClient { ListenerClient(http: http) }
    private let metrics = "# TYPE feedwatch_polls_total counter\nfeedwatch_polls_total{result=\"ok\"} 1\n"

    override func setUp() async throws {
        fixture = try await PipelineFixture()
        http = try HTTPClient(configuration: .init(concurrency: 4, perHost: 4))
    }

    override func tearDown() async throws {
        try await listener?.stop()
        store?.close()
        http?.shutdown()
        fixture?.remove()
    }

    private func start(token: String? = nil, liveness: Liveness = Liveness()) async throws {
        let (source, store) = try fixture.source(metrics: metrics)
        self.store = store
        listener = try await RunningListener.start(source: source, liveness: liveness, token: token)
    }

    func testThePipelineFilledTheState() {
        XCTAssertEqual(fixture.summary.alerts, 2, "two stories match the rule")
        XCTAssertEqual(fixture.summary.failedFeeds, 2, "one feed answers 500, one refuses connections")
    }

    func testAlertsAPIShowsRuleKeywordsItemAndEachDestinationsStatus() async throws {
        try await start()
        let answer = try await client.get(listener.url("/api/v1/alerts"))
        XCTAssertEqual(answer.status, 200, answer.text)
        XCTAssertEqual(answer.headers["Content-Type"], "application/json")
        let alerts = try APIJSON.decode([AlertSnapshot].self, from: answer.body)
        XCTAssertEqual(alerts.count, 2)
        let hostile = try XCTUnwrap(alerts.first { $0.item.link == "https://news.example.org/telegram" })
        XCTAssertEqual(hostile.rule, "outages")
        XCTAssertEqual(hostile.keywords, ["panne", "Télégram"])
        XCTAssertEqual(hostile.item.title, PipelineFixture.hostileTitle, "JSON carries the title as it is")
        XCTAssertEqual(hostile.feed.name, "news")
        let byName = Dictionary(uniqueKeysWithValues: hostile.destinations.map { ($0.name, $0) })
        XCTAssertEqual(Set(byName.keys), ["journal", "ops", "pager", "archive"])
        XCTAssertEqual(byName["journal"]?.status, .delivered)
        XCTAssertEqual(byName["journal"]?.type, "journal")
        XCTAssertEqual(byName["ops"]?.status, .delivered)
        XCTAssertEqual(byName["ops"]?.type, "webhook")
        XCTAssertEqual(byName["ops"]?.httpStatus, 204)
        XCTAssertNotNil(byName["ops"]?.deliveredAt)
        XCTAssertEqual(byName["pager"]?.status, .pending)
        XCTAssertEqual(byName["pager"]?.error, "HTTP 503")
        XCTAssertGreaterThan(try XCTUnwrap(byName["pager"]?.nextAttempt), hostile.detectedAt)
        XCTAssertEqual(byName["archive"]?.status, .dead)
        XCTAssertEqual(byName["archive"]?.error, "HTTP 404")

        // Dates are RFC 3339 in UTC.
        let raw = try XCTUnwrap(try JSONSerialization.jsonObject(with: answer.body) as? [[String: Any]])
        let detected = try XCTUnwrap(raw.first?["detected_at"] as? String)
        XCTAssertNotNil(
            detected.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"#, options: .regularExpression), detected)
    }

    func testAlertsAPIFiltersByRuleSinceAndLimit() async throws {
        try await start()
        let one = try await client.get(listener.url("/api/v1/alerts?limit=1"))
        XCTAssertEqual(try APIJSON.decode([AlertSnapshot].self, from: one.body).count, 1)
        let byRule = try await client.get(listener.url("/api/v1/alerts?rule=outages"))
        XCTAssertEqual(try APIJSON.decode([AlertSnapshot].self, from: byRule.body).count, 2)
        let otherRule = try await client.get(listener.url("/api/v1/alerts?rule=nothing"))
        XCTAssertEqual(try APIJSON.decode([AlertSnapshot].self, from: otherRule.body), [])
        let future = try await client.get(listener.url("/api/v1/alerts?since=2999-01-01T00:00:00Z"))
        XCTAssertEqual(try APIJSON.decode([AlertSnapshot].self, from: future.body), [])
        let past = try await client.get(listener.url("/api/v1/alerts?since=2020-01-01T00:00:00%2B01:00&rule=outages"))
        XCTAssertEqual(try APIJSON.decode([AlertSnapshot].self, from: past.body).count, 2)

        let badSince = try await client.get(listener.url("/api/v1/alerts?since=yesterday"))
        XCTAssertEqual(badSince.status, 400)
        XCTAssertTrue(badSince.text.contains("RFC 3339"), badSince.text)
        let badLimit = try await client.get(listener.url("/api/v1/alerts?limit=0"))
        XCTAssertEqual(badLimit.status, 400)
        let typo = try await client.get(listener.url("/api/v1/alerts?rul=outages"))
        XCTAssertEqual(typo.status, 400)
        XCTAssertTrue(typo.text.contains("unknown parameter \"rul\""), typo.text)
    }

    func testFeedsAPIShowsTheFailingFeedsWithTheirErrorAndPages() async throws {
        try await start()
        let all = try await client.get(listener.url("/api/v1/feeds"))
        XCTAssertEqual(all.status, 200, all.text)
        let snapshot = try APIJSON.decode(FeedsSnapshot.self, from: all.body)
        XCTAssertEqual(snapshot.counts, FeedCounts(total: 3, ok: 1, failing: 2, gone: 0, silent: 0))
        XCTAssertEqual(snapshot.feeds.map(\.name), ["news", "broken", "unreachable"], "configuration order")
        let broken = try XCTUnwrap(snapshot.feeds.first { $0.name == "broken" })
        XCTAssertEqual(broken.status, .failing)
        XCTAssertNotNil(broken.since)
        XCTAssertTrue(broken.error?.hasPrefix("500") == true, broken.error ?? "no error")
        XCTAssertEqual(broken.consecutiveErrors, 1)
        XCTAssertEqual(try XCTUnwrap(snapshot.feeds.first { $0.name == "unreachable" }).status, .failing)
        let news = try XCTUnwrap(snapshot.feeds.first { $0.name == "news" })
        XCTAssertEqual(news.status, .ok)
        XCTAssertEqual(news.tags, ["fr"])
        XCTAssertEqual(news.lastStatus, "200")

        let failing = try APIJSON.decode(
            FeedsSnapshot.self, from: try await client.get(listener.url("/api/v1/feeds?status=failing")).body)
        XCTAssertEqual(failing.matched, 2)
        XCTAssertEqual(failing.feeds.map(\.name), ["broken", "unreachable"])
        let page = try APIJSON.decode(
            FeedsSnapshot.self,
            from: try await client.get(listener.url("/api/v1/feeds?status=problem&limit=1&offset=1")).body)
        XCTAssertEqual(page.matched, 2)
        XCTAssertEqual(page.feeds.map(\.name), ["unreachable"])
        let ok = try APIJSON.decode(
            FeedsSnapshot.self, from: try await client.get(listener.url("/api/v1/feeds?status=ok")).body)
        XCTAssertEqual(ok.feeds.map(\.name), ["news"])
        let bad = try await client.get(listener.url("/api/v1/feeds?status=broken"))
        XCTAssertEqual(bad.status, 400)
        XCTAssertTrue(bad.text.contains("ok, failing, gone, silent") || bad.text.contains("gone, failing"), bad.text)
        let tooLarge = try await client.get(listener.url("/api/v1/feeds?limit=100000"))
        XCTAssertEqual(tooLarge.status, 400)
    }

    func testOutboxAPICountsPerDestinationAndListsDeadLettersWithReasons() async throws {
        try await start()
        let answer = try await client.get(listener.url("/api/v1/outbox"))
        XCTAssertEqual(answer.status, 200, answer.text)
        let outbox = try APIJSON.decode(OutboxSnapshot.self, from: answer.body)
        let byName = Dictionary(uniqueKeysWithValues: outbox.destinations.map { ($0.name, $0) })
        XCTAssertEqual(byName["pager"]?.pending, 2)
        XCTAssertEqual(byName["pager"]?.type, "webhook")
        XCTAssertNotNil(byName["pager"]?.nextAttempt)
        XCTAssertEqual(byName["archive"]?.dead, 2)
        XCTAssertNil(byName["ops"], "everything for ops was delivered")
        XCTAssertEqual(outbox.deadLetterCount, 2)
        XCTAssertEqual(outbox.deadLetters.map(\.destination), ["archive", "archive"])
        XCTAssertEqual(outbox.deadLetters.map(\.error), ["HTTP 404", "HTTP 404"])
        XCTAssertEqual(outbox.deadLetters.first?.rule, "outages")
    }

    func testMetricsHealthAndReadiness() async throws {
        let liveness = Liveness(staleAfter: 0.2)
        try await start(liveness: liveness)
        let metrics = try await client.get(listener.url("/metrics"))
        XCTAssertEqual(metrics.status, 200)
        XCTAssertEqual(metrics.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8")
        XCTAssertEqual(metrics.text, self.metrics)
        // Every answer is dated (RFC 9110 §6.6.1), to the second.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let dated = try XCTUnwrap(metrics.headers["Date"].flatMap(formatter.date(from:)), "\(metrics.headers)")
        XCTAssertLessThan(abs(dated.timeIntervalSinceNow), 60)

        let notReady = try await client.get(listener.url("/readyz"))
        XCTAssertEqual(notReady.status, 503, "not ready before setReady")
        liveness.setReady(true)
        let ready = try await client.get(listener.url("/readyz"))
        XCTAssertEqual(ready.status, 200)

        let healthy = try await client.get(listener.url("/healthz"))
        XCTAssertEqual(healthy.status, 200, "no loop has beaten yet: nothing is stuck")
        XCTAssertEqual(healthy.text, "ok\n")
        // The main loop beats once, then stops: the answer turns once staleAfter has passed.
        liveness.beat("main")
        var stuck = ListenerClient.Answer(status: 0, headers: [:], body: Data())
        try await eventually("/healthz answers 503") {
            stuck = try await client.get(listener.url("/healthz"))
            return stuck.status == 503
        }
        XCTAssertTrue(stuck.text.contains("main loop"), stuck.text)
        // Beating again makes it healthy (each try beats just before asking).
        try await eventually("/healthz answers 200 again") {
            liveness.beat("main")
            return try await client.get(listener.url("/healthz")).status == 200
        }

        let head = try await client.get(listener.url("/metrics"), method: "HEAD")
        XCTAssertEqual(head.status, 200)
        XCTAssertTrue(head.body.isEmpty)
        let post = try await client.get(listener.url("/metrics"), method: "POST")
        XCTAssertEqual(post.status, 405)
        XCTAssertEqual(post.headers["Allow"], "GET, HEAD")
    }

    func testWithATokenEveryPathNeedsIt() async throws {
        let token = "listener-token-0b7e"
        try await start(token: token)
        for path in [
            "/", "/metrics", "/healthz", "/readyz", "/api/v1/feeds", "/api/v1/alerts", "/api/v1/outbox", "/nope",
        ] {
            let without = try await client.get(listener.url(path))
            XCTAssertEqual(without.status, 401, path)
            XCTAssertTrue(without.headers["WWW-Authenticate"]?.hasPrefix("Bearer") == true, path)
            XCTAssertFalse(without.text.contains(token))
            let wrong = try await client.get(listener.url(path), token: "listener-token-0b7f")
            XCTAssertEqual(wrong.status, 401, path)
            XCTAssertTrue(wrong.headers["WWW-Authenticate"]?.contains("invalid_token") == true, path)
            let with = try await client.get(listener.url(path), token: token)
            XCTAssertEqual(with.status, path == "/nope" ? 404 : path == "/readyz" ? 503 : 200, path)
        }
        let shortToken = try await client.get(listener.url("/metrics"), token: String(token.dropLast()))
        XCTAssertEqual(shortToken.status, 401)
    }

    func testNoSecretOfTheConfigurationInAnyAnswer() async throws {
        try await start()
        var answers: [String] = []
        for path in [
            "/", "/metrics", "/healthz", "/readyz", "/api/v1/feeds", "/api/v1/feeds?status=failing", "/api/v1/alerts",
            "/api/v1/outbox",
        ] {
            let answer = try await client.get(listener.url(path))
            answers.append(answer.text + answer.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n"))
        }
        for secret in PipelineFixture.secrets {
            for (index, answer) in answers.enumerated() {
                XCTAssertFalse(answer.contains(secret), "answer \(index) shows \(secret)")
            }
        }
        let feeds = try APIJSON.decode(
            FeedsSnapshot.self, from: try await client.get(listener.url("/api/v1/feeds")).body)
        let broken = try XCTUnwrap(feeds.feeds.first { $0.name == "broken" })
        XCTAssertTrue(broken.url.hasSuffix("/down.xml?key=…"), "the query's name stays, its value goes: \(broken.url)")
    }

    func testAPortInUseEndsRunWithAClearError() async throws {
        let occupant = try HTTPTestServer { _ in .init(status: 200, text: "") }
        defer { occupant.stop() }
        let (source, store) = try fixture.source()
        self.store = store
        let listener = makeListener(
            settings: ListenerSettings(host: "127.0.0.1", port: occupant.port, token: nil), source: source,
            liveness: Liveness(), logger: .init(label: "test"))
        do {
            try await listener.run()
            XCTFail("run() returned while another socket holds the port")
        } catch let error as ListenerError {
            XCTAssertEqual(error.port, occupant.port)
            XCTAssertTrue(error.description.contains("127.0.0.1:\(occupant.port)"), error.description)
            XCTAssertTrue(error.description.contains("address already in use"), error.description)
        }
    }
}
