import ArgumentParser
import FeedwatchAlert
import FeedwatchConfig
import FeedwatchDaemon
import FeedwatchState

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the daemon in the foreground until SIGTERM or SIGINT; SIGHUP reloads.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        // Signals first: a SIGTERM that arrives while the state is opening is acted on, not fatal.
        let signals = SignalEvents()
        // Read once: at a million feeds a second reading would cost seconds of the start.
        let config = try options.load()
        bootstrapLogging()
        let daemon: Daemon
        do {
            daemon = try await Daemon(config: config, configPath: options.path)
        } catch let error as ConfigError {
            printError(error.description)
            throw ExitCode(ConfigError.exitCode)
        } catch {
            throw fail("\(error)")
        }
        let status = await daemon.run(signals: signals)
        if status != 0 { throw ExitCode(status) }
    }
}
