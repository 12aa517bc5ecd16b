import CSystemd
import Foundation

/// The daemon's side of the sd_notify protocol (SPEC §6). Without `$NOTIFY_SOCKET` every call
/// is a no-op, so the same code runs under systemd, in a terminal and in tests.
public struct SystemdNotifier: Sendable {
    /// How often the main loop must send `WATCHDOG=1`: half of `$WATCHDOG_USEC`, or nil when
    /// the service has no watchdog.
    public let watchdogInterval: TimeInterval?

    public init() {
        var microseconds: UInt64 = 0
        if sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 {
            watchdogInterval = TimeInterval(microseconds) / 1_000_000 / 2
        } else {
            watchdogInterval = nil
        }
    }

    public func ready(status: String) { send("READY=1\nSTATUS=\(status)") }

    public func status(_ status: String) { send("STATUS=\(status)") }

    public func watchdog() { send("WATCHDOG=1") }

    /// `RELOADING=1` with the monotonic timestamp systemd 253+ expects (older ones ignore it).
    public func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let microseconds = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
        send("RELOADING=1\nMONOTONIC_USEC=\(microseconds)")
    }

    public func stopping() { send("STOPPING=1") }

    private func send(_ state: String) {
        // One line per field; a status text from a feed name can never add a field.
        let safe = state.split(separator: "\n").map { $0.replacingOccurrences(of: "\r", with: " ") }.joined(
            separator: "\n")
        _ = sd_notify(0, safe)
    }
}
