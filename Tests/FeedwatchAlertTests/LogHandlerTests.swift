import Foundation
import Logging
import TestSupport
import XCTest

@testable import FeedwatchAlert

/// Operational log lines through the journal handler into a real journald, and their stderr form.
final class LogHandlerTests: XCTestCase {
    override func setUpWithError() throws {
        try JournaldFixture.ensureRunning()
    }

    override class func tearDown() {
        JournaldFixture.stop()
        super.tearDown()
    }

    func testAWarningAboutAFeedCarriesPriorityFourAndTheFeedField() throws {
        let run = UUID().uuidString
        let logger = Logger(label: "feedwatch.fetch") { JournalLogHandler(label: $0) }
        logger.warning("fetch failed: HTTP 503", metadata: ["feed": "example", "http.status": "503", "run": "\(run)"])

        let entries = try JournaldFixture.readEntries(matching: "FEEDWATCH_RUN=\(run)")
        XCTAssertEqual(entries.count, 1)
        let entry = try XCTUnwrap(entries.first)
        XCTAssertEqual(entry["MESSAGE"], "fetch failed: HTTP 503")
        XCTAssertEqual(entry["PRIORITY"], "4")
        XCTAssertEqual(entry["SYSLOG_IDENTIFIER"], "feedwatch")
        XCTAssertEqual(entry["FEEDWATCH_FEED"], "example")
        XCTAssertEqual(entry["FEEDWATCH_HTTP_STATUS"], "503")
        XCTAssertEqual(entry["CODE_FUNC"], "testAWarningAboutAFeedCarriesPriorityFourAndTheFeedField()")
    }

    func testEachLevelBecomesItsSyslogPriority() throws {
        let run = UUID().uuidString
        var logger = Logger(label: "feedwatch") { JournalLogHandler(label: $0) }
        logger.logLevel = .trace
        logger[metadataKey: "run"] = "\(run)"
        let levels: [Logger.Level] = [.trace, .debug, .info, .notice, .warning, .error, .critical]
        for level in levels { logger.log(level: level, "level \(level.rawValue)") }

        let entries = try JournaldFixture.readEntries(matching: "FEEDWATCH_RUN=\(run)", atLeast: levels.count)
        var priorities: [String: String] = [:]
        for entry in entries { priorities[entry["MESSAGE"] ?? ""] = entry["PRIORITY"] }
        XCTAssertEqual(
            priorities,
            [
                "level trace": "7", "level debug": "7", "level info": "6", "level notice": "5",
                "level warning": "4", "level error": "3", "level critical": "2",
            ])
    }

    func testAMultiLineMessageIsStoredWhole() throws {
        let run = UUID().uuidString
        let logger = Logger(label: "feedwatch") { JournalLogHandler(label: $0) }
        logger.error("configuration invalid:\nfeedwatch.yaml:3:5: bad", metadata: ["run": "\(run)"])
        let entry = try XCTUnwrap(try JournaldFixture.readEntries(matching: "FEEDWATCH_RUN=\(run)").first)
        XCTAssertEqual(entry["MESSAGE"], "configuration invalid:\nfeedwatch.yaml:3:5: bad")
        XCTAssertEqual(entry["PRIORITY"], "3")
    }

    func testTheStderrHandlerWritesOneLinePerEvent() {
        let output = capturingStandardError {
            let logger = Logger(label: "feedwatch") { StderrLogHandler(label: $0) }
            logger.warning("fetch failed:\nHTTP 503", metadata: ["feed": "example"])
            logger.debug("not shown at the default info level")
        }
        XCTAssertEqual(output, "warning: [feed=example] fetch failed: HTTP 503\n")
    }

    func testWhenJournaldHasStoppedLogLinesGoToStderr() throws {
        JournaldFixture.stop()
        defer { XCTAssertNoThrow(try JournaldFixture.ensureRunning()) }
        try XCTSkipIf(Journal.answers(at: JournaldFixture.socketPath), "a journald this test did not start is running")
        let output = capturingStandardError {
            let logger = Logger(label: "feedwatch") { JournalLogHandler(label: $0) }
            logger.error("state database locked", metadata: ["feed": "example"])
        }
        XCTAssertEqual(output, "error: [feed=example] state database locked\n")
    }

    func testMetadataKeysBecomeValidJournalFieldNames() {
        XCTAssertEqual(JournalLogHandler.fieldName(forMetadataKey: "feed"), "FEEDWATCH_FEED")
        XCTAssertEqual(JournalLogHandler.fieldName(forMetadataKey: "http.status"), "FEEDWATCH_HTTP_STATUS")
        XCTAssertEqual(JournalLogHandler.fieldName(forMetadataKey: "Ünïcode key=1"), "FEEDWATCH__N_CODE_KEY_1")
        XCTAssertEqual(JournalLogHandler.fieldName(forMetadataKey: String(repeating: "k", count: 100)).count, 64)
    }

    func testStderrLinesReadLevelFeedThenMessage() {
        XCTAssertEqual(
            StderrLogHandler.line(level: .warning, message: "feed timed out", metadata: [("feed", "x")]),
            "warning: [feed=x] feed timed out")
        XCTAssertEqual(StderrLogHandler.line(level: .info, message: "started", metadata: []), "info: started")
        XCTAssertEqual(
            StderrLogHandler.line(
                level: .error, message: "two\nlines", metadata: [("feed", "my feed"), ("path", "a\"b")]),
            #"error: [feed="my feed" path="a\"b"] two lines"#)
    }

    func testMergedMetadataPutsTheFeedFirst() {
        let pairs = LogMetadata.merged(
            handler: ["zone": "a"], provider: nil, event: ["feed": "example", "attempt": "2"])
        XCTAssertEqual(pairs.map { "\($0.0)=\($0.1)" }, ["feed=example", "attempt=2", "zone=a"])
    }

    func testBootstrapChoiceFollowsTheProbe() {
        XCTAssertTrue(FeedwatchLogging.makeHandler(label: "t", level: .info, useJournal: true) is JournalLogHandler)
        XCTAssertTrue(FeedwatchLogging.makeHandler(label: "t", level: .info, useJournal: false) is StderrLogHandler)
        XCTAssertEqual(FeedwatchLogging.makeHandler(label: "t", level: .debug, useJournal: false).logLevel, .debug)
    }
}
