import ArgumentParser
import FeedwatchConfig
import FeedwatchDaemon

struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox", abstract: "List pending and dead-lettered webhook deliveries; retry dead letters.",
        subcommands: [OutboxListCommand.self, OutboxRetryCommand.self], defaultSubcommand: OutboxListCommand.self)
}

struct OutboxListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List pending and dead-lettered deliveries (the default).")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let config = try options.load(unsetDestinationSecrets: .allowed)
        do {
            for line in try await Reports.outboxLines(config: config) { print(line) }
        } catch {
            throw fail("\(error)")
        }
    }
}

struct OutboxRetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Put dead letters back in the queue.")

    @OptionGroup var options: ConfigOptions

    @Argument(help: "The delivery to retry (the ID column of feedwatch outbox).")
    var id: Int64?

    @Flag(help: "Retry every dead letter.")
    var all = false

    func validate() throws {
        if (id == nil) == !all { throw ValidationError("give either a delivery ID or --all") }
    }

    func run() async throws {
        let config = try options.load(unsetDestinationSecrets: .allowed)
        do {
            let count = try await Reports.retry(config: config, id: id)
            if let id, count == 0 { throw fail("no dead letter with ID \(id)") }
            print("\(count) delivery(ies) queued again")
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw fail("\(error)")
        }
    }
}
