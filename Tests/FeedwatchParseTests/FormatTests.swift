import Foundation
import XCTest

@testable import FeedwatchParse

/// Each format and extension maps onto the exact common fields.
final class FormatTests: XCTestCase {
    func testRSS2WithEveryExtensionMapsOntoTheCommonItem() throws {
        let feed = try Fixture.parse("rss2-full-extensions.xml")
        XCTAssertEqual(feed.format, .rss20)
        XCTAssertEqual(feed.title, "Le Journal & Cie")
        XCTAssertEqual(feed.link, "https://news.example.org/")
        XCTAssertEqual(feed.ttlMinutes, 30)
        XCTAssertEqual(feed.warnings, [])
        XCTAssertEqual(feed.items.count, 4)
        let first = feed.items[0]
        XCTAssertEqual(
            first,
            FeedItem(
                id: "urn:uuid:5f1c-panne", title: "Panne chez Facebook",
                link: "https://feeds.example.org/2021/10/04/panne-facebook",
                summary: "Les services de Facebook sont tombés. Telegram en profite.",
                content: "Titre Premier paragraphe. Second",
                authors: ["Marie Dupont", "Jean Martin"], categories: ["Technologie", "Réseaux sociaux", "Facebook"],
                published: Dates.parse("2021-10-04T15:45:00Z"), updated: nil, hasGuid: true,
                enclosures: [
                    FeedEnclosure(url: "https://feeds.example.org/audio/panne.mp3", type: "audio/mpeg", length: 123456),
                    FeedEnclosure(url: "https://cdn.example.org/video.mp4", type: "video/mp4", length: 999),
                ],
                thumbnail: "https://feeds.example.org/img/thumb.jpg"))
    }

    func testRSSItemWithoutLinkTakesAtomLinkThenGuidPermalinkThenHash() throws {
        let items = try Fixture.parse("rss2-full-extensions.xml").items
        XCTAssertEqual(items[1].link, "https://news.example.org/via-atom-link")
        XCTAssertEqual(items[1].id, "https://news.example.org/via-atom-link")
        XCTAssertFalse(items[1].hasGuid)
        XCTAssertEqual(rfc3339(items[1].published), "2021-10-05T08:00:00Z")
        XCTAssertEqual(items[2].link, "")
        XCTAssertEqual(
            items[2].id, "fnv1a128:" + ItemIdentity.fnv1a128Hex(Array("Ni lien ni guid\nIdentité par empreinte".utf8)))
        XCTAssertFalse(items[2].hasGuid)
        XCTAssertEqual(items[3].link, "https://news.example.org/permalink-guid")
        XCTAssertEqual(items[3].id, "https://news.example.org/permalink-guid")
        XCTAssertTrue(items[3].hasGuid)
    }

    func testHashIdIsFNV1a128OfTitleAndSummary() {
        // Reference value computed independently (Python, big integers).
        XCTAssertEqual(ItemIdentity.fnv1a128Hex(Array("hello\nworld".utf8)), "1227ac79b9c8eec4b99a63697c9b2219")
        XCTAssertEqual(ItemIdentity.fnv1a128Hex([]), "6c62272e07bb014262b821756295c58d")
    }

    func testRelativeLinksResolveAgainstXMLBaseThenFeedURL() throws {
        let feed = try Fixture.parse("rss2-xml-base-relative-links.xml")
        XCTAssertEqual(feed.link, "https://blog.example.net/blog/")
        XCTAssertEqual(
            feed.items.map(\.link),
            [
                "https://blog.example.net/blog/posts/1.html",
                "https://other.example.com/y/2.html?a=1#frag",
                "https://abs.example.org/3",
            ])
    }

    func testRSS091WithNetscapeDoctypeDecodesUndeclaredHTMLEntities() throws {
        let feed = try Fixture.parse("rss091-netscape-doctype-html-entities.xml")
        XCTAssertEqual(feed.format, .rss09x)
        XCTAssertEqual(feed.title, "Café Society")
        XCTAssertEqual(feed.items.count, 1)
        XCTAssertEqual(feed.items[0].title, "Crème brûlée — recette…")
        XCTAssertEqual(feed.items[0].summary, "Sucre & «crème» © 2004 AT&T été")
        XCTAssertEqual(feed.warnings, ["1 bare \"&\" read as text"])
    }

