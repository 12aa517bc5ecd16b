import Foundation

/// The JSON of the listener's API: keys as the types' coding keys write them (snake_case), dates
/// RFC 3339 in UTC (`2026-11-24T22:00:00Z`), keys sorted so that answers compare and diff well.
public enum APIJSON {
    /// Encodes a snapshot for an answer (and for `feedwatch alerts --json`).
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(value)
    }

    /// Decodes what `encode` wrote (clients and tests).
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: data)
    }
}
