import FeedwatchAlert
import FeedwatchConfig
import FeedwatchDeliver
import FeedwatchHTTP
import FeedwatchState
import Foundation
import Logging

/// The text of `feedwatch state`, `feedwatch outbox` and `feedwatch webhook test`.
public enum Reports {
    /// One row per configured feed: name, last poll, last status, validators held, consecutive
    /// errors, next poll; at most 100 columns a line (see `StateTable`). Reads the store without
    /// writing, so it works while the daemon runs.
    public static func stateLines(config: Config) async throws -> [String] {
        let states = try await withStore(config, mode: .readOnly) { store in
            try await Dictionary(store.allFeedStates().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        }
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
    public static func outboxLines(config: Config) async throws -> [String] {
        let entries = try await withStore(config, mode: .readOnly) { store in
            try await (store.pending() + store.deadLetters()).sorted { $0.id < $1.id }
        }
        if entries.isEmpty { return ["outbox empty: no pending or dead-lettered deliveries"] }
        var rows = [["ID", "STATUS", "TARGET", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR", "ALERT ID", "RULE", "ITEM"]]
        for entry in entries {
            let alert = OutboxCodec.alert(fromPayload: entry.payload)
            rows.append([
                String(entry.id), Self.statusText(entry), entry.target, String(entry.attempts),
                entry.status == .dead ? "-" : time(entry.nextAttempt),
                entry.lastError.map { String($0.prefix(40)) } ?? "-",
                entry.alertID, alert?.rule ?? "?", alert.map { String($0.item.title.prefix(50)) } ?? "?",
            ])
        }
        return table(rows)
    }

    /// Puts one dead letter (or all) back in the queue; the running daemon picks them up.
    public static func retry(config: Config, id: Int64?) async throws -> Int {
        try await withStore(config, mode: .maintenance) { store in
            if let id { return try await store.requeue(id: id, now: Date()) ? 1 : 0 }
            return try await store.requeueAll(now: Date())
        }
    }

    /// Runs `body` with the configuration's store open, and closes it after.
    static func withStore<T>(
        _ config: Config, mode: SQLiteStateStore.Mode, _ body: (any StateStore) async throws -> T
    ) async throws -> T {
        let store = try await StoreOpener.open(config, mode: mode, logger: Logger(label: "feedwatch"))
        do {
            let result = try await body(store)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }

    /// A `test` for a name the configuration does not have.
    public struct UnknownDestination: Error, CustomStringConvertible {
        public var description: String
    }

    /// Sends a sample alert to the destination named `name` (any type, `journal` included); returns
    /// the line to print and whether it was delivered. Throws `UnknownDestination` when there is no
    /// such destination: nothing was tried.
    public static func testDestination(config: Config, name: String) async throws -> (line: String, ok: Bool) {
        let http = try HTTPClient(configuration: .init(concurrency: 1, perHost: 1))
        defer { http.shutdown() }
        let destinations = try DestinationSet.make(config: config, http: http, journal: JournalSink())
        guard let destination = destinations[name] else {
            let known = destinations.keys.sorted().joined(separator: ", ")
            throw UnknownDestination(
                description: "no destination named \"\(name)\" in \(config.path) (destinations: \(known))")
        }
        let now = Date()
        let alert = Alert(
            alertID: "feedwatch-test-\(UUID().uuidString.lowercased())", rule: "feedwatch-test", keywords: ["test"],
            feed: Alert.Feed(name: "feedwatch", url: "https://github.com/feedwatch/feedwatch", title: "feedwatch"),
            item: Alert.Item(
                id: "test", title: "feedwatch test alert", link: "https://github.com/feedwatch/feedwatch",
                summary: "A sample alert sent by feedwatch test.", published: now, authors: [],
                categories: []),
            detectedAt: now, snippet: "A sample alert sent by feedwatch test.")
        let outcome = await destination.deliver(OutgoingMessage(id: alert.alertID, alerts: [alert], now: now))
        if case .delivered = outcome { return (destination.describe(outcome), true) }
        return (destination.describe(outcome), false)
    }

    /// "pending", "dead", or why a pending alert waits: "grouped", "held:digest", "held:quiet"
    /// (its NEXT ATTEMPT column says when it goes).
    static func statusText(_ entry: OutboxEntry) -> String {
        guard entry.status == .pending, entry.attempts == 0, let hold = entry.hold else { return entry.status.rawValue }
        return hold == "group" ? "grouped" : "held:\(hold)"
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
