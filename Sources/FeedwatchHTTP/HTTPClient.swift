import Foundation

/// An HTTP client that runs every transfer on one event-loop thread over libcurl's multi interface.
///
/// Limits: at most `concurrency` transfers in flight, at most `perHost` to one host; the rest wait
/// in order. Connections are reused and HTTP/2 is multiplexed where the server offers it.
/// Shared by feed fetching and webhook delivery; create one per process and keep it.
public final class HTTPClient: Sendable {
    /// Limits of one client.
    public struct Configuration: Sendable {
        /// Transfers in flight, all hosts together.
        public var concurrency: Int
        /// Transfers in flight to one host.
        public var perHost: Int

        /// Creates a configuration; the defaults are those of the configuration file.
        public init(concurrency: Int = 64, perHost: Int = 4) {
            self.concurrency = concurrency
            self.perHost = perHost
        }
    }

    /// The limits this client enforces.
    public let configuration: Configuration
    private let loop: TransferLoop

    /// Starts the event-loop thread.
    public init(configuration: Configuration = Configuration()) throws(HTTPError) {
        guard let loop = TransferLoop(concurrency: configuration.concurrency, perHost: configuration.perHost) else {
            throw .other("could not initialise libcurl")
        }
        self.configuration = configuration
        self.loop = loop
        loop.start()
    }

    deinit { loop.stop() }

    /// Performs `request` and calls `completion` once, on the event-loop thread: keep it short and
    /// never block in it (hand the result to your own queue or task).
    public func perform(_ request: HTTPRequest, completion: @escaping @Sendable (HTTPResult) -> Void) {
        loop.submit(Transfer(request: request, completion: completion))
    }

    /// Performs `request`; any HTTP status is a `.success`, a transfer failure is a `.failure`.
    public func perform(_ request: HTTPRequest) async -> HTTPResult {
        await withCheckedContinuation { continuation in
            perform(request) { continuation.resume(returning: $0) }
        }
    }

    /// Stops the loop: transfers not yet finished complete with `.cancelled`. Idempotent.
    public func shutdown() { loop.stop() }
}
