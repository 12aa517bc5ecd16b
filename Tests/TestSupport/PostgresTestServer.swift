import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real PostgreSQL 15 server on 127.0.0.1 for tests, private to the test that starts it: Debian's
/// postgresql-15 (`make deps` installs it), run from /usr/lib/postgresql/15/bin.
///
///     let server = try PostgresTestServer()
///     defer { server.shutdown() }
///     … connect to server.url (or put server.url(password: "${DB_PASSWORD}") in a configuration
///       and DB_PASSWORD=server.password in the daemon's environment) …
///     XCTAssertEqual(try server.psql("SELECT count(*) FROM feeds"), "3")
///
/// Each server has its own directory under the temporary directory (data, Unix socket, log) and
/// its own port, chosen free by the kernel; nothing is shared with Debian's cluster or another
/// test. The role `feedwatch` logs in over TCP with ``password`` (SCRAM), owns the database
/// `feedwatch`, and is not a superuser; `postgres`, the superuser, connects only through the
/// private socket. PostgreSQL refuses to run as root, so when the tests run as root every
/// PostgreSQL program runs as the `postgres` user (`setpriv`), which owns the directory.
///
/// Speed over durability: fsync and full-page writes are off, which only matters if the machine
/// itself crashes; commits stay synchronous, so what a client saw committed survives
/// `stop(.immediate)`. The first server of a test process runs initdb (1–3 s) into a template that
/// later servers copy (a start then takes a few tenths of a second).
///
/// Cleanup: ``shutdown()`` (also run by `deinit`) stops the server at once and removes the
/// directory. If the test process dies first, even by SIGKILL, a guardian does it: a small shell
/// started with the server in its own session, ignoring SIGINT/SIGTERM/SIGHUP, waits for the end
/// of a pipe whose only writer is the test process, then runs `pg_ctl stop -m immediate` and
/// removes the directory. Only a guardian killed too (SIGKILL to it) leaves a server behind; it
/// holds its own port and directory and disturbs no later run, which takes fresh ones.
public final class PostgresTestServer: @unchecked Sendable {
    /// Why the server could not be set up, started, stopped or queried.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// How `stop` ends the server (`pg_ctl stop -m …`).
    public enum ShutdownMode: String, Sendable {
        /// Waits for the clients to disconnect.
        case smart
        /// Disconnects the clients, rolls their transactions back, writes a checkpoint.
        case fast
        /// Kills everything at once, like a crash: the next start recovers from the WAL.
        case immediate
    }

    /// Where Debian's postgresql-15 and postgresql-client-15 put their programs.
    public static let binDirectory = "/usr/lib/postgresql/15/bin"
    /// The login role for clients (not a superuser) and the database it owns.
    public static let user = "feedwatch"
    public static let database = "feedwatch"

    /// The role's password: hexadecimal, so it needs no escaping in a URI.
    public let password: String
    /// The TCP port on 127.0.0.1; the same across `stop()`/`start()` and `restart()`.
    public private(set) var port: Int
    /// The server's private directory: `data/` (the cluster), the Unix socket, `server.log`.
    public let directory: URL

    private let guardian: Process
    private var guardianPipe: Int32
    private let lock = NSLock()
    private var shutDown = false

