import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// The PostgreSQL server the state-store tests run against: private, on loopback, restartable.
final class PostgresTestServerTests: XCTestCase {
    func testDataAndPortSurviveStopAndStart() throws {
        let server = try PostgresTestServer()
        defer { server.shutdown() }
        XCTAssertEqual(
            server.url, "postgres://feedwatch:\(server.password)@127.0.0.1:\(server.port)/feedwatch")
        XCTAssertEqual(
            server.url(password: "${DB_PASSWORD}"),
            "postgres://feedwatch:${DB_PASSWORD}@127.0.0.1:\(server.port)/feedwatch")

        try server.psql(
            """
            CREATE TABLE feeds (id integer PRIMARY KEY, url text NOT NULL);
            INSERT INTO feeds VALUES (1, 'https://example.org/a.xml'), (2, 'https://example.org/b.xml');
            """)
        XCTAssertEqual(
            try server.psql("SELECT id, url FROM feeds ORDER BY id"),
            "1|https://example.org/a.xml\n2|https://example.org/b.xml")
        let port = server.port

        try server.stop()
        XCTAssertFalse(server.isRunning)
        XCTAssertThrowsError(try server.psql("SELECT 1")) { error in
            XCTAssertTrue("\(error)".contains("psql failed"), "\(error)")
        }

        try server.start()
        XCTAssertTrue(server.isRunning)
        XCTAssertEqual(server.port, port)
        XCTAssertEqual(try server.psql("SELECT count(*) FROM feeds"), "2")

        try server.restart()
        XCTAssertEqual(server.port, port)
        XCTAssertEqual(try server.psql("SELECT url FROM feeds WHERE id = 2"), "https://example.org/b.xml")
    }

    func testCommittedRowsSurviveAnImmediateStop() throws {
        let server = try PostgresTestServer()
        defer { server.shutdown() }
        try server.psql("CREATE TABLE seen (key text PRIMARY KEY); INSERT INTO seen VALUES ('a'), ('b');")
        try server.stop(.immediate)
        try server.start()
        XCTAssertEqual(try server.psql("SELECT string_agg(key, ',' ORDER BY key) FROM seen"), "a,b")
    }

    func testTwoServersRunAtOnceEachWithItsOwnData() throws {
        let first = try PostgresTestServer()
        defer { first.shutdown() }
        let second = try PostgresTestServer()
        defer { second.shutdown() }
        XCTAssertNotEqual(first.port, second.port)
        XCTAssertNotEqual(first.password, second.password)
        XCTAssertNotEqual(first.directory, second.directory)

        try first.psql("CREATE TABLE only_here (x int); INSERT INTO only_here VALUES (1);")
        XCTAssertEqual(try first.psql("SELECT count(*) FROM only_here"), "1")
        XCTAssertEqual(try second.psql("SELECT to_regclass('only_here') IS NULL"), "t")
        XCTAssertEqual(try second.psql("SHOW port"), String(second.port))
    }

    /// The role the daemon uses logs in with its password over TCP only, is no superuser, and owns
    /// its database; the server listens on loopback and keeps its socket in its own directory.
    func testClientsAuthenticateWithThePasswordOnLoopback() throws {
        let server = try PostgresTestServer()
        defer { server.shutdown() }
        XCTAssertEqual(
            try server.psql(
                "SELECT current_user, rolsuper, current_database() FROM pg_roles WHERE rolname = current_user"),
            "feedwatch|f|feedwatch")
        XCTAssertEqual(
            try server.psql("CREATE TABLE mine (x int); SELECT tableowner FROM pg_tables WHERE tablename = 'mine'"),
            "feedwatch")
        XCTAssertEqual(try server.psql("SHOW listen_addresses", superuser: true), "127.0.0.1")
        XCTAssertEqual(try server.psql("SHOW unix_socket_directories", superuser: true), server.socketDirectory)
        XCTAssertEqual(try server.psql("SHOW fsync", superuser: true), "off")

        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
        environment["PGPASSFILE"] = "/dev/null"
        environment["PGPASSWORD"] = "not-the-password"
        let wrong = try FeedwatchProcess.runProgram(
            PostgresTestServer.binDirectory + "/psql",
            ["-X", "-At", "-c", "SELECT 1", "postgres://feedwatch@127.0.0.1:\(server.port)/feedwatch"],
            environment: environment)
        XCTAssertNotEqual(wrong.status, 0)
        XCTAssertTrue(wrong.stderr.contains("password authentication failed"), wrong.stderr)

        environment["PGPASSWORD"] = nil
        let right = try FeedwatchProcess.runProgram(
            PostgresTestServer.binDirectory + "/psql", ["-X", "-At", "-c", "SELECT 42", server.url],
            environment: environment)
        XCTAssertEqual(right.stdout, "42\n", right.stderr)
    }

    func testShutdownStopsTheServerAndRemovesItsDirectory() throws {
        let server = try PostgresTestServer()
        let pidFile = try String(contentsOfFile: server.dataDirectory + "/postmaster.pid", encoding: .utf8)
        let pid = try XCTUnwrap(pid_t(pidFile.split(separator: "\n").first ?? ""))
        XCTAssertTrue(Self.runs(pid))

        server.shutdown()
        server.shutdown()
        XCTAssertFalse(FileManager.default.fileExists(atPath: server.directory.path))
        // pg_ctl stop -w returns once the postmaster has exited, and it waits for its children first.
        XCTAssertFalse(Self.runs(pid))
        XCTAssertThrowsError(try server.start())
    }

    /// Whether a process runs: it exists and has not exited (an exited postmaster stays a zombie
    /// until the init process, its parent once pg_ctl has returned, reaps it).
    static func runs(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.range(of: ") ", options: .backwards)
        else { return false }
        return stat[end.upperBound...].first != "Z"
    }

    func testAMissingInstallationSaysMakeDepsInstallsIt() throws {
        XCTAssertNoThrow(try PostgresTestServer.checkInstalled())
        XCTAssertThrowsError(try PostgresTestServer.checkInstalled(in: "/nonexistent/postgresql/15/bin")) { error in
            XCTAssertTrue("\(error)".contains("`make deps` installs postgresql-15"), "\(error)")
        }
    }
}
