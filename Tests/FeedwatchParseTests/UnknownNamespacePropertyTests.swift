import Foundation
import TestSupport
import XCTest

@testable import FeedwatchParse

/// Elements of namespaces the parser does not know (dc:identifier, prism:section, a vendor's own)
/// may sit anywhere inside an item of any format; they must never change how many items a document
/// has nor any field the parser does read. Each case builds a document in one format, then the same
/// document with unknown elements inserted at random places (seeded, so a failure reproduces), and
/// compares what the parser reads from both.
final class UnknownNamespacePropertyTests: XCTestCase {
    private static let rounds = 150

    func testUnknownElementsNeverChangeRSS2Items() throws { try check(.rss20) }
    func testUnknownElementsNeverChangeRSS091Items() throws { try check(.rss091) }
    func testUnknownElementsNeverChangeRSS10Items() throws { try check(.rss10) }
    func testUnknownElementsNeverChangeRSS090Items() throws { try check(.rss090) }
    func testUnknownElementsNeverChangeAtom10Entries() throws { try check(.atom10) }
    func testUnknownElementsNeverChangeAtom03Entries() throws { try check(.atom03) }
    func testUnknownMembersNeverChangeJSONFeedItems() throws { try check(.jsonFeed) }

    /// The reported case itself: RDF items with dc:identifier and prism:section before and after
    /// the title, which lost every item before.
    func testRDFItemsWithDublinCoreIdentifierAndPrismSectionAreRead() throws {
        let document = """
            <?xml version="1.0" encoding="UTF-8"?>
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
                xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:prism="http://prismstandard.org/namespaces/basic/2.0/">
            <channel rdf:about="https://journal.example.org/"><title>Journal</title><link>https://journal.example.org/</link></channel>
            <item rdf:about="https://journal.example.org/a1">
              <dc:identifier>doi:10.1000/a1</dc:identifier>
              <title>Outage study</title>
              <link>https://journal.example.org/a1</link>
              <prism:section>Networks</prism:section>
              <dc:date>2026-11-02T10:00:00Z</dc:date>
            </item>
            <item rdf:about="https://journal.example.org/a2">
              <title>Second paper</title>
              <prism:doi>10.1000/a2</prism:doi>
            </item>
            </rdf:RDF>
            """
        let feed = try FeedParser.parse(Data(document.utf8), url: Fixture.feedURL)
        XCTAssertEqual(feed.format, .rss10)
        XCTAssertEqual(feed.items.map(\.title), ["Outage study", "Second paper"])
        XCTAssertEqual(feed.items.map(\.link), ["https://journal.example.org/a1", "https://journal.example.org/a2"])
        XCTAssertEqual(rfc3339(feed.items.first?.published), "2026-11-02T10:00:00Z")
        XCTAssertEqual(feed.warnings, [])
    }

    // MARK: - The property

    private func check(_ format: SampleFormat, file: StaticString = #filePath, line: UInt = #line) throws {
        var random = SeededRandom(seed: 0x5EED_0000 &+ UInt64(format.rawValue))
        for round in 0..<Self.rounds {
            let itemCount = 1 + random.next(below: 4)
            let items = (0..<itemCount).map { format.children(ofItem: $0) }
            let plain = format.document(items: items)
            let baseline = try FeedParser.parse(Data(plain.utf8), url: Fixture.feedURL)
            XCTAssertEqual(
                baseline.items.count, itemCount, "round \(round): baseline\n\(plain)", file: file, line: line)
            XCTAssertEqual(baseline.items.first?.title, "Item 0 panne", file: file, line: line)

            let decorated = format.document(items: items.map { format.insertingUnknown(into: $0, &random) })
            let parsed = try FeedParser.parse(Data(decorated.utf8), url: Fixture.feedURL)
            XCTAssertEqual(parsed.items.count, itemCount, "round \(round):\n\(decorated)", file: file, line: line)
            XCTAssertEqual(parsed.items, baseline.items, "round \(round):\n\(decorated)", file: file, line: line)
            XCTAssertEqual(parsed.title, baseline.title, file: file, line: line)
            XCTAssertEqual(parsed.link, baseline.link, file: file, line: line)
            if parsed.items != baseline.items { return }
        }
    }
}

