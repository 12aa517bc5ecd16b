import FeedwatchAlert
import FeedwatchConfig
import FeedwatchDeliver
import Foundation
import TestSupport
import XCTest

/// `telegram` against a loopback server answering as the Bot API documents: `{"ok": true, "result": …}`,
/// `{"ok": false, "error_code", "description", "parameters": {"retry_after"}}`.
final class TelegramDestinationTests: XCTestCase {
    private let token = "123456:ABC-secret-token"

    private func destination(_ server: HTTPTestServer) throws -> TelegramDestination {
        TelegramDestination(
            name: "tg",
            config: TelegramConfig(
                token: token, chat: "-1001234567890",
                apiURL: server.url("").absoluteString.trimmingCharacters(in: ["/"])),
            timeout: 5, retryFor: 3600, http: try DeliverFixtures.client(self))
    }

    func testSendMessagePostsEscapedHTMLWithPreviewsOff() async throws {
        let server = try HTTPTestServer { _ in
            .init(
                status: 200,
                text: #"{"ok":true,"result":{"message_id":42,"chat":{"id":-1001234567890},"date":1795000000}}"#)
        }
        defer { server.stop() }
        let alert = DeliverFixtures.alert()
        let outcome = try await destination(server).deliver(DeliverFixtures.message([alert]))
        XCTAssertEqual(outcome, .delivered(status: 200))
        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.path, "/bot\(token)/sendMessage")
        XCTAssertEqual(request.header("Content-Type"), "application/json")
        let body = try DeliverFixtures.json(request.body)
        XCTAssertEqual(body["chat_id"] as? String, "-1001234567890")
        XCTAssertEqual(body["parse_mode"] as? String, "HTML")
        XCTAssertEqual((body["link_preview_options"] as? [String: Any])?["is_disabled"] as? Bool, true)
        XCTAssertEqual(
            body["text"] as? String,
            """
            <b>[outages]</b> <a href="https://news.example.org/panne?a=1&amp;b=2">Panne géante chez &lt;Télégram&gt; &amp; &quot;Facebook&quot;</a>
            matched: panne, Facebook
            feed: lemonde · published 2026-11-18T10:50:00Z
            <i>… une panne géante chez Facebook …</i>
            """)
    }

    func testTooManyRequestsWaitsTheRetryAfterTheAPIGives() async throws {
        let server = try HTTPTestServer { _ in
            .init(
                status: 429,
                text:
                    #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 34","parameters":{"retry_after":34}}"#
            )
        }
        defer { server.stop() }
        let outcome = try await destination(server).deliver(DeliverFixtures.message([DeliverFixtures.alert()]))
        XCTAssertEqual(outcome, .retry(reason: "HTTP 429: Too Many Requests: retry after 34", after: 34))
    }

    func testChatNotFoundAndBlockedBotArePermanentWithTheAPIsDescription() async throws {
        for (status, description) in [
            (400, "Bad Request: chat not found"), (403, "Forbidden: bot was blocked by the user"),
        ] {
            let server = try HTTPTestServer { _ in
                .init(status: status, text: #"{"ok":false,"error_code":\#(status),"description":"\#(description)"}"#)
            }
            defer { server.stop() }
            let outcome = try await destination(server).deliver(DeliverFixtures.message([DeliverFixtures.alert()]))
            XCTAssertEqual(outcome, .failed(reason: "HTTP \(status): \(description)"))
            if case .failed(let reason) = outcome { XCTAssertFalse(reason.contains(token)) }
        }
    }

    func testServerErrorsAreRetriedAndTheTokenNeverShows() async throws {
        let server = try HTTPTestServer { _ in .init(status: 502, text: "<html>Bad Gateway</html>") }
        defer { server.stop() }
        let outcome = try await destination(server).deliver(DeliverFixtures.message([DeliverFixtures.alert()]))
        XCTAssertEqual(outcome, .retry(reason: "HTTP 502", after: nil))
        let refused = TelegramDestination(
            name: "tg", config: TelegramConfig(token: token, chat: "1", apiURL: "http://127.0.0.1:\(try unusedPort())"),
            timeout: 2, retryFor: 60, http: try DeliverFixtures.client(self))
        let failed = await refused.deliver(DeliverFixtures.message([DeliverFixtures.alert()]))
        guard case .retry(let reason, nil) = failed else { return XCTFail("\(failed)") }
        XCTAssertFalse(reason.contains(token), reason)
    }
}

/// A loopback port with nothing listening on it.
func unusedPort() throws -> Int {
    let server = try HTTPTestServer { _ in .init(status: 200, text: "") }
    let port = server.port
    server.stop()
    return port
}
