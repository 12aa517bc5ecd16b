import Foundation
import GRDB

/// The embedded SQLite store behind feedwatch's promise that every matching story is alerted once:
/// feed state, the items already seen, the alerts already fired and the durable webhook outbox.
///
/// Open one read-write store per process for the daemon (`run`, `once`): it takes the state
/// directory's single-instance lock, upgrades an older schema in place and refuses a newer one.
/// Commands that only look (`state`, `outbox`, and `once --dry-run` through `DryRunStore`) open it
/// `.readOnly`: no lock, no write, and it works while the daemon runs.
public final class SQLiteStateStore: @unchecked Sendable {
    /// Whether the store may write.
    public enum Mode: Sendable, Equatable {
        /// The daemon's mode: takes the lock, migrates, writes.
        case readWrite
        /// Never writes (a write throws `StateError.readOnly`) and takes no lock.
        case readOnly
        /// Short writes beside a running daemon (`feedwatch outbox retry`): no lock, no migration,
        /// the database must exist and be current. SQLite serialises the writers.
        case maintenance
    }

    /// How hard a commit is pushed to disk.
    public enum Durability: Sendable, Equatable {
        /// `synchronous=FULL`: a committed poll survives a power cut, so a delivered alert is
        /// never raised again after one. The default: feedwatch commits a few times a second at most.
        case full
        /// `synchronous=NORMAL`: survives a process crash, may lose the last commits on power loss.
        case normal
    }

    /// The state directory (`state_dir`).
    public let directory: String
    /// `directory/feedwatch.sqlite`.
    public let databasePath: String
    /// The mode the store was opened in.
    public let mode: Mode
    /// True when opened read-only on a directory that holds no database yet: every read is empty.
    public let isEmptyStandIn: Bool

    let writer: any DatabaseWriter
    /// The writer connection's `data_version` at the last `outboxChangedElsewhere`.
    let dataVersion = LastDataVersion()
    private let lock: InstanceLock?
    private let closeLock = NSLock()
    private var isClosed = false

    /// Opens (creating if needed) the store in `directory`.
    /// - Throws: `StateError` — directory not writable, locked by another process, corrupt file,
    ///   newer schema.
    public init(directory: String, mode: Mode = .readWrite, durability: Durability = .full) throws {
        self.directory = directory
        self.databasePath = (directory as NSString).appendingPathComponent("feedwatch.sqlite")
        self.mode = mode
        let path = databasePath
        SQLiteProcessSettings.applied

        var config = Configuration()
        config.busyMode = .timeout(10)
        let synchronous = durability == .full ? "FULL" : "NORMAL"
        // Reads are single look-ups of microseconds: two readers beside the writer are enough on a
        // small server, and every connection's page cache counts in the daemon's memory.
        config.maximumReaderCount = 2
        config.prepareDatabase { db in
            // The million-row tables outgrow SQLite's default 2 MiB page cache: a bigger one spares a
            // pread per page the seen checks touch (the writer does those); readers look up one row
            // at a time and keep the default. (A memory map was no faster and shows as RSS.)
            let cacheKiB = db.configuration.readonly ? 2048 : 8192
            try db.execute(sql: "PRAGMA cache_size = -\(cacheKiB); PRAGMA temp_store = MEMORY")
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
            }
        }

