import Foundation
import TestSupport
import XCTest

/// Every destination type configured in one file and reached by the real binary: one loopback server
/// plays Telegram, a Matrix homeserver, PagerDuty, a Teams workflow and a Google Chat space.
final class DestinationsEndToEndTests: DaemonTestCase {
    private func services(telegram: @escaping @Sendable () -> HTTPTestResponse) throws -> HTTPTestServer {
        try HTTPTestServer { request in
            let path = request.pathWithoutQuery
            if path.hasPrefix("/telegram/") { return telegram() }
            if path.hasPrefix("/matrix/") { return .init(status: 200, text: #"{"event_id":"$e1:example.org"}"#) }
            if path == "/pagerduty/v2/enqueue" {
                return .init(status: 202, text: #"{"status":"success","message":"Event processed"}"#)
            }
            if path == "/teams" { return .init(status: 202, text: "") }
            if path == "/chat" { return .init(status: 200, text: #"{"name":"spaces/A/messages/B"}"#) }
            return .init(status: 404, text: "no such route")
        }
    }

    private func configure(_ server: HTTPTestServer) throws {
        let base = server.url("").absoluteString.trimmingCharacters(in: ["/"])
        try FeedFixtures.rss(FeedFixtures.outageStories(1)).write(
            to: directory.appendingPathComponent("feed.xml"), atomically: true, encoding: .utf8)
        try writeConfig(
            """
            feeds: [{url: "file:feed.xml", name: news, alert_on_first_poll: true}]
            rules: [{name: outages, any: [panne], notify: [tg, room, oncall, team, chat]}]
            destinations:
              - {name: tg, type: telegram, token: "${FW_TG_TOKEN}", chat: "-100200300", api_url: "\(base)/telegram"}
              - {name: room, type: matrix, homeserver: "\(base)/matrix", room: "!abc:example.org", token: "${FW_MX_TOKEN}"}
              - {name: oncall, type: pagerduty, routing_key: "${FW_PD_KEY}", api_url: "\(base)/pagerduty"}
              - {name: team, type: webhook, format: teams, url: "\(base)/teams"}
              - {name: chat, type: webhook, format: googlechat, url: "\(base)/chat?key=k&token=t"}
            """)
    }

    private let secrets = [
        "FW_TG_TOKEN": "111:tg-secret", "FW_MX_TOKEN": "syt_mx_secret", "FW_PD_KEY": "pd-secret-key",
    ]

    private func run(_ arguments: [String]) throws -> FeedwatchProcess.Result {
        var environment = secrets
        environment["FEEDWATCH_LOG"] = "stderr"
        return try FeedwatchProcess.run(arguments + ["-c", configPath], environment: environment)
    }

    func testOnceDeliversTheAlertToEveryTypeOfDestination() throws {
        let server = try services { .init(status: 200, text: #"{"ok":true,"result":{"message_id":1}}"#) }
        defer { server.stop() }
        try configure(server)
        XCTAssertTrue(try run(["check"]).stdout.hasPrefix("OK: 1 feeds, 1 rules, 2 webhooks, 3 other destinations"))
        let once = try run(["once"])
        XCTAssertEqual(once.status, 0, once.stdout + once.stderr)
        XCTAssertEqual(
            Set(server.requests.map(\.pathWithoutQuery)),
            [
                "/telegram/bot111:tg-secret/sendMessage", "/pagerduty/v2/enqueue", "/teams", "/chat",
                server.requests.first { $0.path.hasPrefix("/matrix/") }?.pathWithoutQuery ?? "matrix missing",
            ])
        XCTAssertEqual(try run(["outbox"]).stdout, "outbox empty: no pending or dead-lettered deliveries\n")
        for output in [once.stdout, once.stderr] {
            for secret in secrets.values { XCTAssertFalse(output.contains(secret), output) }
        }
        let test = try run(["test", "oncall"])
        XCTAssertEqual(test.stdout, "oncall: HTTP 202 (delivered)\n")
        XCTAssertEqual(test.status, 0)
    }

    func testAThrottledTelegramWaitsAndABlockedBotIsADeadLetterWithTheAPIsWords() throws {
        let blocked = Flag()
        let server = try services {
            blocked.isSet
                ? .init(
                    status: 403,
                    text: #"{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"#)
                : .init(
                    status: 429,
                    text:
                        #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 30","parameters":{"retry_after":30}}"#
                )
        }
        defer { server.stop() }
        try configure(server)
        let once = try run(["once"])
        XCTAssertEqual(once.status, 2, "the telegram alert is still queued")
        let pending = try run(["outbox"]).stdout.split(separator: "\n").first { $0.contains(" tg ") }
        XCTAssertTrue(
            pending?.contains("pending") == true && pending?.contains("HTTP 429: Too Many Requests") == true,
            "\(pending ?? "")")

        blocked.set()
        let result = try run(["test", "tg"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "tg: HTTP 403: Forbidden: bot was blocked by the user (permanent failure)\n")
    }
}
