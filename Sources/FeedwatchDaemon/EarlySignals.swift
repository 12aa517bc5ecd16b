import Foundation

/// SIGTERM or SIGINT received between process start and the moment `SignalEvents` takes over.
/// A plain flag set from the signal handler (async-signal-safe); `SignalEvents` turns it into a
/// stop event so that such a signal ends the daemon cleanly instead of being lost.
nonisolated(unsafe) private var earlyStopRequested: sig_atomic_t = 0

public enum EarlySignals {
    /// Call first thing in `main`.
    public static func install() {
        signal(SIGTERM) { _ in earlyStopRequested = 1 }
        signal(SIGINT) { _ in earlyStopRequested = 1 }
        // A reload before the daemon is up has nothing to reload: the configuration is being read.
        signal(SIGHUP, SIG_IGN)
    }

    static var stopWasRequested: Bool { earlyStopRequested != 0 }
}
