import Foundation
import TestSupport
import XCTest

@testable import FeedwatchParse

/// Feed autodiscovery (`feedwatch discover`): the `<link rel="alternate">` feeds of a web page, read
/// with libxml2's HTML parser, bounded on hostile pages.
final class HTMLFeedLinksTests: XCTestCase {
    private let pageURL = "https://www.example.org/actualites/index.html"

    private func links(_ fixture: String, pageURL: String? = nil) throws -> FeedLinks {
        HTMLFeedLinks.find(in: try Fixture.data(fixture), pageURL: pageURL ?? self.pageURL)
    }

    func testRSSAndAtomAlternatesAreFoundAndTheStylesheetIgnored() throws {
        let found = try links("html-page-rss-relative-atom-absolute.html")
        XCTAssertEqual(
            found.links,
            [
                FeedLink(
                    url: "https://www.example.org/rss/une.xml", type: "application/rss+xml",
                    title: "Le Journal — À la une"),
                FeedLink(
                    url: "https://feeds.example.org/journal.atom", type: "application/atom+xml",
                    title: "Le Journal (Atom)"),
            ])
        XCTAssertEqual(found.warnings, [])
    }

    func testBaseHrefRelTokensTypeParametersAndDuplicates() throws {
        let found = try links("html-page-base-href-and-rel-tokens.html")
        XCTAssertEqual(
            found.links,
            [
                FeedLink(
                    url: "https://cdn.example.org/blog/feed.xml", type: "application/rss+xml", title: "Tout le site"),
                FeedLink(url: "https://cdn.example.org/blog/feed.json", type: "application/feed+json", title: ""),
                FeedLink(url: "https://other.example.net/index.rdf", type: "application/rdf+xml", title: ""),
            ],
            "text/html alternates, javascript: and empty hrefs, rel=feed and the repeated feed.xml are left out")
    }

    func testAPageWithoutAlternateFeedsHasNone() throws {
        XCTAssertEqual(try links("html-page-without-feed-links.html"), FeedLinks(links: [], warnings: []))
    }

    func testTheMetaCharsetDecodesTitles() throws {
        let found = try links("html-page-latin1-meta-charset.html")
        XCTAssertEqual(found.links.map(\.title), ["Actualité de l'été"])
        XCTAssertEqual(found.links.map(\.url), ["https://www.example.org/rss.xml"])
    }

    func testAFilePageKeepsFileLinksAndAWebPageDoesNot() throws {
        let html = Data(#"<link rel="alternate" type="application/atom+xml" href="feed.atom">"#.utf8)
        XCTAssertEqual(
            HTMLFeedLinks.find(in: html, pageURL: "file:///srv/site/index.html").links.map(\.url),
            ["file:///srv/site/feed.atom"])
        let absoluteFile = Data(#"<link rel="alternate" type="application/atom+xml" href="file:///etc/x">"#.utf8)
        XCTAssertEqual(HTMLFeedLinks.find(in: absoluteFile, pageURL: pageURL).links, [])
    }

    func testMetaCharsetIsReadFromEitherForm() {
        XCTAssertEqual(HTMLFeedLinks.metaCharset(Data(#"<meta charset="windows-1251">"#.utf8)), "windows-1251")
        XCTAssertEqual(
            HTMLFeedLinks.metaCharset(
                Data(#"<META HTTP-EQUIV="content-type" CONTENT="text/html; Charset=KOI8-R">"#.utf8)),
            "koi8-r")
        XCTAssertNil(HTMLFeedLinks.metaCharset(Data(#"<meta name="description" content="charset">"#.utf8)))
    }

    // MARK: hostile pages: every one read in bounded time, without a tree, nothing left allocated

    /// A feed link in the head, then `count` unclosed `<div>`s and as many stray end tags: closing a
    /// tag makes libxml2 search every element still open, quadratic without the depth limit.
    private func deeplyNested(_ count: Int) -> Data {
        var page = #"<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml"></head><body>"#
        page += String(repeating: "<div>", count: count) + String(repeating: "</b>", count: count)
        page += #"<link rel="alternate" type="application/atom+xml" href="/after.atom">"#
        return Data(page.utf8)
    }

    func testDeeplyNestedPageStopsAtTheDepthLimitKeepingTheLinksBefore() throws {
        let started = Date()
        let found = HTMLFeedLinks.find(in: deeplyNested(500_000), pageURL: pageURL)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        XCTAssertEqual(found.links.map(\.url), ["https://www.example.org/rss.xml"])
        XCTAssertEqual(found.warnings, ["the page nests elements deeper than 256 levels: read only up to there"])
    }

    func testThousandsOfUnclosedParagraphsAreReadToTheEnd() throws {
        // A <p> closes the open <p> (and the <b> or <i> left open in it): the nesting never grows.
        var page = String(repeating: "<p>un <b>gras <p>deux <i>italique ", count: 60_000)
        page += #"<link rel="alternate" type="application/rss+xml" href="/end.xml">"#
        let started = Date()
        let found = HTMLFeedLinks.find(in: Data(page.utf8), pageURL: pageURL)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        XCTAssertEqual(found.links.map(\.url), ["https://www.example.org/end.xml"])
        XCTAssertEqual(found.warnings, [])
    }

    func testFiveMegabytesOfJunkAreReadInBoundedTime() throws {
        var generator = SeededRandom(seed: 42)
        let alphabet =
            Array("<>/=\"' &;#!-abcdefghijklmnopqrstuvwxyz0123456789\n\t<link rel=alternate".utf8) + [0, 0xC3, 0xFF]
        var junk = [UInt8](repeating: 0, count: 5 * 1024 * 1024)
        for index in junk.indices { junk[index] = alphabet[Int(generator.next() % UInt64(alphabet.count))] }
        let started = Date()
        let found = HTMLFeedLinks.find(in: Data(junk), pageURL: pageURL)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertEqual(found.links, [])
    }

    func testTheTimeLimitStopsASlowParse() throws {
        let found = HTMLFeedLinks.find(in: deeplyNested(20_000), pageURL: pageURL, maxDepth: 100_000, timeLimit: 0)
        XCTAssertEqual(found.links.map(\.url), ["https://www.example.org/rss.xml"])
        XCTAssertEqual(found.warnings, ["the page took longer than 0 seconds to read: read only up to there"])
    }

    func testFindingLinksLeavesNothingAllocated() throws {
        let pages = [
            try Fixture.data("html-page-rss-relative-atom-absolute.html"),
            try Fixture.data("html-page-base-href-and-rel-tokens.html"), deeplyNested(10_000),
            Data("<!DOCTYPE html><html><head><title>never closed".utf8),
        ]
        for page in pages {
            _ = HTMLFeedLinks.find(in: page, pageURL: pageURL)
            let usage = try LibXMLAllocations.measure { _ = HTMLFeedLinks.find(in: page, pageURL: pageURL) }
            XCTAssertGreaterThan(usage.allocations, 0)
            XCTAssertEqual(usage.bytesStillAllocated, 0, "\(usage.allocationsStillLive) allocation(s) leaked")
        }
    }
}
