import FeedwatchHTTP
import Foundation
import TestSupport
import XCTest

final class HTTPClientBasicsTests: HTTPTestCase {
    func testGetReturnsStatusHeadersBodyAndFinalURL() async throws {
        let server = try makeServer { _ in .init(status: 200, headers: [("X-Feed", "yes")], text: "hello") }
        let client = try makeClient()
        let result = try response(await client.perform(HTTPRequest(url: server.url("/feed.xml"))))
        XCTAssertEqual(result.status, 200)
        XCTAssertEqual(result.headers["x-feed"], "yes")
        XCTAssertEqual(result.headers["X-FEED"], "yes")
        XCTAssertEqual(String(decoding: result.body, as: UTF8.self), "hello")
        XCTAssertEqual(result.finalURL, server.url("/feed.xml"))
        XCTAssertNil(result.permanentRedirectURL)
        XCTAssertEqual(server.requests.first?.method, "GET")
        XCTAssertEqual(server.requests.first?.path, "/feed.xml")
    }

    func testPostSendsBodyHeadersAndUserAgent() async throws {
        let server = try makeServer { _ in .init(status: 202, text: "") }
        let client = try makeClient()
        let body = Data(#"{"type":"feedwatch.alert"}"#.utf8)
        let request = HTTPRequest(
            url: server.url("/hook"), method: "POST", headers: ["Content-Type": "application/json", "X-Team": "infra"],
            body: body, userAgent: "feedwatch-test/1", followRedirects: false)
        let result = try response(await client.perform(request))
        XCTAssertEqual(result.status, 202)
        let received = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(received.method, "POST")
        XCTAssertEqual(received.body, body)
        XCTAssertEqual(received.header("Content-Type"), "application/json")
        XCTAssertEqual(received.header("X-Team"), "infra")
        XCTAssertEqual(received.header("User-Agent"), "feedwatch-test/1")
        XCTAssertNil(received.header("Expect"))
    }

    /// One after another, the transfers below run on the same libcurl handle, which keeps the
    /// options a GET shares with the GET before it: nothing of one request may reach the next.
    func testEachRequestOnAReusedHandleSendsOnlyItsOwnSettings() async throws {
        let server = try makeServer { request in
            .init(text: String(repeating: "x", count: request.path == "/big" ? 100 : 2))
        }
        let client = try makeClient()
        _ = try response(
            await client.perform(
                HTTPRequest(
                    url: server.url("/post"), method: "POST", headers: ["X-First": "1"], body: Data("body".utf8),
                    userAgent: "agent-one", followRedirects: false)))
        let tooLarge = error(
            await client.perform(HTTPRequest(url: server.url("/big"), userAgent: "agent-two", maxBodySize: 10)))
        guard case .tooLarge = tooLarge else {
            return XCTFail("expected .tooLarge, got \(String(describing: tooLarge))")
        }
        _ = try response(
            await client.perform(
                HTTPRequest(url: server.url("/get"), headers: ["If-None-Match": "\"a\""], userAgent: "agent-two")))
        _ = try response(await client.perform(HTTPRequest(url: server.url("/plain"), userAgent: "agent-three")))
        let big = try response(await client.perform(HTTPRequest(url: server.url("/big"), userAgent: "agent-three")))
        XCTAssertEqual(big.body.count, 100, "the request's own size limit applies, not the one before it")

        let requests = server.requests
        XCTAssertEqual(requests.map(\.method), ["POST", "GET", "GET", "GET", "GET"])
        XCTAssertEqual(requests[1].body, Data(), "a GET after a POST sends no body")
        XCTAssertNil(requests[1].header("X-First"))
        XCTAssertEqual(requests[1].header("User-Agent"), "agent-two")
        XCTAssertEqual(requests[2].header("If-None-Match"), "\"a\"")
        XCTAssertNil(requests[3].header("If-None-Match"), "a GET after a GET sends only its own headers")
        XCTAssertEqual(requests[3].header("User-Agent"), "agent-three")
    }

    /// A kept connection the server has closed is retried on a new one, by libcurl, every time:
    /// libcurl counts such retries on a handle and gives up at the sixth unless the handle is reset.
    func testAConnectionThatDiesWhenReusedIsRetriedEveryTime() async throws {
        let served = RequestsPerConnection()
        let server = try makeServer { request in
            // The first request of each connection is answered; the next one finds it closed.
            served.count(request.connectionID) == 1 ? .init(text: "ok") : .init(fault: .closeWithoutAnswer)
        }
        let client = try makeClient()
        for index in 0..<12 {
            let result = try response(await client.perform(HTTPRequest(url: server.url("/\(index)"))))
            XCTAssertEqual(result.status, 200, "request \(index)")
        }
    }

    func testErrorStatusesAreResponsesNotErrors() async throws {
        let server = try makeServer { request in
            .init(status: Int(request.path.dropFirst()) ?? 400, text: "status page")
        }
        let client = try makeClient()
        for status in [404, 410, 500] {
            let result = try response(await client.perform(HTTPRequest(url: server.url("/\(status)"))))
            XCTAssertEqual(result.status, status)
            XCTAssertEqual(String(decoding: result.body, as: UTF8.self), "status page")
        }
    }

    func testGzipBodyIsDecompressed() async throws {
        let server = try makeServer { _ in
            .init(headers: [("Content-Encoding", "gzip")], body: CompressedFixtures.gzip)
        }
        let client = try makeClient()
        let result = try response(await client.perform(HTTPRequest(url: server.url("/gz"))))
        XCTAssertEqual(String(decoding: result.body, as: UTF8.self), CompressedFixtures.plain)
        let acceptEncoding = try XCTUnwrap(server.requests.first?.header("Accept-Encoding"))
        XCTAssertTrue(acceptEncoding.contains("gzip") && acceptEncoding.contains("br"), acceptEncoding)
    }

    func testBrotliBodyIsDecompressed() async throws {
        let server = try makeServer { _ in
            .init(headers: [("Content-Encoding", "br")], body: CompressedFixtures.brotli)
        }
        let client = try makeClient()
        let result = try response(await client.perform(HTTPRequest(url: server.url("/br"))))
        XCTAssertEqual(String(decoding: result.body, as: UTF8.self), CompressedFixtures.plain)
    }

    func testSequentialRequestsReuseOneConnection() async throws {
        let server = try makeServer { _ in .init(text: "ok") }
        let client = try makeClient()
        for index in 0..<10 {
            _ = try response(await client.perform(HTTPRequest(url: server.url("/\(index)"))))
        }
        XCTAssertEqual(server.requests.count, 10)
        XCTAssertEqual(server.connectionCount, 1)
    }

    func testFileURLIsReadOnlyWhenTheRequestAllowsIt() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("feedwatch-\(UUID()).xml")
        try Data("<rss/>".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let client = try makeClient()

        let refused = error(await client.perform(HTTPRequest(url: file)))
        guard case .other(let message) = refused else {
            return XCTFail("expected .other, got \(String(describing: refused))")
        }
        XCTAssertTrue(message.contains("not supported") || message.contains("disabled"), message)

        let allowed = try response(await client.perform(HTTPRequest(url: file, allowFileURL: true)))
        XCTAssertEqual(allowed.status, 200)
        XCTAssertEqual(allowed.body, Data("<rss/>".utf8))

        // The same handle again: the permission was the last request's, not the handle's.
        guard case .other = error(await client.perform(HTTPRequest(url: file))) else {
            return XCTFail("a file URL is refused again once a request does not allow it")
        }
    }

    func testHeaderLookupIgnoresCaseAndKeepsOrder() {
        var headers: HTTPHeaders = ["Set-Cookie": "a=1"]
        headers.add(name: "set-cookie", value: "b=2")
        headers.add(name: "ETag", value: "\"x\"")
        XCTAssertEqual(headers["SET-COOKIE"], "a=1")
        XCTAssertEqual(headers.values(for: "Set-Cookie"), ["a=1", "b=2"])
        headers.set(name: "etag", value: "\"y\"")
        XCTAssertEqual(headers["ETag"], "\"y\"")
        XCTAssertEqual(headers.count, 3)
    }
}

/// How many requests each connection of a test server has carried.
private final class RequestsPerConnection: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [Int: Int] = [:]

    /// Counts one more request on `connection` and returns its number on that connection.
    func count(_ connection: Int) -> Int {
        lock.withLock {
            counts[connection, default: 0] += 1
            return counts[connection] ?? 0
        }
    }
}
