import ArgumentParser

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the daemon in the foreground until SIGTERM or SIGINT.")
    @OptionGroup var options: ConfigOptions
    func run() async throws {
        _ = try options.load()
        throw fail("run is not available yet")
    }
}

struct OnceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "once", abstract: "Poll every feed once, record state and deliver the alerts raised, then exit.")
    @OptionGroup var options: ConfigOptions
    @Flag(help: "Read state but never write it and deliver nothing: print each alert that would fire as a JSON line.")
    var dryRun = false
    func run() async throws {
        _ = try options.load()
        throw fail("once is not available yet")
    }
}

struct ParseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse", abstract: "Parse one feed document and print it as JSON.")
    @Argument(help: "A file path or an http(s) URL.") var source: String
    func run() async throws { throw fail("parse is not available yet") }
}

struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state", abstract: "Show each feed's last poll, status, validators, errors and next poll.")
    @OptionGroup var options: ConfigOptions
    func run() throws {
        _ = try options.load()
        throw fail("state is not available yet")
    }
}

struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox", abstract: "List pending and dead-lettered webhook deliveries; retry dead letters.",
        subcommands: [OutboxListCommand.self, OutboxRetryCommand.self], defaultSubcommand: OutboxListCommand.self)
}

struct OutboxListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List pending and dead-lettered deliveries.")
    @OptionGroup var options: ConfigOptions
    func run() throws {
        _ = try options.load()
        throw fail("outbox is not available yet")
    }
}

struct OutboxRetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retry", abstract: "Put dead letters back in the queue.")
    @OptionGroup var options: ConfigOptions
    @Argument(help: "The delivery to retry.") var id: String?
    @Flag(help: "Retry every dead letter.") var all = false
    func validate() throws {
        if (id == nil) == !all { throw ValidationError("give either a delivery ID or --all") }
    }
    func run() throws {
        _ = try options.load()
        throw fail("outbox retry is not available yet")
    }
}

struct WebhookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook", abstract: "Webhook tools.", subcommands: [WebhookTestCommand.self])
}

struct WebhookTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Send one sample alert to a webhook and print the HTTP status.")
    @OptionGroup var options: ConfigOptions
    @Argument(help: "The webhook's name in the configuration.") var name: String
    func run() async throws {
        _ = try options.load()
        throw fail("webhook test is not available yet")
    }
}
