import FeedwatchConfig
import FeedwatchFetch
import FeedwatchServe
import FeedwatchState
import Foundation
import Logging
import ServiceLifecycle

/// Polling: owns the schedule, starts the feeds that fall due (at most `concurrency` between fetch
/// and record), records what each poll found, keeps the feeds' poll state and raises feed-health
/// alerts. A reload hands it the new configuration as a diff of feeds.
actor PollingService: Service {
    private var runtime: Runtime
    private let store: any StateStore
    private let fetcher: FeedFetcher
    private let logger: Logger
    private let metrics: PollMetrics
    private let liveness: Liveness
    /// Told when alerts were queued, so deliveries start without waiting for their next look.
    private let alertsQueued: @Sendable () -> Void
    /// Runs before each turn of the loop: a test stalls the loop here to see `/healthz` notice.
    private let beforeTurn: (@Sendable () async -> Void)?
    private var scheduler: FeedScheduler
    private let wakeup = Wakeup()
    /// Finished polls waiting for the loop.
    private let finished: FinishedPolls
    /// Changed documents recorded a moment's worth at a time.
    private let recordings: RecordingGroup

    private var pollsInFlight: Set<String> = []
    /// When the schedule next needs looking at (its earliest due feed, or now when room frees up).
    private var nextPollCheck = Date.distantPast
    /// True while due feeds wait for room under `concurrency`.
    private var backlogged = false
    /// Feed states (validators, last poll, next poll) not yet written: saved together, one
    /// transaction for many polls (`stateSaveDue`). Losing them in a crash costs at most a full
    /// fetch instead of a 304; the items themselves are recorded with each document.
    private var unsavedStates: [String: FeedState] = [:]
    /// States being written: still the newest a poll can start from until the write is done.
    private var savingStates: [String: FeedState] = [:]
    /// The feeds among `unsavedStates` whose state differs from the stored one only in its poll
    /// times (a 304): the store writes just the times (`saveFeedStates(_:timesOnly:)`).
    private var timesOnly: Set<String> = []
    private var nextStateSave = Date.distantPast
    /// When the oldest of `unsavedStates` was put there.
    private var firstUnsaved: Date?
    static let stateSaveInterval: TimeInterval = 2
    /// While fewer than `statesPerSave` states wait, they wait up to `quietStateSaveDelay`: an idle
    /// daemon's every save is a commit that waits for the disk, and a few states lost in a crash
    /// cost a few full fetches, never an alert. (Under load, saving every 5 s instead of 2 s
    /// measured no less CPU and held 5–10 MiB more.)
    static let statesPerSave = 256
    static let quietStateSaveDelay: TimeInterval = 10
    /// In-flight polls get this long to finish at shutdown; the rest are fetched again next start.
    static let shutdownGrace: TimeInterval = 3

    /// With a shared store (SPEC §9), the feeds whose lease this instance holds: only they are in
    /// the schedule. Nil when the store is this process's own and every feed is polled here.
    private var leases: LeaseTurns?

    private var alertsToday = 0
    private var today = Calendar(identifier: .gregorian).startOfDay(for: Date())

    /// Feeds due within this much of each other are started together: one wake-up.
    static let pollCoalescing: TimeInterval = 0.1

    init(
        runtime: Runtime, store: any StateStore, fetcher: FeedFetcher, metrics: PollMetrics, liveness: Liveness,
        logger: Logger, now: Date = Date(), beforeTurn: (@Sendable () async -> Void)? = nil,
        alertsQueued: @escaping @Sendable () -> Void
    ) async throws {
        self.beforeTurn = beforeTurn
        self.runtime = runtime
        self.store = store
        self.fetcher = fetcher
        self.metrics = metrics
        self.liveness = liveness
        self.logger = logger
        self.alertsQueued = alertsQueued
        finished = FinishedPolls(wakeup: wakeup)
        recordings = RecordingGroup(store: store)
        if store.isShared {
            // Nothing is held yet: the first lease turn, at the first turn of the loop, fills the schedule.
            try await store.registerFeeds(runtime.config.feeds.map(\.name))
            scheduler = FeedScheduler()
            leases = LeaseTurns(
                period: store.leasePeriod,
                firstPollsEnd: now.addingTimeInterval(
                    FeedSchedule.firstPollWindow(feedCount: runtime.config.feeds.count)))
        } else {
            scheduler = try await FeedSchedule.initial(runtime, store: store, now: now)
        }
        metrics.feeds(total: scheduler.count, failing: scheduler.failingCount, gone: scheduler.goneCount)
    }

    func run() async {
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                liveness.beat("polling")
                await beforeTurn?()
                await takeFinishedPolls()
                let now = Date()
                await takeLeaseTurnIfDue(now: now)
                startDuePolls(now: now)
                await saveStatesIfDue(now: now)
                liveness.idle("polling")
                // With feeds waiting for room, the loop wants the polls back once half the room
                // is free; otherwise they can gather for a moment.
                let roomAt = pollsInFlight.count - runtime.config.concurrency / 2
                finished.wakeAt(count: backlogged ? roomAt : nil)
                await wakeup.wait(until: nextWake(now: now))
            }
            await drain()
        } onGracefulShutdown: { [wakeup] in
            wakeup.signal()
        }
    }

    /// Lets in-flight polls finish (briefly) and writes every unsaved state.
    private func drain() async {
        let deadline = Date().addingTimeInterval(Self.shutdownGrace)
        // The last poll handed over wakes the loop (`FinishedPolls.add`).
        await takeFinishedPolls()
        while !pollsInFlight.isEmpty, Date() < deadline {
            await wakeup.wait(until: min(deadline, Date().addingTimeInterval(0.1)))
            await takeFinishedPolls()
        }
        await saveFeedStates()
        if leases != nil {
            // The others take these feeds at their next turn instead of after the lease runs out.
            do { try await store.releaseAllLeases() } catch { logger.warning("cannot give back feed leases: \(error)") }
        }
    }

    // MARK: - Polls

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
        guard !starting.isEmpty else { return }
        var batch: [(feed: FeedConfig, state: FeedState?)] = []
        batch.reserveCapacity(starting.count)
        for name in starting {
            guard let feed = runtime.feed(named: name), !pollsInFlight.contains(name) else { continue }
            pollsInFlight.insert(name)
            // Nothing else writes a feed's state while its poll is in flight: the state not yet
            // written, or else the stored one, is the state the poll starts from.
            batch.append((feed, unsavedStates[name] ?? savingStates[name]))
        }
        guard !batch.isEmpty else { return }
        finished.started(batch.count)
        let polls = batch
        let processor = DocumentProcessor(
            runtime: runtime, store: store, matchesWhileRecording: true, group: recordings)
        let poller = FeedPoller(fetcher: fetcher, processor: processor, logger: logger)
        // One task for the batch: the stored states are read in one go, and each poll then runs
        // on the HTTP thread until it finishes (see `FinishedPolls`).
        Task.detached { [finished, store, logger] in
            let unread = polls.compactMap { $0.state == nil ? $0.feed.name : nil }
            var stored: [String: FeedState] = [:]
            if !unread.isEmpty {
                do {
                    stored = try await store.pollStates(named: unread)
                } catch {
                    logger.error("cannot read the state of \(unread.count) feed(s) about to be polled: \(error)")
                }
            }
            for (feed, unsaved) in polls {
                Self.poll(
                    feed, state: unsaved ?? stored[feed.name], stateIsStored: unsaved == nil, poller: poller,
                    finished: finished)
            }
        }
    }

    /// Starts one poll. A fetch without a document is handed to the loop from the HTTP thread; a
    /// document is parsed and recorded in a task of its own first.
    private static func poll(
        _ feed: FeedConfig, state: FeedState?, stateIsStored: Bool, poller: FeedPoller, finished: FinishedPolls
    ) {
        let started = ContinuousClock.now
        @Sendable func seconds() -> Double {
            let elapsed = ContinuousClock.now - started
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        guard let request = FeedPoller.request(for: feed, state: state) else {
            let entry = FinishedPolls.Entry(
                feed: feed, previous: state, previousIsStored: stateIsStored,
                stage: .fetched(FeedPoller.invalidURL(feed)), seconds: seconds())
            return finished.add(entry)
        }
        poller.fetcher.fetch(request) { result in
            guard case .document = result.outcome else {
                let prepared = FeedPoller.withoutDocument(feed, fetched: result)
                return finished.add(
                    FinishedPolls.Entry(
                        feed: feed, previous: state, previousIsStored: stateIsStored, stage: .fetched(prepared),
                        seconds: seconds()))
            }
            Task.detached {
                let prepared = await poller.prepare(feed, state: state, fetched: result)
                let report = await poller.record(prepared, now: Date())
                let entry = FinishedPolls.Entry(
                    feed: feed, previous: state, previousIsStored: stateIsStored, stage: .recorded(report),
                    seconds: seconds())
                // Alerts queued: their delivery should not wait for the batch.
                finished.add(entry, urgent: (report.processed?.record.fired ?? 0) > 0)
            }
        }
    }

    /// Ends every poll handed over since the last look.
    private func takeFinishedPolls() async {
        for entry in finished.take() {
            let report: PollReport
            switch entry.stage {
            case .fetched(let prepared):
                report = FeedPoller.finish(prepared, logger: logger)
            case .recorded(let recorded):
                report = recorded
            }
            metrics.polled(report, seconds: entry.seconds)
            await pollFinished(
                entry.feed, report: report, previous: entry.previous, previousIsStored: entry.previousIsStored)
        }
    }

    /// `previous` is the state the poll started from: nothing else writes a feed's state meanwhile.
    private func pollFinished(
        _ feed: FeedConfig, report: PollReport, previous: FeedState?, previousIsStored: Bool
    ) async {
        pollsInFlight.remove(feed.name)
        let now = Date()
        // A feed removed by a reload while its poll was in flight is forgotten.
        guard runtime.hasFeed(named: feed.name) else { return }
        let entry = scheduler.recordPoll(report.outcome, feed: feed.name, now: now)
        let nextDue = entry?.nextDue
        refreshFeedGauges()
        // Feeds left waiting for room are looked at again once half the room is free (one look
        // at the queue per batch, not per poll).
        let roomAgain = backlogged && pollsInFlight.count <= runtime.config.concurrency / 2
        nextPollCheck = min(nextPollCheck, nextDue ?? .distantFuture, roomAgain ? now : .distantFuture)
        let errors = entry?.consecutiveErrors ?? 0
        let updated = FeedPoller.updatedState(
            previous, feed: feed, report: report, nextDue: nextDue, consecutiveErrors: errors, now: now)
        if unsavedStates.isEmpty { firstUnsaved = now }
        unsavedStates[feed.name] = updated
        if previousIsStored, let previous, updated.differsOnlyInPollTimes(from: previous) {
            timesOnly.insert(feed.name)
        } else {
            timesOnly.remove(feed.name)
        }
        var queued = await FeedHealth(config: runtime.config.health).check(
            updated, previous: previous, feed: feed, store: store, now: now, logger: logger)
        if let fired = report.processed?.record.fired, fired > 0 {
            countAlerts(fired, now: now)
            queued += fired
        }
        if queued > 0 { alertsQueued() }
    }

    private func saveStatesIfDue(now: Date) async {
        guard let due = stateSaveDue, now >= due else { return }
        nextStateSave = now.addingTimeInterval(Self.stateSaveInterval)
        await saveFeedStates()
    }

    /// Every couple of seconds while many polls finish; `quietStateSaveDelay` after the first
    /// unsaved one while few do. Nil when nothing waits.
    private var stateSaveDue: Date? {
        guard !unsavedStates.isEmpty else { return nil }
        if unsavedStates.count >= Self.statesPerSave { return nextStateSave }
        return max(nextStateSave, (firstUnsaved ?? .distantPast).addingTimeInterval(Self.quietStateSaveDelay))
    }

    /// Writes the unsaved states in one transaction. Polls finishing meanwhile add to a new batch;
    /// a failed batch goes back under the states that are newer.
    private func saveFeedStates() async {
        guard !unsavedStates.isEmpty, savingStates.isEmpty else { return }
        savingStates = unsavedStates
        let savingTimesOnly = timesOnly
        unsavedStates.removeAll(keepingCapacity: true)
        timesOnly.removeAll(keepingCapacity: true)
        firstUnsaved = nil
        do {
            try await store.saveFeedStates(Array(savingStates.values), timesOnly: savingTimesOnly)
        } catch {
            logger.error("cannot save feed states (will retry): \(error)")
            if unsavedStates.isEmpty { firstUnsaved = Date() }
            // Back under the newer states; one not superseded still differs from the stored state
            // as it did.
            for (name, state) in savingStates where unsavedStates[name] == nil {
                unsavedStates[name] = state
                if savingTimesOnly.contains(name) { timesOnly.insert(name) }
            }
        }
        savingStates.removeAll(keepingCapacity: true)
    }

    private func nextWake(now: Date) -> Date {
        var wake = min(now.addingTimeInterval(Services.maxSleep), nextPollCheck)
        if let due = stateSaveDue { wake = min(wake, due) }
        if let leases { wake = min(wake, leases.nextTurn) }
        return max(wake, now.addingTimeInterval(0.001))
    }

    // MARK: - Reload

    /// Takes a reloaded configuration: feeds removed leave the schedule, feeds added or moved to
    /// a new URL join it, a changed interval moves the next poll; every other entry (and its
    /// place in the queue) is kept. Polls in flight finish under the configuration they began with.
    func apply(_ new: Runtime, now: Date = Date()) async {
        let old = runtime
        runtime = new
        // A feed re-added or moved reads its state from the store: write what is pending first.
        await saveFeedStates()
        let names = FeedSchedule.feedsToRead(from: old, to: new.config.feeds, schedule: scheduler)
        var stored: [String: FeedState] = [:]
        do {
            stored = try await store.feedStates(named: names)
        } catch {
            logger.error("reload: cannot read feed state: \(error)")
        }
        for name in names {
            if let newest = unsavedStates[name] ?? savingStates[name] { stored[name] = newest }
        }
        FeedSchedule.apply(from: old, to: new.config.feeds, schedule: &scheduler, stored: stored, now: now)
        if let leases {
            // Shared: new feeds become leasable; only those held stay in the schedule.
            for name in names where !leases.held.contains(name) { scheduler.remove(feed: name) }
            do {
                try await store.registerFeeds(names)
            } catch {
                logger.error("reload: cannot register the new feeds for leasing: \(error)")
            }
        }
        nextPollCheck = .distantPast
        refreshFeedGauges()
        wakeup.signal()
    }

    // MARK: - Status

    private func countAlerts(_ count: Int, now: Date) {
        let day = Calendar(identifier: .gregorian).startOfDay(for: now)
        if day != today {
            today = day
            alertsToday = 0
        }
        alertsToday += count
    }

    /// "6 feeds, 2 alerts today, 1 failing, next poll in 25s".
    func statusText(now: Date = Date()) -> String {
        countAlerts(0, now: now)
        var text = "\(runtime.config.feeds.count) feeds, \(alertsToday) alerts today, \(scheduler.failingCount) failing"
        if let due = scheduler.earliestDue() {
            text += ", next poll in \(max(0, Int(due.timeIntervalSince(now).rounded(.up))))s"
        }
        return text
    }

    /// Sets the feeds gauge from the schedule's running counts: after every change, three atomic
    /// stores, so that a scrape never waits for this actor.
    private func refreshFeedGauges() {
        metrics.feeds(total: scheduler.count, failing: scheduler.failingCount, gone: scheduler.goneCount)
    }
}

