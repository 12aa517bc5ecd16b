import Foundation
import Logging
import PostgresNIO

/// Retries an operation while the server cannot be reached (restarting, a network blip), with
/// backoff from 0.1 s to 5 s, for up to `budget` seconds; errors the server answered (a constraint,
/// a syntax error) are thrown at once. Each attempt has `budget` to answer: the connection pool
/// waits for a server that is down rather than failing, and the daemon's loops must not wait with
/// it longer than their liveness allows. Retrying is safe because every write of the store is
/// idempotent under the tables' unique keys.
enum Retrying {
    /// What the daemon's loops may wait: well within the 30 s after which a loop counts as stuck.
    static let defaultBudget: TimeInterval = 8

    static func run<T: Sendable>(
        _ what: String, logger: Logger, budget: TimeInterval = defaultBudget, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let start = Date()
        var delay: TimeInterval = 0.1
        var warned = false
        while true {
            do {
                let value = try await answered(within: max(1, budget - Date().timeIntervalSince(start)), body)
                if warned { logger.notice("database: reachable again (\(what))") }
                return value
            } catch {
                if !warned, PostgresErrors.isTransient(error) {
                    logger.warning("database: \(PostgresErrors.describe(error)); retrying (\(what))")
                    warned = true
                }
                guard PostgresErrors.isTransient(error), Date().timeIntervalSince(start) + delay < budget else { throw error }
                try await Task.sleep(for: .seconds(delay))
                delay = min(delay * 2, 5)
            }
        }
    }

    /// The server gave no answer in time (it is down, or the network is).
    struct NoAnswer: Error, CustomStringConvertible {
        var seconds: TimeInterval
        var description: String { "no answer from the server in \(Int(seconds.rounded())) s" }
    }

    /// `body`'s answer, or `NoAnswer` after `seconds` (`body` is then cancelled). `body` runs in a
    /// task of its own, raced against the deadline: a body that does not end when cancelled (a
    /// connection the server dropped in the middle of an exchange) must not hold its caller past
    /// the deadline, as a task group would, since it waits for every child before it returns.
    static func answered<T: Sendable>(
        within seconds: TimeInterval, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let race = FirstAnswer<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                race.wait(continuation, seconds: seconds, body)
            }
        } onCancel: {
            race.finish(.failure(CancellationError()))
        }
    }
}

/// The first of a body's answer, a deadline and the caller's cancellation (`Retrying.answered`):
/// whichever comes first resumes the caller once; the others are cancelled or ignored.
final class FirstAnswer<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var outcome: Result<T, any Error>?
    private var tasks: [Task<Void, Never>] = []

    func wait(
        _ continuation: CheckedContinuation<T, any Error>, seconds: TimeInterval,
        _ body: @escaping @Sendable () async throws -> T
    ) {
        // Cancelled before it began: answer at once.
        let early: Result<T, any Error>? = lock.withLock {
            if let outcome { return outcome }
            self.continuation = continuation
            return nil
        }
        if let early { return continuation.resume(with: early) }
        let work = Task {
            do { self.finish(.success(try await body())) } catch { self.finish(.failure(error)) }
        }
        let timer = Task {
            try? await Task.sleep(for: .seconds(seconds))
            self.finish(.failure(Retrying.NoAnswer(seconds: seconds)))
        }
        let alreadyDone = lock.withLock {
            tasks = [work, timer]
            return outcome != nil
        }
        if alreadyDone {
            work.cancel()
            timer.cancel()
        }
    }

    /// The first call resumes the caller and cancels what still runs; later calls do nothing.
    func finish(_ result: Result<T, any Error>) {
        let (continuation, tasks) = lock.withLock { () -> (CheckedContinuation<T, any Error>?, [Task<Void, Never>]) in
            guard outcome == nil else { return (nil, []) }
            outcome = result
            defer {
                self.continuation = nil
                self.tasks = []
            }
            return (self.continuation, self.tasks)
        }
        for task in tasks { task.cancel() }
        continuation?.resume(with: result)
    }
}

/// What a PostgreSQL error means for the store, and how to say it.
enum PostgresErrors {
    /// The error that failed a transaction: its body's, else BEGIN's or COMMIT's.
    static func underlying(_ error: PostgresTransactionError) -> Error {
        error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError ?? error
    }

    /// The connection failed or the server is going away: the same operation may succeed later.
    static func isTransient(_ error: Error) -> Bool {
        if error is CancellationError { return false }
        if let error = error as? PostgresTransactionError { return isTransient(underlying(error)) }
        guard let error = error as? PSQLError else { return true }  // socket and NIO errors
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            // 08: connection exception; 57P01-03: the server is shutting down or starting;
            // 40001, 40P01: serialization failure, deadlock — run the transaction again.
            return state.hasPrefix("08") || ["57P01", "57P02", "57P03", "40001", "40P01", "53300"].contains(state)
        case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
            return true
        default:
            return false
        }
    }

    /// The server's message and SQLSTATE, or what failed on the way; never the query's values.
    static func describe(_ error: Error) -> String {
        if let error = error as? PostgresTransactionError { return describe(underlying(error)) }
        if let error = error as? Retrying.NoAnswer { return error.description }
        guard let error = error as? PSQLError else { return "cannot connect: \(error)" }
        if let message = error.serverInfo?[.message] {
            let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return message + state
        }
        if let underlying = error.underlying { return "cannot connect: \(underlying)" }
        return "connection failed (\(error.code))"
    }
}

extension AsyncSequence {
    /// Every element, in order.
    func all() async throws -> [Element] {
        var elements: [Element] = []
        for try await element in self { elements.append(element) }
        return elements
    }
}
