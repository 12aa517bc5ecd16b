import Foundation
import XCTest

@testable import FeedwatchParse

/// Podcast feeds say who speaks and what an episode is about in iTunes and Media RSS tags: those
/// are the author, categories and summary a rule matches on.
final class PodcastExtensionTests: XCTestCase {
    func testITunesAuthorKeywordsNestedCategoriesAndSummaryAreRead() throws {
        let feed = try Fixture.parse("rss2-podcast-itunes.xml")
        XCTAssertEqual(feed.items.count, 3)
        let episode = feed.items[0]
        XCTAssertEqual(episode.title, "Épisode 12 : la grande panne")
        XCTAssertEqual(episode.authors, ["Camille Martin"])
        XCTAssertEqual(episode.categories, ["panne", "Telegram", "réseaux sociaux", "Technology", "Tech News"])
        XCTAssertEqual(
            episode.summary, "Retour sur la panne de Telegram et de Facebook.", "itunes:summary before subtitle")
        XCTAssertEqual(episode.enclosures.map(\.url), ["https://podcast.example.org/ep12.mp3"])
        XCTAssertEqual(feed.warnings, [])
    }

    func testSubtitleStandsInForAMissingSummaryAndMediaKeywordsAreCategories() throws {
        let episode = try Fixture.parse("rss2-podcast-itunes.xml").items[1]
        XCTAssertEqual(episode.summary, "Only a subtitle here")
        XCTAssertEqual(episode.categories, ["dns", "bgp"], "media:keywords inside media:group")
        XCTAssertEqual(episode.authors, [])
    }

    func testTheFormatsOwnDescriptionAndAuthorWin() throws {
        let episode = try Fixture.parse("rss2-podcast-itunes.xml").items[2]
        XCTAssertEqual(episode.summary, "The description wins")
        XCTAssertEqual(episode.authors, ["Host Name"], "the same name from <author> and itunes:author, once")
        XCTAssertEqual(episode.categories, ["Outage"])
    }

    func testAtomEntriesReadITunesTagsToo() throws {
        let document = """
            <feed xmlns="http://www.w3.org/2005/Atom" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
            <title>Atom cast</title>
            <entry><id>urn:e1</id><title>One</title><itunes:author>Ana</itunes:author>
            <itunes:summary>Spoken summary</itunes:summary><itunes:keywords>alpha,beta</itunes:keywords></entry>
            </feed>
            """
        let entry = try XCTUnwrap(try FeedParser.parse(Data(document.utf8), url: Fixture.feedURL).items.first)
        XCTAssertEqual(entry.authors, ["Ana"])
        XCTAssertEqual(entry.summary, "Spoken summary")
        XCTAssertEqual(entry.categories, ["alpha", "beta"])
    }
}
