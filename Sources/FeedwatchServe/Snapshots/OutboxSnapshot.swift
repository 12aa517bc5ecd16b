import Foundation

/// The answer of `/api/v1/outbox`: what waits for each destination, and the dead letters.
public struct OutboxSnapshot: Codable, Sendable, Equatable {
    /// Every destination with something pending, held, in flight or dead, by name.
    public var destinations: [DestinationQueue]
    /// The most recent dead letters, newest first (at most `deadLetterLimit`).
    public var deadLetters: [DeadLetter]
    /// How many dead letters there are in all (`feedwatch outbox` lists them all).
    public var deadLetterCount: Int

    public init(destinations: [DestinationQueue], deadLetters: [DeadLetter], deadLetterCount: Int) {
        self.destinations = destinations
        self.deadLetters = deadLetters
        self.deadLetterCount = deadLetterCount
    }

    enum CodingKeys: String, CodingKey {
        case destinations
        case deadLetters = "dead_letters"
        case deadLetterCount = "dead_letter_count"
    }
}

/// One destination's part of the outbox.
public struct DestinationQueue: Codable, Sendable, Equatable {
    public var name: String
    /// Its type; nil when the configuration no longer has it.
    public var type: String?
    /// Waiting for an attempt (not held).
    public var pending: Int
    /// Being attempted now.
    public var inFlight: Int
    /// Held by shaping (group, digest, quiet hours).
    public var held: Int
    public var dead: Int
    /// When its earliest waiting delivery is due.
    public var nextAttempt: Date?

    public init(
        name: String, type: String?, pending: Int = 0, inFlight: Int = 0, held: Int = 0, dead: Int = 0,
        nextAttempt: Date? = nil
    ) {
        self.name = name
        self.type = type
        self.pending = pending
        self.inFlight = inFlight
        self.held = held
        self.dead = dead
        self.nextAttempt = nextAttempt
    }

    enum CodingKeys: String, CodingKey {
        case name, type, pending, held, dead
        case inFlight = "in_flight"
        case nextAttempt = "next_attempt"
    }
}

/// A delivery that failed for good: `feedwatch outbox retry ID` puts it back in the queue.
public struct DeadLetter: Codable, Sendable, Equatable {
    /// The outbox row's id, as `feedwatch outbox retry` takes it.
    public var id: Int64
    public var alertID: String
    public var destination: String
    public var type: String?
    /// The alert's rule and item title, when its payload reads.
    public var rule: String?
    public var title: String?
    /// Why it died.
    public var error: String
    public var attempts: Int
    /// When the alert was raised.
    public var createdAt: Date

    public init(
        id: Int64, alertID: String, destination: String, type: String?, rule: String?, title: String?, error: String,
        attempts: Int, createdAt: Date
    ) {
        self.id = id
        self.alertID = alertID
        self.destination = destination
        self.type = type
        self.rule = rule
        self.title = title
        self.error = error
        self.attempts = attempts
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, destination, type, rule, title, error, attempts
        case alertID = "alert_id"
        case createdAt = "created_at"
    }
}
