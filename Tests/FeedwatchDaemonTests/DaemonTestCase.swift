import Foundation
import TestSupport
import XCTest

/// Shared set-up for tests that run the real `feedwatch` binary: a temporary folder holding the
/// configuration and the state, and the daemons started, killed at teardown if still running.
class DaemonTestCase: XCTestCase {
    var directory: URL!
    var daemons: [DaemonProcess] = []

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory("feedwatch-daemon")
    }

    override func tearDownWithError() throws {
        for daemon in daemons { daemon.terminate() }
        try? FileManager.default.removeItem(at: directory)
    }

    var configPath: String { directory.appendingPathComponent("feedwatch.yaml").path }
    var stateDirectory: String { directory.appendingPathComponent("state").path }

    /// Writes the configuration; `body` holds feeds:, rules: and webhooks:.
    func writeConfig(_ body: String) throws {
        try "state_dir: \(stateDirectory)\n\(body)\n".write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    func startDaemon(
        notify: NotifySocketListener? = nil, watchdogMicroseconds: Int? = nil, environment extra: [String: String] = [:]
    ) throws -> DaemonProcess {
        var environment = ["FEEDWATCH_LOG": "stderr"].merging(extra) { _, new in new }
        if let notify { environment["NOTIFY_SOCKET"] = notify.path }
        if let watchdogMicroseconds { environment["WATCHDOG_USEC"] = String(watchdogMicroseconds) }
        let daemon = try DaemonProcess(arguments: ["run", "-c", configPath], environment: environment)
        daemons.append(daemon)
        return daemon
    }

    func feedwatch(_ arguments: [String], environment extra: [String: String] = [:]) throws -> FeedwatchProcess.Result {
        try FeedwatchProcess.run(
            arguments + ["-c", configPath], environment: ["FEEDWATCH_LOG": "stderr"].merging(extra) { _, new in new })
    }
}

/// A feed document the test can change while the daemon polls it.
final class MutableDocument: @unchecked Sendable {
    private let lock = NSLock()
    private var text: String
    init(_ text: String) { self.text = text }
    var current: String { lock.withLock { text } }
    func replace(_ text: String) { lock.withLock { self.text = text } }
}
