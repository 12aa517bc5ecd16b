import Foundation
import XCTest

@testable import FeedwatchParse

/// Dates as found in the wild, converted to UTC.
final class DateTests: XCTestCase {
    func testEveryDateDialectInTheFixtureReadsAsExpected() throws {
        let expected = try Fixture.text("rss2-dates-in-the-wild.expected.txt").split(separator: "\n").map {
            $0.split(separator: " ").map(String.init)
        }
        let feed = try Fixture.parse("rss2-dates-in-the-wild.xml")
        XCTAssertEqual(feed.items.count, expected.count)
        for (item, line) in zip(feed.items, expected) {
            XCTAssertEqual(item.id, line[0])
            XCTAssertEqual(rfc3339(item.published) ?? "null", line[1], item.id)
        }
        XCTAssertEqual(
            feed.warnings,
            [
                "item \"unreadable\": unreadable date \"sometime last week\" in <pubDate>",
                "item \"impossible-day\": unreadable date \"Thu, 31 Feb 2019 09:05:00 GMT\" in <pubDate>",
            ])
    }

    func testRFC3339OutputIsUTCWithWholeSeconds() {
        XCTAssertEqual(Dates.rfc3339(Date(timeIntervalSince1970: 1_552_554_300.9)), "2019-03-14T09:05:00Z")
        XCTAssertEqual(Dates.rfc3339(Date(timeIntervalSince1970: -1)), "1969-12-31T23:59:59Z")
    }

    func testGarbageIsNil() {
        for text in [
            "", "   ", "2019", "Mon, 99 Foo 2019", "2019-13-01T00:00:00Z", "2019-03-14T25:00:00Z",
            "Thu, 14 Mar 2019 09:05:00 +9999", "14 Mar 2019 09:05 XYZT",
        ] {
            XCTAssertNil(Dates.parse(text), text)
        }
    }
}
