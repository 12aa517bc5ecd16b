import Foundation

extension Alert {
    /// How many characters of the summary the `json` payload carries (SPEC §5).
    static let jsonSummaryLimit = 1_000

    /// The `json` webhook payload of SPEC §5, on one line, keys in the documented order.
    ///
    /// This is also what `feedwatch once --dry-run` prints, one alert a line.
    public func jsonPayload() -> Data {
        Data(jsonPayloadText().utf8)
    }

    /// ``jsonPayload()`` as a string.
    public func jsonPayloadText() -> String {
        JSONWriter.render(jsonDocument)
    }

    /// The `json` payload as a value, for the documents that list several alerts.
    var jsonDocument: JSONWriter.Value {
        let published: JSONWriter.Value = item.published.map { .string(RFC3339.string(from: $0)) } ?? .null
        let document: JSONWriter.Value = .object([
            ("type", .string("feedwatch.alert")),
            ("alert_id", .string(alertID)),
            ("rule", .string(rule)),
            ("keywords", .array(keywords.map { .string($0) })),
            (
                "feed",
                .object([("name", .string(feed.name)), ("url", .string(feed.url)), ("title", .string(feed.title))])
            ),
            (
                "item",
                .object([
                    ("id", .string(item.id)),
                    ("title", .string(item.title)),
                    ("link", .string(item.link)),
                    ("summary", .string(SafeText.cut(item.summary, to: Alert.jsonSummaryLimit))),
                    ("published", published),
                    ("authors", .array(item.authors.map { .string($0) })),
                    ("categories", .array(item.categories.map { .string($0) })),
                ])
            ),
            ("detected_at", .string(RFC3339.string(from: detectedAt))),
        ])
        return document
    }
}
