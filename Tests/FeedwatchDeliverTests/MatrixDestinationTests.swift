import FeedwatchAlert
import FeedwatchConfig
import FeedwatchDeliver
import Foundation
import TestSupport
import XCTest

/// `matrix` against a loopback homeserver answering as the client-server API documents:
/// `{"event_id": …}`, `{"errcode": "M_LIMIT_EXCEEDED", "error": …, "retry_after_ms": …}`, M_FORBIDDEN.
final class MatrixDestinationTests: XCTestCase {
    private func destination(_ server: HTTPTestServer) throws -> MatrixDestination {
        MatrixDestination(
            name: "room",
            config: MatrixConfig(
                homeserver: server.url("").absoluteString.trimmingCharacters(in: ["/"]), room: "!abc:example.org",
                token: "syt_secret_token"),
            timeout: 5, retryFor: 3600, http: try DeliverFixtures.client(self))
    }

    func testTheMessageIsPutWithTheAlertIDAsTransactionSoARetryIsTheSameEvent() async throws {
        // A homeserver remembers transactions: the same txnId answers the same event_id.
        let events = EventLog()
        let server = try HTTPTestServer { request in
            .init(status: 200, text: #"{"event_id":"\#(events.id(for: request.pathWithoutQuery))"}"#)
        }
        defer { server.stop() }
        let alert = DeliverFixtures.alert()
        let room = try destination(server)
        let first = await room.deliver(DeliverFixtures.message([alert]))
        let retried = await room.deliver(DeliverFixtures.message([alert]))
        XCTAssertEqual(first, .delivered(status: 200))
        XCTAssertEqual(retried, .delivered(status: 200))
        XCTAssertEqual(server.requests.count, 2)
        XCTAssertEqual(Set(server.requests.map(\.path)).count, 1, "a retry is the same transaction")
        XCTAssertEqual(events.count, 1, "the homeserver saw one event")
        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(request.method, "PUT")
        XCTAssertEqual(
            request.path,
            "/_matrix/client/v3/rooms/%21abc%3Aexample%2Eorg/send/m.room.message/\(alert.alertID)"
                .replacingOccurrences(of: "%2E", with: "."))
        XCTAssertEqual(request.header("Authorization"), "Bearer syt_secret_token")
        let body = try DeliverFixtures.json(request.body)
        XCTAssertEqual(body["msgtype"] as? String, "m.text")
        XCTAssertEqual(body["format"] as? String, "org.matrix.custom.html")
        XCTAssertEqual(
            body["body"] as? String,
            """
            [outages] Panne géante chez <Télégram> & "Facebook"
            matched: panne, Facebook
            feed: lemonde · published 2026-11-18T10:50:00Z
            https://news.example.org/panne?a=1&b=2
            … une panne géante chez Facebook …
            """)
        XCTAssertEqual(
            body["formatted_body"] as? String,
            "<b>[outages]</b> <a href=\"https://news.example.org/panne?a=1&amp;b=2\">Panne géante chez "
                + "&lt;Télégram&gt; &amp; &quot;Facebook&quot;</a><br/>matched: panne, Facebook<br/>"
                + "feed: lemonde · published 2026-11-18T10:50:00Z<br/><i>… une panne géante chez Facebook …</i>")
    }

    func testRateLimitWaitsRetryAfterMilliseconds() async throws {
        let server = try HTTPTestServer { _ in
            .init(
                status: 429, text: #"{"errcode":"M_LIMIT_EXCEEDED","error":"Too many requests","retry_after_ms":2500}"#)
        }
        defer { server.stop() }
        let outcome = try await destination(server).deliver(DeliverFixtures.message([DeliverFixtures.alert()]))
        XCTAssertEqual(outcome, .retry(reason: "HTTP 429: M_LIMIT_EXCEEDED: Too many requests", after: 2.5))
    }

    func testAForbiddenRoomOrAnUnknownTokenIsPermanent() async throws {
        for (status, code, text) in [
            (403, "M_FORBIDDEN", "User @feedwatch:example.org not in room !abc:example.org"),
            (401, "M_UNKNOWN_TOKEN", "Invalid access token passed."),
        ] {
            let server = try HTTPTestServer { _ in
                .init(status: status, text: #"{"errcode":"\#(code)","error":"\#(text)"}"#)
            }
            defer { server.stop() }
            let outcome = try await destination(server).deliver(DeliverFixtures.message([DeliverFixtures.alert()]))
            XCTAssertEqual(outcome, .failed(reason: "HTTP \(status): \(code): \(text)"))
        }
    }
}

/// The events a fake homeserver created, one per transaction path.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [String: String] = [:]
    func id(for transaction: String) -> String {
        lock.withLock {
            if let known = events[transaction] { return known }
            let id = "$event\(events.count + 1):example.org"
            events[transaction] = id
            return id
        }
    }
    var count: Int { lock.withLock { events.count } }
}
