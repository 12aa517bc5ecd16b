import XCTest

@testable import FeedwatchAlert

final class ChatPayloadTests: XCTestCase {
    func testSlackPayloadIsOneMrkdwnTextWithTheLink() throws {
        let payload = WebhookPayload.make(for: sampleAlert(), format: .slack)
        let object = try jsonObject(payload.body)
        XCTAssertEqual(Array(object.keys), ["text"])
        XCTAssertEqual(
            object["text"] as? String,
            "*[outages]* <https://example.org/a?x=1&y=2|Panne géante chez Facebook> (matched: panne, Facebook)\n"
                + "feed: example · published 2019-03-14T09:05:00Z\n> Les services sont \"indisponibles\".")
        XCTAssertEqual(payload.headers.map { "\($0.0): \($0.1)" }, ["Content-Type: application/json"])
    }

    func testSlackTextEscapesMarkupFromTheFeed() throws {
        let alert = sampleAlert(title: "<!channel> A & B", link: "https://example.org/x|y>z")
        let text = try jsonObject(WebhookPayload.make(for: alert, format: .slack).body)["text"] as? String
        XCTAssertEqual(
            text?.split(separator: "\n").first,
            "*[outages]* <https://example.org/x%7Cy%3Ez|&lt;!channel&gt; A &amp; B> (matched: panne, Facebook)")
    }

    func testSlackPrefersTheSnippetToTheSummary() throws {
        let payload = WebhookPayload.make(for: sampleAlert(snippet: "…chez Facebook ce matin…"), format: .slack)
        let text = try jsonObject(payload.body)["text"] as? String
        XCTAssertEqual(text?.split(separator: "\n").last, "> …chez Facebook ce matin…")
    }

    func testMattermostPayloadIsMarkdownTextWithTheLink() throws {
        let payload = WebhookPayload.make(for: sampleAlert(), format: .mattermost)
        let object = try jsonObject(payload.body)
        XCTAssertEqual(Array(object.keys), ["text"])
        XCTAssertEqual(
            object["text"] as? String,
            "**[outages]** [Panne géante chez Facebook](https://example.org/a?x=1&y=2) (matched: panne, Facebook)\n"
                + "feed: example · published 2019-03-14T09:05:00Z\n> Les services sont \"indisponibles\".")
        XCTAssertEqual(payload.headers.map { "\($0.0): \($0.1)" }, ["Content-Type: application/json"])
    }

    func testMattermostTextCannotForgeLinksOrMentionEveryone() throws {
        let alert = sampleAlert(title: "[click](https://evil.example) @channel", link: "https://example.org/a_(b)")
        let text = try jsonObject(WebhookPayload.make(for: alert, format: .mattermost).body)["text"] as? String
        XCTAssertEqual(
            text?.split(separator: "\n").first,
            "**[outages]** [\\[click\\]\\(https://evil.example\\) @\u{200B}channel]"
                + "(https://example.org/a_%28b%29) (matched: panne, Facebook)"
        )
    }

    func testDiscordPayloadHasContentAndOneEmbed() throws {
        let payload = WebhookPayload.make(for: sampleAlert(), format: .discord)
        let object = try jsonObject(payload.body)
        XCTAssertEqual(Set(object.keys), ["content", "embeds", "allowed_mentions"])
        XCTAssertEqual(
            object["content"] as? String,
            "**[outages]** matched: panne, Facebook — feed: example · published 2019-03-14T09:05:00Z")
        let embeds = try XCTUnwrap(object["embeds"] as? [[String: Any]])
        XCTAssertEqual(embeds.count, 1)
        XCTAssertEqual(embeds[0]["title"] as? String, "Panne géante chez Facebook")
        XCTAssertEqual(embeds[0]["url"] as? String, "https://example.org/a?x=1&y=2")
        XCTAssertEqual(embeds[0]["description"] as? String, "Les services sont \"indisponibles\".")
        XCTAssertEqual(embeds[0]["timestamp"] as? String, "2019-03-14T09:05:00Z")
        XCTAssertEqual((object["allowed_mentions"] as? [String: Any])?["parse"] as? [String], [])
        XCTAssertEqual(payload.headers.map { "\($0.0): \($0.1)" }, ["Content-Type: application/json"])
    }

    func testDiscordLeavesOutAnUnknownDateAndANonWebLink() throws {
        let object = try jsonObject(
            WebhookPayload.make(for: sampleAlert(link: "urn:isbn:123", published: nil), format: .discord).body)
        let embed = try XCTUnwrap((object["embeds"] as? [[String: Any]])?.first)
        XCTAssertEqual(Set(embed.keys), ["title", "description"])
    }

    func testDiscordFieldsStayWithinDiscordLimits() throws {
        let huge = String(repeating: "𝔸", count: 50_000)  // two UTF-16 units each, as Discord counts
        let alert = sampleAlert(title: huge, summary: huge, keywords: [huge])
        let object = try jsonObject(WebhookPayload.make(for: alert, format: .discord).body)
        let embed = try XCTUnwrap((object["embeds"] as? [[String: Any]])?.first)
        XCTAssertLessThanOrEqual((object["content"] as? String ?? "").utf16.count, 2_000)
        XCTAssertLessThanOrEqual((embed["title"] as? String ?? "").utf16.count, 256)
        XCTAssertGreaterThan((embed["title"] as? String ?? "").utf16.count, 250)
        XCTAssertLessThanOrEqual((embed["description"] as? String ?? "").utf16.count, 4_096)
    }
}
