import FeedwatchState
import Foundation
import XCTest

/// The store contract against the SQLite store.
final class SQLiteStoreContractTests: XCTestCase {
    private var directories: [String] = []

    override func tearDown() {
        for directory in directories { try? FileManager.default.removeItem(atPath: directory) }
        super.tearDown()
    }

    private var contract: StoreContract {
        StoreContract { [self] in
            let directory = NSTemporaryDirectory() + "feedwatch-contract-\(UUID().uuidString)"
            directories.append(directory)
            return try SQLiteStateStore(directory: directory)
        }
    }

    func testLedger() async throws { try await contract.ledger() }
    func testFeedStates() async throws { try await contract.feedStatesRoundTripAndFirstPollDoneOnlyTurnsOn() }
    func testFeedStatesPollAfterPoll() async throws { try await contract.feedStatesStayEachFeedsOwnPollAfterPoll() }
    func testOutbox() async throws { try await contract.outbox() }
    func testHistoryAndHousekeeping() async throws { try await contract.historyAndHousekeeping() }
}
