import Foundation
import GRDB
import GRDBSQLite

/// A cached statement bound, stepped and read through SQLite's own calls, for the statements run
/// for every poll (a feed's state read and saved, its seen keys looked up and inserted). Through
/// GRDB each value becomes a `DatabaseValue` in an argument array and each key hash a `Data`, and
/// a row cursor is built per query: that cost the daemon as much CPU as SQLite's own work.
///
/// The statement comes from the connection's cache and is reset before and after use, so that a
/// read outside a transaction never holds its snapshot open. The SQL strings used here are only
/// ever run through this type.
struct RawStatement {
    private let db: Database
    /// Held so that the handle outlives a clearing of the connection's cache.
    private let statement: Statement
    private var handle: OpaquePointer { statement.sqliteStatement }

    /// `sql` from the connection's statement cache, to run once or many times in a row.
    init(_ db: Database, sql: String) throws {
        self.db = db
        statement = try db.cachedStatement(sql: sql)
        sqlite3_reset(handle)
    }

    /// Binds with `bind` (every parameter: bindings persist between runs), then calls `row` for
    /// each row the statement returns.
    func run(bind: (RawStatement) -> Void, row: (RawStatement) throws -> Void = { _ in }) throws {
        defer { sqlite3_reset(handle) }
        bind(self)
        while try step() { try row(self) }
    }

    /// `run` on the cached statement of `sql`.
    static func run(
        _ db: Database, sql: String, bind: (RawStatement) -> Void, row: (RawStatement) throws -> Void = { _ in }
    ) throws {
        try RawStatement(db, sql: sql).run(bind: bind, row: row)
    }

    private func step() throws -> Bool {
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return true }
        if code == SQLITE_DONE { return false }
        let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
        throw DatabaseError(
            resultCode: ResultCode(rawValue: code), message: message, sql: String(cString: sqlite3_sql(handle)))
    }

    // MARK: Binding (parameters count from 1)

    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }
    func bind(_ index: Int32, _ value: Int) { sqlite3_bind_int64(handle, index, Int64(value)) }
    func bind(_ index: Int32, _ value: Bool) { sqlite3_bind_int64(handle, index, value ? 1 : 0) }

    func bind(_ index: Int32, _ value: Double?) {
        if let value { sqlite3_bind_double(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: String?) {
        guard var value else {
            sqlite3_bind_null(handle, index)
            return
        }
        value.withUTF8 { sqlite3_bind_text(handle, index, $0.baseAddress, Int32($0.count), sqliteTransient) }
    }

    /// A key hash as its 16-byte blob.
    func bind(_ index: Int32, _ hash: KeyHash) {
        var bytes = (hash.high.bigEndian, hash.low.bigEndian)
        withUnsafeBytes(of: &bytes) { sqlite3_bind_blob(handle, index, $0.baseAddress, 16, sqliteTransient) }
    }

    // MARK: Reading the current row (columns count from 0)

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    func bool(_ column: Int32) -> Bool { sqlite3_column_int64(handle, column) != 0 }
    func double(_ column: Int32) -> Double? { isNull(column) ? nil : sqlite3_column_double(handle, column) }

    func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// A 16-byte blob as a key hash; nil for anything else.
    func keyHash(_ column: Int32) -> KeyHash? {
        guard let bytes = sqlite3_column_blob(handle, column) else { return nil }
        return KeyHash(bytes: UnsafeRawBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(handle, column))))
    }
}

/// SQLite copies the value before the bind call returns.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
