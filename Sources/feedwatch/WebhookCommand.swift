import ArgumentParser
import FeedwatchDaemon

struct WebhookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook", abstract: "Webhook tools.", subcommands: [WebhookTestCommand.self])
}

struct WebhookTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Send one sample alert to a webhook and print the HTTP status.")

    @OptionGroup var options: ConfigOptions

    @Argument(help: "The webhook's name in the configuration.")
    var name: String

    func run() async throws {
        let config = try options.load()
        let result: (line: String, ok: Bool)
        do {
            result = try await Reports.testWebhook(config: config, name: name)
        } catch {
            throw fail("\(error)")
        }
        print(result.line)
        if !result.ok { throw ExitCode(1) }
    }
}