    func testEntitiesAfterTheRootAreRewrittenWhileCDATACommentsAndPIsKeepTheirAmpersands() throws {
        // The preflight jumps from "&", "!" or "?" to the next after the root: each case sits in
        // a different place of an 8-byte word, and "!"/"?" in plain text must not stop it.
        let xml = """
            <?xml version="1.0"?><rss version="2.0"><channel><title>Wow! Really?</title>
            <item><title>A&nbsp;B &eacute;t&eacute; &bogus; R&D!</title>
            <description><![CDATA[x &nbsp; <b>y</b> &copy; z]]></description>
            <!-- a comment with &nbsp; and & inside --><?pi keeps & too?>
            <category>Q&amp;A?</category><guid>g1</guid></item></channel></rss>
            """
        let feed = try FeedParser.parse(Data(xml.utf8), url: "https://example.org/feed.xml")
        XCTAssertEqual(feed.title, "Wow! Really?")
        XCTAssertEqual(feed.items.count, 1)
        XCTAssertEqual(feed.items[0].title, "A B été R&D!")
        XCTAssertEqual(feed.items[0].summary, "x y © z")
        XCTAssertEqual(feed.items[0].categories, ["Q&A?"])
        XCTAssertEqual(feed.warnings, ["undefined entity &bogus; dropped (1 time)", "1 bare \"&\" read as text"])
    }

    func testRSS094IsReportedAsRSS09x() throws {
        let feed = try Fixture.parse("rss094-no-channel-dates.xml")
        XCTAssertEqual(feed.format, .rss09x)
        XCTAssertEqual(feed.items.map(\.title), ["One"])
        XCTAssertEqual(rfc3339(feed.items[0].published), "2021-01-02T03:04:00Z")
    }

    func testRSS090RDFItemsBesideTheChannel() throws {
        let feed = try Fixture.parse("rss090-rdf.xml")
        XCTAssertEqual(feed.format, .rss09x)
        XCTAssertEqual(feed.title, "Mozilla Dot Org")
        XCTAssertEqual(feed.link, "http://www.mozilla.org")
        XCTAssertEqual(feed.items.map(\.title), ["New Status Updates", "Bugzilla Reorganized"])
        XCTAssertEqual(feed.items.map(\.id), ["http://www.mozilla.org/status/", "http://www.mozilla.org/bugs/"])
    }

    func testRSS10WithDublinCoreAndContentEncoded() throws {
        let feed = try Fixture.parse("rss10-rdf-dublin-core.xml")
        XCTAssertEqual(feed.format, .rss10)
        XCTAssertEqual(feed.title, "RDF Site")
        XCTAssertEqual(
            feed.items[0],
            FeedItem(
                id: "https://rdf.example.org/a", title: "Item A", link: "https://rdf.example.org/a",
                summary: "Description A", content: "Full A", authors: ["Alice", "Bob"], categories: ["Science"],
                published: Dates.parse("2004-02-12T14:30:00Z"), hasGuid: false))
        XCTAssertEqual(feed.items[1].link, "https://rdf.example.org/b", "rdf:about stands in for a missing link")
        XCTAssertNil(feed.items[1].published)
        XCTAssertEqual(feed.warnings, ["item \"Item B without link\": unreadable date \"not a date\" in <dc:date>"])
    }

    func testAtom10TextConstructsXHTMLAndXMLBase() throws {
        let feed = try Fixture.parse("atom10-xhtml-xml-base.xml")
        XCTAssertEqual(feed.format, .atom10)
        XCTAssertEqual(feed.title, "Atom <Test> Feed")
        XCTAssertEqual(feed.link, "https://atom.example.com/blog/")
        XCTAssertEqual(
            feed.items[0],
            FeedItem(
                id: "tag:atom.example.com,2024:1", title: "Bold & title",
                link: "https://atom.example.com/blog/2024/03/hello", summary: "Summary été",
                content: "Hello world Second para &lt;kept&gt;", authors: ["Entry Author"],
                categories: ["Swift", "xml"],
                published: Dates.parse("2024-03-01T08:05:00Z"), updated: Dates.parse("2024-03-01T10:00:00.25Z"),
                hasGuid: true,
                enclosures: [FeedEnclosure(url: "https://atom.example.com/blog/media/hello.ogg", type: "audio/ogg")]))
        XCTAssertEqual(rfc3339(feed.items[0].updated), "2024-03-01T10:00:00Z")
        let second = feed.items[1]
        XCTAssertEqual(second.title, "Plain & simple")
        XCTAssertEqual(second.summary, "Text <b>not markup</b>", "type=text is not HTML")
        XCTAssertEqual(second.link, "https://elsewhere.example.org/dir/page.html")
        XCTAssertEqual(second.authors, ["Feed Author"], "entries inherit the feed's author")
        XCTAssertNil(second.published)
        XCTAssertEqual(second.thumbnail, "https://i.example.com/t.jpg")
    }

