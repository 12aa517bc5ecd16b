import Foundation
import TestSupport
import XCTest

@testable import FeedwatchAlert

#if canImport(Glibc)
    import Glibc
#endif

/// Alerts written to a real systemd-journald and read back with journalctl.
final class JournalSinkTests: XCTestCase {
    override func setUpWithError() throws {
        try JournaldFixture.ensureRunning()
    }

    override class func tearDown() {
        JournaldFixture.stop()
        super.tearDown()
    }

    /// An alert whose id is new on every run, so entries from earlier runs never match.
    private func uniqueAlert(
        title: String = "Panne géante chez Facebook", published: Date? = Date(timeIntervalSince1970: 1_552_554_300)
    ) -> Alert {
        sampleAlert(title: title, published: published, itemID: "urn:test:\(UUID().uuidString)")
    }

    private func recordAndReadBack(_ alert: Alert) throws -> [String: String] {
        let sink = JournalSink()
        XCTAssertEqual(sink.destination, .journal)
        XCTAssertEqual(sink.record(alert), .journal)
        let entries = try JournaldFixture.readEntries(matching: "FEEDWATCH_ALERT_ID=\(alert.alertID)")
        XCTAssertEqual(entries.count, 1)
        return try XCTUnwrap(entries.first)
    }

    func testEveryAlertFieldIsStoredExactly() throws {
        let alert = uniqueAlert()
        let entry = try recordAndReadBack(alert)
        XCTAssertEqual(
            entry["MESSAGE"],
            "[outages] Panne géante chez Facebook — https://example.org/a?x=1&y=2 (matched: panne, Facebook)")
        XCTAssertEqual(entry["PRIORITY"], "5")
        XCTAssertEqual(entry["MESSAGE_ID"], "01d753927b964912bb11f9b587569102")
        XCTAssertEqual(entry["SYSLOG_IDENTIFIER"], "feedwatch")
        XCTAssertEqual(entry["FEEDWATCH_ALERT_ID"], alert.alertID)
        XCTAssertEqual(entry["FEEDWATCH_RULE"], "outages")
        XCTAssertEqual(entry["FEEDWATCH_KEYWORDS"], "panne,Facebook")
        XCTAssertEqual(entry["FEEDWATCH_FEED"], "example")
        XCTAssertEqual(entry["FEEDWATCH_FEED_URL"], "https://example.org/feed.xml")
        XCTAssertEqual(entry["FEEDWATCH_ITEM_ID"], alert.item.id)
        XCTAssertEqual(entry["FEEDWATCH_ITEM_TITLE"], "Panne géante chez Facebook")
        XCTAssertEqual(entry["FEEDWATCH_ITEM_LINK"], "https://example.org/a?x=1&y=2")
        XCTAssertEqual(entry["FEEDWATCH_ITEM_PUBLISHED"], "2019-03-14T09:05:00Z")
        XCTAssertEqual(entry.keys.filter { $0.hasPrefix("FEEDWATCH_") }.count, 9)
    }

    func testAlertsAreFoundByTheirMessageID() throws {
        let alert = uniqueAlert()
        JournalSink().record(alert)
        let entries = try JournaldFixture.readEntries(matching: "FEEDWATCH_ALERT_ID=\(alert.alertID)")
        XCTAssertEqual(entries.first?["MESSAGE_ID"], JournalSink.messageID)
        let byMessageID = try JournaldFixture.readEntries(matching: "MESSAGE_ID=\(JournalSink.messageID)")
        XCTAssertTrue(byMessageID.contains { $0["FEEDWATCH_ALERT_ID"] == alert.alertID })
    }

    func testAFrenchTitleWithAccentsAndApostrophesIsStoredExactly() throws {
        let title = "L’opérateur s’excuse : « panne » réparée à 9 h — Œuvre, ça, déjà"
        let entry = try recordAndReadBack(uniqueAlert(title: title))
        XCTAssertEqual(entry["FEEDWATCH_ITEM_TITLE"], title)
        XCTAssertEqual(entry["MESSAGE"]?.hasPrefix("[outages] \(title) — "), true)
    }

