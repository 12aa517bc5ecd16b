import Foundation
import Logging
import ServiceLifecycle

/// Turns signals into actions: SIGHUP reloads (one place: `DaemonReloader`), SIGTERM and SIGINT
/// say `STOPPING=1` and end this service, which shuts the whole group down gracefully.
struct ControlService: Service {
    let signals: SignalEvents
    let reloader: DaemonReloader
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async {
        for await signal in signals.stream.cancelOnGracefulShutdown() {
            switch signal {
            case .reload:
                await reloader.reload()
            case .stop:
                notifier.stopping()
                logger.info("stopping")
                return
            }
        }
    }
}
