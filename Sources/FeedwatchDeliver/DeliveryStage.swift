import FeedwatchAlert
import FeedwatchState
import Foundation
import Logging

/// The delivery stage: works through the durable outbox. Each due row is claimed, handed to its
/// destination, and its outcome recorded — delivered, retried later (`RetryPolicy`, honouring a
/// `Retry-After`, within the destination's `retry_for`), or dead-lettered and logged. At most
/// `maxInFlight` rows per destination are out at once, so one slow receiver never holds back another.
///
/// The daemon only says when to look (`startDue`) and swaps the destinations on a reload; `once`
/// and the tests step through it with `attemptDue`.
public actor DeliveryStage {
    let store: StateStore
    let logger: Logger
    private var destinations: [String: any Destination]
    private var inFlight: Set<Int64> = []
    private var load: [String: Int] = [:]

    /// A stage delivering the outbox of `store` to `destinations` (by name).
    public init(store: StateStore, destinations: [String: any Destination], logger: Logger) {
        self.store = store
        self.destinations = destinations
        self.logger = logger
    }

    /// Rows claimed and not yet reported back.
    public var deliveriesInFlight: Int { inFlight.count }

    /// Replaces the destinations (a reload). Deliveries in flight finish with the old ones.
    public func use(_ destinations: [String: any Destination]) {
        self.destinations = destinations
    }

    /// Each destination's `retry_for`, for expiring what waited too long.
    public var retryWindows: [String: TimeInterval] { destinations.mapValues(\.retryFor) }

    /// Starts every due delivery each destination has room for, without waiting for them;
    /// `finished` is called after each one. Returns when the outbox should next be looked at.
    public func startDue(now: Date, finished: @escaping @Sendable () -> Void) -> Date {
        for (entry, message, destination) in claimDue(now: now) {
            begin(entry)
            Task.detached {
                let outcome = await destination.deliver(message)
                await self.end(entry, outcome, destination: destination, now: Date())
                finished()
            }
        }
        let next = (try? store.earliestNextAttempt()) ?? nil
        return next.map { max($0, now.addingTimeInterval(0.05)) } ?? now.addingTimeInterval(60)
    }

    /// One attempt for every delivery due at `now`, awaited (`feedwatch once`, and tests that step
    /// through the retry schedule). Returns the counts delivered and not delivered.
    @discardableResult
    public func attemptDue(now: Date) async -> (delivered: Int, failed: Int) {
        let due = claimDue(now: now, limit: 10_000)
        for (entry, _, _) in due { begin(entry) }
        let outcomes = await withTaskGroup(of: (OutboxEntry, DeliveryOutcome, any Destination).self) { group in
            for (entry, message, destination) in due {
                group.addTask { (entry, await destination.deliver(message), destination) }
            }
            var outcomes: [(OutboxEntry, DeliveryOutcome, any Destination)] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        var delivered = 0
        for (entry, outcome, destination) in outcomes {
            end(entry, outcome, destination: destination, now: now)
            if case .delivered = outcome { delivered += 1 }
        }
        return (delivered, outcomes.count - delivered)
    }

    /// Claims the due rows each destination has room for (`limit` overrides the room), oldest
    /// first. Rows whose destination is gone from the configuration, or whose alert cannot be read,
    /// are dead-lettered here.
    private func claimDue(
        now: Date, limit: Int? = nil
    ) -> [(OutboxEntry, OutgoingMessage, any Destination)] {
        var claimed: [(OutboxEntry, OutgoingMessage, any Destination)] = []
        do {
            for entry in try store.dueDeliveries(now: now, limit: 100, excludingTargets: Set(destinations.keys)) {
                record(entry, .failed(reason: "no destination named \(entry.target) in the configuration any more"))
            }
            for name in destinations.keys.sorted() {
                guard let destination = destinations[name] else { continue }
                // Only as many rows as there is room for are claimed: a backlog of thousands costs
                // one small query per look, not a claim and release of the whole backlog.
                let room = limit ?? (destination.maxInFlight - load[name, default: 0])
                guard room > 0 else { continue }
                for entry in try store.dueDeliveries(now: now, limit: room, onlyTarget: name)
                where !inFlight.contains(entry.id) {
                    guard let alert = OutboxCodec.alert(fromPayload: entry.payload) else {
                        record(entry, .failed(reason: "unreadable alert in the outbox"))
                        continue
                    }
                    claimed.append((entry, OutgoingMessage(id: entry.alertID, alerts: [alert], now: now), destination))
                }
            }
        } catch {
            logger.error("cannot read the outbox (will retry): \(error)")
        }
        return claimed
    }

    private func begin(_ entry: OutboxEntry) {
        inFlight.insert(entry.id)
        load[entry.target, default: 0] += 1
    }

    private func end(_ entry: OutboxEntry, _ outcome: DeliveryOutcome, destination: any Destination, now: Date) {
        inFlight.remove(entry.id)
        load[entry.target, default: 1] -= 1
        record(entry, outcome, retryFor: destination.retryFor, now: now)
    }

    /// Records an outcome in the outbox and logs what the user needs to know.
    private func record(
        _ entry: OutboxEntry, _ outcome: DeliveryOutcome, retryFor: TimeInterval = 0, now: Date = Date()
    ) {
        let metadata: Logger.Metadata = ["destination": "\(entry.target)", "alert_id": "\(entry.alertID)"]
        do {
            switch outcome {
            case .delivered(let status):
                try store.markDelivered(id: entry.id, status: status, now: now)
                if let lastError = entry.lastError {
                    logger.notice(
                        "delivered after an earlier failure (\(lastError)); attempts before: \(entry.attempts)",
                        metadata: metadata)
                }
            case .retry(let reason, let after):
                let next = RetryPolicy.nextAttempt(
                    failedAttempts: entry.attempts + 1, retryAfter: after, createdAt: entry.retryFrom,
                    retryFor: retryFor, now: now)
                try store.markFailed(id: entry.id, error: reason, retryAt: next)
                if let next {
                    logger.warning(
                        "delivery failed (\(reason)); next attempt at \(Self.timeText(next))", metadata: metadata)
                } else {
                    logger.error(
                        "delivery failed (\(reason)) and retry_for has passed: dead-lettered", metadata: metadata)
                }
            case .failed(let reason):
                try store.markFailed(id: entry.id, error: reason, retryAt: nil)
                logger.error("delivery failed permanently (\(reason)): dead-lettered", metadata: metadata)
            }
        } catch {
            logger.error("cannot update the outbox (will retry): \(error)", metadata: metadata)
        }
    }

    static func timeText(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
