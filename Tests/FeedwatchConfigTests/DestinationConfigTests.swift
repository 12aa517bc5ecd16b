import FeedwatchConfig
import XCTest

/// `destinations:` (SPEC §2, §5): every type with its keys and defaults, and one located error per
/// mistake, secrets never quoted.
final class DestinationConfigTests: XCTestCase {
    private let head = """
        feeds: [{url: "https://example.org/feed.xml", name: ex}]
        rules: [{name: r, any: [panne]}]

        """

    private func load(_ yaml: String, env: [String: String] = [:]) throws -> Config {
        try ConfigLoader.parse(yaml, path: "feedwatch.yaml", environment: env)
    }

    private func errors(_ yaml: String, env: [String: String] = [:]) -> [String] {
        do {
            _ = try ConfigLoader.parse(yaml, path: "feedwatch.yaml", environment: env)
            XCTFail("expected the configuration to be rejected")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    func testEveryTypeLoadsWithItsKeysAndDefaults() throws {
        let config = try load(
            """
            feeds: [{url: "https://example.org/feed.xml", name: ex}]
            rules: [{name: everywhere, any: [outage], notify: [journal, desk, tg, room, oncall, team, chat, ops]}]
            webhooks:
              - {name: ops, url: "https://hooks.example.org/x"}
            destinations:
              - {name: desk, type: email, smtp: "smtps://mail.example.org:465", username: fw,
                 password: "${SMTP_PASSWORD}", from: "feedwatch <fw@example.org>", to: [desk@example.org],
                 subject: "[{{rule}}] {{item.title}}"}
              - {name: tg, type: telegram, token: "${TELEGRAM_TOKEN}", chat: -1001234567890}
              - {name: room, type: matrix, homeserver: "https://matrix.example.org/", room: "!abc:example.org",
                 token: "${MATRIX_TOKEN}", timeout: 5s, retry_for: 1h}
              - {name: oncall, type: pagerduty, routing_key: "${PD_ROUTING_KEY}", severity: critical}
              - {name: team, type: webhook, format: teams, url: "https://example.webhook.office.com/wf"}
              - {name: chat, type: webhook, format: googlechat, url: "https://chat.googleapis.com/v1/spaces/x"}
            """,
            env: ["SMTP_PASSWORD": "pw", "TELEGRAM_TOKEN": "123:abc", "MATRIX_TOKEN": "syt_x", "PD_ROUTING_KEY": "k"])
        XCTAssertEqual(config.destinations.map(\.name), ["ops", "desk", "tg", "room", "oncall", "team", "chat"])
        XCTAssertEqual(config.webhooks.map(\.name), ["ops", "team", "chat"])
        XCTAssertEqual(config.webhooks.map(\.format), [.json, .teams, .googlechat])
        XCTAssertEqual(
            config.destinations[1].kind,
            .email(
                EmailConfig(
                    smtp: "smtps://mail.example.org:465", username: "fw", password: "pw",
                    from: "feedwatch <fw@example.org>", to: ["desk@example.org"],
                    subject: TemplateSource(text: "[{{rule}}] {{item.title}}", line: 8, column: 15))))
        XCTAssertEqual(
            config.destinations[2].kind,
            .telegram(TelegramConfig(token: "123:abc", chat: "-1001234567890", apiURL: "https://api.telegram.org")))
        XCTAssertEqual(
            config.destinations[3].kind,
            .matrix(MatrixConfig(homeserver: "https://matrix.example.org", room: "!abc:example.org", token: "syt_x")))
        XCTAssertEqual(config.destinations[3].timeout, 5)
        XCTAssertEqual(config.destinations[3].retryFor, 3600)
        XCTAssertEqual(config.destinations[2].timeout, 10, "default timeout")
        XCTAssertEqual(config.destinations[2].retryFor, 86400, "default retry_for")
        XCTAssertEqual(
            config.destinations[4].kind,
            .pagerduty(
                PagerDutyConfig(routingKey: "k", severity: "critical", apiURL: "https://events.pagerduty.com")))
    }

    func testEachMistakeIsOneLocatedError() {
        XCTAssertEqual(
            errors(
                head + """
                    destinations:
                      - {name: desk, type: emial, smtp: "smtp://x"}
                      - {name: tg, type: telegram, chat: 5}
                      - {name: room, type: matrix, homeserver: "matrix.example.org", room: "abc", token: t}
                      - {name: oncall, type: pagerduty, routing_key: k, severity: urgent, smtp: "x"}
                      - {name: team, type: email, smtp: "http://mail.example.org", from: "not an address",
                         to: [ok@example.org, "bad@", "x y@example.org"]}
                      - {type: webhook, url: "https://x.example.org"}
                      - {name: chat}
                    """),
            [
                "feedwatch.yaml:4:24: destinations[0].type: unknown type \"emial\" (did you mean email?); "
                    + "types are webhook, email, telegram, matrix, pagerduty",
                "feedwatch.yaml:5:5: destinations[1]: missing token:",
                "feedwatch.yaml:6:44: destinations[2].homeserver: \"matrix.example.org\" is not an http:// or https:// URL",
                "feedwatch.yaml:6:72: destinations[2].room: \"abc\" is not a room id (!abc:example.org) or alias (#room:example.org)",
                "feedwatch.yaml:7:63: destinations[3].severity: \"urgent\" is not a severity (critical, error, warning, info)",
                "feedwatch.yaml:7:71: destinations[3].smtp: unknown key (known keys: name, type, timeout, retry_for, group_wait, digest, quiet, rate, routing_key, severity, api_url)",
                "feedwatch.yaml:8:37: destinations[4].smtp: not an SMTP URL (smtps://host:465, smtp://host:587 with STARTTLS, or smtp+insecure://host)",
                "feedwatch.yaml:8:70: destinations[4].from: \"not an address\" is not an e-mail address",
                "feedwatch.yaml:9:27: destinations[4].to[1]: \"bad@\" is not an e-mail address",
                "feedwatch.yaml:9:35: destinations[4].to[2]: \"x y@example.org\" is not an e-mail address",
                "feedwatch.yaml:10:5: destinations[5]: missing name:",
                "feedwatch.yaml:11:5: destinations[6]: missing type: (webhook, email, telegram, matrix, pagerduty)",
            ])
    }

    func testEmailNeedsItsServerSenderAndRecipients() {
        XCTAssertEqual(
            errors(head + "destinations: [{name: desk, type: email}]"),
            [
                "feedwatch.yaml:3:16: destinations[0]: missing smtp:",
                "feedwatch.yaml:3:16: destinations[0]: missing from:",
                "feedwatch.yaml:3:16: destinations[0]: missing to:",
            ])
    }

    func testSecretsAndCredentialURLsAreNeverQuoted() {
        let lines = errors(
            head + """
                destinations:
                  - {name: desk, type: email, smtp: "smtpx://fw:hunter2@mail.example.org", from: a@example.org,
                     to: [b@example.org], password: "${NOT_SET_PASSWORD}"}
                  - {name: tg, type: telegram, token: "${NOT_SET_TOKEN}", chat: "@news", api_url: "ftp://secret-host"}
                """
        ).joined(separator: "\n")
        XCTAssertFalse(lines.contains("hunter2"), lines)
        XCTAssertTrue(lines.contains("destinations[0].smtp: not an SMTP URL"), lines)
        XCTAssertTrue(lines.contains("destinations[0].password: variable NOT_SET_PASSWORD is not set"), lines)
        XCTAssertTrue(lines.contains("destinations[1].token: variable NOT_SET_TOKEN is not set"), lines)
    }

    func testReadOnlyCommandsLoadWithoutTheDestinationsSecrets() throws {
        let yaml =
            head + """
                destinations:
                  - {name: tg, type: telegram, token: "${TELEGRAM_TOKEN}", chat: "-1"}
                  - {name: oncall, type: pagerduty, routing_key: "${PD_KEY}"}
                """
        XCTAssertEqual(errors(yaml).count, 2)
        let config = try ConfigLoader.parse(
            yaml, path: "feedwatch.yaml", environment: [:], unsetDestinationSecrets: .allowed)
        XCTAssertEqual(config.destinations.map(\.unsetVariables), [["TELEGRAM_TOKEN"], ["PD_KEY"]])
    }

    func testATokenFromACredentialFile() throws {
        let credentials = FileManager.default.temporaryDirectory.appendingPathComponent("creds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: credentials, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: credentials) }
        try "123:from-credential\n".write(
            to: credentials.appendingPathComponent("TELEGRAM_TOKEN"), atomically: true, encoding: .utf8)
        let config = try load(
            head + "destinations: [{name: tg, type: telegram, token: \"${TELEGRAM_TOKEN}\", chat: \"@news\"}]",
            env: ["CREDENTIALS_DIRECTORY": credentials.path, "TELEGRAM_TOKEN": "from-env"])
        guard case .telegram(let telegram) = config.destinations[0].kind else { return XCTFail("not telegram") }
        XCTAssertEqual(telegram.token, "123:from-credential")
    }

    func testATemplateWithAnUnknownVariableOrASyntaxErrorIsALocatedError() {
        let lines = errors(
            head + """
                destinations:
                  - {name: tg, type: telegram, token: t, chat: "1", template: "{{rule}}: {{item.titel}}"}
                  - name: room
                    type: matrix
                    homeserver: https://matrix.example.org
                    room: "!a:example.org"
                    token: t
                    template: |
                      {{#alerts}}
                      {{item.title}}
                  - {name: desk, type: email, smtp: "smtps://m.example.org", from: a@example.org, to: [b@example.org],
                     subject: '[{{rule}] {{item.title}}'}
                """)
        XCTAssertEqual(lines.count, 3, lines.joined(separator: "\n"))
        XCTAssertTrue(
            lines[0].hasPrefix(
                "feedwatch.yaml:4:74: destinations[0].template: unknown variable \"item.titel\" — did you mean \"item.title\"?"
            ),
            lines[0])
        XCTAssertTrue(
            lines[1].hasPrefix(
                "feedwatch.yaml:11:7: destinations[1].template: the section {{#alerts}} is never closed"), lines[1])
        XCTAssertEqual(
            lines[2],
            "feedwatch.yaml:14:17: destinations[2].subject: the tag \"{{rule}] {{item.title}}\" is never closed: end it with \"}}\""
        )
    }
}
