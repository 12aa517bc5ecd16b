import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The operator's HTTP listener (SPEC §8) as a ServiceLifecycle `Service`: add it to the daemon's
/// `ServiceGroup`; it stops on the group's graceful shutdown. `onBound` receives the port actually
/// bound (settings may ask for port 0). An address that cannot be bound — a port already in use,
/// say — ends `run()` with a `ListenerError` that says which address and why.
public func makeListener(
    settings: ListenerSettings, source: any StatusSource, liveness: Liveness, logger: Logger,
    onBound: @escaping @Sendable (Int) -> Void = { _ in }
) -> some Service {
    let bound = BoundFlag()
    let router = StatusRoutes.router(settings: settings, source: source, liveness: liveness, logger: logger)
    let application = Application(
        router: router,
        configuration: ApplicationConfiguration(
            address: .hostname(settings.host, port: settings.port), serverName: nil),
        onServerRunning: { channel in
            bound.set()
            onBound(channel.localAddress?.port ?? settings.port)
        },
        logger: logger)
    return StatusListener(application: application, settings: settings, bound: bound)
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

/// The Hummingbird application, with a bind failure turned into a `ListenerError`.
struct StatusListener<App: ApplicationProtocol>: Service, CustomStringConvertible {
    let application: App
    let settings: ListenerSettings
    let bound: BoundFlag

    var description: String { "HTTP listener on \(settings.host):\(settings.port)" }

    func run() async throws {
        do {
            try await application.run()
        } catch {
            guard bound.isSet else {
                throw ListenerError(host: settings.host, port: settings.port, reason: Self.reason(error))
            }
            throw error
        }
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? IOError {
            return String(cString: strerror(error.errnoCode)).lowercased()
        }
        return "\(error)"
    }
}

/// Set once the server listens: from then on an error is not a bind failure.
final class BoundFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
