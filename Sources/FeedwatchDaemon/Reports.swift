import FeedwatchAlert
import FeedwatchConfig
import FeedwatchHTTP
import FeedwatchState
import Foundation

/// The text of `feedwatch state`, `feedwatch outbox` and `feedwatch webhook test`.
public enum Reports {
    /// One row per configured feed: name, last poll, last status, validators held, consecutive
    /// errors, next poll; at most 100 columns a line (see `StateTable`). Reads the store without
    /// writing, so it works while the daemon runs.
    public static func stateLines(config: Config) throws -> [String] {
        let store = try StateStore(directory: config.stateDirectory, mode: .readOnly)
        defer { store.close() }
        let states = try Dictionary(store.allFeedStates().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let rows = config.feeds.map { feed in
            let state = states[feed.name].flatMap { $0.configuredURL == feed.source.url ? $0 : nil }
            let held = [state?.etag.map { _ in "etag" }, state?.lastModified.map { _ in "lm" }].compactMap { $0 }
            return StateTable.Row(
                name: feed.name,
                lastPoll: state?.lastPoll.map(time) ?? "never",
                status: state?.lastStatus ?? "-",
                held: held.isEmpty ? "-" : held.joined(separator: "+"),
                errors: String(state?.consecutiveErrors ?? 0),
                nextPoll: state?.gone == true ? "stopped (410 Gone)" : state?.nextDue.map(time) ?? "soon",
                movedTo: state?.url.flatMap { $0 == feed.source.url ? nil : $0 })
        }
        return StateTable.lines(rows)
    }

    /// Pending and dead-lettered deliveries, oldest first; secrets and webhook URLs never shown.
    public static func outboxLines(config: Config) throws -> [String] {
        let store = try StateStore(directory: config.stateDirectory, mode: .readOnly)
        defer { store.close() }
        let entries = try (store.pending() + store.deadLetters()).sorted { $0.id < $1.id }
        if entries.isEmpty { return ["outbox empty: no pending or dead-lettered deliveries"] }
        var rows = [["ID", "STATUS", "TARGET", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR", "ALERT ID", "RULE", "ITEM"]]
        for entry in entries {
            let alert = DocumentProcessor.alert(fromPayload: entry.payload)
            rows.append([
                String(entry.id), entry.status.rawValue, entry.target, String(entry.attempts),
                entry.status == .dead ? "-" : time(entry.nextAttempt),
                entry.lastError.map { String($0.prefix(40)) } ?? "-",
                entry.alertID, alert?.rule ?? "?", alert.map { String($0.item.title.prefix(50)) } ?? "?",
            ])
        }
        return table(rows)
    }

    /// Puts one dead letter (or all) back in the queue; the running daemon picks them up.
    public static func retry(config: Config, id: Int64?) throws -> Int {
        let store = try StateStore(directory: config.stateDirectory, mode: .maintenance)
        defer { store.close() }
        if let id { return try store.requeue(id: id) ? 1 : 0 }
        return try store.requeueAll()
    }

    /// A `webhook test` for a name the configuration does not have.
    public struct UnknownWebhook: Error, CustomStringConvertible {
        public var description: String
    }

    /// Sends a sample alert to the webhook named `name`; returns the line to print and whether it
    /// succeeded. Throws `UnknownWebhook` when there is no such webhook: nothing was tried.
    public static func testWebhook(config: Config, name: String) async throws -> (line: String, ok: Bool) {
        let runtime = try Runtime(config: config)
        guard let webhook = runtime.webhooks[name] else {
            let known = config.webhooks.map(\.name).joined(separator: ", ")
            throw UnknownWebhook(
                description:
                    "no webhook named \"\(name)\" in \(config.path) (webhooks: \(known.isEmpty ? "none" : known))")
        }
        let http = try HTTPClient(configuration: .init(concurrency: 1, perHost: 1))
        defer { http.shutdown() }
        let now = Date()
        let alert = Alert(
            alertID: "feedwatch-test-\(UUID().uuidString.lowercased())", rule: "feedwatch-test", keywords: ["test"],
            feed: Alert.Feed(name: "feedwatch", url: "https://github.com/feedwatch/feedwatch", title: "feedwatch"),
            item: Alert.Item(
                id: "test", title: "feedwatch test alert", link: "https://github.com/feedwatch/feedwatch",
                summary: "A sample alert sent by feedwatch webhook test.", published: now, authors: [],
                categories: []),
            detectedAt: now, snippet: "A sample alert sent by feedwatch webhook test.")
        switch await AlertDelivery(http: http, journal: JournalSink(destination: .standardError)).post(
            alert, to: webhook, now: now)
        {
        case .delivered(let status): return ("\(name): HTTP \(status ?? 200) (delivered)", true)
        case .retry(let error, _): return ("\(name): \(error) (would be retried)", false)
        case .permanent(let error): return ("\(name): \(error) (permanent failure)", false)
        }
    }

    private static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    private static func table(_ rows: [[String]]) -> [String] {
        guard let columns = rows.first?.count else { return [] }
        let widths = (0..<columns).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == columns - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }
}
