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
        let (reports, updatedStates) = try await pollInConfigurationOrder(
            feeds, states: states, poller: poller, store: store, savingStates: !dryRun)
        for report in reports {
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
        }
        if !dryRun {
            let health = FeedHealth(config: config.health)
            for (feed, state) in zip(feeds, updatedStates) {
                await health.check(
                    state, previous: states[feed.name], feed: feed, store: store, now: state.lastPoll ?? Date(),
                    logger: logger)
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

    /// Most recordings at once on a shared store (the connection pool's default size): a recording
    /// is a few round trips and a commit, mostly waiting, and commits that wait together are
    /// flushed to disk together.
    static let recordingsAtOnce = 8

    /// Documents recorded in one transaction on a store of one writer: at least `least` while more
    /// are coming, at most `most` so that one stays short (a `feedwatch outbox retry` beside it
    /// waits for it).
    static let recordedTogether = (least: 32, most: 256)

    /// Fetches and prepares up to `concurrency` feeds at once, and records them in configuration
    /// order, whatever order their fetches finish in: the same documents give the same alerts (a
    /// story in two feeds fires for the one listed first).
    ///
    /// SQLite has one writer, and every commit waits for the disk: there (and in a dry run) the
    /// documents ready in order are recorded together, one transaction for a run of them, while the
    /// next ones are fetched. On a shared store (PostgreSQL, where a recording waits on the network
    /// and the commit), up to `recordingsAtOnce` recordings overlap, with the outcome of recording
    /// one after another: they start in configuration order, and a document with alert candidates
    /// starts only once every earlier one with candidates is recorded. A document without
    /// candidates fires nothing and reads nothing another feed writes (its seen items are its
    /// feed's own), so it cannot change nor be changed by another; documents with candidates,
    /// which share story keys and queue alerts, are decided and queued in configuration order.
    ///
    /// With `savingStates`, the state each poll leaves is computed as its document is recorded and
    /// saved `statesSavedTogether` at a time while later feeds are polled, so that the end of the
    /// run does not wait for ten thousand rows written one after another. Returns the reports and
    /// those states (empty without `savingStates`), both in configuration order.
    private func pollInConfigurationOrder(
        _ feeds: [FeedConfig], states: [String: FeedState], poller: FeedPoller, store: any StateStore,
        savingStates: Bool
    ) async throws -> (reports: [PollReport], states: [FeedState]) {
        let concurrency = max(1, config.concurrency)
        let shared = store.isShared
        enum Step: Sendable {
            case prepared(Int, PreparedPoll)
            case recorded(Int, [PollReport], alerting: Bool)
            case saved((any Error)?)
        }
        let polled = await withTaskGroup(of: Step.self) { group in
            var next = 0
            var fetching = 0
            var ready: [Int: PreparedPoll] = [:]
            var nextToRecord = 0
            var recordings = 0
            var recordingDocuments = 0
            var alertingRecording = false
            var reports: [PollReport?] = Array(repeating: nil, count: feeds.count)
            var updated: [FeedState?] = Array(repeating: nil, count: savingStates ? feeds.count : 0)
            var unsaved: [FeedState] = []
            var saveError: (any Error)?
            func saveUnsaved() {
                let batch = unsaved
                unsaved = []
                group.addTask {
                    do {
                        try await store.saveFeedStates(batch)
                        return .saved(nil)
                    } catch {
                        return .saved(error)
                    }
                }
            }
            func record(_ batch: [PreparedPoll], alerting: Bool) {
                let index = nextToRecord
                for offset in batch.indices { ready.removeValue(forKey: index + offset) }
                group.addTask { .recorded(index, await poller.record(batch, now: Date()), alerting: alerting) }
                nextToRecord += batch.count
                recordings += 1
                recordingDocuments += batch.count
                if alerting { alertingRecording = true }
            }
            func startMore() {
                while next < feeds.count, fetching < concurrency,
                    ready.count + fetching + recordingDocuments < Self.preparedAhead
                {
                    let index = next
                    let feed = feeds[index]
                    group.addTask { .prepared(index, await poller.fetchAndPrepare(feed, state: states[feed.name])) }
                    next += 1
                    fetching += 1
                }
                if shared {
                    // In configuration order; one with candidates waits for the one with candidates before it.
                    while recordings < Self.recordingsAtOnce, let head = ready[nextToRecord] {
                        let alerting = head.document?.items.contains { !$0.candidates.isEmpty } ?? false
                        if alerting && alertingRecording { break }
                        record([head], alerting: alerting)
                    }
                } else if recordings == 0 {
                    var run = 0
                    while run < Self.recordedTogether.most, ready[nextToRecord + run] != nil { run += 1 }
                    let canWait = fetching > 0 && ready.count + fetching < Self.preparedAhead
                    if run > 0, run >= Self.recordedTogether.least || !canWait {
                        record((0..<run).map { ready[nextToRecord + $0]! }, alerting: false)
                    }
                }
            }
            startMore()
            for await step in group {
                switch step {
                case .prepared(let index, let prepared):
                    fetching -= 1
                    ready[index] = prepared
                case .recorded(let index, let recorded, let alerting):
                    recordings -= 1
                    recordingDocuments -= recorded.count
                    if alerting { alertingRecording = false }
                    for (offset, report) in recorded.enumerated() { reports[index + offset] = report }
                    guard savingStates else { break }
                    let now = Date()
                    for (offset, report) in recorded.enumerated() {
                        let feed = feeds[index + offset]
                        let state = Self.state(after: report, feed: feed, previous: states[feed.name], now: now)
                        updated[index + offset] = state
                        unsaved.append(state)
                    }
                    if unsaved.count >= Self.statesSavedTogether { saveUnsaved() }
                case .saved(let error):
                    if let error, saveError == nil { saveError = error }
                }
                startMore()
            }
            return (reports: reports.map { $0! }, states: updated.map { $0! }, unsaved: unsaved, saveError: saveError)
        }
        if let error = polled.saveError { throw error }
        try await store.saveFeedStates(polled.unsaved)
        return (polled.reports, polled.states)
    }

    /// States saved in one transaction while `once` polls on.
    static let statesSavedTogether = 256

    /// The state `feed` is left in by its poll's `report`, polled (and due again from) `now`.
    private static func state(
        after report: PollReport, feed: FeedConfig, previous: FeedState?, now: Date
    ) -> FeedState {
        let failed: Bool
        switch PollOutcome(report.result) {
        case .failure: failed = true
        default: failed = report.processingError != nil
        }
        return FeedPoller.updatedState(
            previous, feed: feed, report: report, nextDue: now.addingTimeInterval(feed.settings.interval),
            consecutiveErrors: failed ? (previous?.consecutiveErrors ?? 0) + 1 : 0, now: now)
    }
}
