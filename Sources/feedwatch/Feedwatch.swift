import ArgumentParser
import FeedwatchConfig
import FeedwatchDaemon
import Foundation

/// Entry point: catches a stop signal that arrives before the daemon listens for it, then hands
/// over to the command line.
@main
enum Entry {
    static func main() async {
        EarlySignals.install()
        await Feedwatch.main()
    }
}

/// The `feedwatch` command line (SPEC §1): argument parsing only; the work lives in the stage modules.
struct Feedwatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feedwatch",
        abstract: "Watches RSS, Atom and JSON feeds for keywords and raises alerts in journald and on webhooks.",
        version: FeedSettings.version,
        subcommands: [
            RunCommand.self, CheckCommand.self, OnceCommand.self, ParseCommand.self, StateCommand.self,
            OutboxCommand.self, AlertsCommand.self, ExplainCommand.self, DiscoverCommand.self, TestCommand.self,
            WebhookCommand.self, ImportOPMLCommand.self,
        ])
}

/// `-c/--config PATH`, else `$FEEDWATCH_CONFIG`, else `/etc/feedwatch/feedwatch.yaml`.
struct ConfigOptions: ParsableArguments {
    @Option(
        name: [.short, .customLong("config")],
        help: "The configuration file (default: $FEEDWATCH_CONFIG, else /etc/feedwatch/feedwatch.yaml).")
    var config: String?

    var path: String { config ?? ConfigLoader.defaultPath() }

    /// The validated configuration, or every error on stderr and exit 78. Commands that never
    /// deliver pass `.allowed`: they work without the webhooks' secrets (SPEC §1).
    func load(unsetDestinationSecrets: UnsetDestinationSecrets = .refused) throws -> Config {
        do {
            return try ConfigLoader.load(path: path, unsetDestinationSecrets: unsetDestinationSecrets)
        } catch {
            printError(error.description)
            throw ExitCode(ConfigError.exitCode)
        }
    }
}

/// One clear line on stderr and exit 1, for fatal errors that are not about the configuration.
func fail(_ message: String) -> ExitCode {
    printError("feedwatch: " + message)
    return ExitCode(1)
}

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
