import Foundation

/// One message to send: the SMTP envelope and the RFC 5322 bytes.
public struct SMTPEnvelope: Sendable, Equatable {
    /// The envelope sender (`MAIL FROM`), a bare address: `fw@example.org`.
    public var sender: String
    /// The envelope recipients (`RCPT TO`), bare addresses.
    public var recipients: [String]
    /// The message: headers, a blank line and the body, lines ending in CRLF. libcurl adds the
    /// dot-stuffing and the final `.` line.
    public var message: Data

    /// Creates an envelope.
    public init(sender: String, recipients: [String], message: Data) {
        self.sender = sender
        self.recipients = recipients
        self.message = message
    }
}

/// How one SMTP send went.
public enum SMTPResult: Sendable, Equatable {
    /// The server took the message; `code` is its final reply (250).
    case delivered(code: Int)
    /// Worth trying again: no connection, a timeout, a dropped session, a 4xx reply. `code` is the
    /// server's reply when it gave one; `reason` says what happened ("SMTP 451 4.3.0 try later",
    /// "could not connect: …"), never with a password.
    case transientFailure(code: Int?, reason: String)
    /// Never worth trying again: a 5xx reply, or a session that could not be made safe.
    case permanentFailure(code: Int?, reason: String)
}
