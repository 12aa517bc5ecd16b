import FeedwatchAlert
import FeedwatchConfig
import FeedwatchDeliver
import FeedwatchState
import Foundation

/// `feedwatch alerts` (SPEC §7): the alerts fired, newest first, each with every destination's
/// status — delivered at, pending with its next attempt, held until, dead with the reason.
public enum AlertHistoryReport {
    /// One alert and where it went.
    struct Entry {
        var alert: Alert
        var deliveries: [OutboxEntry]
    }

    static func entries(config: Config, since: Date, rule: String?) throws -> [Entry] {
        let store = try StateStore(directory: config.stateDirectory, mode: .readOnly)
        defer { store.close() }
        var entries: [Entry] = []
        var index: [String: Int] = [:]
        for row in try store.alertHistory(since: since, rule: rule) {
            if let at = index[row.alertID] {
                entries[at].deliveries.append(row)
            } else if let alert = OutboxCodec.alert(fromPayload: row.payload) {
                index[row.alertID] = entries.count
                entries.append(Entry(alert: alert, deliveries: [row]))
            }
        }
        return entries
    }

    /// Readable lines: the alert, its feed and link, then a line per destination.
    public static func lines(config: Config, since: Date, rule: String?) throws -> [String] {
        let entries = try entries(config: config, since: since, rule: rule)
        if entries.isEmpty { return ["no alerts fired since \(time(since))" + (rule.map { " for rule \($0)" } ?? "")] }
        let width = max(8, entries.flatMap { $0.deliveries.map(\.target.count) }.max() ?? 0)
        var lines: [String] = []
        for entry in entries {
            let alert = entry.alert
            lines.append(
                "\(time(alert.detectedAt))  [\(alert.rule)] \(ChatText.title(alert)) (matched: \(ChatText.keywords(alert)))"
            )
            lines.append(
                "  feed \(alert.feed.name)" + (alert.item.link.isEmpty ? "" : " · \(SafeText.oneLine(alert.item.link))")
            )
            for row in entry.deliveries {
                lines.append(
                    "  " + row.target.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + status(row))
            }
        }
        return lines
    }

    /// The same as one JSON document: an array, newest alert first.
    public static func json(config: Config, since: Date, rule: String?) throws -> String {
        let alerts: [JSONWriter.Value] = try entries(config: config, since: since, rule: rule).map { entry in
            let alert = entry.alert
            return .object([
                ("alert_id", .string(alert.alertID)),
                ("rule", .string(alert.rule)),
                ("keywords", .array(alert.keywords.map { .string($0) })),
                ("feed", .object([("name", .string(alert.feed.name)), ("url", .string(alert.feed.url))])),
                ("item", .object([("title", .string(alert.item.title)), ("link", .string(alert.item.link))])),
                ("detected_at", .string(time(alert.detectedAt))),
                ("destinations", .array(entry.deliveries.map(destinationJSON))),
            ])
        }
        return JSONWriter.render(.array(alerts))
    }

    private static func destinationJSON(_ row: OutboxEntry) -> JSONWriter.Value {
        var members: [(String, JSONWriter.Value)] = [("name", .string(row.target))]
        switch (row.status, row.hold) {
        case (.delivered, _):
            members.append(("status", .string("delivered")))
            if let at = row.deliveredAt { members.append(("delivered_at", .string(time(at)))) }
            if let code = row.httpStatus { members.append(("http_status", .number(code))) }
        case (.dead, _):
            members.append(("status", .string("dead")))
            members.append(("error", .string(row.lastError ?? "")))
        case (.pending, let hold?) where row.attempts == 0:
            members.append(("status", .string("held")))
            members.append(("hold", .string(hold)))
            members.append(("until", .string(time(row.nextAttempt))))
        case (.pending, _), (.inFlight, _):
            members.append(("status", .string(row.status == .inFlight ? "in_flight" : "pending")))
            members.append(("next_attempt", .string(time(row.nextAttempt))))
            if let error = row.lastError { members.append(("error", .string(error))) }
        }
        return .object(members)
    }

    private static func status(_ row: OutboxEntry) -> String {
        switch (row.status, row.hold) {
        case (.delivered, _):
            let code = row.httpStatus.map { " (\($0))" } ?? ""
            return "delivered \(row.deliveredAt.map(time) ?? "")\(code)"
        case (.dead, _):
            return "dead: \(row.lastError ?? "unknown reason")"
        case (.pending, let hold?) where row.attempts == 0:
            return "held (\(hold)) until \(time(row.nextAttempt))"
        case (.pending, _), (.inFlight, _):
            let error = row.lastError.map { " after \($0)" } ?? ""
            return "pending, next attempt \(time(row.nextAttempt))\(error)"
        }
    }

    private static func time(_ date: Date) -> String { RFC3339.string(from: date) }
}
