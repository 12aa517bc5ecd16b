import FeedwatchAlert
import FeedwatchConfig
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
    let store: any StateStore
    let logger: Logger
    let metrics: DeliveryMetrics
    private var destinations: [String: any Destination]
    private var policy: ShapingPolicy
    private var inFlight: Set<Int64> = []
    private var load: [String: Int] = [:]
    /// When each rate-limited destination's recent messages went, oldest first.
    private var sent: [String: [Date]] = [:]
    /// When rows of destinations no longer configured were last looked for: only a reload makes
    /// them, so they are swept at start, after a reload, and once a minute, not on every look.
    private var orphansSweptAt = Date.distantPast
    private var isClaiming = false
    static let orphanSweepInterval: TimeInterval = 60

    /// A stage delivering the outbox of `store` to `destinations` (by name), shaped by `policy`.
    public init(
        store: any StateStore, destinations: [String: any Destination], policy: ShapingPolicy = .none, logger: Logger,
        metrics: DeliveryMetrics = DeliveryMetrics()
    ) {
        self.store = store
        self.metrics = metrics
        metrics.configured(Array(destinations.keys))
        self.destinations = destinations
        self.policy = policy
        self.logger = logger
    }

    /// Rows claimed and not yet reported back.
    public var deliveriesInFlight: Int { inFlight.count }

    /// Replaces the destinations and their shaping (a reload). Deliveries in flight finish with the
    /// old ones; alerts already held keep the release time they were given.
    public func use(_ destinations: [String: any Destination], policy: ShapingPolicy) {
        self.destinations = destinations
        self.policy = policy
        orphansSweptAt = .distantPast
        metrics.configured(Array(destinations.keys))
    }

    /// Each destination's `retry_for`, for expiring what waited too long.
    public var retryWindows: [String: TimeInterval] { destinations.mapValues(\.retryFor) }

    /// Starts every due delivery each destination has room for, without waiting for them;
    /// `finished` is called after each one. Returns when the outbox should next be looked at.
    public func startDue(now: Date, finished: @escaping @Sendable () -> Void) async -> Date {
        for claim in await claimDue(now: now) {
            begin(claim)
            Task.detached {
                let outcome = await claim.destination.deliver(claim.message)
                await self.end(claim, outcome, now: Date())
                finished()
            }
        }
        var next = ((try? await store.earliestNextAttempt()) ?? nil) ?? now.addingTimeInterval(60)
        if let free = rateFreesUp(now: now) { next = min(next, free) }
        return max(next, now.addingTimeInterval(0.05))
    }

    /// One attempt for every delivery due at `now`, awaited (`feedwatch once`, and tests that step
    /// through the retry schedule and the shaping clock). Returns the counts of messages delivered
    /// and not delivered.
    @discardableResult
    public func attemptDue(now: Date) async -> (delivered: Int, failed: Int) {
        let due = await claimDue(now: now, limit: 10_000)
        for claim in due { begin(claim) }
        let outcomes = await withTaskGroup(of: (Claim, DeliveryOutcome).self) { group in
            for claim in due {
                group.addTask { (claim, await claim.destination.deliver(claim.message)) }
            }
            var outcomes: [(Claim, DeliveryOutcome)] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        var delivered = 0
        for (claim, outcome) in outcomes {
            await end(claim, outcome, now: now)
            if case .delivered = outcome { delivered += 1 }
        }
        return (delivered, outcomes.count - delivered)
    }

    /// One message claimed: its outbox rows (one, or a group's), and where it goes.
    struct Claim: Sendable {
        var entries: [OutboxEntry]
        var message: OutgoingMessage
        var destination: any Destination
    }

    /// Shapes what was queued since the last look, then claims the due messages each destination
    /// has room (and rate) for (`limit` overrides the room), oldest first. Rows whose destination is
    /// gone from the configuration, or whose alert cannot be read, are dead-lettered here.
    private func claimDue(now: Date, limit: Int? = nil) async -> [Claim] {
        // One look at a time: the room of each destination is counted before its rows are claimed,
        // and a second look between the two would claim the same room twice.
        guard !isClaiming else { return [] }
        isClaiming = true
        defer { isClaiming = false }
        var claimed: [Claim] = []
        do {
            try await shapeNewDeliveries()
            if now.timeIntervalSince(orphansSweptAt) >= Self.orphanSweepInterval || limit != nil {
                orphansSweptAt = now
                for entry in try await store.dueDeliveries(
                    now: now, limit: 100, excludingTargets: Set(destinations.keys))
                {
                    await record(entry, .failed(reason: "no destination named \(entry.target) in the configuration any more"))
                }
            }
            for name in destinations.keys.sorted() {
                guard let destination = destinations[name] else { continue }
                // Only as many messages as there is room for are claimed: a backlog of thousands costs
                // one small query per look, not a claim and release of the whole backlog.
                var room = limit ?? (destination.maxInFlight - load[name, default: 0])
                if let rate = policy.rate(of: name) {
                    room = min(room, await rate.count - recentMessages(name, rate, now: now))
                }
                guard room > 0 else { continue }
                for rows in try await store.dueMessages(now: now, target: name, limit: room) {
                    var alerts: [Alert] = []
                    var readable: [OutboxEntry] = []
                    for entry in rows {
                        if let alert = OutboxCodec.alert(fromPayload: entry.payload) {
                            alerts.append(alert)
                            readable.append(entry)
                        } else {
                            await record(entry, .failed(reason: "unreadable alert in the outbox"))
                        }
                    }
                    guard let first = readable.first else { continue }
                    let id =
                        first.groupKey.map { Alert.makeID(rule: "feedwatch.group", feed: name, itemID: $0) }
                        ?? first.alertID
                    claimed.append(
                        Claim(
                            entries: readable, message: OutgoingMessage(id: id, alerts: alerts, now: now),
                            destination: destination))
                    if policy.rate(of: name) != nil { sent[name, default: []].append(now) }
                }
            }
        } catch {
            logger.error("cannot read the outbox (will retry): \(error)")
        }
        return claimed
    }

    /// Decides, for every row queued since the last look, when it goes and with which others.
    private func shapeNewDeliveries() async throws {
        let fresh = try await store.unshapedDeliveries(limit: 5_000)
        guard !fresh.isEmpty else { return }
        var decisions: [ShapingDecision] = []
        // Groups opened in this batch, by key prefix: the store does not hold them yet.
        var opened: [String: (key: String, releaseAt: Date)] = [:]
        for entry in fresh {
            guard destinations[entry.target] != nil, policy.mayHold(entry.target),
                let alert = OutboxCodec.alert(fromPayload: entry.payload)
            else {
                decisions.append(ShapingDecision(id: entry.id))
                continue
            }
            let (shaping, urgent) = policy.shaping(destination: entry.target, rule: alert.rule)
            var open: (key: String, releaseAt: Date)?
            if let wait = shaping.groupWait {
                let prefix = Hold.groupPrefix(destination: entry.target, wait: wait)
                if let known = opened[prefix] {
                    open = known
                } else {
                    open = try await store.openGroup(target: entry.target, keyPrefix: prefix)
                }
            }
            guard
                let hold = Hold.decide(
                    created: entry.createdAt, shaping: shaping, urgent: urgent, destination: entry.target,
                    clock: policy.clock, openGroup: open)
            else {
                decisions.append(ShapingDecision(id: entry.id))
                continue
            }
            if hold.reason == .group, let wait = shaping.groupWait {
                opened[Hold.groupPrefix(destination: entry.target, wait: wait)] = (hold.groupKey, hold.releaseAt)
            }
            decisions.append(
                ShapingDecision(
                    id: entry.id, groupKey: hold.groupKey, hold: hold.reason.rawValue, releaseAt: hold.releaseAt))
        }
        try await store.applyShaping(decisions)
    }

    /// Messages sent to a rate-limited destination within its period before `now`.
    private func recentMessages(_ name: String, _ rate: Shaping.Rate, now: Date) async -> Int {
        if sent[name] == nil {
            // After a restart, what went out before counts too.
            sent[name] =
                (try? await store.messagesDelivered(target: name, since: now.addingTimeInterval(-rate.period))) ?? []
        }
        let since = now.addingTimeInterval(-rate.period)
        sent[name]?.removeAll { $0 <= since }
        return sent[name]?.count ?? 0
    }

    /// When a rate-limited destination next has room, if one is full.
    private func rateFreesUp(now: Date) -> Date? {
        var earliest: Date?
        for (name, times) in sent {
            guard let rate = policy.rate(of: name), times.count >= rate.count, let oldest = times.first else {
                continue
            }
            let free = oldest.addingTimeInterval(rate.period)
            earliest = min(earliest ?? free, free)
        }
        return earliest
    }

    private func begin(_ claim: Claim) {
        for entry in claim.entries { inFlight.insert(entry.id) }
        load[claim.destination.name, default: 0] += 1
    }

    private func end(_ claim: Claim, _ outcome: DeliveryOutcome, now: Date) async {
        load[claim.destination.name, default: 1] -= 1
        // A group's rows share one fate: delivered together, retried together, dead together.
        for entry in claim.entries {
            inFlight.remove(entry.id)
            await record(entry, outcome, retryFor: claim.destination.retryFor, now: now)
        }
        count(claim, outcome, now: now)
    }

    /// One message counts once, a group included; its latency runs from its oldest alert.
    private func count(_ claim: Claim, _ outcome: DeliveryOutcome, now: Date) {
        let name = claim.destination.name
        switch outcome {
        case .delivered:
            let detected = claim.entries.map(\.createdAt).min() ?? now
            metrics.delivered(to: name, detected: detected, now: now)
        case .retry(_, let after):
            let next = claim.entries.first.flatMap {
                RetryPolicy.nextAttempt(
                    failedAttempts: $0.attempts + 1, retryAfter: after, createdAt: $0.retryFrom,
                    retryFor: claim.destination.retryFor, now: now)
            }
            if next == nil { metrics.dead(to: name) } else { metrics.retried(to: name) }
        case .failed:
            metrics.dead(to: name)
        }
    }

    /// Sets the outbox gauges from the store (called before a scrape, not on every delivery). Not
    /// isolated: a scrape reads the store beside the stage instead of queueing behind its work.
    public nonisolated func refreshOutboxGauges() async {
        guard let counts = try? await store.outboxCounts() else { return }
        metrics.outbox(counts)
    }

    /// Records an outcome in the outbox and logs what the user needs to know.
    private func record(
        _ entry: OutboxEntry, _ outcome: DeliveryOutcome, retryFor: TimeInterval = 0, now: Date = Date()
    ) async {
        let metadata: Logger.Metadata = ["destination": "\(entry.target)", "alert_id": "\(entry.alertID)"]
        do {
            switch outcome {
            case .delivered(let status):
                try await store.markDelivered(id: entry.id, status: status, now: now)
                if let lastError = entry.lastError {
                    logger.notice(
                        "delivered after an earlier failure (\(lastError)); attempts before: \(entry.attempts)",
                        metadata: metadata)
                }
            case .retry(let reason, let after):
                let next = RetryPolicy.nextAttempt(
                    failedAttempts: entry.attempts + 1, retryAfter: after, createdAt: entry.retryFrom,
                    retryFor: retryFor, now: now)
                try await store.markFailed(id: entry.id, error: reason, retryAt: next)
                if let next {
                    logger.warning(
                        "delivery failed (\(reason)); next attempt at \(Self.timeText(next))", metadata: metadata)
                } else {
                    logger.error(
                        "delivery failed (\(reason)) and retry_for has passed: dead-lettered", metadata: metadata)
                }
            case .failed(let reason):
                try await store.markFailed(id: entry.id, error: reason, retryAt: nil)
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
