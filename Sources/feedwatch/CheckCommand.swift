import ArgumentParser
import FeedwatchConfig

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Validate the configuration and print a summary.")

    @OptionGroup var options: ConfigOptions

    func run() throws {
        let config = try options.load()
        for warning in config.warnings { printError(warning.description) }
        // SPEC §1's line, unchanged for configurations without other destinations.
        let others = config.destinations.count - config.webhooks.count
        print(
            "OK: \(config.feeds.count) feeds, \(config.rules.count) rules, \(config.webhooks.count) webhooks"
                + (others > 0 ? ", \(others) other destinations" : ""))
        // One line per optional part, after SPEC's line: never a secret (token, password).
        if let feedsFrom = config.feedsFrom {
            let format = feedsFrom.format == .opml ? "OPML file" : "list"
            print("feeds_from: \(feedsFrom.feedCount) feeds from \(feedsFrom.path) (\(format))")
        }
        if let http = config.http {
            print(
                "http: listening on \(http.address), " + (http.token != nil ? "token required" : "no token (loopback)"))
        }
        if let database = config.database {
            print("database: PostgreSQL at \(database)")
        }
    }
}
