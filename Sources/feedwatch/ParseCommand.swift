import ArgumentParser
import FeedwatchDaemon

struct ParseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse", abstract: "Parse one feed document and print it as JSON.")

    @Argument(help: "A file path or an http(s) URL.")
    var source: String

    func run() async throws {
        do {
            print(try await ParseRunner.json(for: source))
        } catch {
            throw fail(error.description)
        }
    }
}
