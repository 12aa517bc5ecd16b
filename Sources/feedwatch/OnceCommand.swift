import ArgumentParser
import FeedwatchAlert
import FeedwatchDaemon
import Foundation

struct OnceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "once",
        abstract: "Poll every feed once, record state and deliver the alerts raised (one attempt each), then exit.",
        discussion: """
            Exit status: 0 when every feed was polled and every alert delivered; 2 when a feed failed, or an \
            alert is still queued for `feedwatch run` (or was dead-lettered); 78 for an invalid configuration.
            """)

    @OptionGroup var options: ConfigOptions

    @Flag(help: "Read state but never write it and deliver nothing: print each alert that would fire as a JSON line.")
    var dryRun = false

    func run() async throws {
        let config = try options.load(unsetDestinationSecrets: dryRun ? .allowed : .refused)
        bootstrapLogging()
        let summary: OnceRunner.Summary
        do {
            summary = try await OnceRunner(config: config).run(dryRun: dryRun) { line in print(line) }
        } catch {
            throw fail("\(error)")
        }
        if !dryRun {
            print(
                "polled \(summary.feeds) feeds (\(summary.failedFeeds) failed): \(summary.newItems) new items, \(summary.alerts) alerts, \(summary.delivered) deliveries made, \(summary.deliveryFailures) failed"
            )
        }
        // 2: it ran, but a feed failed or an alert is not delivered yet (a cron job can tell).
        if summary.exitStatus != 0 { throw ExitCode(summary.exitStatus) }
    }
}
