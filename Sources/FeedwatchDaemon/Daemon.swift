import FeedwatchAlert
import FeedwatchConfig
import FeedwatchDeliver
import FeedwatchFetch
import FeedwatchHTTP
import FeedwatchState
import Foundation
import Logging

/// `feedwatch run`: the long-running service. One main loop schedules polls and deliveries,
/// sends sd_notify keepalives while it turns, and sleeps until the next thing is due; fetches,
/// parsing and webhook posts run beside it and report back.
public actor Daemon {
    private var runtime: Runtime
    private let configPath: String
    private let store: StateStore
    private let http: HTTPClient
    private let poller: FeedPoller
    private let deliveries: DeliveryStage
    private let journal = JournalSink()
    /// Each destination's `retry_for`, for expiring what waited too long.
    private var retryWindows: [String: TimeInterval]
    private let notifier = SystemdNotifier()
    private let wakeup = Wakeup()
    private let logger: Logger
    private var scheduler = FeedScheduler()

    private var pollsInFlight: Set<String> = []
    /// When the schedule next needs looking at; finding due feeds scans them all, so it is done
    /// only then, not on every turn of the loop.
    private var nextPollCheck = Date.distantPast
    /// True while due feeds wait for room under `concurrency`.
    private var backlogged = false
    /// Feed states (validators, last poll, next poll) not yet written: saved together every couple
    /// of seconds, one transaction for many polls. Losing them in a crash costs at most a full
    /// fetch instead of a 304; the items themselves are recorded with each document.
    private var unsavedStates: [String: FeedState] = [:]
    private var nextStateSave = Date.distantPast
    static let stateSaveInterval: TimeInterval = 2
    private var deliveriesDirty = true
    private var nextDeliveryCheck = Date.distantPast
    private var nextExpiry = Date.distantPast
    private var nextPrune: Date
    private var nextStatus = Date.distantPast
    private var lastWatchdog = Date.distantPast
    private var stopRequested = false
    private var reloadRequested = false
    private var alertsToday = 0
    private var today = Calendar(identifier: .gregorian).startOfDay(for: Date())
    private var lastStatusText = ""

    static let shutdownGrace: TimeInterval = 8
    /// How often the outbox is looked at when nothing in it is due sooner.
    static let outboxLookInterval: TimeInterval = 5

    /// Opens the state and builds the schedule. Throws `ConfigError` (exit 78) or any other error (exit 1).
    public init(configPath: String, logger: Logger = Logger(label: "feedwatch")) throws {
        let config = try ConfigLoader.load(path: configPath)
        self.configPath = configPath
        self.logger = logger
        runtime = try Runtime(config: config)
        store = try StateStore(directory: config.stateDirectory)
        http = try HTTPClient(configuration: .init(concurrency: config.concurrency, perHost: config.perHost))
        let processor = DocumentProcessor(runtime: runtime, store: store)
        poller = FeedPoller(fetcher: FeedFetcher(client: http), processor: processor, logger: logger)
        let destinations = try DestinationSet.make(config: config, http: http, journal: journal)
        retryWindows = destinations.mapValues(\.retryFor)
        deliveries = DeliveryStage(
            store: store, destinations: destinations, policy: ShapingPolicy(config: config), logger: logger)
        nextPrune = Date().addingTimeInterval(60)
        scheduler = try Self.schedule(config.feeds, store: store, into: FeedScheduler(), now: Date())
    }

    /// Runs until SIGTERM or SIGINT; returns the exit status.
    public func run(signals: SignalEvents = SignalEvents()) async -> Int32 {
        let listener = Task { [weak self] in
            for await signal in signals.stream {
                await self?.handle(signal)
            }
        }
        defer { listener.cancel() }
        logger.info(
            "feedwatch \(FeedSettings.version) started: \(runtime.config.feeds.count) feeds, \(runtime.config.rules.count) rules, state in \(store.directory)"
        )
        runtime.config.warnings.forEach { logger.warning("\($0)") }
        notifier.ready(status: statusText(now: Date()))
        while !stopRequested {
            if reloadRequested {
                reloadRequested = false
                await reload()
            }
            let now = Date()
            startDuePolls(now: now)
            await startDueDeliveries(now: now)
            housekeeping(now: now)
            heartbeat(now: now)
            await wakeup.wait(until: nextWake(now: now))
        }
        await shutdown()
        return 0
    }

    private func handle(_ signal: DaemonSignal) {
        switch signal {
        case .reload: reloadRequested = true
        case .stop: stopRequested = true
        }
        wakeup.signal()
    }

    // MARK: - Polling

    /// Feeds due within this much of each other are started together: one wake-up, one scan.
    static let pollCoalescing: TimeInterval = 0.1

    private func startDuePolls(now: Date) {
        guard now >= nextPollCheck else { return }
        // At most `concurrency` polls between fetch and record: after a long stop, thousands of
        // overdue feeds are fetched no faster than they can be recorded, and memory stays flat.
        let room = max(0, runtime.config.concurrency - pollsInFlight.count)
        let horizon = now.addingTimeInterval(Self.pollCoalescing)
        // Taken from the due-time queue: a wake-up costs what is due, not a look at every feed.
        let starting = scheduler.takeDueFeeds(now: horizon, limit: room)
        let nextDue = scheduler.earliestDue()
        backlogged = nextDue.map { $0 <= horizon } ?? false
        // With a backlog, finished polls call for the next look; otherwise the earliest due feed does.
        nextPollCheck = backlogged ? .distantFuture : (nextDue ?? .distantFuture)
        for name in starting {
            guard let feed = runtime.feeds[name], !pollsInFlight.contains(name) else { continue }
            pollsInFlight.insert(name)
            let state = currentState(of: name)
            let poller = FeedPoller(
                fetcher: self.poller.fetcher, processor: DocumentProcessor(runtime: runtime, store: store),
                logger: logger)
            Task.detached { [weak self] in
                let report = await poller.poll(feed, state: state)
                await self?.pollFinished(feed, report: report)
            }
        }
    }

    private func pollFinished(_ feed: FeedConfig, report: PollReport) {
        pollsInFlight.remove(feed.name)
        let now = Date()
        // A feed removed by a reload while its poll was in flight is forgotten.
        guard runtime.feeds[feed.name] != nil else {
            wakeup.signal()
            return
        }
        let nextDue = scheduler.record(report.outcome, feed: feed.name, now: now)
        // Feeds left waiting for room are looked at again once half the room is free (one scan
        // of the schedule per batch, not per poll).
        let roomAgain = backlogged && pollsInFlight.count <= runtime.config.concurrency / 2
        nextPollCheck = min(nextPollCheck, nextDue ?? .distantFuture, roomAgain ? now : .distantFuture)
        let errors = scheduler.feed(named: feed.name)?.consecutiveErrors ?? 0
        let previous = currentState(of: feed.name)
        let updated = FeedPoller.updatedState(
            previous, feed: feed, report: report, nextDue: nextDue, consecutiveErrors: errors, now: now)
        unsavedStates[feed.name] = updated
        if FeedHealth(config: runtime.config.health).check(
            updated, previous: previous, feed: feed, store: store, now: now, logger: logger) > 0
        {
            deliveriesDirty = true
        }
        if let fired = report.processed?.record.fired, fired > 0 {
            countAlerts(fired, now: now)
            deliveriesDirty = true
        }
        wakeup.signal()
    }

    // MARK: - Delivery

    private func startDueDeliveries(now: Date) async {
        guard deliveriesDirty || now >= nextDeliveryCheck else { return }
        deliveriesDirty = false
        let wakeup = self.wakeup
        let next = await deliveries.startDue(now: now) { [weak self] in
            Task { await self?.markDeliveriesDirty() }
            wakeup.signal()
        }
        // `feedwatch outbox retry` writes beside the daemon: a look every few seconds (one indexed
        // query) notices what it put back.
        nextDeliveryCheck = min(next, now.addingTimeInterval(Self.outboxLookInterval))
    }

    private func markDeliveriesDirty() {
        deliveriesDirty = true
    }

    // MARK: - Housekeeping, status and watchdog

    private func currentState(of feed: String) -> FeedState? {
        unsavedStates[feed] ?? (try? store.feedState(named: feed)) ?? nil
    }

    private func saveFeedStates() {
        guard !unsavedStates.isEmpty else { return }
        do {
            try store.saveFeedStates(Array(unsavedStates.values))
            unsavedStates.removeAll(keepingCapacity: true)
        } catch {
            logger.error("cannot save feed states (will retry): \(error)")
        }
    }

    private func housekeeping(now: Date) {
        if now >= nextStateSave, !unsavedStates.isEmpty {
            saveFeedStates()
            nextStateSave = now.addingTimeInterval(Self.stateSaveInterval)
        }
        if now >= nextExpiry {
            nextExpiry = now.addingTimeInterval(60)
            if let expired = try? store.expire(olderThan: retryWindows, now: now), expired > 0 {
                logger.error("\(expired) delivery(ies) passed their destination's retry_for: dead-lettered")
            }
        }
        if now >= nextPrune {
            // One small batch per turn of the loop: pruning never holds up polls or deliveries.
            do {
                let removed = try store.prune(now: now, batchSize: 500)
                nextPrune = now.addingTimeInterval(removed == 500 ? 1 : 3600)
            } catch {
                logger.warning("pruning old state failed (will retry): \(error)")
                nextPrune = now.addingTimeInterval(600)
            }
        }
    }

    private func heartbeat(now: Date) {
        if let interval = notifier.watchdogInterval, now.timeIntervalSince(lastWatchdog) >= interval * 0.8 {
            notifier.watchdog()
            lastWatchdog = now
        }
        if now >= nextStatus {
            let text = statusText(now: now)
            if text != lastStatusText {
                notifier.status(text)
                lastStatusText = text
            }
            nextStatus = now.addingTimeInterval(10)
        }
    }

    private func nextWake(now: Date) -> Date {
        var wake = now.addingTimeInterval(300)
        wake = min(wake, nextPollCheck)
        wake = min(wake, nextDeliveryCheck, nextExpiry, nextPrune)
        if !unsavedStates.isEmpty { wake = min(wake, nextStateSave) }
        if let interval = notifier.watchdogInterval {
            wake = min(wake, lastWatchdog.addingTimeInterval(interval * 0.8))
        }
        if !pollsInFlight.isEmpty { wake = min(wake, nextStatus) }
        return max(wake, now.addingTimeInterval(0.001))
    }

    private func countAlerts(_ count: Int, now: Date) {
        let day = Calendar(identifier: .gregorian).startOfDay(for: now)
        if day != today {
            today = day
            alertsToday = 0
        }
        alertsToday += count
    }

    /// "6 feeds, 2 alerts today, 1 failing, next poll in 25s".
    func statusText(now: Date) -> String {
        var text = "\(runtime.config.feeds.count) feeds, \(alertsToday) alerts today, \(scheduler.failingCount) failing"
        if let due = scheduler.earliestDue() {
            text += ", next poll in \(max(0, Int(due.timeIntervalSince(now).rounded(.up))))s"
        }
        return text
    }

    // MARK: - Reload and shutdown

    private func reload() async {
        notifier.reloading()
        let config: Config
        let newRuntime: Runtime
        let destinations: [String: any Destination]
        do {
            config = try ConfigLoader.load(path: configPath)
            newRuntime = try Runtime(config: config)
            destinations = try DestinationSet.make(config: config, http: http, journal: journal)
        } catch let error as ConfigError {
            logger.error(
                "reload refused: the configuration has \(error.diagnostics.count) error(s); the previous one keeps running"
            )
            for diagnostic in error.diagnostics { logger.error("\(diagnostic.description)") }
            notifier.ready(status: statusText(now: Date()))
            return
        } catch {
            logger.error("reload refused: \(error); the previous configuration keeps running")
            notifier.ready(status: statusText(now: Date()))
            return
        }
        let old = runtime.config
        if config.stateDirectory != old.stateDirectory || config.concurrency != old.concurrency
            || config.perHost != old.perHost
        {
            logger.warning("state_dir, concurrency and per_host changes take effect at the next restart")
        }
        runtime = newRuntime
        retryWindows = destinations.mapValues(\.retryFor)
        await deliveries.use(destinations, policy: ShapingPolicy(config: config))
        let now = Date()
        var updated = FeedScheduler()
        saveFeedStates()
        do {
            updated = try Self.schedule(config.feeds, store: store, into: updated, keeping: scheduler, now: now)
        } catch {
            logger.error("reload: cannot read feed state: \(error)")
        }
        scheduler = updated
        nextPollCheck = .distantPast
        deliveriesDirty = true
        logger.info(
            "configuration reloaded: \(config.feeds.count) feeds, \(config.rules.count) rules, \(config.webhooks.count) webhooks"
        )
        config.warnings.forEach { logger.warning("\($0)") }
        notifier.ready(status: statusText(now: now))
    }

    private func shutdown() async {
        notifier.stopping()
        let inFlight = await deliveries.deliveriesInFlight
        logger.info("stopping: finishing \(inFlight) delivery(ies) in flight")
        let deadline = Date().addingTimeInterval(Self.shutdownGrace)
        // Deliveries still unfinished at the deadline stay pending in the outbox: the next start sends them.
        while await deliveries.deliveriesInFlight > 0 || !pollsInFlight.isEmpty, Date() < deadline {
            await wakeup.wait(until: min(deadline, Date().addingTimeInterval(0.1)))
        }
        http.shutdown()
        saveFeedStates()
        store.close()
        logger.info("stopped")
    }

    // MARK: - Schedule

    /// The schedule for `feeds`: entries of `previous` (a reload) are kept; otherwise a feed's
    /// stored next poll is used; a feed never polled is due soon, spread so that thousands of
    /// feeds do not all start in the same second.
    static func schedule(
        _ feeds: [FeedConfig], store: StateStore, into scheduler: FeedScheduler, keeping previous: FeedScheduler? = nil,
        now: Date
    ) throws -> FeedScheduler {
        var scheduler = scheduler
        let window = min(60, max(1, Double(feeds.count) / 50))
        for feed in feeds {
            let stored = try store.feedState(named: feed.name).flatMap {
                $0.configuredURL == feed.source.url ? $0 : nil
            }
            if let kept = previous?.feed(named: feed.name), stored != nil || kept.nextDue == nil {
                var entry = kept
                if entry.interval != feed.settings.interval {
                    entry = ScheduledFeed(
                        name: feed.name, interval: feed.settings.interval,
                        nextDue: kept.nextDue.map {
                            min($0, now.addingTimeInterval(feed.settings.interval))
                        }, consecutiveErrors: kept.consecutiveErrors, gone: kept.gone)
                }
                scheduler.restore(entry)
            } else if let stored, stored.lastPoll != nil {
                scheduler.restore(
                    ScheduledFeed(
                        name: feed.name, interval: feed.settings.interval,
                        nextDue: stored.gone ? nil : max(stored.nextDue ?? now, now),
                        consecutiveErrors: stored.consecutiveErrors, gone: stored.gone))
            } else {
                let offset = scheduler.firstPollOffset(feed: feed.name, interval: window)
                scheduler.restore(
                    ScheduledFeed(
                        name: feed.name, interval: feed.settings.interval, nextDue: now.addingTimeInterval(offset)))
            }
        }
        return scheduler
    }
}
