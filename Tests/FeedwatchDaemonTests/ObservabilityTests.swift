import Foundation
import TestSupport
import XCTest

/// `feedwatch run` with `http.listen`, seen from outside as Prometheus, a load balancer and a
/// person's browser see it: the metrics parsed by Prometheus' own Python parser, the token, and
/// the status page in Chromium.
final class ObservabilityTests: DaemonTestCase {
    /// Starts the daemon and returns it with the base URL its listener opened (port 0: a free one).
    private func startListeningDaemon() throws -> (DaemonProcess, URL) {
        let daemon = try startDaemon()
        var port: Int?
        XCTAssertTrue(
            waitUntil(timeout: 20) {
                port = Self.listeningPort(in: daemon.stderr)
                return port != nil
            }, daemon.stderr)
        return (daemon, URL(string: "http://127.0.0.1:\(try XCTUnwrap(port))")!)
    }

    private static func listeningPort(in log: String) -> Int? {
        guard let range = log.range(of: "http: listening on 127.0.0.1:") else { return nil }
        return Int(log[range.upperBound...].prefix { $0.isNumber })
    }

    private func get(_ url: URL, token: String? = nil) throws -> (status: Int, body: String) {
        try FeedwatchProcess.httpGet(url, bearer: token)
    }

    /// The samples of a scrape as Prometheus reads them: `name{label="v",…}` → value, through
    /// `prometheus_client`'s text parser (which refuses a malformed exposition).
    private func scrape(_ base: URL) throws -> [String: Double] {
        let answer = try get(base.appendingPathComponent("metrics"))
        XCTAssertEqual(answer.status, 200)
        let script = """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            samples = {}
            for family in text_string_to_metric_families(sys.stdin.read()):
                for s in family.samples:
                    labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
                    samples[s.name + ("{" + labels + "}" if labels else "")] = s.value
            print(json.dumps(samples))
            """
        let parsed = try FeedwatchProcess.runProgram("/usr/bin/python3", ["-c", script], input: Data(answer.body.utf8))
        XCTAssertEqual(parsed.status, 0, "the exposition does not parse: \(parsed.stderr)\n\(answer.body)")
        let data = Data(parsed.stdout.utf8)
        return try JSONDecoder().decode([String: Double].self, from: data)
    }

    func testMetricsParseAsPrometheusTextAndMoveWithAPollAndADelivery() throws {
        let feed = try HTTPTestServer { _ in
            .init(status: 200, text: FeedFixtures.rss(FeedFixtures.outageStories(2)))
        }
        defer { feed.stop() }
        // The receiver holds the delivery until the test has looked at the metrics in between.
        let release = DispatchSemaphore(value: 0)
        let hook = try HTTPTestServer { _ in
            release.wait()
            return .init(status: 204, text: "")
        }
        defer {
            release.signal()
            hook.stop()
        }
        try writeConfig(
            """
            http: {listen: "127.0.0.1:0"}
            feeds: [{url: "\(feed.url("/feed.xml").absoluteString)", name: news, alert_on_first_poll: true}]
            rules: [{name: outages, any: [panne], notify: [hook]}]
            webhooks: [{name: hook, url: "\(hook.url("/hook").absoluteString)"}]
            """)
        let (daemon, base) = try startListeningDaemon()
        XCTAssertTrue(waitUntil(timeout: 10) { hook.requests.count >= 1 }, daemon.stderr)

        // Polled and queued, the delivery in flight.
        let during = try scrape(base)
        XCTAssertEqual(during["feedwatch_polls_total{result=\"ok\"}"], 1)
        XCTAssertEqual(during["feedwatch_polls_total{result=\"failed\"}"], 0)
        XCTAssertEqual(during["feedwatch_items_parsed_total"], 2)
        XCTAssertEqual(during["feedwatch_alerts_total{rule=\"outages\"}"], 2)
        XCTAssertEqual(during["feedwatch_poll_duration_seconds_count"], 1)
        XCTAssertEqual(during["feedwatch_outbox_pending{destination=\"hook\"}"], 2)
        XCTAssertEqual(during["feedwatch_outbox_dead{destination=\"hook\"}"], 0)
        XCTAssertEqual(during["feedwatch_deliveries_total{destination=\"hook\",outcome=\"delivered\"}"] ?? 0, 0)
        XCTAssertEqual(during["feedwatch_feeds{status=\"ok\"}"], 1)
        XCTAssertEqual(during["feedwatch_feeds{status=\"failing\"}"], 0)
        XCTAssertGreaterThan(during["process_cpu_seconds_total"] ?? 0, 0)
        XCTAssertGreaterThan(during["process_resident_memory_bytes"] ?? 0, 1_000_000)
        XCTAssertGreaterThan(during["process_virtual_memory_bytes"] ?? 0, during["process_resident_memory_bytes"] ?? 0)
        XCTAssertGreaterThanOrEqual(during["process_open_fds"] ?? 0, 4, "stdio, the listener, the database")
        XCTAssertLessThan(during["process_open_fds"] ?? 0, during["process_max_fds"] ?? 0)
        let started = during["process_start_time_seconds"] ?? 0
        XCTAssertLessThan(abs(started - Date().timeIntervalSince1970), 600, "the daemon started moments ago")
        XCTAssertFalse(during.keys.contains { $0.contains("feed=") }, "no per-feed label")

        release.signal()
        release.signal()
        var after: [String: Double] = [:]
        XCTAssertTrue(
            waitUntil(timeout: 10) {
                after = (try? self.scrape(base)) ?? [:]
                return after["feedwatch_outbox_pending{destination=\"hook\"}"] == 0
            }, daemon.stderr)
        let delivered = (after["feedwatch_deliveries_total{destination=\"hook\",outcome=\"delivered\"}"] ?? 0)
        XCTAssertEqual(delivered, Double(hook.requests.count), "one per message sent")
        XCTAssertEqual(after["feedwatch_delivery_latency_seconds_count"], delivered)
        XCTAssertGreaterThanOrEqual(
            after["process_cpu_seconds_total"] ?? 0, during["process_cpu_seconds_total"] ?? 0,
            "CPU time never goes back (it moves in ticks of 10 ms, so it may not have moved at all)")

        daemon.signal(SIGTERM)
        XCTAssertEqual(daemon.waitForExit(timeout: 10), 0, daemon.stderr)
    }

