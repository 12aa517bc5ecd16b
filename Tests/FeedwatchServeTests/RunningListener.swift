import FeedwatchHTTP
import FeedwatchServe
import Foundation
import Logging
import ServiceLifecycle
import XCTest

/// The listener running in its own `ServiceGroup`, as the daemon runs it, on 127.0.0.1 and a port
/// the kernel chose; `stop()` shuts it down gracefully.
final class RunningListener: @unchecked Sendable {
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.task = task
    }

    static func start(source: any StatusSource, liveness: Liveness, token: String? = nil) async throws
        -> RunningListener
    {
        let bound = PortBox()
        var logger = Logger(label: "feedwatch-test-listener")
        logger.logLevel = .warning
        let listener = makeListener(
            settings: ListenerSettings(host: "127.0.0.1", port: 0, token: token), source: source,
            liveness: liveness, logger: logger, onBound: { bound.set($0) })
        let group = ServiceGroup(services: [listener], logger: logger)
        let task = Task { try await group.run() }
        try await eventually("the listener is bound", timeout: 20) { bound.value != nil }
        return RunningListener(port: bound.value!, group: group, task: task)
    }

    func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

/// A port reported from the server's thread.
final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var port: Int?
    func set(_ port: Int) { lock.withLock { self.port = port } }
    var value: Int? { lock.withLock { port } }
}

/// Polls `condition` every 20 ms until it holds; fails the test after `timeout` seconds.
func eventually(
    _ what: String, timeout: TimeInterval = 10, file: StaticString = #filePath, line: UInt = #line,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(nanoseconds: 20_000_000)
    }
    if try await condition() { return }
    XCTFail("timed out waiting until \(what)", file: file, line: line)
    throw CancellationError()
}

/// Requests with the project's own libcurl client.
struct ListenerClient {
    let http: HTTPClient

    struct Answer {
        var status: Int
        var headers: FeedwatchHTTP.HTTPHeaders
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func get(_ url: URL, token: String? = nil, method: String = "GET") async throws -> Answer {
        var headers: FeedwatchHTTP.HTTPHeaders = [:]
        if let token { headers.set(name: "Authorization", value: "Bearer \(token)") }
        let result = await http.perform(
            HTTPRequest(url: url, method: method, headers: headers, timeout: 20, followRedirects: false))
        let response = try result.get()
        return Answer(status: response.status, headers: response.headers, body: response.body)
    }
}
