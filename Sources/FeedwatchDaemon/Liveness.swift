import Foundation

/// Whether the daemon's loops still turn: each loop beats on every turn (at least every
/// `Services.maxSleep`); the systemd watchdog and `/healthz` both ask `isLive`.
public final class Liveness: @unchecked Sendable {  // state guarded by `lock`
    private let lock = NSLock()
    private var beats: [String: Date] = [:]
    private var ready = false
    private let staleAfter: TimeInterval

    public init(staleAfter: TimeInterval = 30) {
        self.staleAfter = staleAfter
    }

    /// A named loop turned.
    public func beat(_ loop: String, now: Date = Date()) {
        lock.withLock { beats[loop] = now }
    }

    public func setReady(_ ready: Bool) {
        lock.withLock { self.ready = ready }
    }

    /// Every loop that ever beat did so within `staleAfter`.
    public func isLive(now: Date = Date()) -> Bool {
        lock.withLock { beats.values.allSatisfy { now.timeIntervalSince($0) <= staleAfter } }
    }

    public var isReady: Bool { lock.withLock { ready } }
}
