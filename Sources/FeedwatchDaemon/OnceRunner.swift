import FeedwatchAlert
import FeedwatchConfig
import FeedwatchDeliver
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
        /// Deliveries left in the outbox, pending a later attempt by `run` (not dead letters).
        public var stillQueued = 0

        /// `once`'s exit status (SPEC §1): 0 when every feed was polled and every alert delivered,
        /// 2 when a feed failed or a delivery failed or is still queued.
        public var exitStatus: Int32 {
            failedFeeds == 0 && deliveryFailures == 0 && stillQueued == 0 ? 0 : 2
        }
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
        let opened = try await StoreOpener.open(config, mode: dryRun ? .readOnly : .readWrite, logger: logger)
        let store: any StateStore = dryRun ? DryRunStore(wrapping: opened) : opened
        do {
            let summary = try await run(runtime, store: store, dryRun: dryRun, printAlert: printAlert)
            await store.close()
            return summary
        } catch {
            await store.close()
            throw error
        }
    }

    private func run(
        _ runtime: Runtime, store: any StateStore, dryRun: Bool, printAlert: @Sendable (String) -> Void
    ) async throws -> Summary {
        let http = try HTTPClient(configuration: .init(concurrency: config.concurrency, perHost: config.perHost))
        defer { http.shutdown() }
        let poller = FeedPoller(
            fetcher: FeedFetcher(client: http), processor: DocumentProcessor(runtime: runtime, store: store),
            logger: logger)
        var summary = Summary()
        let states = try await Dictionary(store.allFeedStates().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        // A feed that answered 410 Gone stays stopped until its URL changes in the configuration.
        let feeds = config.feeds.filter { feed in
            guard let state = states[feed.name], state.configuredURL == feed.source.url, state.gone else { return true }
            logger.warning("not polled: it answered 410 Gone", metadata: ["feed": "\(feed.name)"])
            return false
        }
        summary.feeds = feeds.count
        let reports = await pollInConfigurationOrder(feeds, states: states, poller: poller)
        let now = Date()
        var updatedStates: [FeedState] = []
        for (feed, report) in zip(feeds, reports) {
            if report.processingError != nil { summary.failedFeeds += 1 }
            switch report.result.outcome {
            case .failed, .gone: summary.failedFeeds += 1
            case .document, .notModified: break
            }
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
        try await store.saveFeedStates(updatedStates)
        if !dryRun {
            let health = FeedHealth(config: config.health)
            for (feed, state) in zip(feeds, updatedStates) {
                await health.check(state, previous: states[feed.name], feed: feed, store: store, now: now, logger: logger)
            }
        }
        if !dryRun {
            let stage = DeliveryStage(
                store: store, destinations: try DestinationSet.make(config: config, http: http, journal: JournalSink()),
                policy: ShapingPolicy(config: config), logger: logger)
            let result = await stage.attemptDue(now: Date())
            summary.delivered = result.delivered
            summary.deliveryFailures = result.failed
            summary.stillQueued = try await store.pending().count
        }
        return summary
    }

    /// Most documents fetched and prepared ahead of the one to record next: a slow feed early in
    /// the list holds back recording, not fetching, but memory stays bounded all the same.
    static let preparedAhead = 1024
    /// Documents recorded in one transaction: at least `least` while more are coming, at most `most`
    /// so that one stays short (a `feedwatch outbox retry` beside it waits for it).
    static let recordedTogether = (least: 32, most: 256)

    /// Fetches and prepares up to `concurrency` feeds at once, and records them one by one in
    /// configuration order, whatever order their fetches finish in: the same documents give the
    /// same alerts (a story in two feeds fires for the one listed first).
    private func pollInConfigurationOrder(
        _ feeds: [FeedConfig], states: [String: FeedState], poller: FeedPoller
    ) async -> [PollReport] {
        let concurrency = max(1, config.concurrency)
        return await withTaskGroup(of: (Int, PreparedPoll).self) { group in
            var next = 0
            var inFlight = 0
            var ready: [Int: PreparedPoll] = [:]
            var reports: [PollReport] = []
            reports.reserveCapacity(feeds.count)
            func startMore() {
                while next < feeds.count, inFlight < concurrency, ready.count + inFlight < Self.preparedAhead {
                    let index = next
                    let feed = feeds[index]
                    group.addTask { (index, await poller.fetchAndPrepare(feed, state: states[feed.name])) }
                    next += 1
                    inFlight += 1
                }
            }
            startMore()
            for await (index, prepared) in group {
                inFlight -= 1
                ready[index] = prepared
                // Documents ready in order are recorded together, in one transaction, once enough
                // of them are (or nothing else can come first): a commit per feed would make the
                // disk, not the network, what `once` waits for.
                var run = 0
                while ready[reports.count + run] != nil { run += 1 }
                let canWait = inFlight > 0 && ready.count + inFlight < Self.preparedAhead
                if run < Self.recordedTogether.least && canWait {
                    startMore()
                    continue
                }
                while ready[reports.count] != nil {
                    var batch: [PreparedPoll] = []
                    while batch.count < Self.recordedTogether.most,
                        let head = ready.removeValue(forKey: reports.count + batch.count)
                    {
                        batch.append(head)
                    }
                    reports += await poller.record(batch, now: Date())
                }
                startMore()
            }
            return reports
        }
    }
}
