import Foundation
import TestSupport
import XCTest

/// The shipped unit file, checked by the real systemd-analyze.
final class SystemdUnitTests: XCTestCase {
    private func unitWithBuiltBinary() throws -> URL {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("systemd/feedwatch.service"), encoding: .utf8)
            .replacingOccurrences(of: "@BINDIR@", with: FeedwatchProcess.executableURL.deletingLastPathComponent().path)
        let directory = try makeTemporaryDirectory("feedwatch-unit")
        let unit = directory.appendingPathComponent("feedwatch.service")
        try text.write(to: unit, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return unit
    }

    private func systemdAnalyze(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testUnitVerifies() throws {
        let result = try systemdAnalyze(["verify", try unitWithBuiltBinary().path])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(result.output.trimmingCharacters(in: .whitespacesAndNewlines), "", result.output)
    }

    func testSecurityExposureIsAtMostOnePointFive() throws {
        let result = try systemdAnalyze(["security", "--offline=yes", "--no-pager", try unitWithBuiltBinary().path])
        let line = try XCTUnwrap(
            result.output.split(separator: "\n").first { $0.contains("Overall exposure level") }, result.output)
        let score = try XCTUnwrap(
            line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }, String(line))
        XCTAssertLessThanOrEqual(score, 1.5, String(line))
    }

    func testUnitDeclaresTheSpecDirectives() throws {
        let text = try String(contentsOf: try unitWithBuiltBinary(), encoding: .utf8)
        for directive in [
            "Type=notify", "ExecReload=/bin/kill -HUP $MAINPID", "WatchdogSec=", "Restart=on-failure",
            "RestartPreventExitStatus=78", "DynamicUser=yes", "StateDirectory=feedwatch",
            "ConfigurationDirectory=feedwatch",
        ] {
            XCTAssertTrue(text.contains(directive), directive)
        }
    }
}