    func testATitleWithANewlineIsStoredExactlyAndTheMessageStaysOneLine() throws {
        let entry = try recordAndReadBack(uniqueAlert(title: "Ligne un\nLigne deux"))
        XCTAssertEqual(entry["FEEDWATCH_ITEM_TITLE"], "Ligne un\nLigne deux")
        XCTAssertEqual(entry["MESSAGE"]?.hasPrefix("[outages] Ligne un Ligne deux — "), true)
    }

    func testATitleWithControlCharactersIsStoredExactly() throws {
        // journalctl -o json shows such a value as an array of bytes; it must still read back the same.
        let title = "bell\u{7} tab\t end\u{1B}[31m"
        let entry = try recordAndReadBack(uniqueAlert(title: title))
        XCTAssertEqual(entry["FEEDWATCH_ITEM_TITLE"], title)
        XCTAssertEqual(entry["MESSAGE"]?.hasPrefix("[outages] bell tab end [31m — "), true)
    }

    func testAnUnknownPublishedDateIsAnEmptyField() throws {
        let entry = try recordAndReadBack(uniqueAlert(published: nil))
        XCTAssertEqual(entry["FEEDWATCH_ITEM_PUBLISHED"], "")
    }

    func testTheStderrFormOfAnAlertIsOneReadableLine() {
        let alert = sampleAlert(title: "Ligne un\nLigne deux")
        XCTAssertEqual(
            JournalSink.standardErrorLine(for: alert),
            "notice: [feed=example alert_id=\(alert.alertID)] [outages] Ligne un Ligne deux — "
                + "https://example.org/a?x=1&y=2 (matched: panne, Facebook)")
    }

    func testTheProbeFindsTheRunningJournald() {
        XCTAssertTrue(Journal.answers(at: JournaldFixture.socketPath))
        XCTAssertTrue(JournalSink.journalAnswers())
    }

    func testTheProbeReportsNoJournaldForAStaleSocketFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fw-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("socket").path

        let fd = try bindDatagramSocket(at: path)
        XCTAssertTrue(Journal.answers(at: path), "a bound socket answers")
        close(fd)
        // The file is still there, as after journald stops; nobody reads it any more.
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
        XCTAssertFalse(Journal.answers(at: path))
        XCTAssertFalse(Journal.answers(at: directory.appendingPathComponent("missing").path))
    }

    func testWhenJournaldHasStoppedAlertsGoToStderr() throws {
        JournaldFixture.stop()
        defer { XCTAssertNoThrow(try JournaldFixture.ensureRunning()) }
        try XCTSkipIf(Journal.answers(at: JournaldFixture.socketPath), "a journald this test did not start is running")
        // The socket file is left behind by the stopped journald: the probe must not be fooled by it.
        XCTAssertTrue(FileManager.default.fileExists(atPath: JournaldFixture.socketPath))
        XCTAssertEqual(JournalSink().destination, .standardError)

        let alert = sampleAlert()
        var destination: JournalSink.Destination?
        // A sink made while journald answered keeps working: each failed send falls back to stderr.
        let output = capturingStandardError { destination = JournalSink(destination: .journal).record(alert) }
        XCTAssertEqual(destination, .standardError)
        XCTAssertEqual(output, JournalSink.standardErrorLine(for: alert) + "\n")
    }

    func testAStderrSinkWritesNothingToTheJournal() throws {
        let alert = uniqueAlert()
        let output = capturingStandardError {
            XCTAssertEqual(JournalSink(destination: .standardError).record(alert), .standardError)
        }
        XCTAssertEqual(output, JournalSink.standardErrorLine(for: alert) + "\n")
        XCTAssertEqual(
            try JournaldFixture.readEntries(matching: "FEEDWATCH_ALERT_ID=\(alert.alertID)", timeout: 0.5).count, 0)
    }

    private func bindDatagramSocket(at path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8) + [0]
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard fd >= 0, result == 0 else { throw POSIXError(.EADDRINUSE) }
        return fd
    }
}
