import ArgumentParser
import FeedwatchConfig
import FeedwatchDaemon

struct StateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Show each feed's last poll, status, validators held, consecutive errors and next poll.")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try options.load(unsetDestinationSecrets: .allowed)
        do {
            for line in try await Reports.stateLines(config: config) { print(line) }
        } catch {
            throw fail("\(error)")
        }
    }
}
