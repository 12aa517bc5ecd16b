import Dispatch
import Foundation

/// An SMTP client over libcurl for one server and one set of credentials: sends messages one at a
/// time, over one session kept open between them, so a burst of alerts costs one connection.
///
/// libcurl's SMTP transfer blocks, so each send runs on the client's own serial dispatch queue and
/// the caller's task waits on a continuation: no thread of Swift's concurrency pool is ever blocked.
/// Transport security follows the URL (see the table on `Configuration.url`): a password is never
/// sent in clear unless the URL is `smtp+insecure://`.
public final class SMTPClient: @unchecked Sendable {
    /// What a client connects to and with.
    public struct Configuration: Sendable {
        /// `smtps://host[:465]` (TLS from the start), `smtp://host[:587]` (STARTTLS when the server
        /// offers it, and required when there are credentials), or `smtp+insecure://host[:port]`
        /// (STARTTLS when offered, credentials allowed in clear).
        public var url: String
        public var username: String?
        /// Never part of a result or an error.
        public var password: String?
        /// A PEM file of the certificate authorities to trust instead of the system's (a private CA,
        /// a test server's certificate). Certificates are always verified.
        public var caFile: String?
        /// Seconds one send may take, connecting included.
        public var timeout: TimeInterval
        /// Seconds connecting (and the TLS handshake) may take.
        public var connectTimeout: TimeInterval

        /// Creates a configuration.
        public init(
            url: String, username: String? = nil, password: String? = nil, caFile: String? = nil,
            timeout: TimeInterval = 30, connectTimeout: TimeInterval = 10
        ) {
            self.url = url
            self.username = username
            self.password = password
            self.caFile = caFile
            self.timeout = timeout
            self.connectTimeout = connectTimeout
        }
    }

    // Touched only on `queue`, one send at a time.
    private let session: SMTPEasy
    private let queue: DispatchQueue

    /// A client for `configuration`; nothing is sent until the first `send`.
    /// - Throws: when the URL is not an SMTP URL, or libcurl cannot be set up.
    public init(configuration: Configuration) throws(SMTPConfigurationError) {
        let hasCredentials = configuration.username != nil || configuration.password != nil
        let endpoint = try SMTPEndpoint(url: configuration.url, hasCredentials: hasCredentials)
        let options = SMTPSessionOptions(
            endpoint: endpoint, username: configuration.username, password: configuration.password,
            caFile: configuration.caFile, timeoutMilliseconds: Int(configuration.timeout * 1000),
            connectTimeoutMilliseconds: Int(min(configuration.connectTimeout, configuration.timeout) * 1000))
        guard let session = SMTPEasy(options) else {
            throw SMTPConfigurationError(description: "could not set up libcurl for SMTP (out of memory?)")
        }
        self.session = session
        queue = DispatchQueue(label: "feedwatch-smtp")
    }

    deinit {
        // The last reference to the session goes on the queue, after any send still running there:
        // closing it says QUIT, which may wait on the network.
        let session = self.session
        queue.async { withExtendedLifetime(session) {} }
    }

    /// Sends one message, after any send already waiting; never throws: every failure is a result.
    public func send(_ envelope: SMTPEnvelope) async -> SMTPResult {
        await withCheckedContinuation { continuation in
            queue.async { [session] in
                continuation.resume(returning: session.send(envelope))
            }
        }
    }
}
