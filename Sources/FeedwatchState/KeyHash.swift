import Crypto
import Foundation
import GRDB

/// A key's 16-byte SHA-256 prefix held in two integers: hashing, comparing and putting it in a set
/// cost no allocation, where a `Data` per key cost one each (the recorder handles millions).
struct KeyHash: Hashable, Sendable {
    let high: UInt64
    let low: UInt64

    /// The hash of `text`'s UTF-8 bytes, equal to `StoryKeys.hash(text)`.
    init(_ text: String) {
        var text = text
        let digest = text.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        (high, low) = digest.withUnsafeBytes { bytes in
            (
                UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            )
        }
    }

    /// A stored hash; nil unless exactly 16 bytes.
    init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 16 else { return nil }
        high = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        low = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    }

    /// The 16 bytes as stored in the database.
    var data: Data {
        var bytes = (high.bigEndian, low.bigEndian)
        return withUnsafeBytes(of: &bytes) { Data($0) }
    }
}

extension KeyHash: DatabaseValueConvertible {
    var databaseValue: DatabaseValue { data.databaseValue }

    static func fromDatabaseValue(_ dbValue: DatabaseValue) -> KeyHash? {
        guard let data = Data.fromDatabaseValue(dbValue) else { return nil }
        return data.withUnsafeBytes { KeyHash(bytes: $0) }
    }
}
