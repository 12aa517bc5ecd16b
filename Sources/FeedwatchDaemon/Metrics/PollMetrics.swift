import CoreMetrics
import FeedwatchFetch
import Foundation

/// What polling tells Prometheus (SPEC §8): polls by result, their duration, items parsed, alerts
/// per rule and the feeds by status. Rules are labels (a configuration has tens of them); feeds
/// never are: 100,000 feeds must not make 100,000 series.
final class PollMetrics: @unchecked Sendable {  // the rule table is guarded by `lock`
    private let factory: any MetricsFactory
    private let ok, notModified, failed, gone: Counter
    private let duration: CoreMetrics.Timer
    private let itemsParsed: Counter
    private let feedsOK, feedsFailing, feedsGone: Gauge
    private let lock = NSLock()
    private var alertCounters: [String: Counter] = [:]

    init(factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.factory = factory
        func polls(_ result: String) -> Counter {
            Counter(label: "feedwatch_polls_total", dimensions: [("result", result)], factory: factory)
        }
        ok = polls("ok")
        notModified = polls("not_modified")
        failed = polls("failed")
        gone = polls("gone")
        duration = CoreMetrics.Timer(label: "feedwatch_poll_duration_seconds", factory: factory)
        itemsParsed = Counter(label: "feedwatch_items_parsed_total", factory: factory)
        func feeds(_ status: String) -> Gauge {
            Gauge(label: "feedwatch_feeds", dimensions: [("status", status)], factory: factory)
        }
        feedsOK = feeds("ok")
        feedsFailing = feeds("failing")
        feedsGone = feeds("gone")
    }

    /// One finished poll: its result, how long it took, what it parsed and fired.
    func polled(_ report: PollReport, seconds: TimeInterval) {
        duration.recordNanoseconds(Int64(max(0, seconds) * 1e9))
        if report.processingError != nil {
            failed.increment()
        } else {
            switch report.result.outcome {
            case .document: ok.increment()
            case .notModified: notModified.increment()
            case .gone: gone.increment()
            case .failed: failed.increment()
            }
        }
        guard let processed = report.processed else { return }
        itemsParsed.increment(by: processed.itemsParsed)
        for alert in processed.alerts { alertCounter(alert.rule).increment() }
    }

    private func alertCounter(_ rule: String) -> Counter {
        lock.withLock {
            if let counter = alertCounters[rule] { return counter }
            let counter = Counter(label: "feedwatch_alerts_total", dimensions: [("rule", rule)], factory: factory)
            alertCounters[rule] = counter
            return counter
        }
    }

    /// The feeds by status, from the schedule's running counts (no look at every feed).
    func feeds(total: Int, failing: Int, gone: Int) {
        feedsOK.record(max(0, total - failing))
        feedsFailing.record(max(0, failing - gone))
        feedsGone.record(gone)
    }
}
