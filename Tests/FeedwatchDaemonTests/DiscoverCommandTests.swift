import Foundation
import TestSupport
import XCTest

/// `feedwatch discover URL`, run as the real executable against pages on a loopback server.
final class DiscoverCommandTests: DaemonTestCase {
    private func fixture(_ name: String) throws -> Data {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil), name)
        return try Data(contentsOf: url)
    }

    private func serve(_ pages: [String: Data]) throws -> HTTPTestServer {
        try HTTPTestServer { request in
            guard let page = pages[request.pathWithoutQuery] else { return .init(status: 404) }
            return .init(status: 200, headers: [("Content-Type", "text/html; charset=utf-8")], body: page)
        }
    }

    func testAPageWithAnRSSAndAnAtomAlternatePrintsBothAsFeedsYAML() throws {
        let server = try serve(["/blog/": try fixture("discover-blog-page-rss-relative-atom-absolute.html")])
        defer { server.stop() }
        let result = try FeedwatchProcess.run(["discover", server.url("/blog/").absoluteString])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(
            result.stdout,
            """
            feeds:
              # Le Blog — articles
              - url: "\(server.url("/blog/rss.xml").absoluteString)"
                name: "127.0.0.1/blog/rss.xml"
              # Le Blog (Atom)
              - url: "https://feeds.example.org/blog.atom"
                name: "feeds.example.org/blog.atom"

            """)

        // What it prints is a valid feeds: section as it stands.
        try writeConfig(result.stdout + "rules: [{name: r, any: [panne]}]")
        let check = try feedwatch(["check"])
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertTrue(check.stdout.hasPrefix("OK: 2 feeds, 1 rules"), check.stdout)
    }

    func testAFeedURLPrintsItself() throws {
        let feed = FeedFixtures.rss([], title: "Actualités du jour")
        let server = try HTTPTestServer { _ in
            .init(status: 200, headers: [("Content-Type", "application/rss+xml")], text: feed)
        }
        defer { server.stop() }
        let url = server.url("/rss/une.xml").absoluteString
        let result = try FeedwatchProcess.run(["discover", url])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(
            result.stdout,
            """
            feeds:
              # Actualités du jour
              - url: "\(url)"
                name: "127.0.0.1/rss/une.xml"

            """)
    }

    func testAPageThatAnnouncesNoFeedSaysSoAndExitsOne() throws {
        let server = try serve(["/mentions": try fixture("discover-page-without-feeds.html")])
        defer { server.stop() }
        let url = server.url("/mentions").absoluteString
        let result = try FeedwatchProcess.run(["discover", url])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.stderr, "feedwatch: no feeds announced on \(url)\n")

        let missing = try FeedwatchProcess.run(["discover", server.url("/absent").absoluteString])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("HTTP status 404"), missing.stderr)
    }

    /// A feed link in the head, then 300,000 unclosed `<div>`s, stray end tags and junk up to 5 MB:
    /// the link is found, the rest is cut off at the depth limit, and it all takes seconds, not hours.
    func testAHostilePageIsReadInBoundedTime() throws {
        var page = Data(
            #"<html><head><link rel="alternate" type="application/atom+xml" href="/atom.xml" title="Atom"></head><body>"#
                .utf8)
        page += Data(String(repeating: "<div>", count: 300_000).utf8)
        page += Data(String(repeating: "</b><font><p>&amp;&#9999999;<!--", count: 1 + (5 << 20) / 32).utf8)
        let junk = Data((0..<(5 << 20)).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) })
        let server = try serve(["/nested": page, "/junk": junk])
        defer { server.stop() }

        let started = Date()
        let nested = try FeedwatchProcess.run(["discover", server.url("/nested").absoluteString])
        XCTAssertLessThan(Date().timeIntervalSince(started), 20)
        XCTAssertEqual(nested.status, 0, nested.stderr)
        XCTAssertTrue(nested.stdout.contains("  - url: \"\(server.url("/atom.xml").absoluteString)\""), nested.stdout)
        XCTAssertTrue(nested.stderr.contains("deeper than 256 levels"), nested.stderr)

        let again = Date()
        let garbage = try FeedwatchProcess.run(["discover", server.url("/junk").absoluteString])
        XCTAssertLessThan(Date().timeIntervalSince(again), 20)
        XCTAssertEqual(garbage.status, 1, garbage.stderr)
        XCTAssertTrue(garbage.stderr.hasPrefix("feedwatch: no feeds announced on "), garbage.stderr)
    }
}