    func testEveryPathNeedsTheTokenWhenOneIsSet() throws {
        try writeConfig(
            """
            http: {listen: "127.0.0.1:0", token: "${FW_TEST_TOKEN}"}
            feeds: []
            rules: [{name: outages, any: [panne]}]
            """)
        setenv("FW_TEST_TOKEN", "s3cret-token", 1)
        defer { unsetenv("FW_TEST_TOKEN") }
        let (daemon, base) = try startListeningDaemon()
        for path in ["/", "/metrics", "/healthz", "/readyz", "/api/v1/feeds", "/api/v1/alerts", "/api/v1/outbox"] {
            let url = URL(string: base.absoluteString + path)!
            XCTAssertEqual(try get(url).status, 401, path)
            XCTAssertEqual(try get(url, token: "wrong").status, 401, path)
            XCTAssertEqual(try get(url, token: "s3cret-token").status, 200, path)
        }
        XCTAssertFalse(daemon.stderr.contains("s3cret-token"), "the token is never logged")
        daemon.signal(SIGTERM)
        XCTAssertEqual(daemon.waitForExit(timeout: 10), 0, daemon.stderr)
    }

    func testAListenerReachableFromOtherMachinesWithoutATokenIsRefusedAtCheck() throws {
        try writeConfig(
            """
            http: {listen: "0.0.0.0:9797"}
            feeds: []
            rules: [{name: outages, any: [panne]}]
            """)
        let result = try feedwatch(["check"])
        XCTAssertEqual(result.status, 78)
        XCTAssertTrue(result.stderr.contains("\(configPath):2:"), result.stderr)
        XCTAssertTrue(result.stderr.contains("token"), result.stderr)
    }

    func testTheStatusPageOfARunningDaemonInARealBrowser() throws {
        let feed = try HTTPTestServer { request in
            request.path == "/broken.xml"
                ? .init(status: 500, text: "down")
                : .init(status: 200, text: FeedFixtures.rss(FeedFixtures.outageStories(1)))
        }
        defer { feed.stop() }
        try writeConfig(
            """
            http: {listen: "127.0.0.1:0"}
            health: {failing_after: 0}
            feeds:
              - {url: "\(feed.url("/news.xml").absoluteString)", name: lemonde-une, alert_on_first_poll: true}
              - {url: "\(feed.url("/broken.xml").absoluteString)", name: broken-feed}
            rules: [{name: outages, any: [panne]}]
            """)
        let (daemon, base) = try startListeningDaemon()
        XCTAssertTrue(
            waitUntil(timeout: 15) { feed.requests.contains { $0.path == "/broken.xml" } && daemon.stderr.contains("alert") },
            daemon.stderr)
        // Poll states reach the store in batches every couple of seconds: the page shows the failure
        // once its batch is written.
        let failingNearName = #"broken-feed[\s\S]{0,400}failing|failing[\s\S]{0,400}broken-feed"#
        var dom = ""
        XCTAssertTrue(
            waitUntil(timeout: 20) {
                dom = (try? HeadlessChromium.dumpDOM(base)) ?? ""
                return dom.contains("<mark") && dom.range(of: failingNearName, options: .regularExpression) != nil
            }, dom)
        XCTAssertTrue(dom.contains("lemonde-une"), dom)
        XCTAssertTrue(dom.range(of: #"<mark[^>]*>panne</mark>"#, options: [.regularExpression, .caseInsensitive]) != nil, dom)
        daemon.signal(SIGTERM)
        XCTAssertEqual(daemon.waitForExit(timeout: 10), 0, daemon.stderr)
    }
}
