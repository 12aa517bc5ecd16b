import FeedwatchPostgres
import FeedwatchState
import Foundation
import Logging
import TestSupport
import XCTest

/// The store contract against PostgreSQL: a private server for the class, a new database per check.
final class PostgresStoreContractTests: XCTestCase {
    nonisolated(unsafe) private static var server: PostgresTestServer?
    nonisolated(unsafe) private static var databases = 0

    override class func tearDown() {
        stopSharedServer()
        super.tearDown()
    }

    /// Stops the server the PostgreSQL test classes of this module share (a class that needs it
    /// again starts another).
    static func stopSharedServer() {
        server?.shutdown()
        server = nil
    }

    /// The class's server, started on first use.
    static func sharedServer() throws -> PostgresTestServer {
        if let server { return server }
        let started = try PostgresTestServer()
        server = started
        return started
    }

    /// A new, empty database on the class's server, and the settings to reach it.
    static func freshDatabase(leasePeriod: TimeInterval = 60) throws -> PostgresSettings {
        let server = try sharedServer()
        databases += 1
        let name = "contract_\(databases)"
        try server.psql("CREATE DATABASE \(name) OWNER \(PostgresTestServer.user)", superuser: true)
        return PostgresSettings(
            host: "127.0.0.1", port: server.port, user: PostgresTestServer.user, password: server.password,
            database: name, tls: .disable, leasePeriod: leasePeriod)
    }

    private var contract: StoreContract {
        StoreContract {
            try await PostgresStateStore.connect(try Self.freshDatabase(), logger: Logger(label: "test"))
        }
    }

    func testLedger() async throws { try await contract.ledger() }
    func testFeedStates() async throws { try await contract.feedStatesRoundTripAndFirstPollDoneOnlyTurnsOn() }
    func testFeedStatesPollAfterPoll() async throws { try await contract.feedStatesStayEachFeedsOwnPollAfterPoll() }
    func testOutbox() async throws { try await contract.outbox() }
    func testHistoryAndHousekeeping() async throws { try await contract.historyAndHousekeeping() }
}
