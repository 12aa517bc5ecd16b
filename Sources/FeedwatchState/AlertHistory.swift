import Foundation
import GRDB

/// The alerts fired, as the outbox remembers them (SPEC §7): one row per destination, kept 90 days.
extension StateStore {
    /// Every outbox row of the alerts raised since `since` (of `rule` only, if given), newest alert
    /// first, an alert's rows together in the order they were queued.
    public func alertHistory(since: Date, rule: String? = nil) throws -> [OutboxEntry] {
        let rows = try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM outbox WHERE created_at >= ? ORDER BY created_at DESC, id",
                arguments: [since.timeIntervalSince1970]
            ).map(OutboxEntry.init(row:))
        }
        guard let rule else { return rows }
        // The rule is in the payload only; alert ids embed nothing readable. A history is small.
        return rows.filter { Self.rule(ofPayload: $0.payload) == rule }
    }

    private static func rule(ofPayload payload: Data) -> String? {
        (try? JSONSerialization.jsonObject(with: payload) as? [String: Any])?["rule"] as? String
    }
}
