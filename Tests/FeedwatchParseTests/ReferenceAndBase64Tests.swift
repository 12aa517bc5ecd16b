import Foundation
import XCTest

@testable import FeedwatchParse

/// Numeric character references as feeds write them, and Atom 0.3's base64 text.
final class ReferenceAndBase64Tests: XCTestCase {
    func testUpperCaseHexReferencesDecodeLikeLowerCaseInXMLAndInEscapedHTML() throws {
        let document = """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0"><channel><title>Refs &#X41;&#x42;</title>
            <item><title>A &#X41; B &#x42; C &#67; &amp;#X44;</title>
            <description>&lt;p&gt;&amp;#X45; &amp;#xe9;t&amp;#XE9; &lt;b&gt;panne&lt;/b&gt;&lt;/p&gt; &#X46;</description>
            <link>https://refs.example.org/?a=1&amp;b=&#X32;</link><guid>1</guid></item>
            </channel></rss>
            """
        let feed = try FeedParser.parse(Data(document.utf8), url: Fixture.feedURL)
        XCTAssertEqual(feed.title, "Refs AB")
        XCTAssertEqual(feed.items.map(\.title), ["A A B B C C D"])
        XCTAssertEqual(feed.items.map(\.summary), ["E été panne F"], "the text after the reference is kept")
        XCTAssertEqual(feed.items.map(\.link), ["https://refs.example.org/?a=1&b=2"])
        XCTAssertEqual(feed.warnings, [])
    }

    func testMalformedNumericReferencesStayText() throws {
        let document = "<rss version=\"2.0\"><channel><item><guid>x &#12a; y &#X; z</guid></item></channel></rss>"
        let feed = try FeedParser.parse(Data(document.utf8), url: Fixture.feedURL)
        XCTAssertEqual(feed.items.map(\.id), ["x &#12a; y &#X; z"])
        XCTAssertEqual(feed.warnings, ["2 bare \"&\" read as text"])
    }

    func testAtom03Base64ContentDecodesWrappedAndUnpadded() throws {
        let html = Data("<p>Panne <b>géante</b> chez Facebook</p>".utf8).base64EncodedString()
        let wrapped = stride(from: 0, to: html.count, by: 16).map { offset -> String in
            let start = html.index(html.startIndex, offsetBy: offset)
            return String(html[start..<(html.index(start, offsetBy: 16, limitedBy: html.endIndex) ?? html.endIndex)])
        }.joined(separator: "\n      ")
        let unpadded = Data("Texte brut".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        let document = """
            <feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Old</title>
            <entry><id>tag:old,2005:1</id><title>One</title>
              <content type="text/html" mode="base64">
                  \(wrapped)
              </content>
              <summary mode="base64">\(unpadded)</summary>
            </entry>
            <entry><id>tag:old,2005:2</id><title>Two</title>
              <content type="image/png" mode="base64">iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk</content>
            </entry>
            </feed>
            """
        let feed = try FeedParser.parse(Data(document.utf8), url: Fixture.feedURL)
        XCTAssertEqual(feed.format, .atom03)
        XCTAssertEqual(feed.items.map(\.content), ["Panne géante chez Facebook", ""], "an image is not text")
        XCTAssertEqual(feed.items.map(\.summary), ["Texte brut", ""])
    }
}
