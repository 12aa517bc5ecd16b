import FeedwatchFetch
import FeedwatchHTTP
import Foundation
import TestSupport
import XCTest

final class FeedFetcherTests: XCTestCase {
    private func makeFetcher() throws -> FeedFetcher {
        let client = try HTTPClient(configuration: .init(concurrency: 8, perHost: 4))
        addTeardownBlock { client.shutdown() }
        return FeedFetcher(client: client)
    }

    private func makeServer(_ handler: @escaping @Sendable (HTTPTestRequest) -> HTTPTestResponse) throws
        -> HTTPTestServer
    {
        let server = try HTTPTestServer(handler: handler)
        addTeardownBlock { server.stop() }
        return server
    }

    func testSecondPollSendsBothValidatorsAndGetsNotModified() async throws {
        let etag = "\"abc123\""
        let lastModified = "Tue, 24 Nov 2026 22:00:00 GMT"
        let server = try makeServer { request in
            if request.header("If-None-Match") == etag && request.header("If-Modified-Since") == lastModified {
                return .init(status: 304, headers: [("ETag", etag)], text: "")
            }
            return .init(
                headers: [("ETag", etag), ("Last-Modified", lastModified), ("Content-Type", "application/rss+xml")],
                text: "<rss/>")
        }
        let fetcher = try makeFetcher()

        let first = await fetcher.fetch(FetchRequest(url: server.url("/feed")))
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.outcome, .document(body: Data("<rss/>".utf8), charset: nil, finalURL: server.url("/feed")))
        XCTAssertEqual(first.etag, etag)
        XCTAssertEqual(first.lastModified, lastModified)
        XCTAssertNil(server.requests[0].header("If-None-Match"))
        XCTAssertNil(server.requests[0].header("If-Modified-Since"))

