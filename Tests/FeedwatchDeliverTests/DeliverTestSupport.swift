import FeedwatchAlert
import FeedwatchDeliver
import FeedwatchHTTP
import Foundation
import XCTest

/// Alerts and clients the destination tests share.
enum DeliverFixtures {
    static let detected = Date(timeIntervalSince1970: 1_795_000_000)

    /// An alert whose feed text tries markup and injection in every field a message shows.
    static func alert(
        rule: String = "outages", title: String = "Panne géante chez <Télégram> & \"Facebook\"",
        link: String = "https://news.example.org/panne?a=1&b=2", id: String = "a-1"
    ) -> Alert {
        Alert(
            rule: rule, keywords: ["panne", "Facebook"],
            feed: Alert.Feed(name: "lemonde", url: "https://www.lemonde.fr/rss/une.xml", title: "Le Monde"),
            item: Alert.Item(
                id: id, title: title, link: link, summary: "Les services <b>sont</b> coupés.",
                published: Date(timeIntervalSince1970: 1_794_999_000), authors: ["Camille"], categories: ["Tech"]),
            detectedAt: detected, snippet: "… une panne géante chez Facebook …")
    }

    static func message(_ alerts: [Alert]) -> OutgoingMessage {
        OutgoingMessage(id: alerts[0].alertID, alerts: alerts, now: detected)
    }

    static func client(_ test: XCTestCase) throws -> HTTPClient {
        let http = try HTTPClient(configuration: .init(concurrency: 8, perHost: 8))
        test.addTeardownBlock { http.shutdown() }
        return http
    }

    /// The JSON object of a request body.
    static func json(_ body: Data, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: body) as? [String: Any], file: file, line: line)
    }
}
