import CoreMetrics
import Foundation
import Prometheus

/// The daemon's metrics registry and its `/metrics` text: the stages record into it through
/// swift-metrics (`factory`), gauges that are cheaper to read than to keep (the outbox's counts,
/// the feeds by status) are refreshed just before a scrape, and the process's own CPU and memory
/// are read from /proc at that moment.
public final class MetricsExporter: Sendable {
    let registry = PrometheusCollectorRegistry()
    let factory: any MetricsFactory
    private let refreshers = LockedRefreshers()

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        // Polls take milliseconds to tens of seconds (a slow host, the timeout); deliveries up to
        // the retry window when a receiver is down.
        factory.durationHistogramBuckets = [
            "feedwatch_poll_duration_seconds": [
                .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
                .seconds(30),
            ],
            "feedwatch_delivery_latency_seconds": [
                .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(500), .seconds(1),
                .seconds(5), .seconds(30), .seconds(60), .seconds(300), .seconds(3600), .seconds(21600),
                .seconds(86400),
            ],
        ]
        self.factory = factory
    }

    /// Runs `refresh` before every scrape (the owner of a gauge keeps it; the exporter only asks).
    func beforeScrape(_ refresh: @escaping @Sendable () async -> Void) {
        refreshers.append(refresh)
    }

    /// The Prometheus text exposition of everything recorded, the process's figures included.
    public func text() async -> String {
        for refresh in refreshers.all { await refresh() }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(8192)
        registry.emit(into: &buffer)
        buffer.append(contentsOf: ProcessMetrics.read().text.utf8)
        return String(decoding: buffer, as: UTF8.self)
    }
}

private final class LockedRefreshers: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var refreshers: [@Sendable () async -> Void] = []

    func append(_ refresh: @escaping @Sendable () async -> Void) {
        lock.withLock { refreshers.append(refresh) }
    }

    var all: [@Sendable () async -> Void] { lock.withLock { refreshers } }
}
