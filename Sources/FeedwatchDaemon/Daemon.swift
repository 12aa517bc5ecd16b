import FeedwatchAlert
import FeedwatchConfig
import FeedwatchDeliver
import FeedwatchFetch
import FeedwatchHTTP
import FeedwatchState
import FeedwatchServe
import Foundation
import Logging
import ServiceLifecycle

/// `feedwatch run`: the one place that builds the shared parts — the state store, the HTTP client,
/// the destinations, the metrics — once, and hands them to a group of small services, each with
/// its own loop and clock:
///
/// - `PollingService`: the schedule, polls, feed state and feed-health alerts;
/// - `DeliveryService`: the outbox through the delivery stage, and expiry;
/// - `HousekeepingService`: pruning;
/// - `SystemdHeartbeat`: READY, STATUS and the watchdog, gated on every loop's liveness;
/// - `ControlService`: SIGHUP → `DaemonReloader`, SIGTERM → graceful shutdown of the group;
/// - the HTTP listener (`http.listen`): metrics, health, the JSON API and the status page.
///
/// Shutdown runs through the group in reverse order: signals stop, polls finish or are dropped,
/// deliveries finish or stay queued, then the parts are closed here.
public final class Daemon: Sendable {
    private let config: Config
    private let store: any StateStore
    private let http: HTTPClient
    private let logger: Logger
    private let notifier = SystemdNotifier()
    /// Every loop beats here; the watchdog and `/healthz` read it.
    public let liveness: Liveness
    public let metrics: MetricsExporter
    private let polling: PollingService
    private let delivery: DeliveryService
    private let reloader: DaemonReloader
    private let hooks: DaemonHooks

    /// Longest graceful shutdown before the group cancels what is left (SPEC §6: stop within 10 s).
    static let maximumShutdown: Duration = .seconds(9)

    /// Opens the state and builds the schedule. Throws `ConfigError` (exit 78) or any other error (exit 1).
    public convenience init(
        configPath: String, logger: Logger = Logger(label: "feedwatch"), liveness: Liveness = Liveness(),
        hooks: DaemonHooks = DaemonHooks()
    ) async throws {
        try await self.init(
            config: ConfigLoader.load(path: configPath), configPath: configPath, logger: logger, liveness: liveness,
            hooks: hooks)
    }

    /// The same, from a configuration already loaded from `configPath` (SIGHUP reads that file again).
    public init(
        config: Config, configPath: String, logger: Logger = Logger(label: "feedwatch"),
        liveness: Liveness = Liveness(), hooks: DaemonHooks = DaemonHooks()
    ) async throws {
        self.hooks = hooks
        self.config = config
        self.logger = logger
        self.liveness = liveness
        let runtime = try Runtime(config: config)
        store = try await StoreOpener.open(config, mode: .readWrite, logger: logger)
        http = try HTTPClient(configuration: .init(concurrency: config.concurrency, perHost: config.perHost))
        metrics = MetricsExporter()
        let journal = JournalSink()
        let destinations = try DestinationSet.make(config: config, http: http, journal: journal)
        let stage = DeliveryStage(
            store: store, destinations: destinations, policy: ShapingPolicy(config: config), logger: logger,
            metrics: DeliveryMetrics(factory: metrics.factory))
        let delivery = DeliveryService(
            stage: stage, store: store, retryWindows: destinations.mapValues(\.retryFor), liveness: liveness,
            logger: logger)
        let polling = try await PollingService(
            runtime: runtime, store: store, fetcher: FeedFetcher(client: http),
            metrics: PollMetrics(factory: metrics.factory), liveness: liveness, logger: logger,
            beforeTurn: hooks.beforePollingTurn, alertsQueued: { delivery.nudge() })
        self.delivery = delivery
        self.polling = polling
        reloader = DaemonReloader(
            configPath: configPath, config: config, http: http, journal: journal, polling: polling,
            delivery: delivery, notifier: notifier, logger: logger)
        metrics.beforeScrape { await stage.refreshOutboxGauges() }
    }

    /// Runs until SIGTERM or SIGINT; returns the exit status.
    public func run(signals: SignalEvents = SignalEvents()) async -> Int32 {
        logger.info(
            "feedwatch \(FeedSettings.version) started: \(config.feeds.count) feeds, \(config.rules.count) rules, state in \(store.location)"
        )
        config.warnings.forEach { logger.warning("\($0)") }
        let polling = self.polling
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        var heartbeat = SystemdHeartbeat(notifier: notifier, liveness: liveness, status: { await polling.statusText() })
        if let http = config.http {
            let (listener, bound) = makeHTTPListener(http)
            // First to start, last to stop: /healthz answers while the others drain.
            services.append(.init(service: listener, serviceName: "http"))
            heartbeat.beforeReady = {
                for await _ in bound { break }
            }
        }
        services += [
            .init(service: heartbeat, serviceName: "systemd"),
            .init(service: HousekeepingService(store: store, liveness: liveness, logger: logger), serviceName: "housekeeping"),
            .init(service: delivery, serviceName: "delivery"),
            .init(service: polling, serviceName: "polling"),
            // Its end (a stop signal) shuts the group down; the others end only then.
            .init(
                service: ControlService(signals: signals, reloader: reloader, notifier: notifier, logger: logger),
                successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "signals"),
        ]
        var configuration = ServiceGroupConfiguration(services: services, logger: logger)
        configuration.maximumGracefulShutdownDuration = Self.maximumShutdown
        // The group's own messages are for debugging; the daemon logs what users need.
        configuration.logger.logLevel = .warning
        let group = ServiceGroup(configuration: configuration)
        var status: Int32 = 0
        do {
            try await group.run()
        } catch {
            logger.error("stopping: \(error)")
            status = 1
        }
        http.shutdown()
        await store.close()
        logger.info("stopped")
        return status
    }

    /// The listener over the shared store and metrics; the stream yields once its port is open.
    private func makeHTTPListener(_ http: HTTPListenerConfig) -> (any Service, AsyncStream<Int>) {
        let (bound, opened) = AsyncStream<Int>.makeStream()
        let reloader = self.reloader
        let metrics = self.metrics
        let source = StoreStatusSource(
            store: store, config: { await reloader.current }, metrics: { await metrics.text() })
        let settings = ListenerSettings(host: http.host, port: http.port, token: http.token)
        let logger = self.logger
        let listening = hooks.listening
        let listener = makeListener(settings: settings, source: source, liveness: liveness, logger: logger) { port in
            logger.info("http: listening on \(http.host.contains(":") ? "[\(http.host)]" : http.host):\(port)")
            listening?(port)
            opened.yield(port)
            opened.finish()
        }
        return (listener, bound)
    }
}

/// Seams for tests of an in-process daemon.
public struct DaemonHooks: Sendable {
    /// Awaited before each turn of the polling loop (a test stalls the loop here).
    public var beforePollingTurn: (@Sendable () async -> Void)?
    /// Told the listener's port once it is open (a test listens on port 0).
    public var listening: (@Sendable (Int) -> Void)?

    public init(
        beforePollingTurn: (@Sendable () async -> Void)? = nil, listening: (@Sendable (Int) -> Void)? = nil
    ) {
        self.beforePollingTurn = beforePollingTurn
        self.listening = listening
    }
}
