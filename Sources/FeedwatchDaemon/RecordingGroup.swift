import FeedwatchState
import Foundation

/// Gathers the documents the daemon's polls record and writes them together (`recordGroup`): one
/// commit, and with `synchronous=FULL` one wait for the disk, per group instead of per changed
/// document. A feed changing every few seconds among 100,000 would otherwise commit once for each.
///
/// Groups go at least `spacing` apart. A document that comes after a quiet `spacing` is recorded at
/// once, alone, so an alert from a quiet daemon waits for nothing; documents that come sooner wait
/// for the end of the spacing and go together, so a busy daemon commits at most once a `spacing`
/// and an alert waits at most `spacing` longer. A full group goes at once.
actor RecordingGroup {
    private let store: any StateStore
    private let spacing: Duration
    private let maxDocuments: Int
    private var waiting: [(recording: GroupedRecording, continuation: CheckedContinuation<RecordOutcome, any Error>)] =
        []
    /// Counts the groups sent: a spacing's end concerns only the group it was started for.
    private var sent = 0
    /// When the last group went (nil before the first).
    private var lastSent: ContinuousClock.Instant?
    /// The wait for the spacing's end, cancelled when its group goes sooner (full).
    private var timer: Task<Void, Never>?

    init(store: any StateStore, spacing: Duration = .milliseconds(20), maxDocuments: Int = 64) {
        self.store = store
        self.spacing = spacing
        self.maxDocuments = maxDocuments
    }

    /// How many documents wait for their group to go (for tests).
    var waitingCount: Int { waiting.count }

    /// Records `recording` with the others of its group; returns once their transaction is done.
    func record(_ recording: GroupedRecording) async throws -> RecordOutcome {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append((recording, continuation))
            guard waiting.count == 1 else {
                if waiting.count >= maxDocuments { send() }
                return
            }
            let now = ContinuousClock.now
            guard let lastSent, now < lastSent + spacing else { return send() }
            let group = sent
            timer = Task { [deadline = lastSent + spacing] in
                try? await Task.sleep(until: deadline, clock: .continuous)
                self.spacingEnded(group)
            }
        }
    }

    private func spacingEnded(_ group: Int) {
        if group == sent, !waiting.isEmpty { send() }
    }

    /// Hands the waiting recordings to the store, outside this actor: the next group gathers
    /// while this one is written.
    private func send() {
        let group = waiting
        waiting.removeAll(keepingCapacity: true)
        sent += 1
        timer?.cancel()  // its wake-up, if it still comes, finds `sent` moved on and does nothing
        timer = nil
        lastSent = .now
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