// MARK: - Leases (shared state)

extension PollingService {
    /// One lease turn: unsaved states written first (a feed given up is polled next from them),
    /// then the store renews, gives up and takes leases; feeds taken join the schedule from their
    /// stored state, feeds given up leave it. If renewing fails for a whole lease period, every feed
    /// leaves the schedule: the others will have taken them.
    fileprivate func takeLeaseTurnIfDue(now: Date) async {
        guard let turn = leases, now >= turn.nextTurn else { return }
        leases?.nextTurn = now.addingTimeInterval(turn.interval)
        await saveFeedStates()
        do {
            let change = try await store.balanceLeases(feedCount: runtime.config.feeds.count)
            let gained = change.gained.filter { runtime.hasFeed(named: $0) }
            let stored = try await store.feedStates(named: gained)
            let window = turn.firstPollWindow(gained: gained.count, now: now)
            for name in change.lost { scheduler.remove(feed: name) }
            for name in gained {
                guard let feed = runtime.feed(named: name) else { continue }
                scheduler.remove(feed: name)
                FeedSchedule.schedule(
                    feed, stored: unsavedStates[name] ?? stored[name], in: &scheduler, window: window, now: now)
            }
            leases?.held.subtract(change.lost)
            leases?.held.formUnion(gained)
            leases?.renewed = now
            if !change.gained.isEmpty || !change.lost.isEmpty {
                logger.info(
                    "feed leases: \(change.held) held (\(change.gained.count) taken, \(change.lost.count) given up)")
            }
        } catch {
            logger.warning("cannot renew feed leases (will retry): \(error)")
            if now.timeIntervalSince(turn.renewed) > turn.period, !(leases?.held.isEmpty ?? true) {
                logger.error("feed leases ran out: polling stops until the database answers again")
                for name in turn.held { scheduler.remove(feed: name) }
                leases?.held.removeAll()
            }
        }
        nextPollCheck = .distantPast
        refreshFeedGauges()
    }
}

