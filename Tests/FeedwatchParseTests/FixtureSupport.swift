import Foundation
import XCTest

@testable import FeedwatchParse

/// Reads fixtures that sit beside the tests and formats dates the way the SPEC prints them.
enum Fixture {
    static let feedURL = "https://feeds.example.org/dir/feed.xml"

    static func data(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> Data {
        let url = try XCTUnwrap(
            Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil),
            "fixture \(name) missing", file: file, line: line)
        return try Data(contentsOf: url)
    }

    static func parse(_ name: String, httpCharset: String? = nil) throws -> ParsedFeed {
        try FeedParser.parse(data(name), url: feedURL, httpCharset: httpCharset)
    }

    static func text(_ name: String) throws -> String { String(decoding: try data(name), as: UTF8.self) }

    /// The error a document is rejected with, or a test failure.
    static func error(_ data: Data, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let feed = try FeedParser.parse(data, url: feedURL)
            XCTFail("expected an error, got \(feed.items.count) items", file: file, line: line)
            return ""
        } catch {
            return error.description
        }
    }
}

func rfc3339(_ date: Date?) -> String? { date.map(Dates.rfc3339) }
