import FeedwatchServe
import Foundation
import ServiceLifecycle

/// The systemd side of the group (SPEC §6): `READY=1` once the parts are built, `WATCHDOG=1`
/// while every loop of the daemon still turns (`Liveness`), and `STATUS=` with live counts.
struct SystemdHeartbeat: Service {
    let notifier: SystemdNotifier
    let liveness: Liveness
    let status: @Sendable () async -> String
    /// Awaited before READY=1: the listener's port is open when `systemctl start` returns.
    var beforeReady: (@Sendable () async -> Void)? = nil
    static let statusInterval: TimeInterval = 10

    func run() async {
        let wakeup = Wakeup()
        await withGracefulShutdownHandler {
            await beforeReady?()
            var lastStatus = await status()
            notifier.ready(status: lastStatus)
            liveness.setReady(true)
            var nextStatus = Date().addingTimeInterval(Self.statusInterval)
            var nextWatchdog = Date()
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                let now = Date()
                if let interval = notifier.watchdogInterval, now >= nextWatchdog {
                    // A stuck loop stops the keepalives: systemd restarts the service.
                    if liveness.isLive(now: now) { notifier.watchdog() }
                    nextWatchdog = now.addingTimeInterval(interval * 0.8)
                }
                if now >= nextStatus {
                    let text = await status()
                    if text != lastStatus {
                        notifier.status(text)
                        lastStatus = text
                    }
                    nextStatus = now.addingTimeInterval(Self.statusInterval)
                }
                let wake = notifier.watchdogInterval == nil ? nextStatus : min(nextStatus, nextWatchdog)
                await wakeup.wait(until: wake)
            }
        } onGracefulShutdown: {
            wakeup.signal()
        }
    }
}

/// What the daemon's services share.
enum Services {
    /// The longest a loop sleeps without a deadline of its own. Loops beat when a turn begins and
    /// say `idle` when they sleep, so sleeping needs no wake-ups to prove the daemon alive.
    static let maxSleep: TimeInterval = 300
}
