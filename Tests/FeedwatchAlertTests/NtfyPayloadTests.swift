import XCTest

@testable import FeedwatchAlert

final class NtfyPayloadTests: XCTestCase {
    func testNtfyPayloadIsTextWithTitleClickAndTagsHeaders() {
        let payload = WebhookPayload.make(for: sampleAlert(), format: .ntfy)
        XCTAssertEqual(
            String(decoding: payload.body, as: UTF8.self),
            "[outages] matched: panne, Facebook\nfeed: example · published 2019-03-14T09:05:00Z\n"
                + "https://example.org/a?x=1&y=2\n\nLes services sont \"indisponibles\".")
        XCTAssertEqual(
            payload.headers.map { "\($0.0): \($0.1)" },
            [
                "Content-Type: text/plain; charset=utf-8",
                "Title: =?UTF-8?B?UGFubmUgZ8OpYW50ZSBjaGV6IEZhY2Vib29r?=",
                "Click: https://example.org/a?x=1&y=2",
                "Tags: panne,Facebook",
            ])
    }

    func testATitleWithLineBreaksCannotInjectAHeader() throws {
        let alert = sampleAlert(
            title: "Breaking\r\nX-Injected: yes\r\n\r\nbody", link: "https://example.org/\r\nX-Evil: 1")
        for format in WebhookFormat.allCases {
            for (name, value) in WebhookPayload.make(for: alert, format: format).headers {
                XCTAssertTrue(
                    value.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) },
                    "\(format) header \(name) is not printable ASCII: \(value.debugDescription)")
            }
        }
        let headers = WebhookPayload.make(for: alert, format: .ntfy).headers
        XCTAssertEqual(headers.first { $0.0 == "Title" }?.1, "Breaking X-Injected: yes body")
        XCTAssertEqual(headers.first { $0.0 == "Click" }?.1, "https://example.org/%0D%0AX-Evil:%201")
    }

    func testAllControlCharactersAreKeptOutOfHeaders() {
        let controls = (0..<0x20).map { String(Unicode.Scalar(UInt8($0))) }.joined() + "\u{7F}\u{85}\u{2028}\u{2029}"
        let alert = sampleAlert(title: "a\(controls)b", keywords: ["x\ny", "z\u{0}"])
        let headers = WebhookPayload.make(for: alert, format: .ntfy).headers
        XCTAssertEqual(headers.first { $0.0 == "Title" }?.1, "a b")
        XCTAssertEqual(headers.first { $0.0 == "Tags" }?.1, "x y,z")
    }

    func testNonASCIIHeadersAreRFC2047EncodedAndDecodeBackExactly() throws {
        let title = "L’opérateur s’excuse : « panne » réparée — 日本語のテキストも長く続きます、そして絵文字 🚨 も"
        let headers = WebhookPayload.make(
            for: sampleAlert(title: title, keywords: ["publicité", "télégram"]), format: .ntfy
        ).headers
        let encodedTitle = try XCTUnwrap(headers.first { $0.0 == "Title" }?.1)
        XCTAssertTrue(encodedTitle.hasPrefix("=?UTF-8?B?"))
        for word in encodedTitle.split(separator: " ") { XCTAssertLessThanOrEqual(word.count, 75) }
        XCTAssertEqual(decodeRFC2047(encodedTitle), title)
        XCTAssertEqual(decodeRFC2047(try XCTUnwrap(headers.first { $0.0 == "Tags" }?.1)), "publicité,télégram")
    }

    func testAHundredKilobyteTitleIsCutNotRejected() throws {
        let title = String(repeating: "Très long titre ", count: 6_400)  // 102,400 characters
        let alert = sampleAlert(title: title, summary: String(repeating: "x", count: 100_000))
        let payload = WebhookPayload.make(for: alert, format: .ntfy)
        let header = decodeRFC2047(try XCTUnwrap(payload.headers.first { $0.0 == "Title" }?.1))
        XCTAssertEqual(header.count, 250)
        XCTAssertTrue(header.hasSuffix("…"))
        XCTAssertTrue(title.hasPrefix(header.dropLast()))
        XCTAssertLessThanOrEqual(payload.body.count, 4_096)

        let slack = try jsonObject(WebhookPayload.make(for: alert, format: .slack).body)["text"] as? String ?? ""
        XCTAssertLessThan(slack.count, 1_000)
        // The json payload carries the whole title: receivers written for feedwatch get the facts uncut.
        let item = try jsonObject(WebhookPayload.make(for: alert, format: .json).body)["item"] as? [String: Any]
        XCTAssertEqual(item?["title"] as? String, title)
    }

    func testACommaInsideAKeywordDoesNotMakeTwoTags() {
        let headers = WebhookPayload.make(for: sampleAlert(keywords: ["/a,b/", "c"]), format: .ntfy).headers
        XCTAssertEqual(headers.first { $0.0 == "Tags" }?.1, "/a b/,c")
    }

    func testAnUntitledItemIsTitledWithItsFeedName() {
        let headers = WebhookPayload.make(for: sampleAlert(title: ""), format: .ntfy).headers
        XCTAssertEqual(headers.first { $0.0 == "Title" }?.1, "example")
    }
}
