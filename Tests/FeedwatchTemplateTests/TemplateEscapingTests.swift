import FeedwatchTemplate
import Foundation
import XCTest

final class TemplateEscapingTests: XCTestCase {
    private let nasty = SampleAlerts.titled("a <b> & \"c\"\n")

    private func render(_ source: String, _ escaping: TemplateEscaping, _ alert: TemplateAlert) throws -> String {
        try MessageTemplate(source, escaping: escaping).render(alert)
    }

    func testJSONEscapesQuotesAndLineBreaksButNotMarkup() throws {
        XCTAssertEqual(try render("{{item.title}}", .json, nasty), #"a <b> & \"c\"\n"#)
    }

    func testHTMLEscapesMarkupAndQuotes() throws {
        XCTAssertEqual(try render("{{item.title}}", .html, nasty), "a &lt;b&gt; &amp; &quot;c&quot;\n")
    }

    func testPlainLeavesValuesAsTheyAre() throws {
        XCTAssertEqual(try render("{{item.title}}", .plain, nasty), "a <b> & \"c\"\n")
    }

    func testJSONBodyStaysValidWhateverTheValues() throws {
        let title = "q\" b\\ n\n r\r t\t nul\u{0} bell\u{7} ls\u{2028} 🚨 e\u{301}\"\u{301}"
        let body = try render(
            #"{"text": "{{item.title}}", "keywords": "{{keywords}}"}"#, .json, SampleAlerts.titled(title))
        let decoded = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: String]
        XCTAssertEqual(decoded, ["text": title, "keywords": "panne, Facebook"])
    }

    func testJSONEscapesControlCharactersAsUnicodeEscapes() throws {
        XCTAssertEqual(
            try render("{{item.title}}", .json, SampleAlerts.titled("\u{1}\u{1F}\u{8}\u{C}\t")), #"\u0001\u001f\b\f\t"#)
    }

    func testHTMLEscapesAQuoteFollowedByACombiningAccent() throws {
        XCTAssertEqual(
            try render("{{item.title}}", .html, SampleAlerts.titled("\"\u{301}'\u{301}")), "&quot;\u{301}&#39;\u{301}")
    }

    func testJSONEscapesAQuoteFollowedByACombiningAccent() throws {
        XCTAssertEqual(try render("{{item.title}}", .json, SampleAlerts.titled("\"\u{301}")), "\\\"\u{301}")
    }

    func testTemplateTextIsNeverEscaped() throws {
        XCTAssertEqual(try render(#"<b>"{{rule}}" & co</b>"#, .html, nasty), #"<b>"outages" & co</b>"#)
        XCTAssertEqual(try render(#"{"rule": "{{rule}}"}"#, .json, nasty), #"{"rule": "outages"}"#)
    }

    func testValuesInsideSectionsAreEscapedToo() throws {
        let source = "{{#alerts}}{{item.title}}{{/alerts}}|{{#item}}{{title}}{{/item}}|{{#keywords}}{{.}}{{/keywords}}"
        var alert = nasty
        alert.keywords = ["<k>"]
        XCTAssertEqual(
            try render(source, .html, alert),
            "a &lt;b&gt; &amp; &quot;c&quot;\n|a &lt;b&gt; &amp; &quot;c&quot;\n|&lt;k&gt;")
    }

    func testKeywordsAreEscapedWhenJoined() throws {
        var alert = SampleAlerts.panne
        alert.keywords = ["\"a\"", "<b>"]
        XCTAssertEqual(try render("{{keywords}}", .json, alert), #"\"a\", <b>"#)
        XCTAssertEqual(try render("{{keywords}}", .html, alert), "&quot;a&quot;, &lt;b&gt;")
    }

    func testTripleMustacheWritesTheValueUnescaped() throws {
        XCTAssertEqual(try render("{{{item.title}}}", .html, nasty), "a <b> & \"c\"\n")
        XCTAssertEqual(try render("{{{item.title}}}", .json, nasty), "a <b> & \"c\"\n")
    }

    func testAmpersandTagWritesTheValueUnescaped() throws {
        XCTAssertEqual(try render("{{& item.title}}", .html, nasty), "a <b> & \"c\"\n")
    }
}
