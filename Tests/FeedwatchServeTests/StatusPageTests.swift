import FeedwatchHTTP
import FeedwatchServe
import FeedwatchState
import Foundation
import TestSupport
import XCTest

/// The status page at `/`, over the state the real pipeline filled: its HTML as served, and the
/// DOM a real browser (Debian's chromium, headless) builds from it.
final class StatusPageTests: XCTestCase {
    private var fixture: PipelineFixture!
    private var store: SQLiteStateStore!
    private var listener: RunningListener!
    private var http: HTTPClient!

    override func setUp() async throws {
        fixture = try await PipelineFixture()
        http = try HTTPClient(configuration: .init(concurrency: 2, perHost: 2))
        let (source, store) = try fixture.source()
        self.store = store
        let liveness = Liveness()
        liveness.setReady(true)
        listener = try await RunningListener.start(source: source, liveness: liveness)
    }

    override func tearDown() async throws {
        try await listener?.stop()
        store?.close()
        http?.shutdown()
        fixture?.remove()
    }

    func testPageIsSelfContainedAndKeepsAHostileTitleAsText() async throws {
        let answer = try await ListenerClient(http: http).get(listener.url("/"))
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(answer.headers["Content-Type"], "text/html; charset=utf-8")
        XCTAssertTrue(answer.headers["Content-Security-Policy"]?.contains("default-src 'none'") == true)
        let html = answer.text
        XCTAssertTrue(html.contains(#"<meta name="viewport" content="width=device-width, initial-scale=1">"#))
        XCTAssertFalse(html.contains("<script"), "no script, and the title's <script> is escaped")
        XCTAssertTrue(
            html.contains("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &lt;b&gt;co&lt;/b&gt;"))
        XCTAssertTrue(html.contains("<mark>Panne</mark> chez <mark>Télégram</mark> &lt;script&gt;"), html)
        XCTAssertFalse(html.contains("src=\"http"), "no external asset")
        XCTAssertFalse(html.contains("href=\"http://") && html.contains("stylesheet"), "no external stylesheet")
        XCTAssertTrue(html.contains("@media (max-width: 600px)"), "one column on a phone")
    }

    func testChromiumShowsFeedsHighlightedKeywordsAndTheFailingFeed() throws {
        let dom = try HeadlessChromium.dumpDOM(listener.url("/"))

        for feed in ["news", "broken", "unreachable"] {
            XCTAssertTrue(dom.contains(#"<b class="feed-name">\#(feed)</b>"#), "feed \(feed) is listed")
        }
        // The title is text with its keywords in <mark>: the browser made no element of its <script>.
        XCTAssertTrue(dom.contains("<mark>Panne</mark> chez <mark>Télégram</mark> &lt;script&gt;"), dom)
        XCTAssertTrue(dom.contains("<mark>panne</mark> du réseau mobile"), dom)
        XCTAssertFalse(dom.contains("<script"), "no script element in the DOM")
        XCTAssertFalse(dom.contains("<b>co</b>"), "the title's markup stays text")

        // The failing feed is in the problems section, marked failing, with its error.
        let problems = try XCTUnwrap(section("problems", of: dom))
        XCTAssertTrue(problems.contains(#"<li class="feed failing">"#), problems)
        XCTAssertTrue(problems.contains(#"<b class="feed-name">broken</b>"#), problems)
        XCTAssertTrue(problems.contains("500"), "the error is shown: \(problems)")
        XCTAssertFalse(problems.contains(#"<b class="feed-name">news</b>"#), "a feed that polls fine is not a problem")
        let others = try XCTUnwrap(section("feeds", of: dom))
        XCTAssertTrue(others.contains(#"<li class="feed ok">"#), others)

        // Each destination's status under the alert, and the dead letters with their reason.
        let alerts = try XCTUnwrap(section("alerts", of: dom))
        XCTAssertTrue(alerts.contains(#"<span class="pill delivered">delivered</span> <b>ops</b>"#), alerts)
        XCTAssertTrue(alerts.contains(#"<span class="pill dead">dead</span> <b>archive</b>"#), alerts)
        XCTAssertTrue(alerts.contains(#"<span class="pill pending">pending</span> <b>pager</b>"#), alerts)
        let outbox = try XCTUnwrap(section("outbox", of: dom))
        XCTAssertTrue(outbox.contains("HTTP 404"), outbox)
        XCTAssertTrue(outbox.contains("feedwatch outbox retry"), outbox)
    }

    /// The HTML of `<section id="ID">` in `dom`.
    private func section(_ id: String, of dom: String) -> String? {
        guard let start = dom.range(of: "<section id=\"\(id)\"") else { return nil }
        guard let end = dom.range(of: "</section>", range: start.upperBound..<dom.endIndex) else { return nil }
        return String(dom[start.lowerBound..<end.upperBound])
    }
}

/// The screenshot step of `make screenshot` (contrib/screenshot.sh) over the same demo, contrib/demo,
/// polled in-process by `OnceRunner` and served by a listener the test starts: chromium, headless, at
/// the script's window size. With `FEEDWATCH_SCREENSHOT=PATH` the picture is kept there
/// (`docs/status-page.png` was made so, before `feedwatch run` could serve `http:`).
final class StatusPageScreenshotTests: XCTestCase {
    func testChromiumTakesAScreenshotOfTheDemosStatusPage() async throws {
        let demo = try await DemoFixture()
        defer { demo.remove() }
        XCTAssertEqual(demo.summary.alerts, 3, "two outages and one advisory")
        XCTAssertEqual(demo.summary.failedFeeds, 2, "a missing file and an unreachable host")
        let (source, store) = try demo.source()
        defer { store.close() }
        let liveness = Liveness()
        liveness.setReady(true)
        let listener = try await RunningListener.start(source: source, liveness: liveness)
        let path =
            ProcessInfo.processInfo.environment["FEEDWATCH_SCREENSHOT"]
            ?? demo.directory.appendingPathComponent("status-page.png").path
        let taken = Result { try HeadlessChromium.screenshot(listener.url("/"), to: path, width: 1200, height: 1400) }
        try await listener.stop()
        try taken.get()
        let png = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "a PNG")
        XCTAssertGreaterThan(png.count, 20_000, "more than a blank page")
    }
}
