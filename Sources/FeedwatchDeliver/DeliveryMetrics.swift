import CoreMetrics
import Foundation

/// What the delivery stage tells Prometheus (SPEC §8): each outcome per destination, the time from
/// detection to delivery, and the outbox's pending and dead rows per destination. Destinations are
/// few (their names are labels); nothing is labelled per feed or per alert.
public final class DeliveryMetrics: @unchecked Sendable {  // the table is guarded by `lock`
    private let factory: any MetricsFactory
    private let latency: CoreMetrics.Timer
    private let lock = NSLock()
    private var table: [String: Handles] = [:]
    /// The destinations configured now: their gauges read zero rather than vanish.
    private var destinations: [String] = []

    private struct Handles {
        let delivered: Counter
        let retried: Counter
        let dead: Counter
        let pending: Gauge
        let deadRows: Gauge
    }

    /// Metrics made by `factory`; the default discards them (`once`, tests, no listener).
    public init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.factory = factory
        latency = CoreMetrics.Timer(label: "feedwatch_delivery_latency_seconds", factory: factory)
    }

    private func handles(_ destination: String) -> Handles {
        lock.withLock {
            if let found = table[destination] { return found }
            let made = Handles(
                delivered: counter(destination, "delivered"), retried: counter(destination, "retried"),
                dead: counter(destination, "dead"),
                pending: Gauge(label: "feedwatch_outbox_pending", dimensions: [("destination", destination)], factory: factory),
                deadRows: Gauge(label: "feedwatch_outbox_dead", dimensions: [("destination", destination)], factory: factory))
            table[destination] = made
            return made
        }
    }

    private func counter(_ destination: String, _ outcome: String) -> Counter {
        Counter(
            label: "feedwatch_deliveries_total", dimensions: [("destination", destination), ("outcome", outcome)],
            factory: factory)
    }

    /// One message (a group counts once) delivered; `detected` is when its oldest alert was recorded.
    func delivered(to destination: String, detected: Date, now: Date) {
        handles(destination).delivered.increment()
        latency.recordNanoseconds(Int64(max(0, now.timeIntervalSince(detected)) * 1e9))
    }

    func retried(to destination: String) { handles(destination).retried.increment() }

    func dead(to destination: String) { handles(destination).dead.increment() }

    func configured(_ destinations: [String]) {
        lock.withLock { self.destinations = destinations }
    }

    /// Sets the outbox gauges; configured destinations missing from `counts` read zero.
    func outbox(_ counts: [String: (pending: Int, dead: Int)]) {
        let configured = lock.withLock { destinations }
        for name in Set(configured).union(counts.keys) {
            let handles = handles(name)
            handles.pending.record(counts[name]?.pending ?? 0)
            handles.deadRows.record(counts[name]?.dead ?? 0)
        }
    }
}
