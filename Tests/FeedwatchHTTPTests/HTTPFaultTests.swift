import FeedwatchHTTP
import Foundation
import TestSupport
import XCTest

final class HTTPFaultTests: HTTPTestCase {
    func testServerThatNeverAnswersTimesOut() async throws {
        let server = try makeServer { _ in .fault(.hang) }
        let client = try makeClient()
        let failure = error(await client.perform(HTTPRequest(url: server.url("/hang"), timeout: 1.5)))
        XCTAssertEqual(failure, .timeout(seconds: 1.5))
        XCTAssertEqual(failure?.description, "timed out after 1.5 s")
    }

    func testSlowDripIsAbortedByTheLowSpeedLimit() async throws {
        let server = try makeServer { _ in
            .init(body: Data(repeating: 0x41, count: 10_000), fault: .drip(bytes: 1, interval: 0.2))
        }
        let client = try makeClient()
        let request = HTTPRequest(url: server.url("/drip"), timeout: 20, lowSpeedLimit: 1000, lowSpeedTime: 1)
        let failure = error(await client.perform(request))
        XCTAssertEqual(failure, .tooSlow(bytesPerSecond: 1000, seconds: 1))
    }

    func testConnectionClosedWithoutAnswerIsAnError() async throws {
        let server = try makeServer { _ in .fault(.closeWithoutAnswer) }
        let client = try makeClient()
        let failure = error(await client.perform(HTTPRequest(url: server.url("/closed"))))
        guard case .other(let message) = failure else { return XCTFail("got \(String(describing: failure))") }
        XCTAssertTrue(message.contains("curl error 52"), message)  // CURLE_GOT_NOTHING
    }

    func testNothingListeningIsAConnectFailure() async throws {
        let server = try makeServer { _ in .init(text: "") }
        let url = server.url("/")
        server.stop()
        try await Task.sleep(nanoseconds: 100_000_000)
        let client = try makeClient()
        let failure = error(await client.perform(HTTPRequest(url: url, timeout: 5)))
        guard case .connectFailed = failure else { return XCTFail("got \(String(describing: failure))") }
    }

    func testBodyOverMaxSizeIsRejected() async throws {
        let server = try makeServer { _ in .init(body: Data(repeating: 0x41, count: 5000)) }
        let client = try makeClient()
        let failure = error(await client.perform(HTTPRequest(url: server.url("/big"), maxBodySize: 4096)))
        XCTAssertEqual(failure, .tooLarge(maxSize: 4096))
        XCTAssertEqual(failure?.description, "response body larger than max_size 4096 bytes")
    }

    func testChunkedBodyOverMaxSizeIsRejected() async throws {
        var raw = Data("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        for _ in 0..<10 { raw.append(Data("400\r\n".utf8) + Data(repeating: 0x42, count: 1024) + Data("\r\n".utf8)) }
        raw.append(Data("0\r\n\r\n".utf8))
        let bytes = raw
        let server = try makeServer { _ in .fault(.raw(bytes)) }
        let client = try makeClient()
        let failure = error(await client.perform(HTTPRequest(url: server.url("/chunked"), maxBodySize: 4096)))
        XCTAssertEqual(failure, .tooLarge(maxSize: 4096))
    }

    func testGzipBombIsAbortedWithoutInflatingIntoMemory() async throws {
        let bomb = try CompressedFixtures.gzipBomb()
        XCTAssertLessThan(bomb.count, 400_000)
        let server = try makeServer { _ in .init(headers: [("Content-Encoding", "gzip")], body: bomb) }
        let client = try makeClient()
        let before = peakRSS()
        let failure = error(await client.perform(HTTPRequest(url: server.url("/bomb"), maxBodySize: 1024 * 1024)))
        XCTAssertEqual(failure, .tooLarge(maxSize: 1024 * 1024))
        XCTAssertLessThan(peakRSS() - before, 8 * 1024 * 1024, "the 200 MiB body must never be held in memory")
    }
}
