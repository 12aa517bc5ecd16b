import FeedwatchState
import Foundation
import TestSupport
import XCTest

@testable import FeedwatchDaemon
@testable import FeedwatchPostgres

/// The daemon's changed documents are recorded a group at a time: a full group goes at once, a
/// group that does not fill goes when its window ends, and each caller gets its own outcome.
final class RecordingGroupTests: XCTestCase {
    private var directory: URL!
    private var store: SQLiteStateStore!
    private let now = Date(timeIntervalSince1970: 1_800_000_000)

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
        store = try SQLiteStateStore(directory: directory.path)
    }

    override func tearDownWithError() throws {
        store.close()
        try? FileManager.default.removeItem(at: directory)
    }

    /// A document of `feed` with `keys`, each new one matched by the rule "outages".
    private nonisolated func recording(_ feed: String, _ keys: [String]) -> GroupedRecording {
        let bare = keys.map { IncomingItem(key: $0, link: "https://ex.org/\($0)", title: "", candidates: []) }
        return GroupedRecording(document: DocumentRecording(feed: feed, items: bare, alertOnFirstPoll: true)) { index in
            let key = keys[index]
            return IncomingItem(
                key: key, link: "https://ex.org/\(key)", title: "outage \(key)",
                candidates: [
                    AlertCandidate(
                        alertID: "outages|\(key)", rule: "outages", targets: ["journal"], payload: Data("{}".utf8))
                ])
        }
    }

    func testAFullGroupIsRecordedWithoutWaitingForItsWindow() async throws {
        // An hour's window: the three recordings can only finish because the group is full.
        let group = RecordingGroup(store: store, window: .seconds(3600), maxDocuments: 3)
        let (ra, rb, rc) = (recording("a", ["a1", "a2"]), recording("b", ["b1"]), recording("c", ["c1", "c2", "c3"]))
        let outcomes = try await Self.within(seconds: 30) {
            async let a = group.record(ra)
            async let b = group.record(rb)
            async let c = group.record(rc)
            return try await [a, b, c]
        }
        XCTAssertEqual(outcomes.map(\.newItems).sorted(), [1, 2, 3])
        XCTAssertEqual(
            Set(outcomes.flatMap(\.firedAlertIDs)),
            ["outages|a1", "outages|a2", "outages|b1", "outages|c1", "outages|c2", "outages|c3"])
        XCTAssertEqual(try store.pending().count, 6, "every alert is in the outbox")
    }

    func testAGroupThatDoesNotFillIsRecordedWhenItsWindowEnds() async throws {
        let group = RecordingGroup(store: store, window: .milliseconds(5), maxDocuments: 64)
        let lone = recording("a", ["a1"])
        let first = try await Self.within(seconds: 30) { try await group.record(lone) }
        XCTAssertEqual(first.firedAlertIDs, ["outages|a1"])
        // The next group starts a window of its own, and what was seen stays seen.
        let next = recording("a", ["a1", "a2"])
        let second = try await Self.within(seconds: 30) { try await group.record(next) }
        XCTAssertEqual(second.newItems, 1)
        XCTAssertEqual(second.firedAlertIDs, ["outages|a2"])
    }

    /// `body`'s result, or a failure once `seconds` pass: a trigger that never fires fails the test
    /// instead of hanging it (the race resumes the caller without waiting for a stuck body).
    private static func within<T: Sendable>(
        seconds: Double, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        do {
            return try await Retrying.answered(within: seconds, body)
        } catch is Retrying.NoAnswer {
            throw TimedOut(seconds: seconds)
        }
    }
}

private struct TimedOut: Error, CustomStringConvertible {
    var seconds: Double
    var description: String { "the recording did not finish within \(Int(seconds)) s" }
}
