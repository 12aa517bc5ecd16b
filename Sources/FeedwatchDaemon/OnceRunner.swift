import FeedwatchAlert
import FeedwatchConfig
import FeedwatchFetch
import FeedwatchHTTP
import FeedwatchState
import Foundation
import Logging

/// `feedwatch once [--dry-run]`: one poll of every feed through the same pipeline as `run`.
public struct OnceRunner {
    public struct Summary: Sendable, Equatable {
        public var feeds = 0
        public var failedFeeds = 0
        public var newItems = 0
        public var alerts = 0
        public var delivered = 0
        public var deliveryFailures = 0
    }

    let config: Config
    let logger: Logger

    public init(config: Config, logger: Logger = Logger(label: "feedwatch")) {
        self.config = config
        self.logger = logger
    }

    /// Polls every feed once. A real run records state and makes one delivery attempt per queued
    /// alert (failures stay queued for `run`); a dry run writes nothing and hands each alert that
    /// would fire to `printAlert` as its `json` payload line.
    public func run(dryRun: Bool, printAlert: @Sendable (String) -> Void) async throws -> Summary {
        let runtime = try Runtime(config: config)
        let store = try StateStore(directory: config.stateDirectory, mode: dryRun ? .readOnly : .readWrite)
        defer { store.close() }
        let http = try HTTPClient(configuration: .init(concurrency: config.concurrency, perHost: config.perHost))
        defer { http.shutdown() }
        let poller = FeedPoller(
            fetcher: FeedFetcher(client: http), processor: DocumentProcessor(runtime: runtime, store: store),
            logger: logger)
        var summary = Summary()
        let states = try Dictionary(store.allFeedStates().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        // A feed that answered 410 Gone stays stopped until its URL changes in the configuration.
        let feeds = config.feeds.filter { feed in
            guard let state = states[feed.name], state.configuredURL == feed.source.url, state.gone else { return true }
            logger.warning("not polled: it answered 410 Gone", metadata: ["feed": "\(feed.name)"])
            return false
        }
        summary.feeds = feeds.count
        // At most `concurrency` feeds between fetch and record at once: documents fetched faster than
        // they are recorded would otherwise pile up in memory.
        let window = max(1, config.concurrency)
        let reports = await withTaskGroup(of: (Int, PollReport).self) { group in
            var next = 0
            var reports: [(Int, PollReport)] = []
            func addNext() {
                guard next < feeds.count else { return }
                let index = next
                let feed = feeds[index]
                group.addTask { (index, await poller.poll(feed, state: states[feed.name])) }
                next += 1
            }
            for _ in 0..<window { addNext() }
            for await report in group {
                reports.append(report)
                addNext()
            }
            return reports.sorted { $0.0 < $1.0 }.map(\.1)
        }
        let now = Date()
        var updatedStates: [FeedState] = []
        for (feed, report) in zip(feeds, reports) {
            if report.processingError != nil { summary.failedFeeds += 1 }
            if case .failed = report.result.outcome { summary.failedFeeds += 1 }
            summary.newItems += report.processed?.record.newItems ?? 0
            summary.alerts += report.processed?.record.fired ?? 0
            for alert in report.processed?.alerts ?? [] where dryRun {
                printAlert(alert.jsonPayloadText())
            }
            guard !dryRun else { continue }
            let outcome = PollOutcome(report.result)
            let errors = states[feed.name].map { $0.consecutiveErrors } ?? 0
            let failed: Bool
            switch outcome {
            case .failure: failed = true
            default: failed = report.processingError != nil
            }
            let interval = feed.settings.interval
            let state = FeedPoller.updatedState(
                states[feed.name], feed: feed, report: report, nextDue: now.addingTimeInterval(interval),
                consecutiveErrors: failed ? errors + 1 : 0, now: now)
            updatedStates.append(state)
        }
        try store.saveFeedStates(updatedStates)
        if !dryRun {
            let queue = DeliveryQueue(
                store: store, delivery: AlertDelivery(http: http, journal: JournalSink()), logger: logger)
            let result = await queue.attemptDue(now: Date(), runtime: runtime)
            summary.delivered = result.delivered
            summary.deliveryFailures = result.failed
        }
        return summary
    }
}
