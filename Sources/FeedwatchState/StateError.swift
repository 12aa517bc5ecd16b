import Foundation
import GRDB

/// Why the state store could not be opened or written. Every message names the file or directory
/// involved and says what the user can do about it.
public enum StateError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The state directory could not be created or is not writable.
    case directoryNotWritable(path: String, reason: String)
    /// Another process holds the single-instance lock of the state directory.
    case locked(pid: Int32?, directory: String)
    /// The database file is not a SQLite database or fails its integrity check.
    case corrupt(path: String, detail: String)
    /// The database was written by a newer feedwatch: it holds migrations this build does not know.
    case newerSchema(path: String, unknownMigrations: [String])
    /// The disk (or the database's size cap) is full; the transaction was rolled back.
    case diskFull(path: String)
    /// A write was attempted through a store opened read-only.
    case readOnly(path: String)
    /// Any other SQLite failure, with SQLite's own message.
    case database(path: String, message: String)

    public var description: String {
        switch self {
        case .directoryNotWritable(let path, let reason):
            return "state directory \(path) cannot be created or written (\(reason)); "
                + "set state_dir to a writable directory or fix its ownership"
        case .locked(let pid, let directory):
            let who = pid.map { "another feedwatch (pid \($0))" } ?? "another feedwatch"
            return "\(who) is using \(directory); stop it first, or give this one another state_dir"
        case .corrupt(let path, let detail):
            return "state database \(path) is corrupt or not a SQLite database (\(detail)); "
                + "move it aside to start with fresh state (every feed's next poll is then a first poll)"
        case .newerSchema(let path, let unknown):
            return "state database \(path) was written by a newer feedwatch "
                + "(unknown migrations: \(unknown.joined(separator: ", "))); upgrade feedwatch to use it"
        case .diskFull(let path):
            return "disk full while writing \(path); nothing was recorded, free some space (will retry)"
        case .readOnly(let path):
            return "state database \(path) was opened read-only and cannot be written"
        case .database(let path, let message):
            return "state database \(path): \(message)"
        }
    }
}

extension StateError {
    /// Maps a SQLite error raised while using the file at `path` to the error a user can act on.
    static func from(_ error: Error, path: String) -> Error {
        guard let dbError = error as? DatabaseError else { return error }
        switch dbError.resultCode {
        case .SQLITE_FULL:
            return StateError.diskFull(path: path)
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return StateError.corrupt(path: path, detail: dbError.message ?? "\(dbError.resultCode)")
        case .SQLITE_READONLY:
            return StateError.readOnly(path: path)
        default:
            return StateError.database(path: path, message: dbError.message ?? "\(dbError)")
        }
    }
}
