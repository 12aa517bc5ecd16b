import ArgumentParser
import FeedwatchDaemon

struct DiscoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discover",
        abstract: "Print the feeds a web page announces as the feeds: section of the configuration.",
        discussion: """
            Reads the page's <link rel="alternate"> elements of RSS, Atom and JSON Feed types, relative links \
            resolved. A URL that is itself a feed prints itself. Exit status 1 when the page announces none.
            """)

    @Argument(help: "The web page's http(s) URL (or a file).")
    var url: String

    func run() async throws {
        let discovery: DiscoverRunner.Discovery
        do {
            discovery = try await DiscoverRunner.discover(url)
        } catch {
            throw fail(error.description)
        }
        for warning in discovery.warnings { printError("feedwatch: warning: \(warning)") }
        print(discovery.yaml, terminator: "")
    }
}
