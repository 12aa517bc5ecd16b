import FeedwatchState
import Foundation
import Logging
import PostgresNIO

/// The state shared by several `feedwatch run` (SPEC §9), in PostgreSQL: the same tables as the
/// SQLite store, with what makes sharing safe — feed leases taken with `FOR UPDATE SKIP LOCKED`,
/// outbox claims that time out, uniqueness enforced by the database across instances, and
/// housekeeping by one instance at a time under an advisory lock.
///
/// Every operation is one transaction (or one statement). A lost connection is retried with
/// backoff (`Retrying`): each write is idempotent under the tables' unique keys, so a retry after a
/// commit whose answer was lost neither loses nor duplicates anything.
public final class PostgresStateStore: StateStore, @unchecked Sendable {
    let client: PostgresClient
    let logger: Logger
    /// This process, as the lease and claim tables name it: host, pid and a random part, so that a
    /// restarted process never mistakes an earlier one's claims for its own.
    public let instanceID: String
    /// How long a lease or a claim lasts without renewal (`database.lease`, 60 s by default).
    public let leasePeriod: TimeInterval
    public let location: String
    let readOnly: Bool
    private let runner: Task<Void, Never>
    private let closeLock = NSLock()
    private var isClosed = false
    /// The feeds this process holds, as of its last lease turn.
    let leases = LeaseBook()

    /// Connects, checks the schema (and, unless `readOnly`, creates or upgrades it).
    /// - Throws: `StateError.database` naming the server when it cannot be reached or refuses the
    ///   credentials, `StateError.newerSchema` for a database written by a newer feedwatch.
    public static func connect(
        _ settings: PostgresSettings, readOnly: Bool = false, logger: Logger
    ) async throws -> PostgresStateStore {
        // One connection first, alone: the pool retries a refused login or a missing database
        // quietly, where the user needs the server's reason.
        do {
            try await withTimeout(settings.connectTimeout, location: settings.location) {
                let configuration =
                    try settings.socketPath.map {
                        PostgresConnection.Configuration(
                            unixSocketPath: $0, username: settings.user, password: settings.password,
                            database: settings.database)
                    }
                    ?? PostgresConnection.Configuration(
                        host: settings.host, port: settings.port, username: settings.user, password: settings.password,
                        database: settings.database, tls: try settings.tls.connectionTLS())
                let connection = try await PostgresConnection.connect(
                    configuration: configuration,
                    id: 0, logger: Logger(label: "feedwatch.postgres", factory: { _ in SwiftLogNoOpLogHandler() }))
                try await connection.close()
            }
        } catch let error as StateError {
            throw error
        } catch {
            throw StateError.database(path: settings.location, message: PostgresErrors.describe(error))
        }
        let store = PostgresStateStore(settings, readOnly: readOnly, logger: logger)
        do {
            try await withTimeout(settings.connectTimeout, location: settings.location) {
                try await PostgresSchema.prepare(
                    store.client, readOnly: readOnly, location: store.location, logger: logger)
            }
        } catch {
            await store.close()
            throw store.stateError(error)
        }
        return store
    }

    private init(_ settings: PostgresSettings, readOnly: Bool, logger: Logger) {
        var configuration =
            settings.socketPath.map {
                PostgresClient.Configuration(
                    unixSocketPath: $0, username: settings.user, password: settings.password,
                    database: settings.database)
            }
            ?? PostgresClient.Configuration(
                host: settings.host, port: settings.port, username: settings.user, password: settings.password,
                database: settings.database, tls: settings.tls.clientTLS)
        configuration.options.connectTimeout = .seconds(Int64(settings.connectTimeout))
        configuration.options.maximumConnections = settings.maximumConnections
        // Idle connections are closed after a minute: a waiting daemon holds none open for nothing.
        configuration.options.connectionIdleTimeout = .seconds(60)
        configuration.options.keepAliveBehavior = nil
        // Every statement of a poll is prepared; left to choose, the server plans the recording's
        // statements (CTEs over arrays of keys) afresh on each execution, which was a fifth of its
        // CPU. Their generic plans are the index look-ups the custom ones find.
        configuration.options.additionalStartupParameters = [("plan_cache_mode", "force_generic_plan")]
        var quiet = logger
        quiet.logLevel = .critical
        client = PostgresClient(configuration: configuration, backgroundLogger: quiet)
        self.logger = logger
        self.readOnly = readOnly
        leasePeriod = settings.leasePeriod
        location = settings.location
        instanceID = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.prefix(8).lowercased())"
        let client = self.client
        runner = Task { await client.run() }
    }

    public var isShared: Bool { true }
    public var lookupsAreRoundTrips: Bool { true }

    public func close() async {
        let first = closeLock.withLock {
            defer { isClosed = true }
            return !isClosed
        }
        guard first else { return }
        runner.cancel()
        _ = await runner.value
    }

    deinit { runner.cancel() }

    // MARK: - Running statements

    /// Runs `body` in one transaction, retried while the server is unreachable (see `Retrying`).
    func transaction<T: Sendable>(
        _ what: String, budget: TimeInterval = Retrying.defaultBudget,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        try checkWritable()
        do {
            return try await Retrying.run(what, logger: logger, budget: budget) { [client, logger] in
                try await client.withTransaction(logger: logger) { connection in
                    try await Self.discardingOnError(connection) { try await body(connection) }
                }
            }
        } catch {
            throw stateError(error)
        }
    }

    /// Runs a read on one connection, retried while the server is unreachable.
    func read<T: Sendable>(
        _ what: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        do {
            return try await Retrying.run(what, logger: logger) { [client] in
                try await client.withConnection { connection in
                    try await Self.discardingOnError(connection) { try await body(connection) }
                }
            }
        } catch {
            throw stateError(error)
        }
    }

    /// Runs `body` on `connection`, closing the connection if it throws. postgres-nio remembers a
    /// statement whose preparation failed for the rest of its connection's life: one failed once (an
    /// aborted transaction, a restarting server) would fail every later poll that the pool hands
    /// that connection to. A closed connection leaves the pool, and a new one prepares afresh.
    static func discardingOnError<T>(
        _ connection: PostgresConnection, _ body: () async throws -> T
    ) async throws -> T {
        do {
            return try await body()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    func checkWritable() throws {
        if readOnly { throw StateError.readOnly(path: location) }
    }

    /// The error as users read it: where, and what the server said (never the password).
    func stateError(_ error: Error) -> Error {
        if error is StateError || error is CancellationError { return error }
        return StateError.database(path: location, message: PostgresErrors.describe(error))
    }

}

/// Runs `body`, or gives up after `seconds` with the error a user can act on.
private func withTimeout<T: Sendable>(
    _ seconds: TimeInterval, location: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    do {
        return try await Retrying.answered(within: seconds, body)
    } catch is Retrying.NoAnswer {
        throw StateError.database(
            path: location, message: "cannot connect: no answer in \(Int(seconds)) s (is PostgreSQL running there?)")
    }
}
