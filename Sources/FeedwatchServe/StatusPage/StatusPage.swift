import FeedwatchTemplate
import Foundation

/// The page at `/`: for a person, on a desk or a phone. Problems first — stuck loops, failing and
/// gone feeds, dead letters — then the latest alerts and what waits in the outbox. Every list is
/// capped, with a pointer to the API that pages through the rest: with 100,000 feeds the page
/// stays the same size.
enum StatusPage {
    static let problemLimit = 100
    static let otherFeedLimit = 25
    static let alertLimit = 20

    static func render(source: any StatusSource, liveness: Liveness, now: Date) async throws -> String {
        async let problems = source.feeds(FeedQuery(statuses: FeedStatus.problems, limit: problemLimit))
        async let others = source.feeds(FeedQuery(statuses: [.ok], limit: otherFeedLimit))
        async let alerts = source.alerts(since: nil, rule: nil, limit: alertLimit)
        async let outbox = source.outbox()
        return template.render(
            try await view(
                problems: problems, others: others, alerts: alerts, outbox: outbox, liveness: liveness, now: now))
    }

    static func view(
        problems: FeedsSnapshot, others: FeedsSnapshot, alerts: [AlertSnapshot], outbox: OutboxSnapshot,
        liveness: Liveness, now: Date
    ) -> StatusPageView {
        let counts = problems.counts
        let stuck = liveness.stuckText(now: now)
        let queued = outbox.destinations.reduce(into: (pending: 0, held: 0, dead: 0)) { sum, queue in
            sum.pending += queue.pending + queue.inFlight
            sum.held += queue.held
            sum.dead += queue.dead
        }
        return StatusPageView(
            generated: PageTime(now, now: now),
            live: stuck == nil,
            liveText: stuck ?? "running",
            ready: liveness.isReady,
            feedCards: [
                SummaryCard(label: "feeds", value: counts.total, tone: "quiet"),
                SummaryCard(label: "ok", value: counts.ok, tone: "ok"),
                SummaryCard(label: "failing", value: counts.failing, tone: counts.failing > 0 ? "bad" : "quiet"),
                SummaryCard(label: "gone", value: counts.gone, tone: counts.gone > 0 ? "warn" : "quiet"),
                SummaryCard(label: "silent", value: counts.silent, tone: counts.silent > 0 ? "warn" : "quiet"),
            ],
            outboxCards: [
                SummaryCard(label: "pending", value: queued.pending, tone: queued.pending > 0 ? "warn" : "quiet"),
                SummaryCard(label: "held", value: queued.held, tone: "quiet"),
                SummaryCard(label: "dead", value: queued.dead, tone: queued.dead > 0 ? "bad" : "quiet"),
            ],
            problems: problems.feeds.map { FeedRow($0, now: now) },
            moreProblems: positive(problems.matched - problems.feeds.count),
            others: others.feeds.map { FeedRow($0, now: now) },
            moreOthers: positive(others.matched - others.feeds.count),
            alerts: alerts.map { AlertRow($0, now: now) },
            alertLimit: alertLimit,
            destinations: outbox.destinations.map { QueueRow($0, now: now) },
            hasDestinations: !outbox.destinations.isEmpty,
            deadLetters: outbox.deadLetters.map { DeadLetterRow($0, now: now) },
            moreDeadLetters: positive(outbox.deadLetterCount - outbox.deadLetters.count))
    }

    private static func positive(_ count: Int) -> Int? { count > 0 ? count : nil }

    /// Compiled once. The template is this module's own text, checked by the tests: failing to
    /// compile it is a bug in feedwatch, not something a user could cause.
    static let template: HTMLPageTemplate = {
        do {
            return try HTMLPageTemplate(StatusPageTemplate.html)
        } catch {
            preconditionFailure("the status page template does not compile: \(error)")
        }
    }()
}
