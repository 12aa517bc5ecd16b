import FeedwatchAlert
import FeedwatchConfig
import FeedwatchDeliver
import FeedwatchServe
import FeedwatchState
import Foundation
import Logging

/// `feedwatch alerts` and `/api/v1/alerts` (SPEC §7): the alerts fired, newest first, each with
/// every destination's status — delivered at, pending with its next attempt, held until, dead with
/// the reason. One mapping from the outbox for both, so the command's JSON is the API's.
public enum AlertHistoryReport {
    /// The alerts raised since `since` (of `rule` only, if given; the `limit` newest only, if
    /// given), as the API shows them. `types` gives each destination's type, by name.
    static func snapshots(
        store: any StateStore, since: Date, rule: String?, limit: Int? = nil, types: [String: String]
    ) async throws -> [AlertSnapshot] {
        var snapshots: [AlertSnapshot] = []
        var index: [String: Int] = [:]
        for row in try await store.alertHistory(since: since, rule: rule, limit: limit) {
            let delivery = deliveryStatus(row, type: types[row.target])
            if let at = index[row.alertID] {
                snapshots[at].destinations.append(delivery)
            } else if let alert = OutboxCodec.alert(fromPayload: row.payload) {
                index[row.alertID] = snapshots.count
                snapshots.append(
                    AlertSnapshot(
                        alertID: alert.alertID, rule: alert.rule, keywords: alert.keywords,
                        feed: .init(name: alert.feed.name, url: DisplayURL.redacted(alert.feed.url)),
                        item: .init(title: ChatText.title(alert), link: alert.item.link),
                        detectedAt: alert.detectedAt, destinations: [delivery]))
            }
        }
        return snapshots
    }

    /// One outbox row as a destination's status. A row never tried that waits with a hold reason
    /// is held (shaping); tried and waiting, it is pending.
    static func deliveryStatus(_ row: OutboxEntry, type: String?) -> DeliveryStatus {
        var status = DeliveryStatus(name: row.target, type: type, status: .pending, attempts: row.attempts)
        switch (row.status, row.hold) {
        case (.delivered, _):
            status.status = .delivered
            status.deliveredAt = row.deliveredAt
            status.httpStatus = row.httpStatus
        case (.dead, _):
            status.status = .dead
            status.error = row.lastError ?? ""
        case (.pending, let hold?) where row.attempts == 0:
            status.status = .held
            status.hold = hold
            status.until = row.nextAttempt
        case (.pending, _), (.inFlight, _):
            status.status = row.status == .inFlight ? .inFlight : .pending
            status.nextAttempt = row.nextAttempt
            status.error = row.lastError
        }
        return status
    }

    /// Each destination's type by name, `journal` included.
    static func destinationTypes(_ config: Config) -> [String: String] {
        var types = ["journal": "journal"]
        for destination in config.destinations { types[destination.name] = destination.typeName }
        return types
    }

    private static func snapshots(config: Config, since: Date, rule: String?) async throws -> [AlertSnapshot] {
        let store = try await StoreOpener.open(config, mode: .readOnly, logger: Logger(label: "feedwatch"))
        do {
            let snapshots = try await snapshots(store: store, since: since, rule: rule, types: destinationTypes(config))
            await store.close()
            return snapshots
        } catch {
            await store.close()
            throw error
        }
    }

    /// Readable lines: the alert, its feed and link, then a line per destination.
    public static func lines(config: Config, since: Date, rule: String?) async throws -> [String] {
        let alerts = try await snapshots(config: config, since: since, rule: rule)
        if alerts.isEmpty { return ["no alerts fired since \(time(since))" + (rule.map { " for rule \($0)" } ?? "")] }
        let width = max(8, alerts.flatMap { $0.destinations.map(\.name.count) }.max() ?? 0)
        var lines: [String] = []
        for alert in alerts {
            let keywords = alert.keywords.map(SafeText.oneLine).joined(separator: ", ")
            lines.append("\(time(alert.detectedAt))  [\(alert.rule)] \(alert.item.title) (matched: \(keywords))")
            lines.append(
                "  feed \(alert.feed.name)" + (alert.item.link.isEmpty ? "" : " · \(SafeText.oneLine(alert.item.link))")
            )
            for delivery in alert.destinations {
                lines.append(
                    "  " + delivery.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + text(delivery))
            }
        }
        return lines
    }

    /// The same as one JSON document, `/api/v1/alerts`'s: an array, newest alert first.
    public static func json(config: Config, since: Date, rule: String?) async throws -> String {
        let snapshots = try await snapshots(config: config, since: since, rule: rule)
        return String(decoding: try APIJSON.encode(snapshots), as: UTF8.self)
    }

    private static func text(_ delivery: DeliveryStatus) -> String {
        switch delivery.status {
        case .delivered:
            let code = delivery.httpStatus.map { " (\($0))" } ?? ""
            return "delivered \(delivery.deliveredAt.map(time) ?? "")\(code)"
        case .dead:
            return "dead: \(delivery.error.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown reason")"
        case .held:
            return "held (\(delivery.hold ?? "")) until \(delivery.until.map(time) ?? "")"
        case .pending, .inFlight:
            let error = delivery.error.map { " after \($0)" } ?? ""
            return "pending, next attempt \(delivery.nextAttempt.map(time) ?? "")\(error)"
        }
    }

    private static func time(_ date: Date) -> String { RFC3339.string(from: date) }
}
