import Foundation
import GRDB
import XCTest

@testable import FeedwatchState

final class StoreOpeningTests: StateTestCase {
    func testMissingStateDirectoryIsCreated() throws {
        directory += "/nested/deeper"
        let store = try openStore()
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/feedwatch.sqlite"))
        XCTAssertEqual(store.databasePath, directory + "/feedwatch.sqlite")
    }

    func testUncreatableStateDirectoryIsAClearErrorNamingIt() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: directory + "/file", contents: Data("x".utf8))
        let impossible = directory + "/file/sub"
        XCTAssertThrowsError(try SQLiteStateStore(directory: impossible)) { error in
            guard case .directoryNotWritable(let path, _) = error as? StateError else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(path, impossible)
            XCTAssertTrue("\(error)".contains("state directory \(impossible) cannot be created"), "\(error)")
        }
        XCTAssertThrowsError(try SQLiteStateStore(directory: "/proc/feedwatch-state")) { error in
            XCTAssertTrue("\(error)".contains("/proc/feedwatch-state"), "\(error)")
        }
    }

    func testGarbageDatabaseFileIsReportedAsCorruptNotReplaced() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/feedwatch.sqlite"
        let garbage = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 7919) })
        _ = FileManager.default.createFile(atPath: path, contents: garbage)
        for mode in [SQLiteStateStore.Mode.readWrite, .readOnly] {
            XCTAssertThrowsError(try openStore(mode)) { error in
                guard case .corrupt(let named, _) = error as? StateError else { return XCTFail("unexpected \(error)") }
                XCTAssertEqual(named, path)
                XCTAssertTrue("\(error)".hasPrefix("state database \(path) is corrupt"), "\(error)")
            }
        }
        XCTAssertEqual(FileManager.default.contents(atPath: path), garbage, "never a silent fresh start")
    }

    func testDamagedPagesFailTheIntegrityCheckAtOpen() throws {
        do {
            let store = try openStore()
            let items = (0..<2000).map { item("k\($0)", link: "https://ex.org/\($0)", title: "t \($0)") }
            try poll(store, "news", items)
            store.close()
        }
        let path = directory + "/feedwatch.sqlite"
        let handle = try XCTUnwrap(FileHandle(forUpdatingAtPath: path))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 8192))
        try handle.close()
        XCTAssertThrowsError(try openStore()) { error in
            guard case .corrupt(let named, _) = error as? StateError else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(named, path)
        }
    }

    func testLockHeldByAnotherProcessIsRefusedNamingItsPid() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let lockPath = directory + "/feedwatch.lock"
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The shell takes the lock on fd 9, writes its pid, says so, then becomes `sleep` (same pid, same fd).
        child.arguments = [
            "-c", #"exec 9>>"$1"; flock -n 9 || exit 3; echo $$ > "$1"; echo ready; exec sleep 60"#, "sh", lockPath,
        ]
        let output = Pipe()
        child.standardOutput = output
        try child.run()
        defer {
            child.terminate()
            child.waitUntilExit()
        }
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        XCTAssertEqual(line, "ready\n")

        XCTAssertThrowsError(try openStore()) { error in
            XCTAssertEqual(error as? StateError, .locked(pid: child.processIdentifier, directory: directory))
            XCTAssertEqual(
                "\(error)",
                "another feedwatch (pid \(child.processIdentifier)) is using \(directory); "
                    + "stop it first, or give this one another state_dir")
        }
        // Read-only commands take no lock and still work.
        XCTAssertNoThrow(try openStore(.readOnly).allFeedStates())

        child.terminate()
        child.waitUntilExit()
        XCTAssertNoThrow(try openStore(), "the kernel drops the lock of a dead process; the stale file does not block")
    }

    func testSecondReadWriteStoreInTheSameProcessIsRefused() throws {
        let first = try openStore()
        XCTAssertThrowsError(try openStore()) { error in
            XCTAssertEqual(error as? StateError, .locked(pid: getpid(), directory: directory))
        }
        first.close()
        XCTAssertNoThrow(try openStore())
    }

    func testOlderSchemaIsUpgradedInPlaceKeepingItsData() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/feedwatch.sqlite"
        // A v1 database as the first release wrote it, one fired item and one pending delivery.
        let v1 = try DatabaseQueue(path: path)
        try v1.write { db in
            try db.execute(sql: Self.firstMigrationSQL)
            try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
            try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v1-initial')")
            try db.execute(
                sql: """
                    INSERT INTO feed (id, name, first_poll_done, etag, last_poll, next_due, last_status)
                    VALUES (1, 'news', 1, 'e1', ?, ?, '304')
                    """,
                arguments: [t0.timeIntervalSince1970, t0.timeIntervalSince1970 + 600])
            try db.execute(
                sql: "INSERT INTO seen_item VALUES (1, ?, ?)",
                arguments: [StoryKeys.hash("a"), Int64(t0.timeIntervalSince1970)])
            try db.execute(
                sql: """
                    INSERT INTO outbox (alert_id, target, payload, status, attempts, next_attempt, created_at)
                    VALUES ('outages|a', 'ops', X'7B7D', 'pending', 2, ?, ?)
                    """,
                arguments: [t0.timeIntervalSince1970, t0.timeIntervalSince1970])
        }
        try v1.close()

        let store = try openStore()
        let applied = try store.read { try Schema.migrator.appliedMigrations($0) }
        XCTAssertEqual(
            applied,
            [
                "v1-initial", "v2-outbox-delivery-record", "v3-feed-configured-url", "v4-outbox-retry-window",
                "v5-outbox-shaping", "v6-alert-history", "v7-feed-health",
                "v8-outbox-due-by-target", "v9-status-queries", "v10-feed-schedule",
            ])
        let state = try XCTUnwrap(store.feedState(named: "news"))
        XCTAssertEqual(state.etag, "e1")
        XCTAssertEqual(state.lastStatus, "304")
        XCTAssertEqual(state.lastPoll, t0, "the poll times move to their own table")
        XCTAssertEqual(state.nextDue, t0.addingTimeInterval(600))
        var rows: [FeedScheduleRow] = []
        try store.forEachScheduleRow { rows.append($0) }
        XCTAssertEqual(rows.map(\.nextDue), [t0.addingTimeInterval(600)])
        XCTAssertEqual(
            try poll(store, "news", [item("a", link: "https://ex.org/a", title: "outage one two")]).seenItems, 1)
        let entry = try XCTUnwrap(store.pending().first)
        XCTAssertEqual(entry.alertID, "outages|a")
        XCTAssertEqual(entry.attempts, 2)
        XCTAssertEqual(entry.retryFrom, entry.createdAt, "an older row's retry window starts at its creation")
        try store.markDelivered(id: entry.id, status: 204, now: t0)
        XCTAssertEqual(try store.read { try Int.fetchOne($0, sql: "SELECT http_status FROM outbox") }, 204)
    }

    func testNewerSchemaIsRefusedWithAClearError() throws {
        do {
            let store = try openStore()
            try store.write { try $0.execute(sql: "INSERT INTO grdb_migrations VALUES ('v9-from-the-future')") }
            store.close()
        }
        let path = directory + "/feedwatch.sqlite"
        for mode in [SQLiteStateStore.Mode.readWrite, .readOnly] {
            XCTAssertThrowsError(try openStore(mode)) { error in
                XCTAssertEqual(
                    error as? StateError, .newerSchema(path: path, unknownMigrations: ["v9-from-the-future"]))
                XCTAssertTrue("\(error)".contains("written by a newer feedwatch"), "\(error)")
            }
        }
    }

    /// The first migration's SQL as released, written out by hand so that editing the released
    /// migration in the source (instead of adding a new one) makes this test fail.
    static let firstMigrationSQL = """
        CREATE TABLE feed (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, url TEXT, etag TEXT, last_modified TEXT,
            last_poll REAL, last_status TEXT, consecutive_errors INTEGER NOT NULL DEFAULT 0, next_due REAL,
            gone INTEGER NOT NULL DEFAULT 0, first_poll_done INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE seen_item (
            feed_id INTEGER NOT NULL, key_hash BLOB NOT NULL, last_seen INTEGER NOT NULL,
            PRIMARY KEY (feed_id, key_hash)) WITHOUT ROWID;
        CREATE INDEX seen_item_by_last_seen ON seen_item(last_seen);
        CREATE TABLE fired (
            rule TEXT NOT NULL, feed_id INTEGER NOT NULL, key_hash BLOB NOT NULL, alert_id TEXT NOT NULL,
            link_key BLOB, title_key BLOB, at INTEGER NOT NULL,
            PRIMARY KEY (rule, feed_id, key_hash)) WITHOUT ROWID;
        CREATE INDEX fired_by_link ON fired(rule, link_key, at) WHERE link_key IS NOT NULL;
        CREATE INDEX fired_by_title ON fired(rule, title_key, at) WHERE title_key IS NOT NULL;
        CREATE INDEX fired_by_at ON fired(at);
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT, alert_id TEXT NOT NULL, target TEXT NOT NULL,
            payload BLOB NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt REAL NOT NULL, last_error TEXT, created_at REAL NOT NULL,
            UNIQUE (alert_id, target));
        CREATE INDEX outbox_by_status ON outbox(status, next_attempt);
        """
}
