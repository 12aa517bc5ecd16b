import ArgumentParser
import FeedwatchConfig
import FeedwatchDaemon

struct ParseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse", abstract: "Parse one feed document and print it as JSON.")

    @Argument(help: "A file path or an http(s) URL.")
    var source: String

    @Option(
        help: ArgumentHelp(
            "The largest document accepted, decompressed (as max_size in the configuration: 512KiB, 10MiB, 5MB).",
            valueName: "size"))
    var maxSize = ByteSize(bytes: FeedSettings().maxSize)

    func run() async throws {
        do {
            print(try await ParseRunner.json(for: source, maxSize: maxSize.bytes))
        } catch {
            throw fail(error.description)
        }
    }
}

/// A size option written as in the configuration file (`10MiB`, `512KB`, `1048576`).
struct ByteSize: ExpressibleByArgument {
    var bytes: Int

    init(bytes: Int) {
        self.bytes = bytes
    }

    init?(argument: String) {
        guard let bytes = Units.size(argument), bytes > 0 else { return nil }
        self.bytes = bytes
    }

    var defaultValueDescription: String { Units.describe(bytes: bytes) }
}