        switch mode {
        case .readWrite:
            try Self.makeWritableDirectory(directory)
            let lock = try InstanceLock(directory: directory)
            self.lock = lock
            self.isEmptyStandIn = false
            try Self.checkHeader(path)
            do {
                let pool = try DatabasePool(path: path, configuration: config)
                try Self.checkIntegrity(pool, path: path)
                try Self.refuseNewerSchema(pool, path: path)
                try Schema.migrator.migrate(pool)
                self.writer = pool
            } catch {
                lock.release()
                throw StateError.from(error, path: path)
            }
            try returnInFlightToPending()
        case .maintenance:
            self.lock = nil
            self.isEmptyStandIn = false
            guard FileManager.default.fileExists(atPath: path) else {
                throw StateError.database(
                    path: path, message: "no state yet: feedwatch has never run with this state_dir")
            }
            try Self.checkHeader(path)
            do {
                let queue = try DatabaseQueue(path: path, configuration: config)
                try Self.refuseNewerSchema(queue, path: path)
                let complete = try queue.read { try Schema.migrator.hasCompletedMigrations($0) }
                if !complete {
                    throw StateError.database(
                        path: path, message: "written by an older feedwatch; run `feedwatch run` once to upgrade it")
                }
                self.writer = queue
            } catch {
                throw StateError.from(error, path: path)
            }
        case .readOnly:
            self.lock = nil
            if FileManager.default.fileExists(atPath: path) {
                self.isEmptyStandIn = false
                try Self.checkHeader(path)
                config.readonly = true
                do {
                    let queue = try DatabaseQueue(path: path, configuration: config)
                    try Self.refuseNewerSchema(queue, path: path)
                    let complete = try queue.read { try Schema.migrator.hasCompletedMigrations($0) }
                    if !complete {
                        throw StateError.database(
                            path: path,
                            message: "written by an older feedwatch; run `feedwatch run` once to upgrade it")
                    }
                    self.writer = queue
                } catch {
                    throw StateError.from(error, path: path)
                }
            } else {
                // Nothing recorded yet: an empty in-memory store answers exactly as an empty file would.
                self.isEmptyStandIn = true
                do {
                    let queue = try DatabaseQueue()
                    try Schema.migrator.migrate(queue)
                    self.writer = queue
                } catch {
                    throw StateError.from(error, path: path)
                }
            }
        }
    }

    /// Closes the database and releases the lock. Called by `deinit` too; safe to call twice.
    /// A read-write store first folds its write-ahead log into the database file, so that a stopped
    /// daemon leaves one self-contained file behind (for backups and read-only opens).
    public func close() {
        closeLock.lock()
        defer { closeLock.unlock() }
        guard !isClosed else { return }
        isClosed = true
        if mode == .readWrite {
            _ = try? writer.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        }
        try? writer.close()
        lock?.release()
    }

    deinit { close() }

    // MARK: - Guarded access

    /// Runs `body` in one write transaction; maps SQLite failures to `StateError`.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        guard mode != .readOnly else { throw StateError.readOnly(path: databasePath) }
        try checkOpen()
        do {
            return try writer.write(body)
        } catch {
            throw StateError.from(error, path: databasePath)
        }
    }

    /// Runs `body` in one read transaction; maps SQLite failures to `StateError`.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try checkOpen()
        do {
            return try writer.read(body)
        } catch {
            throw StateError.from(error, path: databasePath)
        }
    }

    /// Runs one statement's read without opening a transaction around it: SQLite gives a single
    /// statement a consistent view by itself, and the BEGIN/COMMIT pair a pooled read adds costs
    /// more than the look-up (the per-poll read of a feed's state). A read-write store reads on its
    /// writer connection: taking a reader from the pool costs more than the look-up too, and the
    /// writer's larger page cache already holds the rows the polls keep rewriting.
    func readStatement<T>(_ body: (Database) throws -> T) throws -> T {
        try checkOpen()
        do {
            if let pool = writer as? DatabasePool { return try pool.writeWithoutTransaction(body) }
            return try writer.unsafeRead(body)
        } catch {
            throw StateError.from(error, path: databasePath)
        }
    }

    private func checkOpen() throws {
        closeLock.lock()
        defer { closeLock.unlock() }
        if isClosed { throw StateError.database(path: databasePath, message: "used after close()") }
    }

    // MARK: - Opening checks

    private static func makeWritableDirectory(_ directory: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw StateError.directoryNotWritable(path: directory, reason: "it is a file, not a directory")
            }
        } else {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StateError.directoryNotWritable(path: directory, reason: Self.reason(error))
            }
        }
        guard access(directory, W_OK | X_OK) == 0 else {
            throw StateError.directoryNotWritable(path: directory, reason: errnoText())
        }
    }

    private static func reason(_ error: Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if let underlying, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return (error as NSError).localizedDescription
    }

    /// A file that does not start with SQLite's magic is refused before SQLite touches it, so that a
    /// stray file is reported, never overwritten. (An empty file is a valid, empty database.)
    private static func checkHeader(_ path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        if !header.isEmpty && header != Data("SQLite format 3\0".utf8) {
            throw StateError.corrupt(path: path, detail: "file is not a database")
        }
    }

    private static func checkIntegrity(_ reader: any DatabaseReader, path: String) throws {
        let report = try reader.read { try String.fetchAll($0, sql: "PRAGMA quick_check") }
        if report != ["ok"] {
            throw StateError.corrupt(path: path, detail: report.prefix(3).joined(separator: "; "))
        }
    }

    private static func refuseNewerSchema(_ reader: any DatabaseReader, path: String) throws {
        let applied = try reader.read { try Schema.migrator.appliedIdentifiers($0) }
        let unknown = applied.subtracting(Schema.migrator.migrations)
        if !unknown.isEmpty {
            throw StateError.newerSchema(path: path, unknownMigrations: unknown.sorted())
        }
    }
}

/// The last `data_version` seen; nil before the first look (which always counts as a change).
final class LastDataVersion: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var value: Int?

    /// Stores `version`, returning the one before.
    func exchange(_ version: Int) -> Int? {
        lock.withLock {
            defer { value = version }
            return value
        }
    }
}
