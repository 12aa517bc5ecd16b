import Dispatch
import Foundation

/// The signals the daemon acts on, delivered as an async stream instead of in a signal handler.
public enum DaemonSignal: Sendable {
    case reload
    case stop
}

/// SIGHUP → reload, SIGTERM/SIGINT → stop, through DispatchSource so no code runs in signal context.
public final class SignalEvents: @unchecked Sendable {  // sources are only touched in init and deinit
    public let stream: AsyncStream<DaemonSignal>
    private let sources: [any DispatchSourceSignal]

    public init() {
        let (stream, continuation) = AsyncStream<DaemonSignal>.makeStream()
        self.stream = stream
        var sources: [any DispatchSourceSignal] = []
        for (number, event) in [(SIGHUP, DaemonSignal.reload), (SIGTERM, .stop), (SIGINT, .stop)] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(event) }
            source.resume()
            sources.append(source)
        }
        // A closed webhook connection must not kill the process.
        signal(SIGPIPE, SIG_IGN)
        if EarlySignals.stopWasRequested { continuation.yield(.stop) }
        self.sources = sources
    }

    /// Events sent by hand, no signal handler installed: an in-process daemon in a test.
    public init(manual continuation: inout AsyncStream<DaemonSignal>.Continuation?) {
        let (stream, made) = AsyncStream<DaemonSignal>.makeStream()
        self.stream = stream
        continuation = made
        sources = []
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
