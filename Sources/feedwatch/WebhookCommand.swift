import ArgumentParser
import FeedwatchDaemon

/// `feedwatch webhook test NAME`: the older spelling of `feedwatch test NAME`, kept for scripts.
struct WebhookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook", abstract: "Webhook tools (see also: feedwatch test).",
        subcommands: [WebhookTestCommand.self])
}

struct WebhookTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Send one sample alert to a destination and print the outcome (alias of `feedwatch test`).")

    @OptionGroup var options: ConfigOptions

    @Argument(help: "The destination's (or webhook's) name in the configuration.")
    var name: String

    func run() async throws {
        try await sendSampleAlert(to: name, options: options)
    }
}
