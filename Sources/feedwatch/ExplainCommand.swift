import ArgumentParser
import FeedwatchConfig
import FeedwatchDaemon

struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Show, for each item of a feed document, which rules fire and why the others do not.",
        discussion: """
            The document is matched by the daemon's own matcher against the rules of the configuration, \
            as the feed configured with that URL (or file) if there is one: rules limited by feeds: apply \
            only then. Nothing is recorded and nothing is delivered; destination secrets are not needed.
            """)

    @OptionGroup var options: ConfigOptions

    @Argument(help: "A file path or an http(s) URL.")
    var source: String

    @Option(help: ArgumentHelp("Explain only this rule.", valueName: "name"))
    var rule: String?

    @Flag(help: "Print one JSON document instead of text.")
    var json = false

    func run() async throws {
        let config = try options.load(unsetDestinationSecrets: .allowed)
        let explanation: ExplainRunner.Explanation
        do {
            explanation = try await ExplainRunner.explain(source, config: config, rule: rule)
        } catch {
            throw fail(error.description)
        }
        for warning in explanation.warnings.prefix(5) { printError("feedwatch: \(source): warning: \(warning)") }
        print(json ? explanation.json : explanation.text, terminator: json ? "\n" : "")
    }
}
