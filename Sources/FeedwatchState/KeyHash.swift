import Crypto
import Foundation

/// A key's 16-byte SHA-256 prefix held in two integers: hashing, comparing and putting it in a set
/// cost no allocation, where a `Data` per key cost one each (the recorder handles millions).
public struct KeyHash: Hashable, Sendable {
    public let high: UInt64
    public let low: UInt64

    /// The hash of `text`'s UTF-8 bytes, equal to `StoryKeys.hash(text)`.
    public init(_ text: String) {
        var text = text
        let digest = text.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        (high, low) = digest.withUnsafeBytes { bytes in
            (
                UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            )
        }
    }

    /// A stored hash, from its two halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A stored hash; nil unless exactly 16 bytes.
    public init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 16 else { return nil }
        high = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        low = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    }

    /// The 16 bytes as stored in the database.
    public var data: Data {
        var bytes = (high.bigEndian, low.bigEndian)
        return withUnsafeBytes(of: &bytes) { Data($0) }
    }
}

