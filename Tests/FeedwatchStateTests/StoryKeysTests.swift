import XCTest

@testable import FeedwatchState

final class StoryKeysTests: XCTestCase {
    func testCanonicalLinkIgnoresSchemeWwwUtmParametersFragmentAndHostCase() {
        let expected = "ex.org/news/a?id=7&page=2"
        for link in [
            "https://ex.org/news/a?id=7&page=2",
            "http://www.ex.org/news/a?id=7&page=2",
            "HTTPS://WWW.EX.ORG/news/a?utm_source=rss&id=7&utm_campaign=x&page=2#comments",
            "https://ex.org:443/news/a?id=7&page=2&utm_medium=feed",
            " http://ex.org:80/news/a?id=7&page=2 ",
        ] {
            XCTAssertEqual(StoryKeys.canonicalLink(link), expected, link)
        }
    }

    func testCanonicalLinkKeepsWhatTellsStoriesApart() {
        XCTAssertEqual(StoryKeys.canonicalLink("https://ex.org/News/A"), "ex.org/News/A", "paths are case-sensitive")
        XCTAssertEqual(StoryKeys.canonicalLink("https://ex.org:8443/a"), "ex.org:8443/a")
        XCTAssertEqual(StoryKeys.canonicalLink("https://blog.ex.org"), "blog.ex.org/")
        XCTAssertEqual(StoryKeys.canonicalLink("https://ex.org/?utm_source=x"), "ex.org/")
        XCTAssertNil(StoryKeys.canonicalLink("urn:uuid:1234"))
        XCTAssertNil(StoryKeys.canonicalLink("tag:ex.org,2026:1"))
        XCTAssertNil(StoryKeys.canonicalLink(""))
    }

    func testTitleKeyDropsTrailingCountsAndRefusesTitlesTooShortToIdentifyAStory() {
        XCTAssertEqual(StoryKeys.titleKey("Foo bar baz (12 comments)"), "foo bar baz")
        XCTAssertEqual(StoryKeys.titleKey("foo  bar baz [1,204 points]"), "foo bar baz")
        XCTAssertEqual(StoryKeys.titleKey("foo bar baz 3 replies"), "foo bar baz")
        XCTAssertEqual(StoryKeys.titleKey("windows 11 update breaks printers"), "windows 11 update breaks printers")
        XCTAssertNil(StoryKeys.titleKey("Update"))
        XCTAssertNil(StoryKeys.titleKey("news (12)"))
        XCTAssertEqual(StoryKeys.titleKey("kubernetes-1.31"), "kubernetes-1.31", "12 characters, one word")
    }
}