        let second = await fetcher.fetch(
            FetchRequest(url: server.url("/feed"), etag: first.etag, lastModified: first.lastModified))
        XCTAssertEqual(second.status, 304)
        XCTAssertEqual(second.outcome, .notModified)
        XCTAssertEqual(second.etag, etag)
        XCTAssertEqual(second.lastModified, lastModified, "a 304 without Last-Modified keeps the one held")
        XCTAssertEqual(server.requests[1].header("If-None-Match"), etag)
        XCTAssertEqual(server.requests[1].header("If-Modified-Since"), lastModified)
    }

    func testCharsetAndMaxAgeComeFromTheResponseHeaders() async throws {
        let server = try makeServer { _ in
            .init(
                headers: [
                    ("Content-Type", "text/xml; charset=\"ISO-8859-1\""), ("Cache-Control", "public, max-age=3600"),
                ],
                text: "<rss/>")
        }
        let result = try await makeFetcher().fetch(FetchRequest(url: server.url("/latin1")))
        guard case .document(_, let charset, _) = result.outcome else { return XCTFail("got \(result.outcome)") }
        XCTAssertEqual(charset, "ISO-8859-1")
        XCTAssertEqual(result.maxAge, 3600)
    }

    func testNotFoundAndServerErrorFailWithTheStatus() async throws {
        let server = try makeServer { request in .init(status: Int(request.path.dropFirst()) ?? 400, text: "nope") }
        let fetcher = try makeFetcher()
        for status in [404, 500] {
            let result = await fetcher.fetch(FetchRequest(url: server.url("/\(status)"), etag: "\"held\""))
            XCTAssertEqual(result.status, status)
            XCTAssertEqual(
                result.outcome, .failed("HTTP status \(status) from \(server.url("/\(status)").absoluteString)"))
            XCTAssertEqual(result.etag, "\"held\"", "a failure keeps the validators held")
        }
    }

    func testGoneStopsTheFeed() async throws {
        let server = try makeServer { _ in .init(status: 410, text: "gone") }
        let result = try await makeFetcher().fetch(FetchRequest(url: server.url("/old-feed")))
        XCTAssertEqual(result.status, 410)
        XCTAssertEqual(result.outcome, .gone)
        XCTAssertEqual(PollOutcome(result), .gone)
    }

    func testTooManyRequestsAndUnavailableCarryRetryAfter() async throws {
        let inAnHour = Date().addingTimeInterval(3600)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let date = formatter.string(from: inAnHour)
        let server = try makeServer { request in
            request.path == "/429"
                ? .init(status: 429, headers: [("Retry-After", "120")], text: "")
                : .init(status: 503, headers: [("Retry-After", date)], text: "")
        }
        let fetcher = try makeFetcher()
        let limited = await fetcher.fetch(FetchRequest(url: server.url("/429")))
        XCTAssertEqual(limited.status, 429)
        XCTAssertEqual(limited.retryAfter, 120)
        XCTAssertEqual(PollOutcome(limited), .failure(retryAfter: 120))

        let unavailable = await fetcher.fetch(FetchRequest(url: server.url("/503")))
        XCTAssertEqual(unavailable.status, 503)
        let delay = try XCTUnwrap(unavailable.retryAfter)
        XCTAssertEqual(delay, 3600, accuracy: 5)
        XCTAssertEqual(PollOutcome(unavailable), .failure(retryAfter: delay))
    }

    func testRetryAfterAcceptsTheThreeHTTPDateFormats() throws {
        let now = try XCTUnwrap(ResponseHeaderValues.httpDate("Tue, 24 Nov 2026 23:00:00 GMT"))
        XCTAssertEqual(ResponseHeaderValues.retryAfter("Wed, 25 Nov 2026 00:00:00 GMT", now: now), 3600)
        XCTAssertEqual(ResponseHeaderValues.retryAfter("Wednesday, 25-Nov-26 00:00:00 GMT", now: now), 3600)
        XCTAssertEqual(ResponseHeaderValues.retryAfter("Wed Nov 25 00:00:00 2026", now: now), 3600)
        XCTAssertEqual(ResponseHeaderValues.retryAfter("Mon, 23 Nov 2026 00:00:00 GMT", now: now), 0)
        XCTAssertNil(ResponseHeaderValues.retryAfter("soon", now: now))
        XCTAssertNil(ResponseHeaderValues.retryAfter("-5", now: now))
    }

    func testPermanentRedirectIsReportedForTheStoreToRemember() async throws {
        let server = try makeServer { request in
            request.path == "/old"
                ? .init(status: 301, headers: [("Location", "/new")], text: "") : .init(text: "<rss/>")
        }
        let result = try await makeFetcher().fetch(FetchRequest(url: server.url("/old")))
        XCTAssertEqual(result.permanentRedirectURL, server.url("/new"))
        XCTAssertEqual(result.outcome, .document(body: Data("<rss/>".utf8), charset: nil, finalURL: server.url("/new")))
    }

    func testPermanentRedirectToAFailureIsNotRemembered() async throws {
        let server = try makeServer { request in
            request.path == "/old"
                ? .init(status: 301, headers: [("Location", "/broken")], text: "") : .init(status: 500, text: "")
        }
        let result = try await makeFetcher().fetch(FetchRequest(url: server.url("/old")))
        XCTAssertNil(result.permanentRedirectURL)
        XCTAssertEqual(result.status, 500)
    }

    func testUserAgentIsTheDefaultUnlessTheFeedOverridesIt() async throws {
        let server = try makeServer { _ in .init(text: "<rss/>") }
        let fetcher = try makeFetcher()
        _ = await fetcher.fetch(FetchRequest(url: server.url("/a")))
        _ = await fetcher.fetch(FetchRequest(url: server.url("/b"), userAgent: "MyReader/2.0"))
        XCTAssertEqual(
            server.requests[0].header("User-Agent"), "feedwatch/0.1 (+https://github.com/feedwatch/feedwatch)")
        XCTAssertEqual(server.requests[1].header("User-Agent"), "MyReader/2.0")
        XCTAssertTrue(server.requests[0].header("Accept")?.hasPrefix("application/rss+xml") ?? false)
    }

    func testTransferFailureIsAFailedOutcomeWithTheReason() async throws {
        let server = try makeServer { _ in .init(body: Data(repeating: 0x41, count: 5000)) }
        let result = try await makeFetcher().fetch(FetchRequest(url: server.url("/big"), maxSize: 1000))
        XCTAssertNil(result.status)
        XCTAssertEqual(result.outcome, .failed("response body larger than max_size 1000 bytes"))
        XCTAssertEqual(PollOutcome(result), .failure(retryAfter: nil))
    }
}
