import FeedwatchState
import Foundation
import TestSupport
import XCTest

@testable import FeedwatchDaemon
@testable import FeedwatchPostgres

/// The daemon's changed documents are recorded a group at a time: a document after a quiet spell
/// goes at once, later ones wait for the spacing to end or for their group to fill, and each caller
/// gets its own outcome.
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

    func testADocumentAfterAQuietSpellIsRecordedAtOnce() async throws {
        // An hour's spacing: the lone document can only finish because no group went before it.
        let group = RecordingGroup(store: store, spacing: .seconds(3600), maxDocuments: 64)
        let lone = recording("a", ["a1"])
        let outcome = try await Self.within(seconds: 30) { try await group.record(lone) }
        XCTAssertEqual(outcome.firedAlertIDs, ["outages|a1"])
        XCTAssertEqual(try store.pending().count, 1, "its alert is in the outbox")
    }

    func testDocumentsWithinTheSpacingWaitAndAFullGroupGoesWithoutWaitingForItsEnd() async throws {
        // An hour's spacing: after the first group, the next documents can only finish because
        // their group fills.
        let group = RecordingGroup(store: store, spacing: .seconds(3600), maxDocuments: 3)
        let first = recording("z", ["z1"])
        _ = try await Self.within(seconds: 30) { try await group.record(first) }
        let (ra, rb, rc) = (recording("a", ["a1", "a2"]), recording("b", ["b1"]), recording("c", ["c1", "c2", "c3"]))
        let waitingA = Task { try await group.record(ra) }
        try await Self.within(seconds: 30) {
            while await group.waitingCount < 1 { await Task.yield() }
        }
        let waitingB = Task { try await group.record(rb) }
        try await Self.within(seconds: 30) {
            while await group.waitingCount < 2 { await Task.yield() }
        }
        XCTAssertEqual(try store.pending().count, 1, "the two waiting documents are not recorded yet")
        let outcomes = try await Self.within(seconds: 30) {
            let c = try await group.record(rc)
            return [try await waitingA.value, try await waitingB.value, c]
        }
        XCTAssertEqual(outcomes.map(\.newItems).sorted(), [1, 2, 3])
        XCTAssertEqual(
            Set(outcomes.flatMap(\.firedAlertIDs)),
            ["outages|a1", "outages|a2", "outages|b1", "outages|c1", "outages|c2", "outages|c3"])
        XCTAssertEqual(try store.pending().count, 7, "every alert is in the outbox")
        let stillWaiting = await group.waitingCount
        XCTAssertEqual(stillWaiting, 0)
    }

    func testAGroupThatDoesNotFillIsRecordedWhenTheSpacingEnds() async throws {
        // Half a second: the next document, recorded as soon as the first returns, comes within it
        // and waits for its end (on a machine stalled longer it goes at once; it passes either way).
        let group = RecordingGroup(store: store, spacing: .milliseconds(500), maxDocuments: 64)
        let lone = recording("a", ["a1"])
        let first = try await Self.within(seconds: 30) { try await group.record(lone) }
        XCTAssertEqual(first.firedAlertIDs, ["outages|a1"])
        // The next document waits for the spacing's end if it comes within it, and goes at once
        // otherwise: either way it is recorded, and what was seen stays seen.
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
