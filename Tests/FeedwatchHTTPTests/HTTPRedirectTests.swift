import FeedwatchHTTP
import Foundation
import TestSupport
import XCTest

final class HTTPRedirectTests: HTTPTestCase {
    func testRedirectChainIsFollowedToTheFinalURL() async throws {
        let server = try makeServer { request in
            switch request.path {
            case "/a": return .init(status: 302, headers: [("Location", "/b")], text: "")
            case "/b": return .init(status: 307, headers: [("Location", "/c")], text: "")
            default: return .init(text: "final")
            }
        }
        let client = try makeClient()
        let result = try response(await client.perform(HTTPRequest(url: server.url("/a"))))
        XCTAssertEqual(result.status, 200)
        XCTAssertEqual(String(decoding: result.body, as: UTF8.self), "final")
        XCTAssertEqual(result.finalURL, server.url("/c"))
        XCTAssertEqual(result.redirectCount, 2)
        XCTAssertNil(result.permanentRedirectURL)
        XCTAssertEqual(server.requests.map(\.path), ["/a", "/b", "/c"])
    }

    func testRedirectLoopEndsAsTooManyRedirects() async throws {
        let server = try makeServer { request in
            .init(status: 302, headers: [("Location", request.path == "/ping" ? "/pong" : "/ping")], text: "")
        }
        let client = try makeClient()
        let failure = error(await client.perform(HTTPRequest(url: server.url("/ping"))))
        XCTAssertEqual(failure, .tooManyRedirects(5))
        XCTAssertEqual(failure?.description, "too many redirects (more than 5)")
        XCTAssertEqual(server.requests.count, 6)  // the first request and five hops
    }

    func testPermanentRedirectsAreReportedSoTheURLCanBeRemembered() async throws {
        let server = try makeServer { request in
            switch request.path {
            case "/old": return .init(status: 301, headers: [("Location", "/older-still")], text: "")
            case "/older-still": return .init(status: 308, headers: [("Location", "/new")], text: "")
            default: return .init(text: "feed")
            }
        }
        let client = try makeClient()
        let result = try response(await client.perform(HTTPRequest(url: server.url("/old"))))
        XCTAssertEqual(result.permanentRedirectURL, server.url("/new"))
        XCTAssertEqual(result.finalURL, server.url("/new"))
    }

    func testATemporaryHopStopsWhatIsRememberedAtTheLastPermanentOne() async throws {
        let server = try makeServer { request in
            switch request.path {
            case "/old": return .init(status: 301, headers: [("Location", "/moved")], text: "")
            case "/moved": return .init(status: 302, headers: [("Location", "/today")], text: "")
            default: return .init(text: "feed")
            }
        }
        let client = try makeClient()
        let result = try response(await client.perform(HTTPRequest(url: server.url("/old"))))
        XCTAssertEqual(result.permanentRedirectURL, server.url("/moved"))
        XCTAssertEqual(result.finalURL, server.url("/today"))
    }

    func testCrossHostRedirectDropsAuthorizationAndCustomHeaders() async throws {
        let other = try makeServer { _ in .init(text: "elsewhere") }
        let otherURL = other.url("/landing", host: "localhost").absoluteString
        let origin = try makeServer { request in
            request.path == "/start"
                ? .init(status: 302, headers: [("Location", "/same-host")], text: "")
                : .init(status: 302, headers: [("Location", otherURL)], text: "")
        }
        let client = try makeClient()
        let request = HTTPRequest(
            url: origin.url("/start"),
            headers: ["Authorization": "Bearer secret-token", "X-Custom": "private", "If-None-Match": "\"v1\""],
            userAgent: "feedwatch-test/1")
        let result = try response(await client.perform(request))
        XCTAssertEqual(String(decoding: result.body, as: UTF8.self), "elsewhere")

        let sameHostHop = try XCTUnwrap(origin.requests.last)
        XCTAssertEqual(sameHostHop.path, "/same-host")
        XCTAssertEqual(sameHostHop.header("Authorization"), "Bearer secret-token")
        XCTAssertEqual(sameHostHop.header("X-Custom"), "private")

        let landed = try XCTUnwrap(other.requests.first)
        XCTAssertEqual(landed.header("Host"), "localhost:\(other.port)")
        XCTAssertNil(landed.header("Authorization"))
        XCTAssertNil(landed.header("X-Custom"))
        XCTAssertEqual(landed.header("If-None-Match"), "\"v1\"")
        XCTAssertEqual(landed.header("User-Agent"), "feedwatch-test/1")
    }

    func testRedirectsAreReturnedAsIsWhenTheCallerDoesNotFollow() async throws {
        let server = try makeServer { _ in .init(status: 302, headers: [("Location", "/elsewhere")], text: "") }
        let client = try makeClient()
        let request = HTTPRequest(
            url: server.url("/hook"), method: "POST", body: Data("{}".utf8), followRedirects: false)
        let result = try response(await client.perform(request))
        XCTAssertEqual(result.status, 302)
        XCTAssertEqual(result.headers["Location"], "/elsewhere")
        XCTAssertEqual(server.requests.count, 1)
    }

    func testRedirectToAFileURLIsRefused() async throws {
        let server = try makeServer { _ in .init(status: 302, headers: [("Location", "file:///etc/passwd")], text: "") }
        let client = try makeClient()
        let failure = error(await client.perform(HTTPRequest(url: server.url("/x"), allowFileURL: true)))
        XCTAssertEqual(failure, .redirectNotAllowed("file:///etc/passwd"))
    }
}
