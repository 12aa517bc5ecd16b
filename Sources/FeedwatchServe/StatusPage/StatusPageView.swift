import Foundation

/// What the status page template reads (swift-mustache finds these properties by name). Every text
/// is plain: the template escapes it. Optional counts are nil rather than 0 so that a section over
/// them shows only when there is something to say.
struct StatusPageView {
    var generated: PageTime
    var live: Bool
    var liveText: String
    var ready: Bool
    var feedCards: [SummaryCard]
    var outboxCards: [SummaryCard]
    var problems: [FeedRow]
    var moreProblems: Int?
    var others: [FeedRow]
    var moreOthers: Int?
    var alerts: [AlertRow]
    var alertLimit: Int
    var destinations: [QueueRow]
    var hasDestinations: Bool
    var deadLetters: [DeadLetterRow]
    var moreDeadLetters: Int?
}

/// One count of the summary: "3 failing". `tone` is a CSS class: `ok`, `warn`, `bad` or `quiet`.
struct SummaryCard {
    var label: String
    var value: Int
    var tone: String
}

/// One feed and its health.
struct FeedRow {
    var name: String
    var url: String
    var tags: String?
    /// The status, also the row's CSS class.
    var status: String
    /// What the status means ("gone (410): no longer polled"), followed by `since` when known;
    /// nil for a feed that polls fine.
    var health: String?
    var since: PageTime?
    var error: String?
    var lastPoll: PageTime?
    var nextPoll: PageTime?

    init(_ feed: FeedSnapshot, now: Date) {
        name = feed.name
        url = feed.url
        tags = feed.tags.isEmpty ? nil : feed.tags.joined(separator: ", ")
        status = feed.status.rawValue
        since = feed.since.map { PageTime($0, now: now) }
        error = feed.error.flatMap { $0.isEmpty ? nil : $0 }
        lastPoll = feed.lastPoll.map { PageTime($0, now: now) }
        nextPoll = feed.nextPoll.map { PageTime($0, now: now) }
        switch feed.status {
        case .failing: health = "failing"
        case .gone: health = "gone (410): no longer polled"
        case .silent: health = "silent: no new item"
        case .ok: health = feed.lastPoll == nil ? "not polled yet" : nil
        }
    }
}

/// One alert: its title with the matched keywords marked, and where it went.
struct AlertRow {
    var detected: PageTime
    var rule: String
    var titleParts: [TitlePart]
    /// Only http(s) links are links: a feed may offer `javascript:` or `data:`.
    var link: String?
    var keywords: String?
    var feed: String
    var destinations: [DeliveryRow]

    init(_ alert: AlertSnapshot, now: Date) {
        detected = PageTime(alert.detectedAt, now: now)
        rule = alert.rule
        let title = alert.item.title.isEmpty ? "(untitled)" : alert.item.title
        titleParts = TitlePart.parts(of: title, keywords: alert.keywords)
        let lower = alert.item.link.lowercased()
        link = lower.hasPrefix("https://") || lower.hasPrefix("http://") ? alert.item.link : nil
        keywords = alert.keywords.isEmpty ? nil : alert.keywords.joined(separator: ", ")
        feed = alert.feed.name
        destinations = alert.destinations.map { DeliveryRow($0, now: now) }
    }
}

/// One destination's status for one alert: "delivered 5 min ago (HTTP 204)".
struct DeliveryRow {
    var name: String
    var type: String?
    var status: String
    var detail: String
    var error: String?

    init(_ delivery: DeliveryStatus, now: Date) {
        name = delivery.name
        type = delivery.type.flatMap { $0 == delivery.name ? nil : $0 }
        status = delivery.status.rawValue
        func when(_ date: Date?) -> String {
            date.map {
                let time = PageTime($0, now: now)
                return "\(time.text) (\(time.relative))"
            } ?? ""
        }
        error = nil
        switch delivery.status {
        case .delivered:
            detail = "delivered \(when(delivery.deliveredAt))" + (delivery.httpStatus.map { ", HTTP \($0)" } ?? "")
        case .held:
            detail = "held (\(delivery.hold ?? "shaping")) until \(when(delivery.until))"
        case .pending, .inFlight:
            let state = delivery.status == .inFlight ? "sending now" : "pending"
            detail = "\(state), next attempt \(when(delivery.nextAttempt))"
            if delivery.attempts > 0 { detail += " after \(delivery.attempts) failed" }
            error = delivery.error
        case .dead:
            detail = "dead after \(delivery.attempts) attempt(s)"
            error = delivery.error ?? "unknown reason"
        }
    }
}

/// One destination's queue.
struct QueueRow {
    var name: String
    var type: String?
    var pending: Int
    var held: Int
    var inFlight: Int
    var dead: Int
    var nextAttempt: PageTime?
    var hasDead: Bool

    init(_ queue: DestinationQueue, now: Date) {
        name = queue.name
        type = queue.type
        pending = queue.pending
        held = queue.held
        inFlight = queue.inFlight
        dead = queue.dead
        nextAttempt = queue.nextAttempt.map { PageTime($0, now: now) }
        hasDead = queue.dead > 0
    }
}

/// One dead letter, with the command that retries it.
struct DeadLetterRow {
    var id: Int64
    var destination: String
    var type: String?
    var rule: String?
    var title: String?
    var error: String
    var created: PageTime

    init(_ letter: DeadLetter, now: Date) {
        id = letter.id
        destination = letter.destination
        type = letter.type
        rule = letter.rule
        title = letter.title
        error = letter.error
        created = PageTime(letter.createdAt, now: now)
    }
}
