import Foundation
import XCTest

@testable import FeedwatchParse

/// Attacks and broken documents: nothing is read from disk or network, nothing expands without
/// bound, and a document that is not a feed is rejected with a clear error.
final class HostileDocumentTests: XCTestCase {
    /// Collects text at the libxml2 layer, below the preflight pass, to show that layer is safe alone.
    private final class TextCollector: XMLEventHandler {
        var text = ""
        var elements = 0
        func startElement(localName: String, namespace: String, attributes: XMLAttributes) { elements += 1 }
        func endElement(localName: String, namespace: String) {}
        func characters(_ bytes: UnsafeBufferPointer<UInt8>) { text += String(decoding: bytes, as: UTF8.self) }
    }

    private func rawParse(_ xml: String) -> (TextCollector, XMLStreamParser) {
        let collector = TextCollector()
        let parser = XMLStreamParser(handler: collector)
        Array(xml.utf8).withUnsafeBytes { parser.parse(utf8: $0) }
        return (collector, parser)
    }

    func testExternalEntityOnEtcPasswdIsNeverRead() throws {
        let feed = try Fixture.parse("xxe-file-etc-passwd.xml")
        XCTAssertEqual(feed.title, "XXE")
        XCTAssertEqual(feed.items.map(\.title), ["Leak:"])
        XCTAssertEqual(feed.items.map(\.summary), [""])
        XCTAssertEqual(
            feed.warnings,
            [
                "the document type declaration was ignored: entities it declares are not expanded and nothing it names is loaded",
                "undefined entity &xxe; dropped (3 times)",
            ])
        let (raw, _) = rawParse(try Fixture.text("xxe-file-etc-passwd.xml"))
        XCTAssertFalse(raw.text.contains("root:"), "libxml2 layer alone must not read the file either")
        XCTAssertTrue(raw.text.contains("Leak:"))
    }

    func testParameterEntitiesAndExternalDTDsAreNeverFetched() throws {
        let feed = try Fixture.parse("xxe-parameter-entity-external-dtd.xml")
        XCTAssertEqual(feed.items.map(\.title), ["Param"])
        let dtd = try Fixture.parse("external-dtd-system.xml")
        XCTAssertEqual(dtd.items.map(\.title), ["Ext"])
        XCTAssertEqual(dtd.warnings, ["undefined entity &ent; dropped (1 time)"])
        let (raw, _) = rawParse(try Fixture.text("xxe-parameter-entity-external-dtd.xml"))
        XCTAssertFalse(raw.text.contains("root:"))
        XCTAssertTrue(raw.text.contains("Param"))
    }

    func testBillionLaughsExpandsNothing() throws {
        let feed = try Fixture.parse("billion-laughs.xml")
        XCTAssertEqual(feed.items.count, 1)
        XCTAssertEqual(feed.items[0].title, "")
        XCTAssertEqual(feed.items[0].id, "lol")
        let (raw, _) = rawParse(try Fixture.text("billion-laughs.xml"))
        XCTAssertEqual(raw.text.filter { !$0.isWhitespace }, "Laughslol", "the libxml2 layer declares no entity")
    }

    func testQuadraticBlowupExpandsNothing() throws {
        let big = String(repeating: "A", count: 100_000)
        let refs = String(repeating: "&a;", count: 50_000)
        let xml =
            "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"\(big)\">]>"
            + "<rss version=\"2.0\"><channel><item><guid>q</guid><title>\(refs)</title></item></channel></rss>"
        let feed = try FeedParser.parse(Data(xml.utf8), url: Fixture.feedURL)
        XCTAssertEqual(feed.items.map(\.id), ["q"])
        XCTAssertEqual(feed.items[0].title, "")
        let (raw, _) = rawParse(xml)
        XCTAssertLessThan(raw.text.utf8.count, 1000)
    }

