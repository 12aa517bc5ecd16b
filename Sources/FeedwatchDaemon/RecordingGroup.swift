import FeedwatchState
import Foundation

/// Gathers the documents the daemon's polls record within `window` and writes them together
/// (`recordGroup`): one commit, and with `synchronous=FULL` one wait for the disk, per group instead
/// of per changed document. A feed changing every few seconds among 100,000 would otherwise commit
/// once for each. An alert waits at most `window` longer; a full group goes at once.
actor RecordingGroup {
    private let store: any StateStore
    private let window: Duration
    private let maxDocuments: Int
    private var waiting: [(recording: GroupedRecording, continuation: CheckedContinuation<RecordOutcome, any Error>)] =
        []
    /// Counts the groups sent: a window's end concerns only the group it was started for.
    private var sent = 0

    init(store: any StateStore, window: Duration = .milliseconds(50), maxDocuments: Int = 64) {
        self.store = store
        self.window = window
        self.maxDocuments = maxDocuments
    }

    /// Records `recording` with the others of its group; returns once their transaction is done.
    func record(_ recording: GroupedRecording) async throws -> RecordOutcome {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append((recording, continuation))
            if waiting.count >= maxDocuments {
                send()
            } else if waiting.count == 1 {
                let group = sent
                Task { [window] in
                    try? await Task.sleep(for: window)
                    await self.windowEnded(group)
                }
            }
        }
    }

    private func windowEnded(_ group: Int) {
        if group == sent, !waiting.isEmpty { send() }
    }

    /// Hands the waiting recordings to the store, outside this actor: the next group gathers
    /// while this one is written.
    private func send() {
        let group = waiting
        waiting.removeAll(keepingCapacity: true)
        sent += 1
        Task.detached { [store] in
            let results = await store.recordGroup(group.map(\.recording), now: Date())
            for (index, entry) in group.enumerated() {
                // One result per recording is the store's promise; a poll left without one would
                // never finish, so a missing result fails it instead.
                entry.continuation.resume(with: index < results.count ? results[index] : .failure(MissingResult()))
            }
        }
    }
}

/// A store answered a group with fewer results than recordings.
struct MissingResult: Error, CustomStringConvertible {
    var description: String { "the store gave no outcome for this document" }
}
