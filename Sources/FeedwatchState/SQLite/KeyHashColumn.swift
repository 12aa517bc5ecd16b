import Foundation
import GRDB

/// Key hashes are stored as 16-byte blobs.
extension KeyHash: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { data.databaseValue }

    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> KeyHash? {
        guard let data = Data.fromDatabaseValue(dbValue) else { return nil }
        return data.withUnsafeBytes { KeyHash(bytes: $0) }
    }
}
