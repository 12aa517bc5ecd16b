import Foundation

/// Whether the daemon's loops still turn (`/healthz`) and whether it is ready (`/readyz`).
///
/// Shared with the daemon: every loop beats under its own name when a turn begins and says `idle`
/// when it goes to sleep; `/healthz` answers 200 while no loop has been in one turn for longer than
/// `staleAfter` (stuck on a lock, a disk, a call that never returns). A sleeping loop is not watched.
/// Safe from any thread: one lock around a small dictionary.
public final class Liveness: @unchecked Sendable {
    /// How long a loop may go without a beat before it counts as stuck.
    public let staleAfter: TimeInterval
    private let lock = NSLock()
    private var lastBeats: [String: Date] = [:]
    private var ready = false

    public init(staleAfter: TimeInterval = 30) {
        self.staleAfter = staleAfter
    }

    /// The loop named `loop` began a turn (or is still turning: a long turn may beat again).
    public func beat(_ loop: String, now: Date = Date()) {
        lock.withLock { lastBeats[loop] = now }
    }

    /// The loop named `loop` finished its turn and sleeps until its next deadline or event: a
    /// sleeping loop is not stuck, and an idle daemon needs no wake-ups to prove it is alive.
    public func idle(_ loop: String) {
        lock.withLock { lastBeats[loop] = nil }
    }

    /// Sets what `/readyz` answers: true once the state is open and the schedule loaded.
    public func setReady(_ ready: Bool) {
        lock.withLock { self.ready = ready }
    }

    /// True while every loop that ever beat did so within `staleAfter` of `now`.
    public func isLive(now: Date = Date()) -> Bool {
        stuckLoops(now: now).isEmpty
    }

    /// Whether `/readyz` answers 200.
    public var isReady: Bool { lock.withLock { ready } }

    /// The loops that missed their beat, each with how long it has been silent, longest first.
    public func stuckLoops(now: Date = Date()) -> [(loop: String, silentFor: TimeInterval)] {
        let beats = lock.withLock { lastBeats }
        return beats.compactMap { loop, last in
            let silence = now.timeIntervalSince(last)
            return silence > staleAfter ? (loop, silence) : nil
        }.sorted { $0.silentFor > $1.silentFor }
    }
}

extension Liveness {
    /// "stuck: the main loop has not turned for 42s (more than 30s)", naming the others stuck too;
    /// nil while every loop beats in time.
    func stuckText(now: Date = Date()) -> String? {
        let stuck = stuckLoops(now: now)
        guard let worst = stuck.first else { return nil }
        var text = "stuck: the \(worst.loop) loop has not turned for \(Self.seconds(worst.silentFor))"
        text += " (more than \(Self.seconds(staleAfter)))"
        if stuck.count > 1 { text += "; also stuck: " + stuck.dropFirst().map(\.loop).joined(separator: ", ") }
        return text
    }

    /// Whole seconds, or tenths under ten seconds (a test's `staleAfter: 0.2`).
    private static func seconds(_ interval: TimeInterval) -> String {
        interval >= 10 ? "\(Int(interval))s" : String(format: "%.1fs", interval)
    }
}