/// One format's sample documents: the children of each item, the document around them, and the
/// unknown elements (or JSON members) that may be inserted among those children.
enum SampleFormat: Int {
    case rss20, rss091, rss10, rss090, atom10, atom03, jsonFeed

    private static let unknownNamespace = "https://vendor.example.org/ns/extra#"

    func children(ofItem n: Int) -> [String] {
        switch self {
        case .rss20, .rss091:
            return [
                "<title>Item \(n) panne</title>", "<link>https://p.example.org/\(n)</link>",
                "<description>&lt;p&gt;Summary &lt;b&gt;\(n)&lt;/b&gt;&lt;/p&gt;</description>",
                "<guid isPermaLink=\"false\">g-\(n)</guid>", "<pubDate>Mon, 02 Jan 2006 15:04:0\(n) GMT</pubDate>",
                "<category>Cat \(n)</category>", "<dc:creator>Author \(n)</dc:creator>",
                "<content:encoded><![CDATA[<p>Content \(n)</p>]]></content:encoded>",
            ]
        case .rss10:
            return [
                "<title>Item \(n) panne</title>", "<link>https://p.example.org/\(n)</link>",
                "<description>Summary \(n)</description>", "<dc:date>2026-11-0\(n + 1)T10:00:00Z</dc:date>",
                "<dc:creator>Author \(n)</dc:creator>", "<dc:subject>Subject \(n)</dc:subject>",
                "<content:encoded>&lt;p&gt;Content \(n)&lt;/p&gt;</content:encoded>",
            ]
        case .rss090:
            return ["<title>Item \(n) panne</title>", "<link>https://p.example.org/\(n)</link>"]
        case .atom10:
            return [
                "<title>Item \(n) panne</title>", "<link rel=\"alternate\" href=\"https://p.example.org/\(n)\"/>",
                "<id>urn:uuid:item-\(n)</id>", "<updated>2026-11-0\(n + 1)T10:00:00Z</updated>",
                "<published>2026-11-0\(n + 1)T09:00:00Z</published>",
                "<summary type=\"html\">&lt;p&gt;Summary \(n)&lt;/p&gt;</summary>",
                "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Content \(n)</p></div></content>",
                "<author><name>Author \(n)</name></author>", "<category term=\"cat-\(n)\" label=\"Cat \(n)\"/>",
            ]
        case .atom03:
            return [
                "<title>Item \(n) panne</title>",
                "<link rel=\"alternate\" type=\"text/html\" href=\"https://p.example.org/\(n)\"/>",
                "<id>tag:p.example.org,2005:\(n)</id>", "<issued>2005-07-31T12:29:2\(n)Z</issued>",
                "<modified>2005-08-01T00:00:0\(n)Z</modified>", "<author><name>Author \(n)</name></author>",
                "<summary type=\"text/html\" mode=\"escaped\">&lt;p&gt;Summary \(n)&lt;/p&gt;</summary>",
                "<content type=\"text/html\" mode=\"base64\">"
                    + Data("<p>Content \(n)</p>".utf8).base64EncodedString() + "</content>",
            ]
        case .jsonFeed:
            return [
                "\"id\": \"j-\(n)\"", "\"title\": \"Item \(n) panne\"", "\"url\": \"https://p.example.org/\(n)\"",
                "\"content_html\": \"<p>Content \(n)</p>\"", "\"summary\": \"Summary \(n)\"",
                "\"date_published\": \"2026-11-0\(n + 1)T10:00:00Z\"", "\"tags\": [\"Cat \(n)\"]",
                "\"authors\": [{\"name\": \"Author \(n)\"}]",
            ]
        }
    }

