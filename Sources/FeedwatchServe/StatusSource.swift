import Foundation

/// What the listener shows, produced elsewhere: the daemon reads it from its state store
/// (`StoreStatusSource`), the metrics from its registry. Every call is read-only and may come from
/// several requests at once.
public protocol StatusSource: Sendable {
    /// The Prometheus text exposition (format 0.0.4) of the daemon's metrics.
    func metricsText() async -> String
    /// One page of the configured feeds with their health, and the counts of every status.
    func feeds(_ query: FeedQuery) async throws -> FeedsSnapshot
    /// The alerts fired since `since` (every one kept, when nil), of `rule` only when given, newest
    /// first, at most `limit`, each with every destination's delivery status (SPEC §7).
    func alerts(since: Date?, rule: String?, limit: Int) async throws -> [AlertSnapshot]
    /// What waits in the outbox per destination, and the dead letters.
    func outbox() async throws -> OutboxSnapshot
}