    func testEntityNamingAFIFOIsNeverOpened() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fifo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("entity.fifo").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let xml =
            "<?xml version=\"1.0\"?><!DOCTYPE rss SYSTEM \"\(fifo)\" [<!ENTITY f SYSTEM \"file://\(fifo)\">"
            + "<!ENTITY % p SYSTEM \"\(fifo)\"> %p;]>"
            + "<rss version=\"2.0\"><channel><item><guid>fifo</guid><title>x&f;y</title></item></channel></rss>"
        // Opening the FIFO for reading would block forever: run on another thread and wait with a limit.
        let done = expectation(description: "parsed without blocking")
        let box = ResultBox()
        Thread.detachNewThread {
            box.feed = try? FeedParser.parse(Data(xml.utf8), url: Fixture.feedURL)
            let collector = TextCollector()
            Array(xml.utf8).withUnsafeBytes { XMLStreamParser(handler: collector).parse(utf8: $0) }
            box.rawText = collector.text
            done.fulfill()
        }
        wait(for: [done], timeout: 20)
        XCTAssertEqual(box.feed?.items.map(\.title), ["xy"])
        XCTAssertEqual(box.rawText, "fifoxy")
    }

    private final class ResultBox: @unchecked Sendable {
        var feed: ParsedFeed?
        var rawText = ""
    }

    func testTruncatedDocumentKeepsEveryItemBeforeTheBreak() throws {
        let feed = try Fixture.parse("truncated-mid-item.xml")
        XCTAssertEqual(feed.title, "Cut")
        XCTAssertEqual(feed.items.map(\.id), ["1", "2"])
        XCTAssertEqual(feed.items.map(\.title), ["One", "Two"])
        XCTAssertEqual(
            feed.warnings.first,
            "the document ends before its last element is closed (truncated?): the items read up to that point are kept"
        )
        XCTAssertEqual(feed.warnings.count, 2)
    }

    func testMismatchedTagsAreReadPastWithAWarning() throws {
        let feed = try Fixture.parse("malformed-mismatched-tags.xml")
        XCTAssertEqual(feed.items.first, FeedItem(id: "a", title: "Good", hasGuid: true))
        XCTAssertTrue(
            feed.warnings.contains { $0.hasPrefix("malformed XML, read as far as possible: line 4:") },
            "\(feed.warnings)")
    }

    func testNULBytesAreAClearError() {
        var bytes = Array("<rss version=\"2.0\"><channel><title>x".utf8)
        bytes.append(0)
        bytes.append(contentsOf: Array("</title></channel></rss>".utf8))
        XCTAssertEqual(
            Fixture.error(Data(bytes)),
            "not a feed: the document contains a NUL byte (at character offset 36 of the decoded text); "
                + "it is binary or its charset is mislabelled")
    }

    func testHTMLPageInsteadOfAFeedIsAClearError() throws {
        let expected =
            "not a feed: the document is an HTML page; the URL may be a web page rather than its feed "
            + "(look for <link rel=\"alternate\" type=\"application/rss+xml\"> in it)"
        XCTAssertEqual(Fixture.error(try Fixture.data("html-page-instead-of-feed.html")), expected)
        XCTAssertEqual(Fixture.error(try Fixture.data("html-page-without-doctype.html")), expected)
    }

    func testMissingRootAndForeignRootAreClearErrors() throws {
        XCTAssertEqual(Fixture.error(Data()), "not a feed: the document is empty")
        XCTAssertTrue(
            Fixture.error(Data("<?xml version=\"1.0\"?>\n<!-- nothing -->\n".utf8))
                .hasPrefix("not a feed: the document has no root element"))
        XCTAssertEqual(
            Fixture.error(Data("just some words".utf8)),
            "not a feed: the document has no root element (line 1: Document is empty)")
        XCTAssertEqual(
            Fixture.error(try Fixture.data("not-a-feed-root.xml")),
            "not a feed: the root element is <catalog>, not <rss>, <rdf:RDF> or <feed>")
        XCTAssertEqual(
            Fixture.error(Data("{\"hello\": 1}".utf8)),
            "not a feed: JSON without an \"items\" list is not a JSON Feed")
    }

    func testHundredThousandItemsAndPredefinedEntitiesCountAgainstNoCap() throws {
        var xml = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Big</title>\n"
        xml.reserveCapacity(12_000_000)
        for index in 0..<100_000 {
            xml +=
                "<item><guid>g\(index)</guid><title>T\(index) &amp; co</title><description>a &amp;amp; b</description>"
                + "<pubDate>Thu, 14 Mar 2019 09:05:00 GMT</pubDate></item>\n"
        }
        xml += "</channel></rss>"
        var count = 0
        var last = FeedItem()
        let header = try FeedParser.stream(Data(xml.utf8), url: Fixture.feedURL) { item in
            count += 1
            last = item
        }
        XCTAssertEqual(count, 100_000)
        XCTAssertEqual(header.itemCount, 100_000)
        XCTAssertEqual(header.warnings, [])
        XCTAssertEqual(
            last,
            FeedItem(
                id: "g99999", title: "T99999 & co", summary: "a & b",
                published: Dates.parse("2019-03-14T09:05:00Z"), hasGuid: true))
    }

    func testOverlongFieldIsCutWithAWarning() throws {
        let long = String(repeating: "word ", count: 300_000)
        let xml =
            "<rss version=\"2.0\"><channel><item><guid>l</guid><description>\(long)</description></item></channel></rss>"
        let feed = try FeedParser.parse(Data(xml.utf8), url: Fixture.feedURL)
        XCTAssertEqual(feed.items.count, 1)
        XCTAssertLessThanOrEqual(feed.items[0].summary.utf8.count, XMLFeedReader.fieldCap)
        XCTAssertEqual(feed.warnings, ["a field longer than 1 MiB was cut"])
    }
}
