import ArgumentParser
import FeedwatchConfig

struct ImportOPMLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-opml",
        abstract: "Print the feeds of an OPML file as the feeds: section of the configuration.",
        discussion:
            "Folders become tags of the feeds inside them. A feed URL listed twice is printed once; each one left out is named on stderr."
    )

    @Argument(help: "The OPML file exported from a feed reader.")
    var file: String

    func run() throws {
        let result: OPMLImporter.Import
        do {
            result = try OPMLImporter.read(fromFile: file)
        } catch {
            throw fail(error.description)
        }
        for duplicate in result.duplicates { printError(duplicate.description) }
        print(OPMLImporter.yaml(for: result.entries), terminator: "")
    }
}
