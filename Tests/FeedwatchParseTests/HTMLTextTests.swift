import XCTest

@testable import FeedwatchParse

/// Titles, summaries and content come out as plain text.
final class HTMLTextTests: XCTestCase {
    func testHTMLInFeedTextBecomesPlainText() throws {
        let feed = try Fixture.parse("rss2-html-in-text.xml")
        XCTAssertEqual(feed.items.map(\.id), ["escaped", "cdata", "unescaped-markup"])
        XCTAssertEqual(feed.items[0].title, "Tom & Jerry again")
        XCTAssertEqual(feed.items[0].summary, "First Second line one two")
        XCTAssertEqual(feed.items[1].title, "Spaces and newlines tabs")
        XCTAssertEqual(
            feed.items[1].summary,
            "abc d e f’g“h” €♥⪢̸ © 2020 &unknown; 5 < 6 & 7 > 3")
        XCTAssertEqual(feed.items[2].summary, "Before Inside bold AfterEnd")
    }

    func testScriptAndStyleBodiesAreDropped() {
        XCTAssertEqual(HTMLText.plainText(html: "a<script>var x = '<p>';</script>b<style>p{}</style>c"), "a b c")
        XCTAssertEqual(HTMLText.plainText(html: "<SCRIPT>x</SCRIPT>"), "")
    }

    func testReferencesAreDecoded() {
        XCTAssertEqual(
            HTMLText.plainText(html: "&eacute;&Eacute;&amp;&lt;&gt;&quot;&apos;&hellip;&rsquo;"), "éÉ&<>\"'…’")
        XCTAssertEqual(HTMLText.plainText(html: "&#233;&#xE9;&#X00E9;&#150;&#0;"), "ééé–\u{FFFD}")
        XCTAssertEqual(HTMLEntities.table.count, 2125)
        XCTAssertEqual(HTMLEntities.table["nbsp"], "\u{A0}")
        XCTAssertEqual(HTMLEntities.table["nvlt"], "<\u{20D2}")
    }

    func testWhiteSpaceIncludingNoBreakSpaceCollapses() {
        XCTAssertEqual(HTMLText.plainText(html: " \t a\u{A0}\u{A0}b \n\u{2003} c\u{3000}"), "a b c")
        XCTAssertEqual(HTMLText.collapsed(Array("  x   y  ".utf8)), "x y")
        XCTAssertEqual(HTMLText.plainText(html: "already plain"), "already plain")
    }

    func testLessThanThatStartsNoTagIsText() {
        XCTAssertEqual(HTMLText.plainText(html: "1 < 2 and 3<4 <"), "1 < 2 and 3<4 <")
    }

    func testLongFieldsAndReferencesLongerDecodedComeOutWhole() {
        // Over 1 KiB of markup that shrinks to a third (built off the stack), references whose decoded
        // text is longer than they are ("&nGt;": 5 bytes, 6 decoded), and four-byte characters.
        let html = String(repeating: "<p class=\"lead\"><b>word</b> &amp;</p>", count: 200)
        XCTAssertEqual(
            HTMLText.plainText(html: html),
            Array(repeating: "word &", count: 200).joined(separator: " "))
        XCTAssertEqual(
            HTMLText.plainText(html: String(repeating: "&nGt;", count: 300)),
            String(repeating: "\u{226B}\u{20D2}", count: 300))
        XCTAssertEqual(
            HTMLText.plainText(html: "x" + String(repeating: "&#x10000;", count: 50)),
            "x" + String(repeating: "\u{10000}", count: 50))
    }
}
