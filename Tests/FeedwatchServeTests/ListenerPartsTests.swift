import Foundation
import XCTest

@testable import FeedwatchServe

/// The listener's small parts on their own: URL redaction, the token comparison, liveness, and the
/// marking of keywords in titles.
final class ListenerPartsTests: XCTestCase {
    func testDisplayURLHidesCredentialsAndQueryValuesButKeepsNames() {
        XCTAssertEqual(
            DisplayURL.redacted("https://github.com/me.private.atom?token=ABC123"),
            "https://github.com/me.private.atom?token=…")
        XCTAssertEqual(
            DisplayURL.redacted("https://user:pw@example.org/feed?a=1&b&c=3#frag"), "https://example.org/feed?a=…&b&c=…"
        )
        XCTAssertEqual(DisplayURL.redacted("https://example.org/feed.xml"), "https://example.org/feed.xml")
        XCTAssertEqual(DisplayURL.redacted("file:///srv/feeds/demo.xml"), "file:///srv/feeds/demo.xml")
        XCTAssertEqual(
            DisplayURL.redacting("https://e.org/f?k=SECRET", in: "500: HTTP status 500 from https://e.org/f?k=SECRET"),
            "500: HTTP status 500 from https://e.org/f?k=…")
    }

    func testBearerTokenComparison() {
        typealias Auth = BearerToken
        let secret = Array("s3cret-token".utf8)
        XCTAssertTrue(Auth.constantTimeEquals(Array("s3cret-token".utf8), secret))
        XCTAssertFalse(Auth.constantTimeEquals(Array("s3cret-tokeN".utf8), secret))
        XCTAssertFalse(Auth.constantTimeEquals(Array("s3cret-token-and-more".utf8), secret))
        XCTAssertFalse(Auth.constantTimeEquals(Array("s3cret".utf8), secret))
        XCTAssertFalse(Auth.constantTimeEquals([], secret))
        XCTAssertFalse(Auth.constantTimeEquals([], []), "an empty token lets nobody in")
        XCTAssertEqual(Auth.credentials("Bearer abc"), "abc")
        XCTAssertEqual(Auth.credentials("bearer  abc"), "abc")
        XCTAssertNil(Auth.credentials("Basic YWJj"))
        XCTAssertNil(Auth.credentials("Bearer"))
        XCTAssertNil(Auth.credentials(nil))
    }

    func testLivenessWatchesOnlyLoopsThatBeat() {
        let start = Date(timeIntervalSince1970: 1_000_000)
        let liveness = Liveness(staleAfter: 30)
        XCTAssertTrue(liveness.isLive(now: start), "no loop has beaten yet")
        liveness.beat("main", now: start)
        liveness.beat("delivery", now: start.addingTimeInterval(20))
        XCTAssertTrue(liveness.isLive(now: start.addingTimeInterval(30)))
        XCTAssertFalse(liveness.isLive(now: start.addingTimeInterval(31)))
        XCTAssertEqual(liveness.stuckLoops(now: start.addingTimeInterval(51)).map(\.loop), ["main", "delivery"])
        XCTAssertEqual(
            liveness.stuckText(now: start.addingTimeInterval(51)),
            "stuck: the main loop has not turned for 51s (more than 30s); also stuck: delivery")
        XCTAssertNil(liveness.stuckText(now: start.addingTimeInterval(30)))
        liveness.beat("main", now: start.addingTimeInterval(40))
        XCTAssertTrue(liveness.isLive(now: start.addingTimeInterval(45)))
        XCTAssertFalse(liveness.isReady)
        liveness.setReady(true)
        XCTAssertTrue(liveness.isReady)
    }

    func testTitlePartsMarkEveryKeywordAndKeepTheRestAsItIs() {
        func rendered(_ title: String, _ keywords: [String]) -> String {
            TitlePart.parts(of: title, keywords: keywords).map { $0.mark ? "[\($0.text)]" : $0.text }.joined()
        }
        XCTAssertEqual(
            rendered("Panne chez Télégram, encore une panne", ["panne"]), "[Panne] chez Télégram, encore une [panne]")
        XCTAssertEqual(rendered("TELEGRAM en panne", ["télégram", "panne"]), "[TELEGRAM] en [panne]")
        XCTAssertEqual(rendered("Les pannes du panneau", ["panne*"]), "Les [pannes] du [panneau]")
        XCTAssertEqual(rendered("Un déni-de-service massif", ["déni de service"]), "Un [déni-de-service] massif")
        XCTAssertEqual(rendered("CVE-2026-1234 published", ["/CVE-\\d+-\\d+/"]), "[CVE-2026-1234] published")
        XCTAssertEqual(rendered("empanner le panneau", ["panne"]), "empanner le panneau", "whole words only")
        XCTAssertEqual(rendered("", ["panne"]), "")
        XCTAssertEqual(rendered("<script>panne</script>", ["panne"]), "<script>[panne]</script>")
    }

    func testStatusPageTemplateEscapesEveryValue() {
        let alert = AlertSnapshot(
            alertID: "a1", rule: "r<1>", keywords: ["panne"], feed: .init(name: "f\"eed", url: "https://e.org/"),
            item: .init(title: "<img src=x onerror=alert(1)> panne", link: "javascript:alert(1)"),
            detectedAt: Date(timeIntervalSince1970: 0),
            destinations: [DeliveryStatus(name: "hook", type: "webhook", status: .dead, error: "<b>HTTP 404</b>")])
        let feeds = FeedsSnapshot(
            counts: FeedCounts(total: 1, failing: 1), matched: 1, offset: 0, limit: 100,
            feeds: [FeedSnapshot(name: "<i>feed</i>", url: "https://e.org/'x'", tags: [], status: .failing)])
        let view = StatusPage.view(
            problems: feeds, others: FeedsSnapshot(counts: feeds.counts, matched: 0, offset: 0, limit: 25, feeds: []),
            alerts: [alert], outbox: OutboxSnapshot(destinations: [], deadLetters: [], deadLetterCount: 0),
            liveness: Liveness(), now: Date(timeIntervalSince1970: 60))
        let html = StatusPage.template.render(view)
        XCTAssertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt; <mark>panne</mark>"), html)
        XCTAssertTrue(html.contains("r&lt;1&gt;"))
        XCTAssertTrue(html.contains("f&quot;eed"))
        XCTAssertTrue(html.contains("&lt;i&gt;feed&lt;/i&gt;"))
        XCTAssertTrue(html.contains("https://e.org/&#39;x&#39;"))
        XCTAssertTrue(html.contains("&lt;b&gt;HTTP 404&lt;/b&gt;"))
        XCTAssertFalse(html.contains("javascript:"), "only http(s) links are links")
        XCTAssertFalse(html.contains("<img"))
    }

    func testDateHeaderIsTheIMFFixdateOfRFC9110() {
        XCTAssertEqual(HTTPDate.format(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT")
        XCTAssertEqual(HTTPDate.format(0), "Thu, 01 Jan 1970 00:00:00 GMT")
        XCTAssertEqual(HTTPDate.format(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT")
        XCTAssertEqual(HTTPDate.format(1_795_000_000), "Wed, 18 Nov 2026 11:06:40 GMT")
        let before = time(nil)
        let now = HTTPDate.now()
        let after = time(nil)
        XCTAssertTrue((before...after).map(HTTPDate.format).contains(now), now)
    }
}
