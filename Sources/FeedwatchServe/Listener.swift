import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// The operator's HTTP listener (SPEC §8) as a ServiceLifecycle `Service`: add it to the daemon's
/// `ServiceGroup`; it stops on the group's graceful shutdown. `onBound` receives the port actually
/// bound (settings may ask for port 0). An address that cannot be bound — a port already in use,
/// say — ends `run()` with a `ListenerError` that says which address and why.
///
/// The router runs on HummingbirdCore's server directly rather than in a Hummingbird `Application`:
/// an application also runs a task that formats the `Date` header every second, and those wake-ups
/// were most of what the listener cost an idle daemon. Here the header is formatted when a response
/// needs it (`HTTPDate`), so a listener nobody asks costs nothing between requests.
public func makeListener(
    settings: ListenerSettings, source: any StatusSource, liveness: Liveness, logger: Logger,
    onBound: @escaping @Sendable (Int) -> Void = { _ in }
) -> some Service {
    let router = StatusRoutes.router(settings: settings, source: source, liveness: liveness, logger: logger)
    return StatusListener(responder: router.buildResponder(), settings: settings, logger: logger, onBound: onBound)
}

/// Why the listener could not start.
public struct ListenerError: Error, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// What the system said: "address already in use", "cannot assign requested address", …
    public var reason: String

    public var description: String {
        "cannot listen on \(host):\(port) (http.listen): \(reason)"
            + (reason.contains("in use")
                ? "; another program (or another feedwatch) has that port: stop it or choose another port" : "")
    }
}

/// The HTTP/1.1 server answering from the router, with a bind failure turned into a `ListenerError`.
struct StatusListener<Responder: HTTPResponder>: Service, CustomStringConvertible
where Responder.Context == BasicRequestContext {
    let responder: Responder
    let settings: ListenerSettings
    let logger: Logger
    let onBound: @Sendable (Int) -> Void

    var description: String { "HTTP listener on \(settings.host):\(settings.port)" }

    func run() async throws {
        let bound = BoundFlag()
        let settings = self.settings
        let onBound = self.onBound
        let server = try HTTPServerBuilder.http1().buildServer(
            configuration: ServerConfiguration(address: .hostname(settings.host, port: settings.port)),
            eventLoopGroup: EventLoopGroupProvider.singleton.eventLoopGroup,
            logger: logger,
            responder: { [responder, logger] request, writer, channel in
                let response = await Self.respond(responder, to: request, channel: channel, logger: logger)
                do {
                    try await writer.write(response: response.head, body: response.body)
                } catch is HTTPParserError {
                    // Thrown on, a parse error would make the connection's handler write a second
                    // response (400) after this one; any other error only closes the connection.
                    throw ResponseWriteFailed()
                }
            },
            onServerRunning: { channel in
                bound.set()
                onBound(channel.localAddress?.port ?? settings.port)
            })
        do {
            // Requests are answered ahead of the daemon's other work: a scrape or a health check
            // queued behind thousands of polls a second would be slow exactly when somebody looks.
            // The server's connection tasks inherit this priority.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask(priority: .high) { try await server.run() }
                try await group.waitForAll()
            }
        } catch {
            guard bound.isSet else {
                throw ListenerError(host: settings.host, port: settings.port, reason: Self.reason(error))
            }
            throw error
        }
    }

    /// The router's answer with the `Date` header; an error the router let through is a 500.
    private static func respond(
        _ responder: Responder, to request: Request, channel: any Channel, logger: Logger
    ) async -> Response {
        var logger = logger
        logger[metadataKey: "hb.request.id"] = .stringConvertible(RequestID())
        let context = BasicRequestContext(source: .init(channel: channel, logger: logger))
        var response: Response
        do {
            response = try await responder.respond(to: request, context: context)
        } catch {
            logger.debug("status listener: unanswered error", metadata: ["error.type": "\(error)"])
            response = Response(status: .internalServerError, body: .init())
        }
        response.headers[.date] = HTTPDate.now()
        return response
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? IOError {
            return String(cString: strerror(error.errnoCode)).lowercased()
        }
        return "\(error)"
    }
}

/// A response could not be written (the client went away or sent garbage meanwhile).
struct ResponseWriteFailed: Error {}

/// Set once the server listens: from then on an error is not a bind failure.
final class BoundFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

/// The `Date` header's value (RFC 9110 §5.6.7, IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`),
/// formatted when asked; the last one is kept for the rest of its second.
enum HTTPDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let last = LastDate()

    static func now() -> String {
        let seconds = time(nil)
        return last.value(for: seconds) { format(seconds) }
    }

    static func format(_ seconds: time_t) -> String {
        var seconds = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(1900 + parts.tm_year) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }

    private final class LastDate: @unchecked Sendable {  // guarded by `lock`
        private let lock = NSLock()
        private var seconds: time_t = -1
        private var text = ""

        func value(for seconds: time_t, _ format: () -> String) -> String {
            lock.withLock {
                if seconds != self.seconds {
                    self.seconds = seconds
                    text = format()
                }
                return text
            }
        }
    }
}
