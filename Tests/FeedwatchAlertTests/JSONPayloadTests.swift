import XCTest

@testable import FeedwatchAlert

final class JSONPayloadTests: XCTestCase {
    func testJSONPayloadIsTheSpecDocumentKeyForKey() {
        let alert = sampleAlert()
        let payload = WebhookPayload.make(for: alert, format: .json)
        let expected =
            #"{"type":"feedwatch.alert","alert_id":"\#(alert.alertID)","rule":"outages","keywords":["panne","Facebook"],"#
            + #""feed":{"name":"example","url":"https://example.org/feed.xml","title":"Example News"},"#
            + #""item":{"id":"urn:1","title":"Panne géante chez Facebook","link":"https://example.org/a?x=1&y=2","#
            + #""summary":"Les services sont \"indisponibles\".","published":"2019-03-14T09:05:00Z","#
            + #""authors":["Alice"],"categories":["tech"]},"detected_at":"2026-11-24T22:00:00Z"}"#
        XCTAssertEqual(String(decoding: payload.body, as: UTF8.self), expected)
        XCTAssertEqual(payload.headers.map { "\($0.0): \($0.1)" }, ["Content-Type: application/json"])
    }

    func testJSONPayloadHasExactlyTheSpecKeysAndNoSnippet() throws {
        let object = try jsonObject(sampleAlert(snippet: "around the match").jsonPayload())
        XCTAssertEqual(
            Set(object.keys), ["type", "alert_id", "rule", "keywords", "feed", "item", "detected_at"])
        XCTAssertEqual(Set((object["feed"] as? [String: Any] ?? [:]).keys), ["name", "url", "title"])
        XCTAssertEqual(
            Set((object["item"] as? [String: Any] ?? [:]).keys),
            ["id", "title", "link", "summary", "published", "authors", "categories"])
    }

    func testMissingPublishedDateIsNull() throws {
        let text = sampleAlert(published: nil).jsonPayloadText()
        XCTAssertTrue(text.contains(#""published":null,"#), text)
        let item = try jsonObject(Data(text.utf8))["item"] as? [String: Any]
        XCTAssertTrue(item?["published"] is NSNull)
    }

    func testSummaryIsCutToAtMostOneThousandCharacters() throws {
        let long = String(repeating: "é", count: 5_000)
        let item = try jsonObject(sampleAlert(summary: long).jsonPayload())["item"] as? [String: Any]
        let summary = try XCTUnwrap(item?["summary"] as? String)
        XCTAssertEqual(summary.count, 1_000)
        XCTAssertTrue(summary.hasSuffix("…"))
        XCTAssertEqual(summary.dropLast(), long.prefix(999))
    }

    func testSummaryOfExactlyOneThousandCharactersIsKeptWhole() throws {
        let exact = String(repeating: "a", count: 1_000)
        let item = try jsonObject(sampleAlert(summary: exact).jsonPayload())["item"] as? [String: Any]
        XCTAssertEqual(item?["summary"] as? String, exact)
    }

    func testControlCharactersInFeedTextAreEscapedAndTheDocumentStaysOneLine() throws {
        let title = "line one\nline two\r\t\u{0}\u{1F} \u{2028}end"
        let body = sampleAlert(title: title).jsonPayload()
        XCTAssertFalse(body.contains(UInt8(ascii: "\n")))
        XCTAssertFalse(body.contains(UInt8(ascii: "\r")))
        let item = try jsonObject(body)["item"] as? [String: Any]
        XCTAssertEqual(item?["title"] as? String, title)
    }

    func testDetectedAtIsUTCWithWholeSeconds() throws {
        var alert = sampleAlert()
        alert.detectedAt = Date(timeIntervalSince1970: 1_795_557_600.75)
        XCTAssertEqual(try jsonObject(alert.jsonPayload())["detected_at"] as? String, "2026-11-24T22:00:00Z")
    }
}
