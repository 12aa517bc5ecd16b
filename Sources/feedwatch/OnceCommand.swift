import ArgumentParser
import FeedwatchAlert
import FeedwatchDaemon
import Foundation

struct OnceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "once",
        abstract: "Poll every feed once, record state and deliver the alerts raised (one attempt each), then exit.")

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Read state but never write it and deliver nothing: print each alert that would fire as a JSON line.")
    var dryRun = false

    func run() async throws {
        let config = try options.load(unsetDestinationSecrets: dryRun ? .allowed : .refused)
        bootstrapLogging()
        do {
            let summary = try await OnceRunner(config: config).run(dryRun: dryRun) { line in print(line) }
            if !dryRun {
                print(
                    "polled \(summary.feeds) feeds (\(summary.failedFeeds) failed): \(summary.newItems) new items, \(summary.alerts) alerts, \(summary.delivered) deliveries made, \(summary.deliveryFailures) failed"
                )
            }
        } catch {
            throw fail("\(error)")
        }
    }
}
