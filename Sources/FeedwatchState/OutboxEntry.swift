import Foundation
import GRDB

/// One delivery of one alert to one target ("journal" or a webhook), durable until delivered.
public struct OutboxEntry: Sendable, Equatable {
    /// Where a delivery stands.
    public enum Status: String, Sendable, Equatable {
        /// Waiting for `nextAttempt`.
        case pending
        /// Handed out by `dueDeliveries` and not yet reported back; back to pending on the next open.
        case inFlight = "inflight"
        /// Delivered; pruned a week later.
        case delivered
        /// Failed permanently or for longer than the target's `retry_for`; kept until requeued.
        case dead
    }

    /// The row id, used to report the result back (`markDelivered`, `markFailed`, `requeue`).
    public var id: Int64
    /// The alert's id, stable across retries and restarts (sent as `webhook-id`).
    public var alertID: String
    /// "journal" or a webhook name.
    public var target: String
    /// The alert as enqueued by the caller.
    public var payload: Data
    /// Failed attempts so far.
    public var attempts: Int
    /// When the next attempt is due (pending rows).
    public var nextAttempt: Date
    /// Why the last attempt failed.
    public var lastError: String?
    /// Where the delivery stands.
    public var status: Status
    /// When the alert was raised.
    public var createdAt: Date
    /// When the current retry window began (`retry_for` counts from here): the alert's creation,
    /// or when `outbox retry` put the dead letter back in the queue.
    public var retryFrom: Date
    /// When it was delivered.
    public var deliveredAt: Date?
    /// The receiver's HTTP status on delivery, if any.
    public var httpStatus: Int?
    /// The rows with the same key go as one message (a group, a digest, a quiet period's alerts).
    public var groupKey: String?
    /// Why the row waits: "group", "digest" or "quiet"; nil when it goes on its own.
    public var hold: String?

    public init(
        id: Int64, alertID: String, target: String, payload: Data, attempts: Int, nextAttempt: Date,
        lastError: String?, status: Status, createdAt: Date, retryFrom: Date? = nil, deliveredAt: Date? = nil,
        httpStatus: Int? = nil
    ) {
        self.id = id
        self.alertID = alertID
        self.target = target
        self.payload = payload
        self.attempts = attempts
        self.nextAttempt = nextAttempt
        self.lastError = lastError
        self.status = status
        self.createdAt = createdAt
        self.retryFrom = retryFrom ?? createdAt
        self.deliveredAt = deliveredAt
        self.httpStatus = httpStatus
    }

    init(row: Row) {
        self.init(
            id: row["id"], alertID: row["alert_id"], target: row["target"], payload: row["payload"],
            attempts: row["attempts"], nextAttempt: Date(timeIntervalSince1970: row["next_attempt"]),
            lastError: row["last_error"], status: Status(rawValue: row["status"]) ?? .pending,
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            retryFrom: (row["retry_from"] as Double?).map(Date.init(timeIntervalSince1970:)),
            deliveredAt: (row["delivered_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            httpStatus: row["http_status"])
        groupKey = row["group_key"]
        hold = row["hold"]
    }
}
