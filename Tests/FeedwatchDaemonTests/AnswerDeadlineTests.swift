import Foundation
import XCTest

@testable import FeedwatchPostgres

/// Every PostgreSQL operation of the daemon has a deadline (`Retrying.answered`): an operation
/// stuck on a connection the server dropped, deaf to cancellation, must not hold the loop that
/// asked past it. A loop held there never delivers again and never stops on SIGTERM.
final class AnswerDeadlineTests: XCTestCase {
    /// A body that ends only when the test lets it, whatever cancellation says.
    final class Stuck: @unchecked Sendable {
        private let lock = NSLock()
        private var waiting: CheckedContinuation<Void, Never>?
        private var released = false

        func wait() async {
            await withCheckedContinuation { continuation in
                let now = lock.withLock {
                    if released { return true }
                    waiting = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        }

        func release() {
            let continuation = lock.withLock {
                released = true
                defer { waiting = nil }
                return waiting
            }
            continuation?.resume()
        }
    }

    func testABodyDeafToCancellationDoesNotHoldTheCallerPastTheDeadline() async throws {
        let stuck = Stuck()
        defer { stuck.release() }
        let answered = expectation(description: "the deadline answered")
        Task {
            do {
                _ = try await Retrying.answered(within: 0.2) {
                    await stuck.wait()
                    return 1
                }
                XCTFail("a stuck body has no answer")
            } catch let error as Retrying.NoAnswer {
                XCTAssertEqual(error.seconds, 0.2)
            } catch {
                XCTFail("\(error)")
            }
            answered.fulfill()
        }
        await fulfillment(of: [answered], timeout: 30)
    }

    func testAnAnswerBeforeTheDeadlineIsReturned() async throws {
        let value = try await Retrying.answered(within: 30) { 42 }
        XCTAssertEqual(value, 42)
        do {
            _ = try await Retrying.answered(within: 30) { () async throws -> Int in throw CocoaError(.fileNoSuchFile) }
            XCTFail("the body's error is the answer")
        } catch let error as CocoaError {
            XCTAssertEqual(error.code, .fileNoSuchFile)
        }
    }

    func testACancelledCallerIsAnsweredAtOnceEvenWhileTheBodyIsStuck() async throws {
        let stuck = Stuck()
        defer { stuck.release() }
        let started = expectation(description: "the body started")
        let call = Task {
            try await Retrying.answered(within: 3600) {
                started.fulfill()
                await stuck.wait()
                return 1
            }
        }
        await fulfillment(of: [started], timeout: 30)
        let answered = expectation(description: "the cancelled caller answered")
        Task {
            do {
                _ = try await call.value
                XCTFail("a cancelled caller gets no value")
            } catch {
                XCTAssertTrue(error is CancellationError, "\(error)")
            }
            answered.fulfill()
        }
        call.cancel()
        await fulfillment(of: [answered], timeout: 30)
    }
}
