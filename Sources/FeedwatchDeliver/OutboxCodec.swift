import FeedwatchAlert
import Foundation

/// How an alert is stored in an outbox row: the JSON of `Alert`, dates in ISO 8601. Rows written by
/// one version are read by the next, so the shape only ever gains optional fields.
public enum OutboxCodec {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    /// The payload stored for `alert`.
    public static func payload(for alert: Alert) throws -> Data {
        try encoder.encode(alert)
    }

    /// The alert stored in a row, or nil when the payload cannot be read (it is then dead-lettered).
    public static func alert(fromPayload payload: Data) -> Alert? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(Alert.self, from: payload)
    }
}
