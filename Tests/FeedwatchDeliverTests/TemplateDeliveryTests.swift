import FeedwatchAlert
import FeedwatchConfig
import FeedwatchDeliver
import Foundation
import TestSupport
import XCTest

/// `template:` through the destinations: each renders it with the escaping its target needs.
final class TemplateDeliveryTests: XCTestCase {
    private func config(_ yaml: String, server: HTTPTestServer) throws -> [String: any Destination] {
        let base = server.url("").absoluteString.trimmingCharacters(in: ["/"])
        let text = """
            feeds: [{url: "https://example.org/feed.xml", name: ex}]
            rules: [{name: r, any: [panne]}]
            \(yaml.replacingOccurrences(of: "BASE", with: base))
            """
        let config = try ConfigLoader.parse(text, path: "feedwatch.yaml", environment: [:])
        return try DestinationSet.make(
            config: config, http: try DeliverFixtures.client(self), journal: JournalSink(destination: .standardError))
    }

    private func deliver(_ destination: (any Destination)?) async throws -> DeliveryOutcome {
        try await XCTUnwrap(destination).deliver(DeliverFixtures.message([DeliverFixtures.alert()]))
    }

    func testAJSONWebhookTemplateIsTheBodyWithValuesJSONEscaped() async throws {
        let server = try HTTPTestServer { _ in .init(status: 204, text: "") }
        defer { server.stop() }
        let destinations = try config(
            """
            webhooks:
              - name: ops
                url: BASE/hook
                template: '{"text": "{{rule}}: {{item.title}}", "url": "{{item.link}}", "keywords": "{{keywords}}"}'
            """, server: server)
        let outcome = try await deliver(destinations["ops"])
        XCTAssertEqual(outcome, .delivered(status: 204))
        let body = try DeliverFixtures.json(try XCTUnwrap(server.requests.first).body)
        XCTAssertEqual(body["text"] as? String, "outages: Panne géante chez <Télégram> & \"Facebook\"")
        XCTAssertEqual(body["url"] as? String, "https://news.example.org/panne?a=1&b=2")
        XCTAssertEqual(body["keywords"] as? String, "panne, Facebook")
    }

    func testASlackTemplateIsTheMessageTextInsideTheFormatsJSON() async throws {
        let server = try HTTPTestServer { _ in .init(status: 200, text: "ok") }
        defer { server.stop() }
        let destinations = try config(
            """
            webhooks: [{name: chat, url: BASE/slack, format: slack, template: "{{rule}} → {{item.title}}"}]
            """, server: server)
        let outcome = try await deliver(destinations["chat"])
        XCTAssertEqual(outcome, .delivered(status: 200))
        let body = try DeliverFixtures.json(try XCTUnwrap(server.requests.first).body)
        XCTAssertEqual(body["text"] as? String, "outages → Panne géante chez <Télégram> & \"Facebook\"")
    }

    func testATelegramTemplateIsRenderedWithHTMLEscaping() async throws {
        let server = try HTTPTestServer { _ in .init(status: 200, text: #"{"ok":true,"result":{}}"#) }
        defer { server.stop() }
        let destinations = try config(
            """
            destinations:
              - name: tg
                type: telegram
                token: "1:x"
                chat: "5"
                api_url: BASE
                template: |
                  <b>{{rule}}</b> <a href="{{item.link}}">{{item.title}}</a>
                  {{#alerts}}· {{feed.name}}{{/alerts}} ({{count}})
            """, server: server)
        let outcome = try await deliver(destinations["tg"])
        XCTAssertEqual(outcome, .delivered(status: 200))
        let body = try DeliverFixtures.json(try XCTUnwrap(server.requests.first).body)
        XCTAssertEqual(
            body["text"] as? String,
            "<b>outages</b> <a href=\"https://news.example.org/panne?a=1&amp;b=2\">Panne géante chez &lt;Télégram&gt; "
                + "&amp; &quot;Facebook&quot;</a>\n· lemonde (1)")
    }

    func testAMatrixTemplateGivesThePlainBodyAndTheHTMLBody() async throws {
        let server = try HTTPTestServer { _ in .init(status: 200, text: #"{"event_id":"$1"}"#) }
        defer { server.stop() }
        let destinations = try config(
            """
            destinations:
              - {name: room, type: matrix, homeserver: BASE, room: "!a:example.org", token: t,
                 template: "{{item.title}}\\n{{keywords}}"}
            """, server: server)
        let outcome = try await deliver(destinations["room"])
        XCTAssertEqual(outcome, .delivered(status: 200))
        let body = try DeliverFixtures.json(try XCTUnwrap(server.requests.first).body)
        XCTAssertEqual(body["body"] as? String, "Panne géante chez <Télégram> & \"Facebook\"\npanne, Facebook")
        XCTAssertEqual(
            body["formatted_body"] as? String,
            "Panne géante chez &lt;Télégram&gt; &amp; &quot;Facebook&quot;<br/>panne, Facebook")
    }
}
