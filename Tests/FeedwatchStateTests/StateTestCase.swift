import Foundation
import XCTest

@testable import FeedwatchState

/// A test case with a fresh state directory under the temporary directory, removed afterwards.
class StateTestCase: XCTestCase {
    var directory = ""
    let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    override func setUpWithError() throws {
        directory =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("feedwatch-state-\(UUID().uuidString)").path
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func openStore(_ mode: SQLiteStateStore.Mode = .readWrite) throws -> SQLiteStateStore {
        try SQLiteStateStore(directory: directory, mode: mode)
    }

    /// An item matched by each of `rules`, alerting the journal and the webhook "ops".
    func item(_ key: String, link: String, title: String, rules: [String] = ["outages"]) -> IncomingItem {
        IncomingItem(
            key: key, link: link, title: title,
            candidates: rules.map { rule in
                AlertCandidate(
                    alertID: "\(rule)|\(key)", rule: rule, targets: ["journal", "ops"],
                    payload: Data(#"{"rule":"\#(rule)","id":"\#(key)"}"#.utf8))
            })
    }

    /// Records `items` as a poll of `feed` that is not the first one.
    @discardableResult
    func poll(_ store: SQLiteStateStore, _ feed: String, _ items: [IncomingItem], at date: Date? = nil) throws
        -> RecordOutcome
    {
        try store.recordItemsAndEnqueueAlerts(feed: feed, items: items, now: date ?? t0, alertOnFirstPoll: true)
    }
}
