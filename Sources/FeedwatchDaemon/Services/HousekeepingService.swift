import FeedwatchState
import FeedwatchServe
import Foundation
import Logging
import ServiceLifecycle

/// Housekeeping: prunes what the retention rules let go (seen items, delivered rows, old alerts),
/// one small batch per turn so that it never holds up polls or deliveries.
struct HousekeepingService: Service {
    let store: any StateStore
    let liveness: Liveness
    let logger: Logger
    /// The first pass waits a minute: a start is busy enough.
    var firstPassDelay: TimeInterval = 60
    static let batchSize = 500

    func run() async {
        let wakeup = Wakeup()
        await withGracefulShutdownHandler {
            var nextPrune = Date().addingTimeInterval(firstPassDelay)
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                let now = Date()
                liveness.beat("housekeeping", now: now)
                if now >= nextPrune {
                    do {
                        let removed = try await store.prune(now: now, batchSize: Self.batchSize)
                        nextPrune = now.addingTimeInterval(removed == Self.batchSize ? 1 : 3600)
                    } catch {
                        logger.warning("pruning old state failed (will retry): \(error)")
                        nextPrune = now.addingTimeInterval(600)
                    }
                }
                liveness.idle("housekeeping")
                await wakeup.wait(until: min(nextPrune, now.addingTimeInterval(Services.maxSleep)))
            }
        } onGracefulShutdown: {
            wakeup.signal()
        }
    }
}
