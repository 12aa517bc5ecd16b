import FeedwatchHTTP
import Foundation
import TestSupport
import XCTest

final class HTTPConcurrencyTests: HTTPTestCase {
    func testHundredRequestsToOneHostNeverExceedFourAtOnce() async throws {
        let server = try makeServer { request in .init(text: "feed \(request.path)", delay: 0.02) }
        let client = try makeClient(concurrency: 64, perHost: 4)
        let statuses = await withTaskGroup(of: Int.self) { group in
            for index in 0..<100 {
                group.addTask {
                    let result = await client.perform(HTTPRequest(url: server.url("/feed/\(index)")))
                    return (try? result.get().status) ?? -1
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        XCTAssertEqual(statuses.count, 100)
        XCTAssertEqual(statuses.filter { $0 == 200 }.count, 100)
        XCTAssertEqual(server.requests.count, 100)
        XCTAssertLessThanOrEqual(server.maxConcurrentConnections, 4)
        XCTAssertLessThanOrEqual(server.maxConcurrentRequests, 4)
        XCTAssertGreaterThan(server.maxConcurrentRequests, 1, "requests should overlap up to the cap")
    }

    /// Feeds come back to each host every few seconds, and hosts outnumber the transfers in flight:
    /// the connection cache keeps one connection per host, so a second round opens none.
    func testConnectionsToMoreHostsThanTransfersAreKeptForReuse() async throws {
        let servers = try (0..<40).map { _ in try makeServer { _ in .init(text: "feed") } }
        let client = try makeClient(concurrency: 4, perHost: 1)
        for _ in 0..<2 {
            for server in servers {
                let result = await client.perform(HTTPRequest(url: server.url("/feed")))
                XCTAssertEqual(try response(result).status, 200)
            }
        }
        XCTAssertEqual(servers.map(\.requests.count).reduce(0, +), 80)
        XCTAssertEqual(servers.map(\.connectionCount).reduce(0, +), 40, "every request of the second round reused a connection")
    }

    func testTotalConcurrencyCapHoldsAcrossHosts() async throws {
        let counter = ConcurrencyCounter()
        let handler: @Sendable (HTTPTestRequest) -> HTTPTestResponse = { _ in
            counter.enter()
            Thread.sleep(forTimeInterval: 0.02)
            counter.leave()
            return .init(text: "ok")
        }
        let server = try makeServer(handler)
        let client = try makeClient(concurrency: 3, perHost: 3)
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                let host = index.isMultiple(of: 2) ? "127.0.0.1" : "localhost"
                group.addTask { _ = await client.perform(HTTPRequest(url: server.url("/\(index)", host: host))) }
            }
        }
        XCTAssertEqual(server.requests.count, 40)
        XCTAssertLessThanOrEqual(counter.maximum, 3)
    }

    func testShutdownCancelsTransfersInFlight() async throws {
        let server = try makeServer { _ in .fault(.hang) }
        let client = try HTTPClient()
        async let result = client.perform(HTTPRequest(url: server.url("/hang"), timeout: 30))
        try await Task.sleep(nanoseconds: 300_000_000)
        client.shutdown()
        let failure = error(await result)
        XCTAssertEqual(failure, .cancelled)
        let late = error(await client.perform(HTTPRequest(url: server.url("/late"))))
        XCTAssertEqual(late, .cancelled)
    }
}

/// Counts how many handlers run at once.
final class ConcurrencyCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0
    private var peak = 0
    func enter() {
        lock.withLock {
            current += 1
            peak = max(peak, current)
        }
    }
    func leave() { lock.withLock { current -= 1 } }
    var maximum: Int { lock.withLock { peak } }
}
