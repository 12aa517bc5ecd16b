import ArgumentParser
import FeedwatchDaemon

/// `feedwatch test NAME`: one sample alert to any destination, its outcome on stdout.
struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Send one sample alert to a destination (any type, or journal) and print the outcome.",
        discussion: "Exit status 0 when it was delivered, 1 when it was not (the line says why).")

    @OptionGroup var options: ConfigOptions

    @Argument(help: "The destination's name in the configuration (a destinations: or webhooks: entry, or journal).")
    var name: String

    func run() async throws {
        try await sendSampleAlert(to: name, options: options)
    }
}

/// Shared by `test` and `webhook test`.
func sendSampleAlert(to name: String, options: ConfigOptions) async throws {
    let config = try options.load()
    let result: (line: String, ok: Bool)
    do {
        result = try await Reports.testDestination(config: config, name: name)
    } catch {
        throw fail("\(error)")
    }
    print(result.line)
    if !result.ok { throw ExitCode(1) }
}
