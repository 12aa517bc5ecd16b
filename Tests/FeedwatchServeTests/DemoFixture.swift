import FeedwatchConfig
import FeedwatchDaemon
import FeedwatchState
import Foundation
import Logging
import TestSupport

/// The demo of `make screenshot` (contrib/demo), polled once by the real pipeline in a temporary
/// folder, as contrib/screenshot.sh lays it out.
final class DemoFixture {
    let directory: URL
    let config: Config
    let summary: OnceRunner.Summary

    /// contrib/demo in this checkout.
    static let demoDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("contrib/demo")

    init() async throws {
        directory = try makeTemporaryDirectory("feedwatch-demo")
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.demoDirectory.path)
        for file in files where file.hasSuffix(".xml") {
            try FileManager.default.copyItem(
                at: Self.demoDirectory.appendingPathComponent(file), to: directory.appendingPathComponent(file))
        }
        // The listener is the test's own: the `http:` line is the daemon's business.
        let template = try String(
            contentsOf: Self.demoDirectory.appendingPathComponent("feedwatch.yaml.in"), encoding: .utf8)
        let yaml = template.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("http:") }.joined(separator: "\n")
            .replacingOccurrences(of: "@STATE_DIR@", with: directory.appendingPathComponent("state").path)
        let path = directory.appendingPathComponent("feedwatch.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        config = try ConfigLoader.load(path: path, environment: [:])
        var logger = Logger(label: "feedwatch-test-demo")
        logger.logLevel = .critical
        summary = try await OnceRunner(config: config, logger: logger).run(dryRun: false, printAlert: { _ in })
    }

    func source() throws -> (StoreStatusSource, SQLiteStateStore) {
        let store = try SQLiteStateStore(directory: config.stateDirectory, mode: .readOnly)
        let config = self.config
        return (StoreStatusSource(store: store, config: { config }, metrics: { "" }), store)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
