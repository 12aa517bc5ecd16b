import ArgumentParser
import FeedwatchConfig
import FeedwatchDaemon
import Foundation

/// `feedwatch alerts [--since DUR] [--rule NAME] [--json]`: what fired, and where it went.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "List the alerts fired, newest first, with each destination's delivery status.")

    @OptionGroup var options: ConfigOptions

    @Option(help: "Only alerts raised this long ago or less (30m, 24h, 7d; history is kept 90 days).")
    var since: String = "90d"

    @Option(help: "Only the alerts of this rule.")
    var rule: String?

    @Flag(help: "Print one JSON document (an array) instead of text.")
    var json = false

    func run() async throws {
        guard let window = Units.durationValue(since) else {
            throw ValidationError("--since \"\(since)\" is not a duration (examples: 30m, 24h, 7d)")
        }
        let config = try options.load(unsetDestinationSecrets: .allowed)
        let start = Date().addingTimeInterval(-window)
        do {
            if json {
                print(try await AlertHistoryReport.json(config: config, since: start, rule: rule))
            } else {
                for line in try await AlertHistoryReport.lines(config: config, since: start, rule: rule) { print(line) }
            }
        } catch {
            throw fail("\(error)")
        }
    }
}
