import FeedwatchAlert
import FeedwatchState
import Foundation
import Logging

/// Works through the outbox: each due delivery is attempted, and its outcome recorded — delivered,
/// retried later (RetryPolicy), or dead-lettered. The journal target is written at once; webhooks
/// are posted through the shared curl loop, at most `perWebhook` at a time for each webhook so that
/// one slow receiver never holds back another.
actor DeliveryQueue {
    let store: StateStore
    let delivery: AlertDelivery
    let logger: Logger
    let perWebhook: Int
    private var inFlight: Set<Int64> = []
    private var load: [String: Int] = [:]

    init(store: StateStore, delivery: AlertDelivery, logger: Logger, perWebhook: Int = 4) {
        self.store = store
        self.delivery = delivery
        self.logger = logger
        self.perWebhook = perWebhook
    }

    var deliveriesInFlight: Int { inFlight.count }

    /// Starts every due delivery that a webhook's limit allows, without waiting for them;
    /// `finished` is called after each one. Returns when the outbox should next be looked at.
    func startDue(now: Date, runtime: Runtime, finished: @escaping @Sendable () -> Void) -> Date {
        // Only as many rows as each webhook has room for are claimed: a backlog of thousands costs
        // one small query per turn, not a claim and release of the whole backlog.
        var claimed = dueEntries(now: now, runtime: runtime, webhooks: false)
        for name in runtime.webhooks.keys.sorted() {
            let room = perWebhook - (load[name] ?? 0)
            if room > 0 { claimed += dueEntries(now: now, runtime: runtime, target: name, limit: room) }
        }
        for (entry, alert) in claimed {
            begin(entry)
            Task.detached { [delivery] in
                let attempt = await delivery.deliver(alert: alert, target: entry.target, runtime: runtime)
                await self.end(entry, attempt, runtime: runtime, now: Date())
                finished()
            }
        }
        let next = (try? store.earliestNextAttempt()) ?? nil
        return next.map { max($0, now.addingTimeInterval(0.05)) } ?? now.addingTimeInterval(60)
    }

    /// One attempt for every delivery due at `now`, awaited (`feedwatch once`, and tests that
    /// step through the retry schedule). Returns the counts delivered and failed.
    @discardableResult
    func attemptDue(now: Date, runtime: Runtime) async -> (delivered: Int, failed: Int) {
        let due = dueEntries(now: now, runtime: runtime, webhooks: true)
        for (entry, _) in due { begin(entry) }
        let attempts = await withTaskGroup(of: (OutboxEntry, DeliveryAttempt).self) { [delivery] group in
            for (entry, alert) in due {
                group.addTask {
                    (entry, await delivery.deliver(alert: alert, target: entry.target, runtime: runtime, now: now))
                }
            }
            var results: [(OutboxEntry, DeliveryAttempt)] = []
            for await result in group { results.append(result) }
            return results
        }
        var delivered = 0
        for (entry, attempt) in attempts {
            end(entry, attempt, runtime: runtime, now: now)
            if case .delivered = attempt { delivered += 1 }
        }
        return (delivered, attempts.count - delivered)
    }

    /// Claims due entries: all targets (`webhooks` true), only the journal and targets no longer
    /// configured (`webhooks` false), or one webhook's (`target`). Journal entries are written here
    /// and then, unreadable ones dead-lettered; the webhook entries are returned to be posted.
    private func dueEntries(
        now: Date, runtime: Runtime, webhooks: Bool = true, target: String? = nil, limit: Int = 1000
    ) -> [(OutboxEntry, Alert)] {
        let due: [OutboxEntry]
        do {
            let configured = webhooks || target != nil ? [] : Set(runtime.webhooks.keys)
            due = try store.dueDeliveries(now: now, limit: limit, excludingTargets: configured, onlyTarget: target)
        } catch {
            logger.error("cannot read the outbox (will retry): \(error)")
            return []
        }
        var webhookEntries: [(OutboxEntry, Alert)] = []
        for entry in due where !inFlight.contains(entry.id) {
            guard let alert = DocumentProcessor.alert(fromPayload: entry.payload) else {
                record(entry, .permanent(error: "unreadable alert in the outbox"), runtime: runtime, now: now)
                continue
            }
            if entry.target == "journal" {
                _ = delivery.journal.record(alert)
                record(entry, .delivered(status: nil), runtime: runtime, now: now)
            } else if runtime.webhooks[entry.target] == nil {
                record(
                    entry, .permanent(error: "no webhook named \(entry.target) in the configuration any more"),
                    runtime: runtime, now: now)
            } else {
                webhookEntries.append((entry, alert))
            }
        }
        return webhookEntries
    }

    private func begin(_ entry: OutboxEntry) {
        inFlight.insert(entry.id)
        load[entry.target, default: 0] += 1
    }

    private func end(_ entry: OutboxEntry, _ attempt: DeliveryAttempt, runtime: Runtime, now: Date) {
        inFlight.remove(entry.id)
        load[entry.target, default: 1] -= 1
        record(entry, attempt, runtime: runtime, now: now)
    }

    /// Records an attempt's outcome in the outbox and logs what the user needs to know.
    private func record(_ entry: OutboxEntry, _ attempt: DeliveryAttempt, runtime: Runtime, now: Date) {
        let metadata: Logger.Metadata = ["webhook": "\(entry.target)", "alert_id": "\(entry.alertID)"]
        do {
            switch attempt {
            case .delivered(let status):
                try store.markDelivered(id: entry.id, status: status, now: now)
                if let lastError = entry.lastError {
                    logger.notice(
                        "delivered after an earlier failure (\(lastError)); attempts before: \(entry.attempts)",
                        metadata: metadata)
                }
            case .retry(let error, let retryAfter):
                let next = RetryPolicy.nextAttempt(
                    failedAttempts: entry.attempts + 1, retryAfter: retryAfter, createdAt: entry.retryFrom,
                    retryFor: runtime.webhooks[entry.target]?.config.retryFor ?? 0, now: now)
                try store.markFailed(id: entry.id, error: error, retryAt: next)
                if let next {
                    logger.warning(
                        "delivery failed (\(error)); next attempt at \(Self.timeText(next))", metadata: metadata)
                } else {
                    logger.error(
                        "delivery failed (\(error)) and retry_for has passed: dead-lettered", metadata: metadata)
                }
            case .permanent(let error):
                try store.markFailed(id: entry.id, error: error, retryAt: nil)
                logger.error("delivery failed permanently (\(error)): dead-lettered", metadata: metadata)
            }
        } catch {
            logger.error("cannot update the outbox (will retry): \(error)", metadata: metadata)
        }
    }

    static func timeText(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
