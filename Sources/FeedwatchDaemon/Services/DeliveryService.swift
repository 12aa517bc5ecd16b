import FeedwatchDeliver
import FeedwatchState
import FeedwatchServe
import Foundation
import Logging
import ServiceLifecycle

/// Delivery: runs the delivery stage over the outbox — when alerts were queued, when a delivery
/// finished, when the next retry or release falls due, and every few seconds for what `feedwatch
/// outbox retry` put back — and dead-letters what outlived its destination's `retry_for`.
actor DeliveryService: Service {
    let stage: DeliveryStage
    private let store: any StateStore
    private let liveness: Liveness
    private let logger: Logger
    private let wakeup = Wakeup()
    private let dirty = Flag(true)
    private var nextLook = Date.distantPast
    /// When the stage said the outbox next needs it (a retry, a release, a rate limit freeing up).
    private var nextDue = Date.distantPast
    private var nextExpiry = Date.distantPast
    /// Each destination's `retry_for`, for expiring what waited too long.
    private var retryWindows: [String: TimeInterval]

    /// How often the outbox is looked at when nothing in it is due sooner.
    static let lookInterval: TimeInterval = 5
    static let expiryInterval: TimeInterval = 60
    /// Deliveries in flight get this long to finish at shutdown; the rest stay pending for the next start.
    static let shutdownGrace: TimeInterval = 5

    init(stage: DeliveryStage, store: any StateStore, retryWindows: [String: TimeInterval], liveness: Liveness, logger: Logger) {
        self.stage = stage
        self.store = store
        self.retryWindows = retryWindows
        self.liveness = liveness
        self.logger = logger
    }

    /// Something was queued or finished: look at the outbox now.
    nonisolated func nudge() {
        dirty.set()
        wakeup.signal()
    }

    func run() async {
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                let now = Date()
                liveness.beat("delivery", now: now)
                await startDue(now: now)
                await expireIfDue(now: now)
                liveness.idle("delivery")
                let wake = min(nextLook, nextExpiry, now.addingTimeInterval(Services.maxSleep))
                await wakeup.wait(until: max(wake, now.addingTimeInterval(0.001)))
            }
            await drain()
        } onGracefulShutdown: { [wakeup] in
            wakeup.signal()
        }
    }

    private func startDue(now: Date) async {
        if !dirty.take() {
            guard now >= nextLook else { return }
            // `feedwatch outbox retry` writes beside the daemon: a look every few seconds notices
            // what it put back. When nothing is due yet and no other process wrote, that look is
            // one pragma instead of the queries of a whole look (most of an idle daemon's reads).
            if now < nextDue, (try? await store.outboxChangedElsewhere()) == false {
                nextLook = min(nextDue, now.addingTimeInterval(Self.lookInterval))
                return
            }
        }
        let next = await stage.startDue(now: now) { [weak self] in self?.nudge() }
        nextDue = next
        nextLook = min(next, now.addingTimeInterval(Self.lookInterval))
    }

    private func expireIfDue(now: Date) async {
        guard now >= nextExpiry else { return }
        nextExpiry = now.addingTimeInterval(Self.expiryInterval)
        if let expired = try? await store.expire(olderThan: retryWindows, now: now), expired > 0 {
            logger.error("\(expired) delivery(ies) passed their destination's retry_for: dead-lettered")
        }
    }

    /// Deliveries unfinished at the deadline stay pending in the outbox: the next start sends them.
    private func drain() async {
        let inFlight = await stage.deliveriesInFlight
        guard inFlight > 0 else { return }
        logger.info("stopping: finishing \(inFlight) delivery(ies) in flight")
        let deadline = Date().addingTimeInterval(Self.shutdownGrace)
        while await stage.deliveriesInFlight > 0, Date() < deadline {
            await wakeup.wait(until: min(deadline, Date().addingTimeInterval(0.1)))
        }
    }

    /// A reload: new destinations and shaping; deliveries in flight finish with the old ones.
    func use(_ destinations: [String: any Destination], policy: ShapingPolicy) async {
        retryWindows = destinations.mapValues(\.retryFor)
        await stage.use(destinations, policy: policy)
        nudge()
    }
}

/// A flag set from anywhere and taken by one loop.
final class Flag: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var value: Bool

    init(_ value: Bool = false) { self.value = value }

    func set() { lock.withLock { value = true } }

    /// Returns whether it was set, and clears it.
    func take() -> Bool {
        lock.withLock {
            defer { value = false }
            return value
        }
    }
}