    /// Sets up a cluster with the role and database `feedwatch`, starts it and waits until it
    /// accepts connections. Throws if PostgreSQL 15 is not installed or does not start.
    public init() throws {
        try Self.checkInstalled()
        let template = try Template.shared()
        directory = try Self.makePrivateDirectory("feedwatch-postgres")
        password = (UUID().uuidString + UUID().uuidString).replacingOccurrences(of: "-", with: "").lowercased()
        port = 0
        do {
            (guardian, guardianPipe) = try Self.startGuardian(for: directory)
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        do {
            let copy = try FeedwatchProcess.runProgram("/bin/cp", ["-a", template.dataDirectory, dataDirectory])
            guard copy.status == 0 else {
                throw Failure(description: "cannot copy the template cluster: \(copy.stderr)")
            }
            try startOnFreePort()
            _ = try psql("ALTER ROLE \(Self.user) PASSWORD '\(password)'", superuser: true)
        } catch {
            shutdown()
            throw error
        }
    }

    deinit { shutdown() }

    /// `postgres://feedwatch:PASSWORD@127.0.0.1:PORT/feedwatch`, a libpq URI.
    public var url: String { url(password: password) }

    /// The URI with another password text in it, e.g. `"${DB_PASSWORD}"` for a configuration file.
    public func url(password: String) -> String {
        "postgres://\(Self.user):\(password)@127.0.0.1:\(port)/\(Self.database)"
    }

    /// The cluster's data directory (`directory/data`).
    public var dataDirectory: String { directory.appendingPathComponent("data").path }
    /// The directory of the Unix socket (the private directory itself, never /var/run/postgresql).
    public var socketDirectory: String { directory.path }
    /// The server's log file, kept across restarts.
    public var logPath: String { directory.appendingPathComponent("server.log").path }
    /// What the server logged so far (for failure messages).
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Whether the postmaster runs (`pg_ctl status`).
    public var isRunning: Bool {
        guard FileManager.default.fileExists(atPath: dataDirectory) else { return false }
        return (try? Self.runAsServerUser("pg_ctl", ["status", "-D", dataDirectory]).status) == 0
    }

    /// Runs `sql` with `psql -At` and returns what it printed, without the last newline: one line
    /// per row, columns separated by `|`. Statements run one after another in autocommit mode and
    /// the first error stops them. `superuser: false` connects as `feedwatch` over TCP with the
    /// password, as the daemon does; `true` as `postgres` through the socket. Throws with psql's
    /// standard error when it fails.
    @discardableResult
    public func psql(_ sql: String, superuser: Bool = false) throws -> String {
        var environment = Self.cleanEnvironment()
        environment["PGDATABASE"] = Self.database
        environment["PGCONNECT_TIMEOUT"] = "10"
        environment["PGPASSFILE"] = "/dev/null"
        if superuser {
            environment["PGHOST"] = socketDirectory
            environment["PGUSER"] = "postgres"
        } else {
            environment["PGHOST"] = "127.0.0.1"
            environment["PGUSER"] = Self.user
            environment["PGPASSWORD"] = password
        }
        environment["PGPORT"] = String(port)
        let result = try FeedwatchProcess.runProgram(
            Self.binDirectory + "/psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", "-"],
            environment: environment, input: Data(sql.utf8))
        guard result.status == 0 else {
            throw Failure(description: "psql failed (status \(result.status)): \(result.stderr)")
        }
        var output = result.stdout
        if output.hasSuffix("\n") { output.removeLast() }
        return output
    }

    /// Stops the server and waits until it is gone (`pg_ctl stop -w`); data and port stay for
    /// `start()`. Does nothing if it is not running.
    public func stop(_ mode: ShutdownMode = .fast) throws {
        try lock.withLock {
            try checkNotShutDown()
            guard isRunning else { return }
            try pgCtl(["stop", "-D", dataDirectory, "-m", mode.rawValue, "-w", "-t", "60"], doing: "stop")
        }
    }

    /// Starts the server again on the same data and port and waits until it accepts connections
    /// (`pg_ctl start -w`). Does nothing if it runs. Throws if the port was taken meanwhile.
    public func start() throws {
        try lock.withLock {
            try checkNotShutDown()
            guard !isRunning else { return }
            try pgCtl(["start", "-D", dataDirectory, "-l", logPath, "-w", "-t", "60"], doing: "start")
        }
    }

    /// Stops the server (fast shutdown) and starts it again, same data and port.
    public func restart() throws {
        try lock.withLock {
            try checkNotShutDown()
            try pgCtl(
                ["restart", "-D", dataDirectory, "-l", logPath, "-m", "fast", "-w", "-t", "60"], doing: "restart")
        }
    }

    /// Stops the server at once (`pg_ctl stop -m immediate`) and removes its directory. Idempotent;
    /// the server is unusable afterwards.
    public func shutdown() {
        let first: Bool = lock.withLock {
            defer { shutDown = true }
            return !shutDown
        }
        guard first else { return }
        if FileManager.default.fileExists(atPath: dataDirectory + "/postmaster.pid") {
            _ = try? Self.runAsServerUser(
                "pg_ctl", ["stop", "-D", dataDirectory, "-m", "immediate", "-w", "-t", "60"])
        }
        try? FileManager.default.removeItem(at: directory)
        // The guardian finds nothing left to do and exits.
        close(guardianPipe)
        guardian.waitUntilExit()
    }

    // MARK: - Starting

    private func checkNotShutDown() throws {
        if shutDown { throw Failure(description: "the PostgreSQL test server was shut down") }
    }

