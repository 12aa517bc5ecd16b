import FeedwatchAlert
import FeedwatchConfig
import FeedwatchDeliver
import FeedwatchHTTP
import Foundation
import Logging

/// SIGHUP's one place: reads the configuration again and, when it is valid, hands each service
/// its part (polling the feeds and rules, delivery the destinations). An invalid one is logged
/// with its errors and the running configuration stays.
actor DaemonReloader {
    private let configPath: String
    private let http: HTTPClient
    private let journal: JournalSink
    private let polling: PollingService
    private let delivery: DeliveryService
    private let notifier: SystemdNotifier
    private let logger: Logger
    /// The configuration running now (the status page and API read it).
    private(set) var current: Config

    init(
        configPath: String, config: Config, http: HTTPClient, journal: JournalSink, polling: PollingService,
        delivery: DeliveryService, notifier: SystemdNotifier, logger: Logger
    ) {
        self.configPath = configPath
        current = config
        self.http = http
        self.journal = journal
        self.polling = polling
        self.delivery = delivery
        self.notifier = notifier
        self.logger = logger
    }

    func reload() async {
        notifier.reloading()
        let config: Config
        let runtime: Runtime
        let destinations: [String: any Destination]
        do {
            config = try ConfigLoader.load(path: configPath)
            runtime = try Runtime(config: config)
            destinations = try DestinationSet.make(config: config, http: http, journal: journal)
        } catch let error as ConfigError {
            logger.error(
                "reload refused: the configuration has \(error.diagnostics.count) error(s); the previous one keeps running"
            )
            for diagnostic in error.diagnostics { logger.error("\(diagnostic.description)") }
            notifier.ready(status: await polling.statusText())
            return
        } catch {
            logger.error("reload refused: \(error); the previous configuration keeps running")
            notifier.ready(status: await polling.statusText())
            return
        }
        if config.stateDirectory != current.stateDirectory || config.concurrency != current.concurrency
            || config.perHost != current.perHost
        {
            logger.warning("state_dir, concurrency and per_host changes take effect at the next restart")
        }
        current = config
        await delivery.use(destinations, policy: ShapingPolicy(config: config))
        await polling.apply(runtime)
        logger.info(
            "configuration reloaded: \(config.feeds.count) feeds, \(config.rules.count) rules, \(config.webhooks.count) webhooks"
        )
        config.warnings.forEach { logger.warning("\($0)") }
        notifier.ready(status: await polling.statusText())
    }
}
