import Logging

/// Metadata of one log event, flattened: provider, then handler, then event metadata (later ones win),
/// as ordered (key, text) pairs with `feed` first and the rest sorted, so output is stable.
enum LogMetadata {
    static func merged(
        handler: Logger.Metadata, provider: Logger.MetadataProvider?, event: Logger.Metadata?
    ) -> [(String, String)] {
        var all = provider?.get() ?? [:]
        all.merge(handler) { _, new in new }
        if let event { all.merge(event) { _, new in new } }
        return all.map { ($0.key, text(of: $0.value)) }.sorted { lhs, rhs in
            if (lhs.0 == "feed") != (rhs.0 == "feed") { return lhs.0 == "feed" }
            return lhs.0 < rhs.0
        }
    }

    /// A metadata value as text: strings as they are, the rest by their description.
    static func text(of value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let string): return string
        case .stringConvertible(let convertible): return convertible.description
        default: return value.description
        }
    }
}
