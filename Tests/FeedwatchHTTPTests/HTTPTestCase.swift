import FeedwatchHTTP
import Foundation
import TestSupport
import XCTest

/// Shared set-up: a client and loopback servers torn down after each test.
class HTTPTestCase: XCTestCase {
    func makeClient(concurrency: Int = 64, perHost: Int = 4) throws -> HTTPClient {
        let client = try HTTPClient(configuration: .init(concurrency: concurrency, perHost: perHost))
        addTeardownBlock { client.shutdown() }
        return client
    }

    func makeServer(_ handler: @escaping @Sendable (HTTPTestRequest) -> HTTPTestResponse) throws -> HTTPTestServer {
        let server = try HTTPTestServer(handler: handler)
        addTeardownBlock { server.stop() }
        return server
    }

    func response(_ result: HTTPResult, file: StaticString = #filePath, line: UInt = #line) throws -> HTTPResponse {
        switch result {
        case .success(let response): return response
        case .failure(let error):
            XCTFail("expected a response, got \(error)", file: file, line: line)
            throw error
        }
    }

    func error(_ result: HTTPResult, file: StaticString = #filePath, line: UInt = #line) -> HTTPError? {
        switch result {
        case .success(let response):
            XCTFail("expected an error, got status \(response.status)", file: file, line: line)
            return nil
        case .failure(let error): return error
        }
    }

    /// Peak resident set size of this process, in bytes.
    func peakRSS() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }
}
