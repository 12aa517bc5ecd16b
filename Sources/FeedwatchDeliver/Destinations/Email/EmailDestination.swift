import FeedwatchAlert
import FeedwatchConfig
import FeedwatchHTTP
import Foundation

/// `email`: one message per outbox row over SMTP (SPEC §5), text and HTML, `Message-ID` derived
/// from the alert id so a retried message is recognisably the same one.
///
/// One SMTP session, kept open between messages, carries a burst: messages go one at a time.
/// The server's verdict is the outcome: 250 delivered, 4xx (and a lost connection or a timeout)
/// retried, 5xx dead-lettered with the server's words (`SMTP 550 5.1.1 …`).
public struct EmailDestination: Destination {
    public let name: String
    public let retryFor: TimeInterval
    /// One session, reused: a second message in flight would only wait for it, or open another.
    public let maxInFlight = 1
    public var statusProtocol: String { "SMTP" }
    let sender: EmailAddress
    let recipients: [EmailAddress]
    let content: EmailContent
    let client: SMTPClient
    let unsetVariables: [String]

    /// Why an e-mail destination cannot be built from its configuration.
    public struct ConfigurationError: Error, CustomStringConvertible {
        public var description: String
    }

    static let addressHint =
        "not an e-mail address this destination can send to (\"Name <user@example.org>\" or \"user@example.org\"; "
        + "internationalised addresses are not supported)"

    /// An e-mail destination sending through its own SMTP session.
    ///
    /// - Parameters:
    ///   - caFile: a PEM file of the certificate authorities to trust instead of the system's.
    ///   - content: the Subject, text and HTML (templates); the default shapes where nil.
    public init(
        name: String, config: EmailConfig, timeout: TimeInterval, retryFor: TimeInterval,
        unsetVariables: [String] = [], caFile: String? = nil, content: EmailContent = EmailContent()
    ) throws(ConfigurationError) {
        guard let sender = EmailAddress(config.from) else {
            throw ConfigurationError(description: "email \(name): from: \(Self.addressHint)")
        }
        var recipients: [EmailAddress] = []
        for (index, text) in config.to.enumerated() {
            guard let recipient = EmailAddress(text) else {
                throw ConfigurationError(description: "email \(name): to[\(index)]: \(Self.addressHint)")
            }
            recipients.append(recipient)
        }
        guard !recipients.isEmpty else { throw ConfigurationError(description: "email \(name): to: is empty") }
        do {
            client = try SMTPClient(
                configuration: .init(
                    url: config.smtp, username: config.username, password: config.password, caFile: caFile,
                    timeout: timeout, connectTimeout: min(10, timeout)))
        } catch {
            throw ConfigurationError(description: "email \(name): \(error)")
        }
        self.name = name
        self.retryFor = retryFor
        self.sender = sender
        self.recipients = recipients
        self.content = content
        self.unsetVariables = unsetVariables
    }

    public func deliver(_ message: OutgoingMessage) async -> DeliveryOutcome {
        guard unsetVariables.isEmpty else {
            return .failed(reason: "the configuration left \(unsetVariables.joined(separator: ", ")) unset")
        }
        guard !message.alerts.isEmpty else { return .failed(reason: "the message carries no alert") }
        let mail = MIMEMessage(
            from: sender, to: recipients, subject: content.subject(message.alerts), date: message.now,
            id: message.id, text: content.text(message.alerts), html: content.html(message.alerts))
        let envelope = SMTPEnvelope(
            sender: sender.address, recipients: recipients.map(\.address), message: mail.bytes())
        switch await client.send(envelope) {
        case .delivered(let code): return .delivered(status: code)
        case .transientFailure(_, let reason): return .retry(reason: reason, after: nil)
        case .permanentFailure(_, let reason): return .failed(reason: reason)
        }
    }
}