    func testAtom03EscapedAndBase64Content() throws {
        let feed = try Fixture.parse("atom03-escaped-base64.xml")
        XCTAssertEqual(feed.format, .atom03)
        XCTAssertEqual(feed.title, "Atom 0.3 & Co")
        XCTAssertEqual(feed.link, "http://old-atom.example.org/")
        XCTAssertEqual(
            feed.items,
            [
                FeedItem(
                    id: "tag:old-atom.example.org,2005:1", title: "Escaped", link: "http://old-atom.example.org/1",
                    summary: "Base64 summary", content: "Escaped HTML", authors: ["Mark"],
                    published: Dates.parse("2005-07-31T12:29:29Z"), updated: Dates.parse("2005-08-01T00:00:00Z"),
                    hasGuid: true)
            ])
    }

    func testJSONFeed11() throws {
        let feed = try Fixture.parse("jsonfeed11.json")
        XCTAssertEqual(feed.format, .jsonFeed)
        XCTAssertEqual(feed.title, "JSON & Feed")
        XCTAssertEqual(feed.link, "https://json.example.org/")
        XCTAssertEqual(
            feed.items[0],
            FeedItem(
                id: "2", title: "Telegram gagne 3 millions d’utilisateurs", link: "https://feeds.example.org/posts/2",
                summary: "Résumé", content: "Pendant la panne de Facebook.", authors: ["Item Writer"],
                categories: ["telegram", "facebook"], published: Dates.parse("2021-10-05T08:00:00Z"),
                updated: Dates.parse("2021-10-05T12:00:00Z"), hasGuid: true,
                enclosures: [FeedEnclosure(url: "https://feeds.example.org/a.mp3", type: "audio/mpeg", length: 42)]))
        XCTAssertEqual(
            feed.items[1],
            FeedItem(
                id: "17", content: "Text only content", authors: ["Feed Writer"],
                hasGuid: true))
        XCTAssertEqual(feed.warnings, ["item \"\": unreadable date \"yesterday\" in date_published"])
    }

    func testJSONFeed10AuthorAndExternalURL() throws {
        let feed = try Fixture.parse("jsonfeed10-author.json")
        XCTAssertEqual(
            feed.items,
            [
                FeedItem(
                    id: "a", title: "First", link: "https://elsewhere.example.org/a",
                    content: "x", authors: ["Old Style"], hasGuid: true)
            ])
    }

    func testJSONOutputHasTheSpecShapeAndKeyOrder() throws {
        let feed = try Fixture.parse("rss10-rdf-dublin-core.xml")
        let json = feed.jsonString()
        XCTAssertTrue(
            json.hasPrefix(
                "{\"format\": \"rss1.0\", \"title\": \"RDF Site\", \"link\": \"https://rdf.example.org/\", \"warnings\": ["
            ))
        XCTAssertTrue(
            json.contains(
                "{\"id\": \"https://rdf.example.org/a\", \"title\": \"Item A\", \"link\": \"https://rdf.example.org/a\", "
                    + "\"summary\": \"Description A\", \"content\": \"Full A\", \"authors\": [\"Alice\", \"Bob\"], "
                    + "\"categories\": [\"Science\"], \"published\": \"2004-02-12T14:30:00Z\", \"updated\": null}"))
        for text in [json, feed.jsonString(pretty: true)] {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            XCTAssertEqual(object["format"] as? String, "rss1.0")
            XCTAssertEqual((object["items"] as? [Any])?.count, 2)
        }
    }
}