    func document(items: [[String]]) -> String {
        let namespaces = """
            xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" \
            xmlns:prism="http://prismstandard.org/namespaces/basic/2.0/" xmlns:x="\(Self.unknownNamespace)"
            """
        switch self {
        case .rss20, .rss091:
            let body = items.map { "<item>\($0.joined(separator: "\n"))</item>" }.joined(separator: "\n")
            return """
                <?xml version="1.0" encoding="UTF-8"?>
                <rss version="\(self == .rss20 ? "2.0" : "0.91")" \(namespaces)><channel><title>Sample</title>
                <link>https://p.example.org/</link>
                \(body)
                </channel></rss>
                """
        case .rss10, .rss090:
            let ns = self == .rss10 ? "http://purl.org/rss/1.0/" : "http://my.netscape.com/rdf/simple/0.9/"
            let body = items.enumerated().map { index, children in
                "<item rdf:about=\"https://p.example.org/\(index)\">\(children.joined(separator: "\n"))</item>"
            }.joined(separator: "\n")
            return """
                <?xml version="1.0" encoding="UTF-8"?>
                <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="\(ns)" \(namespaces)>
                <channel rdf:about="https://p.example.org/"><title>Sample</title><link>https://p.example.org/</link></channel>
                \(body)
                </rdf:RDF>
                """
        case .atom10, .atom03:
            let root =
                self == .atom10
                ? "<feed xmlns=\"http://www.w3.org/2005/Atom\" \(namespaces)>"
                : "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\" \(namespaces)>"
            let body = items.map { "<entry>\($0.joined(separator: "\n"))</entry>" }.joined(separator: "\n")
            return """
                <?xml version="1.0" encoding="UTF-8"?>
                \(root)<title>Sample</title><link rel="alternate" href="https://p.example.org/"/>
                \(body)
                </feed>
                """
        case .jsonFeed:
            let body = items.map { "{" + $0.joined(separator: ", ") + "}" }.joined(separator: ",\n")
            return """
                {"version": "https://jsonfeed.org/version/1.1", "title": "Sample", "home_page_url": "https://p.example.org/",
                 "items": [\(body)]}
                """
        }
    }

    /// The item's children with zero to four unknown elements inserted at random places.
    func insertingUnknown(into children: [String], _ random: inout SeededRandom) -> [String] {
        var result = children
        for _ in 0..<random.next(below: 5) {
            result.insert(unknown(&random), at: random.next(below: result.count + 1))
        }
        return result
    }

    private func unknown(_ random: inout SeededRandom) -> String {
        if self == .jsonFeed {
            return random.pick([
                "\"_vendor\": {\"title\": \"Wrong\", \"url\": \"https://wrong.example.org/\"}",
                "\"x_rank\": 3", "\"x_flags\": [true, null, 1.5, \"title\"]", "\"_empty\": {}",
                "\"x_nested\": {\"items\": [{\"id\": \"wrong\", \"title\": \"Wrong\"}]}",
            ])
        }
        let prefix = random.pick(["x", "prism", "dc"])
        let name =
            prefix == "dc"
            ? random.pick(["identifier", "publisher", "rights", "language", "source", "format"])
            : random.pick(["identifier", "section", "title", "link", "item", "entry", "guid", "id", "summary"])
        let shapes = [
            "<\(prefix):\(name)/>",
            "<\(prefix):\(name)>doi:10.1000/xyz &amp; more</\(prefix):\(name)>",
            "<\(prefix):\(name) level=\"2\" x:kind=\"k\" xml:lang=\"fr\">Texte</\(prefix):\(name)>",
            "<\(prefix):\(name)><x:title>Wrong title</x:title><x:inner a=\"1\"><x:deep>deep</x:deep><x:empty/></x:inner></\(prefix):\(name)>",
            // Unprefixed, in a namespace declared on the element itself: known local names inside.
            "<meta xmlns=\"urn:example:unknown\"><title>Wrong title</title><link>https://wrong.example.org/</link></meta>",
            "<y:\(name) xmlns:y=\"urn:example:y\" y:attr=\"v\"><y:item><y:title>Nested</y:title></y:item></y:\(name)>",
            "<x:data><![CDATA[<title>not markup</title>]]></x:data>",
        ]
        return random.pick(shapes)
    }
}
