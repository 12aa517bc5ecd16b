import FeedwatchAlert
import FeedwatchConfig
import FeedwatchDeliver
import Foundation
import TestSupport
import XCTest

/// `pagerduty` against a loopback Events API v2 answering as documented: 202
/// `{"status":"success","message":"Event processed","dedup_key":…}`, 400 `{"status":"invalid event", …}`, 429.
final class PagerDutyDestinationTests: XCTestCase {
    private func destination(_ server: HTTPTestServer) throws -> PagerDutyDestination {
        PagerDutyDestination(
            name: "oncall",
            config: PagerDutyConfig(
                routingKey: "R0UT1NGK3Y0123456789012345678901", severity: "critical",
                apiURL: server.url("").absoluteString.trimmingCharacters(in: ["/"])),
            timeout: 5, retryFor: 3600, http: try DeliverFixtures.client(self))
    }

    func testATriggerEventWithTheAlertIDAsDedupKey() async throws {
        let server = try HTTPTestServer { request in
            let key = (try? JSONSerialization.jsonObject(with: request.body) as? [String: Any])?["dedup_key"] as? String
            return .init(
                status: 202, text: #"{"status":"success","message":"Event processed","dedup_key":"\#(key ?? "")"}"#)
        }
        defer { server.stop() }
        let alert = DeliverFixtures.alert()
        let outcome = try await destination(server).deliver(DeliverFixtures.message([alert]))
        XCTAssertEqual(outcome, .delivered(status: 202))
        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.path, "/v2/enqueue")
        let body = try DeliverFixtures.json(request.body)
        XCTAssertEqual(body["routing_key"] as? String, "R0UT1NGK3Y0123456789012345678901")
        XCTAssertEqual(body["event_action"] as? String, "trigger")
        XCTAssertEqual(body["dedup_key"] as? String, alert.alertID)
        let payload = try XCTUnwrap(body["payload"] as? [String: Any])
        XCTAssertEqual(
            payload["summary"] as? String,
            "[outages] Panne géante chez <Télégram> & \"Facebook\" (matched: panne, Facebook)")
        XCTAssertEqual(payload["source"] as? String, "feedwatch")
        XCTAssertEqual(payload["severity"] as? String, "critical")
        let details = try XCTUnwrap(payload["custom_details"] as? [String: Any])
        XCTAssertEqual(details["keywords"] as? [String], ["panne", "Facebook"])
        XCTAssertEqual(details["feed"] as? String, "lemonde")
        let links = try XCTUnwrap(body["links"] as? [[String: Any]])
        XCTAssertEqual(links.first?["href"] as? String, "https://news.example.org/panne?a=1&b=2")
    }

    func testAGroupSendsOneEventPerAlert() async throws {
        let server = try HTTPTestServer { _ in
            .init(status: 202, text: #"{"status":"success","message":"Event processed"}"#)
        }
        defer { server.stop() }
        let alerts = [DeliverFixtures.alert(id: "a-1"), DeliverFixtures.alert(id: "a-2")]
        let outcome = try await destination(server).deliver(DeliverFixtures.message(alerts))
        XCTAssertEqual(outcome, .delivered(status: 202))
        XCTAssertEqual(
            try server.requests.map { try DeliverFixtures.json($0.body)["dedup_key"] as? String },
            alerts.map(\.alertID))
    }

    func testAnInvalidEventIsPermanentAndAThrottleIsRetried() async throws {
        let invalid = try HTTPTestServer { _ in
            .init(
                status: 400,
                text:
                    #"{"status":"invalid event","message":"Event object is invalid","errors":["Length of 'routing_key' is incorrect (should be 32 characters)"]}"#
            )
        }
        defer { invalid.stop() }
        let failed = try await destination(invalid).deliver(DeliverFixtures.message([DeliverFixtures.alert()]))
        XCTAssertEqual(
            failed,
            .failed(
                reason:
                    "HTTP 400: Event object is invalid: Length of 'routing_key' is incorrect (should be 32 characters)")
        )
        let throttled = try HTTPTestServer { _ in .init(status: 429, text: "") }
        defer { throttled.stop() }
        let retried = try await destination(throttled).deliver(DeliverFixtures.message([DeliverFixtures.alert()]))
        XCTAssertEqual(retried, .retry(reason: "HTTP 429", after: nil))
    }
}