    /// The first start: a port the kernel says is free, and another one if the server finds it
    /// taken by the time it binds.
    private func startOnFreePort() throws {
        var attempt = 0
        while true {
            attempt += 1
            port = try Self.freePort()
            try writeSettings()
            let logBefore = log.utf8.count
            do {
                try pgCtl(["start", "-D", dataDirectory, "-l", logPath, "-w", "-t", "60"], doing: "start")
                return
            } catch {
                let newLog = String(decoding: log.utf8.dropFirst(logBefore), as: UTF8.self)
                guard attempt < 5, newLog.contains("could not bind") || newLog.contains("Address already in use")
                else { throw error }
            }
        }
    }

    /// `feedwatch-test.conf`, which the template's postgresql.conf includes.
    private func writeSettings() throws {
        let settings = """
            listen_addresses = '127.0.0.1'
            port = \(port)
            unix_socket_directories = '\(socketDirectory)'
            fsync = off
            full_page_writes = off
            shared_buffers = 16MB
            max_connections = 50
            huge_pages = off
            jit = off

            """
        let path = dataDirectory + "/" + Template.settingsFile
        try settings.write(toFile: path, atomically: false, encoding: .utf8)
        if Self.runsAsRoot { try Self.chownToServerUser(path) }
    }

    /// Runs pg_ctl; on failure, the error carries its output and the end of the server's log.
    private func pgCtl(_ arguments: [String], doing what: String) throws {
        let result = try Self.runAsServerUser("pg_ctl", arguments)
        guard result.status == 0 else {
            throw Failure(
                description: """
                    pg_ctl \(what) failed (status \(result.status)): \(result.stdout)\(result.stderr)
                    server log: \(log.suffix(3000))
                    """)
        }
    }

    // MARK: - The programs and their user

    static var runsAsRoot: Bool { geteuid() == 0 }

    /// Throws, saying that `make deps` installs it, when PostgreSQL 15 is missing from `binDirectory`.
    public static func checkInstalled(in binDirectory: String = PostgresTestServer.binDirectory) throws {
        for program in ["initdb", "pg_ctl", "postgres", "psql"]
        where !FileManager.default.isExecutableFile(atPath: "\(binDirectory)/\(program)") {
            throw Failure(
                description:
                    "PostgreSQL 15 is not installed (\(binDirectory)/\(program) is missing): `make deps` installs "
                    + "postgresql-15 and postgresql-client-15, which these tests need")
        }
        if runsAsRoot {
            guard getpwnam("postgres") != nil else {
                throw Failure(
                    description: "the tests run as root but there is no `postgres` user: `make deps` installs "
                        + "postgresql-15, which creates it")
            }
        }
    }

    /// The environment without the PG… variables of whoever runs the tests.
    static func cleanEnvironment() -> [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
    }

    /// The words that run a program as the server's user: `setpriv` to `postgres` as root, nothing
    /// otherwise.
    static var asServerUser: [String] {
        runsAsRoot ? ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"] : []
    }

    /// Runs one of the PostgreSQL programs as the server's user, from the root directory (the
    /// `postgres` user may not be allowed into the test's working directory).
    ///
    /// Through bash, which first closes every descriptor but 0, 1 and 2: Foundation's Process
    /// leaves its child one end of a socket pair and sees the child end when that socket closes,
    /// so a postmaster that `pg_ctl start` left holding it would keep `waitUntilExit()` waiting
    /// for as long as the server runs.
    static func runAsServerUser(_ program: String, _ arguments: [String], input: Data? = nil) throws
        -> FeedwatchProcess.Result
    {
        let closeAndRun =
            #"for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done; exec "$@""#
        let command =
            ["/bin/bash", "-c", closeAndRun, "feedwatch-postgres"] + asServerUser + ["\(binDirectory)/\(program)"]
            + arguments
        return try FeedwatchProcess.runProgram(
            command[0], Array(command.dropFirst()), environment: cleanEnvironment(),
            currentDirectory: URL(fileURLWithPath: "/"), input: input)
    }

