import FeedwatchDaemon
import FeedwatchServe
import Foundation
import TestSupport
import XCTest

/// `/healthz` reports a stuck loop: an in-process daemon whose polling loop the test stalls at
/// the seam the daemon offers (`DaemonHooks.beforePollingTurn`), and lets go again.
final class LivenessTests: DaemonTestCase {
    func testHealthzTurns503WhileThePollingLoopIsStuckAnd200WhenItTurnsAgain() throws {
        try writeConfig(
            """
            http: {listen: "127.0.0.1:0"}
            feeds: []
            rules: [{name: outages, any: [panne]}]
            """)
        let gate = Gate()
        let port = Box<Int>()
        let configPath = self.configPath
        let daemon = try blockingAwait {
            try await Daemon(
                configPath: configPath, liveness: Liveness(staleAfter: 0.6),
                hooks: DaemonHooks(beforePollingTurn: { await gate.pass() }, listening: { port.set($0) }))
        }
        var control: AsyncStream<DaemonSignal>.Continuation?
        let signals = SignalEvents(manual: &control)
        let exit = Box<Int32>()
        Task.detached { exit.set(await daemon.run(signals: signals)) }

        XCTAssertTrue(waitUntil(timeout: 20) { port.value != nil })
        let healthz = URL(string: "http://127.0.0.1:\(port.value ?? 0)/healthz")!
        XCTAssertTrue(waitUntil(timeout: 10) { (try? Self.get(healthz))?.status == 200 })

        // A stuck turn: the gate closed, then a reload wakes the polling loop into it.
        gate.close()
        control?.yield(.reload)
        var answer: (status: Int, body: String)?
        XCTAssertTrue(waitUntil(timeout: 10) {
            answer = try? Self.get(healthz)
            return answer?.status == 503
        })
        XCTAssertTrue(answer?.body.contains("polling") == true, answer?.body ?? "")

        gate.open()
        XCTAssertTrue(waitUntil(timeout: 10) { (try? Self.get(healthz))?.status == 200 })
        control?.yield(.stop)
        XCTAssertTrue(waitUntil(timeout: 10) { exit.value != nil })
        XCTAssertEqual(exit.value, 0)
    }

    static func get(_ url: URL) throws -> (status: Int, body: String) {
        try FeedwatchProcess.httpGet(url)
    }
}

/// Open: `pass()` returns at once; closed: it waits until the gate opens.
private final class Gate: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var isOpen = true
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func pass() async {
        await withCheckedContinuation { continuation in
            lock.lock()
            if isOpen {
                lock.unlock()
                continuation.resume()
            } else {
                waiting.append(continuation)
                lock.unlock()
            }
        }
    }

    func close() { lock.withLock { isOpen = false } }

    func open() {
        let released = lock.withLock {
            isOpen = true
            defer { waiting = [] }
            return waiting
        }
        released.forEach { $0.resume() }
    }
}

private final class Box<Value: Sendable>: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var stored: Value?
    var value: Value? { lock.withLock { stored } }
    func set(_ value: Value) { lock.withLock { stored = value } }
}
