import FeedwatchAlert
import FeedwatchConfig
import FeedwatchDeliver
import Foundation
import TestSupport
import XCTest

/// The webhook formats `teams` (a Workflows webhook with an Adaptive Card) and `googlechat`
/// (a space webhook, threaded by rule), against loopback receivers answering as those services do.
final class TeamsAndGoogleChatTests: XCTestCase {
    private func webhook(_ url: String, format: FeedwatchConfig.WebhookFormat) throws -> WebhookDestination {
        try WebhookDestination(
            config: WebhookConfig(
                name: "team", url: url, format: format, secret: nil, headers: [:], timeout: 5, retryFor: 3600),
            http: try DeliverFixtures.client(self))
    }

    func testTeamsGetsAMessageWithAnAdaptiveCard() async throws {
        // A Workflows webhook accepts the request and runs the flow later: 202, empty body.
        let server = try HTTPTestServer { _ in .init(status: 202, text: "") }
        defer { server.stop() }
        let alert = DeliverFixtures.alert(title: "Panne [chez](https://evil.example) Télégram")
        let outcome = try await webhook(server.url("/workflows/abc").absoluteString, format: .teams)
            .deliver(DeliverFixtures.message([alert]))
        XCTAssertEqual(outcome, .delivered(status: 202))
        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(request.header("Content-Type"), "application/json")
        XCTAssertEqual(request.header("webhook-id"), alert.alertID)
        let body = try DeliverFixtures.json(request.body)
        XCTAssertEqual(body["type"] as? String, "message")
        let attachment = try XCTUnwrap((body["attachments"] as? [[String: Any]])?.first)
        XCTAssertEqual(attachment["contentType"] as? String, "application/vnd.microsoft.card.adaptive")
        let card = try XCTUnwrap(attachment["content"] as? [String: Any])
        XCTAssertEqual(card["type"] as? String, "AdaptiveCard")
        XCTAssertEqual(card["version"] as? String, "1.4")
        let texts = (card["body"] as? [[String: Any]])?.compactMap { $0["text"] as? String }
        XCTAssertEqual(
            texts,
            [
                "[outages] Panne [chez]\u{200B}(https://evil.example) Télégram", "matched: panne, Facebook",
                "feed: lemonde · published 2026-11-18T10:50:00Z", "… une panne géante chez Facebook …",
            ], "feed text cannot forge a Markdown link")
        let action = try XCTUnwrap((card["actions"] as? [[String: Any]])?.first)
        XCTAssertEqual(action["type"] as? String, "Action.OpenUrl")
        XCTAssertEqual(action["url"] as? String, "https://news.example.org/panne?a=1&b=2")
    }

    func testGoogleChatThreadsByRuleAndKeepsTheWebhooksKeyAndToken() async throws {
        let server = try HTTPTestServer { _ in
            .init(status: 200, text: #"{"name":"spaces/AAA/messages/BBB","thread":{"name":"spaces/AAA/threads/CCC"}}"#)
        }
        defer { server.stop() }
        let url = server.url("/v1/spaces/AAA/messages").absoluteString + "?key=AIzaKey&token=abc%3D"
        let outcome = try await webhook(url, format: .googlechat).deliver(
            DeliverFixtures.message([DeliverFixtures.alert()]))
        XCTAssertEqual(outcome, .delivered(status: 200))
        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(
            request.path,
            "/v1/spaces/AAA/messages?key=AIzaKey&token=abc%3D&messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD")
        XCTAssertEqual(request.header("Content-Type"), "application/json; charset=UTF-8")
        let body = try DeliverFixtures.json(request.body)
        XCTAssertEqual((body["thread"] as? [String: Any])?["threadKey"] as? String, "outages")
        XCTAssertEqual(
            body["text"] as? String,
            """
            *[outages]* <https://news.example.org/panne?a=1&b=2|Panne géante chez &lt;Télégram&gt; &amp; "Facebook"> (matched: panne, Facebook)
            feed: lemonde · published 2026-11-18T10:50:00Z
            > … une panne géante chez Facebook …
            """)
    }
}