    static func chownToServerUser(_ path: String) throws {
        guard let user = getpwnam("postgres") else { throw Failure(description: "there is no `postgres` user") }
        guard chown(path, user.pointee.pw_uid, user.pointee.pw_gid) == 0 else {
            throw Failure(description: "chown \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// A fresh directory, mode 0700, owned by the server's user, under the temporary directory (or
    /// /tmp when the `postgres` user could not reach the temporary directory).
    static func makePrivateDirectory(_ prefix: String) throws -> URL {
        var parent = FileManager.default.temporaryDirectory
        if runsAsRoot && !searchableByAll(parent.path) { parent = URL(fileURLWithPath: "/tmp") }
        let url = parent.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        chmod(url.path, 0o700)
        if runsAsRoot {
            do {
                try chownToServerUser(url.path)
            } catch {
                try? FileManager.default.removeItem(at: url)
                throw error
            }
        }
        return url
    }

    /// Whether every directory of `path` lets others through.
    static func searchableByAll(_ path: String) -> Bool {
        var current = URL(fileURLWithPath: path).standardizedFileURL
        while true {
            var info = stat()
            guard stat(current.path, &info) == 0, info.st_mode & S_IXOTH != 0 else { return false }
            if current.path == "/" { return true }
            current.deleteLastPathComponent()
        }
    }

    /// A port on 127.0.0.1 that nothing listens on now (also for a test that needs a closed port).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw Failure(description: "bind: \(String(cString: strerror(errno)))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts the guardian of `directory` (see the type's documentation) and returns it with the
    /// write end of its pipe. Both ends are close-on-exec: no other child can keep the pipe open.
    static func startGuardian(for directory: URL) throws -> (Process, Int32) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw Failure(description: "pipe: \(String(cString: strerror(errno)))") }
        // Foundation's Process closes every other descriptor in its children too; this covers children
        // started in other ways.
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        let script = """
            trap '' INT TERM HUP QUIT PIPE
            cat >/dev/null
            dir=$1; shift
            if [ -f "$dir/data/postmaster.pid" ]; then
                "$@" stop -D "$dir/data" -m immediate -w -t 60 >/dev/null 2>&1
            fi
            rm -rf "$dir"
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments =
            ["/bin/sh", "-c", script, "feedwatch-postgres-guardian", directory.path] + asServerUser
            + ["\(binDirectory)/pg_ctl"]
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        process.standardInput = FileHandle(fileDescriptor: ends[0], closeOnDealloc: false)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            close(ends[0])
            close(ends[1])
            throw Failure(description: "cannot start the server's guardian: \(error)")
        }
        close(ends[0])
        return (process, ends[1])
    }

    // MARK: - The template cluster

    /// One initdb per test process: a cluster with the role and database `feedwatch` (no password
    /// yet), which each server copies. Its directory has a guardian too, which removes it when the
    /// test process ends.
    final class Template: @unchecked Sendable {
        static let settingsFile = "feedwatch-test.conf"

        let directory: URL
        let guardian: (Process, Int32)
        var dataDirectory: String { directory.appendingPathComponent("data").path }

        private static let lock = NSLock()
        nonisolated(unsafe) private static var made: Template?

        static func shared() throws -> Template {
            try lock.withLock {
                if let made { return made }
                let template = try Template()
                made = template
                return template
            }
        }

        private init() throws {
            directory = try PostgresTestServer.makePrivateDirectory("feedwatch-postgres-template")
            do {
                guardian = try PostgresTestServer.startGuardian(for: directory)
            } catch {
                try? FileManager.default.removeItem(at: directory)
                throw error
            }
            // Kept for the life of the process; its guardian removes the directory at exit.
            let data = directory.appendingPathComponent("data").path
            let initdb = try PostgresTestServer.runAsServerUser(
                "initdb",
                [
                    "-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync",
                    "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions",
                ])
            guard initdb.status == 0 else {
                throw Failure(description: "initdb failed (status \(initdb.status)): \(initdb.stdout)\(initdb.stderr)")
            }
            let configuration = try FileHandle(forWritingTo: URL(fileURLWithPath: data + "/postgresql.conf"))
            try configuration.seekToEnd()
            try configuration.write(contentsOf: Data("\ninclude_if_exists = '\(Self.settingsFile)'\n".utf8))
            try configuration.close()
            // The role and its database, made by a stand-alone backend: no server to start and stop.
            let setup = try PostgresTestServer.runAsServerUser(
                "postgres", ["--single", "-D", data, "-c", "fsync=off", "postgres"],
                input: Data(
                    """
                    CREATE ROLE \(PostgresTestServer.user) LOGIN;
                    CREATE DATABASE \(PostgresTestServer.database) OWNER \(PostgresTestServer.user);

                    """.utf8))
            guard setup.status == 0, !setup.stderr.contains("ERROR:") else {
                throw Failure(
                    description: "cannot create the role and database (status \(setup.status)): \(setup.stderr)")
            }
        }
    }
}
