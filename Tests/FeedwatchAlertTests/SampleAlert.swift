import Foundation

@testable import FeedwatchAlert

/// The alert most tests render: French title, a link with a query, a quoted summary, known dates.
func sampleAlert(
    title: String = "Panne géante chez Facebook", link: String = "https://example.org/a?x=1&y=2",
    summary: String = "Les services sont \"indisponibles\".",
    published: Date? = Date(timeIntervalSince1970: 1_552_554_300),
    itemID: String = "urn:1", keywords: [String] = ["panne", "Facebook"], snippet: String = ""
) -> Alert {
    Alert(
        rule: "outages", keywords: keywords,
        feed: Alert.Feed(name: "example", url: "https://example.org/feed.xml", title: "Example News"),
        item: Alert.Item(
            id: itemID, title: title, link: link, summary: summary, published: published, authors: ["Alice"],
            categories: ["tech"]),
        detectedAt: Date(timeIntervalSince1970: 1_795_557_600), snippet: snippet)
}

/// Decodes a JSON body to a dictionary, failing the test when it is not one.
func jsonObject(_ data: Data, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        throw NSError(domain: "test", code: 1, userInfo: [NSLocalizedDescriptionKey: "body is not a JSON object"])
    }
    return object
}

/// Decodes RFC 2047 "B" encoded-words as ntfy does (plain ASCII values pass through).
func decodeRFC2047(_ value: String) -> String {
    guard value.hasPrefix("=?UTF-8?B?") else { return value }
    var bytes: [UInt8] = []
    for word in value.split(separator: " ") {
        let inner = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
        bytes += Data(base64Encoded: String(inner)).map { [UInt8]($0) } ?? []
    }
    return String(decoding: bytes, as: UTF8.self)
}
