import ArgumentParser
import FeedwatchConfig

struct ImportOPMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-opml",
        abstract: "Print the feeds of an OPML file as the feeds: section of the configuration.",
        discussion: "Folders become tags of the feeds inside them.")

    @Argument(help: "The OPML file exported from a feed reader.")
    var file: String

    func run() throws {
        do {
            print(OPMLImporter.yaml(for: try OPMLImporter.entries(fromFile: file)), terminator: "")
        } catch {
            throw fail(error.description)
        }
    }
}