/// When the next lease turn is due, and what this instance holds.
struct LeaseTurns {
    let period: TimeInterval
    var held: Set<String> = []
    var nextTurn = Date.distantPast
    var renewed = Date()
    /// The end of the first-poll window of this instance's whole feed list, from its start.
    let firstPollsEnd: Date

    init(period: TimeInterval, firstPollsEnd: Date) {
        self.period = period
        self.firstPollsEnd = firstPollsEnd
    }

    /// The window over which the never-polled feeds among `gained` feeds taken in a turn get their
    /// first polls. Instances started together each take all they can, then give the others their
    /// share: feeds given up before their first poll keep the window their first holder spread them
    /// over (what remains of it, at `firstPollsPerSecond` at most), instead of starting a new one,
    /// so that every feed is first polled within the minute with two instances as with one. Later,
    /// feeds taken get a window of their own.
    func firstPollWindow(gained: Int, now: Date) -> TimeInterval {
        let remaining = firstPollsEnd.timeIntervalSince(now)
        guard remaining > 0 else { return FeedSchedule.firstPollWindow(feedCount: gained) }
        return max(remaining, Double(gained) / FeedSchedule.firstPollsPerSecond)
    }

    /// A third of the period: two turns may fail before a lease runs out.
    var interval: TimeInterval { period / 3 }
}
