import FeedwatchDeliver
import FeedwatchHTTP
import Foundation
import XCTest

/// What an HTTP answer means for a delivery, the same for every destination that posts (SPEC §5).
final class HTTPVerdictTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func response(_ status: Int, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: HTTPHeaders(headers), body: Data(),
            finalURL: URL(fileURLWithPath: "/"), permanentRedirectURL: nil, redirectCount: 0)
    }

    func testSuccessStatusesAreDelivered() {
        for status in [200, 201, 202, 204] {
            XCTAssertEqual(HTTPVerdict.outcome(of: response(status), now: now), .delivered(status: status))
        }
    }

    func testThrottlesTimeoutsAndServerErrorsAreRetriedHonouringRetryAfter() {
        XCTAssertEqual(
            HTTPVerdict.outcome(of: response(429, headers: [("Retry-After", "120")]), now: now),
            .retry(reason: "HTTP 429", after: 120))
        for status in [408, 425, 500, 502, 503, 504] {
            XCTAssertEqual(
                HTTPVerdict.outcome(of: response(status), now: now), .retry(reason: "HTTP \(status)", after: nil))
        }
        XCTAssertEqual(
            HTTPVerdict.outcome(of: response(429), now: now, reason: "Too Many Requests: retry after 7", retryAfter: 7),
            .retry(reason: "HTTP 429: Too Many Requests: retry after 7", after: 7), "a body's own delay wins")
    }

    func testRedirectsAndOtherClientErrorsArePermanent() {
        for status in [301, 302, 400, 401, 403, 404, 410, 413] {
            XCTAssertEqual(HTTPVerdict.outcome(of: response(status), now: now), .failed(reason: "HTTP \(status)"))
        }
        XCTAssertEqual(
            HTTPVerdict.outcome(of: response(403), now: now, reason: "Forbidden: bot was blocked by the user"),
            .failed(reason: "HTTP 403: Forbidden: bot was blocked by the user"))
    }

    func testATransferWithoutAnswerIsRetried() {
        XCTAssertEqual(
            HTTPVerdict.outcome(of: .timeout(seconds: 10)),
            .retry(reason: HTTPError.timeout(seconds: 10).description, after: nil))
    }
}
