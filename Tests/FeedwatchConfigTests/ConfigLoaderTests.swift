import FeedwatchConfig
import XCTest

final class ConfigLoaderTests: XCTestCase {
    private func load(_ yaml: String, env: [String: String] = [:], path: String = "/etc/feedwatch/feedwatch.yaml")
        throws -> Config
    {
        try ConfigLoader.parse(yaml, path: path, environment: env)
    }

    /// The error lines for `yaml`, or a failure if it loads.
    private func errors(_ yaml: String, env: [String: String] = [:]) -> [String] {
        do {
            _ = try ConfigLoader.parse(yaml, path: "feedwatch.yaml", environment: env)
            XCTFail("expected the configuration to be rejected")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    func testValidFileLoadsTypedValuesDefaultsAndPerFeedOverrides() throws {
        let config = try load(
            """
            state_dir: /srv/feedwatch
            defaults:
              interval: 5m
              timeout: 20s
              max_size: 2MiB
              alert_on_first_poll: true
            concurrency: 16
            per_host: 2
            feeds:
              - url: https://www.lemonde.fr/rss/une.xml
                tags: [fr, news]
              - url: http://example.org/feed
                name: example
                interval: 1h30m
                max_size: 500KB
                user_agent: "custom/1.0"
                alert_on_first_poll: false
                headers: {Authorization: "Bearer abc"}
            rules:
              - name: outages
                any: [panne*, Telegram]
                none: publicité
                in: [title, link]
                feeds: [example, "tag:fr"]
                notify: [journal, ops]
            webhooks:
              - name: ops
                url: https://hooks.example.org/x
                format: ntfy
                secret: whsec_abc
                timeout: 5s
                retry_for: 2h
            """)
        XCTAssertEqual(config.stateDirectory, "/srv/feedwatch")
        XCTAssertEqual(config.concurrency, 16)
        XCTAssertEqual(config.perHost, 2)
        XCTAssertEqual(config.feeds.count, 2)
        let lemonde = config.feeds[0]
        XCTAssertEqual(lemonde.name, "lemonde.fr/rss/une.xml", "the default name comes from the URL")
        XCTAssertEqual(lemonde.source, .remote("https://www.lemonde.fr/rss/une.xml"))
        XCTAssertEqual(lemonde.tags, ["fr", "news"])
        XCTAssertEqual(lemonde.settings.interval, 300)
        XCTAssertEqual(lemonde.settings.timeout, 20)
        XCTAssertEqual(lemonde.settings.maxSize, 2 * 1024 * 1024)
        XCTAssertTrue(lemonde.settings.alertOnFirstPoll)
        XCTAssertEqual(lemonde.settings.userAgent, FeedSettings.defaultUserAgent)
        let example = config.feeds[1]
        XCTAssertEqual(example.settings.interval, 5400)
        XCTAssertEqual(example.settings.timeout, 20, "not overridden: the default applies")
        XCTAssertEqual(example.settings.maxSize, 500_000)
        XCTAssertEqual(example.settings.userAgent, "custom/1.0")
        XCTAssertFalse(example.settings.alertOnFirstPoll)
        XCTAssertEqual(example.headers, ["Authorization": "Bearer abc"])
        let rule = config.rules[0]
        XCTAssertEqual(rule.any, ["panne*", "Telegram"])
        XCTAssertEqual(rule.none, ["publicité"], "a single keyword is a list of one")
        XCTAssertEqual(rule.fields, ["title", "link"])
        XCTAssertEqual(rule.feeds, ["example", "tag:fr"])
        XCTAssertEqual(rule.notify, ["journal", "ops"])
        let hook = config.webhooks[0]
        XCTAssertEqual(hook.format, .ntfy)
        XCTAssertEqual(hook.secret, "whsec_abc")
        XCTAssertEqual(hook.timeout, 5)
        XCTAssertEqual(hook.retryFor, 7200)
    }

    func testOmittedKeysTakeTheSpecDefaults() throws {
        let config = try load(
            """
            feeds:
              - url: https://example.org/feed
            rules:
              - name: r
                any: [x]
            webhooks:
              - name: w
                url: https://hooks.example.org/
            """, env: ["STATE_DIRECTORY": "/var/lib/feedwatch-x"])
        XCTAssertEqual(config.stateDirectory, "/var/lib/feedwatch-x", "$STATE_DIRECTORY from systemd is the default")
        XCTAssertEqual(config.concurrency, 64)
        XCTAssertEqual(config.perHost, 4)
        XCTAssertEqual(config.feeds[0].settings, FeedSettings())
        XCTAssertEqual(config.feeds[0].settings.interval, 600)
        XCTAssertEqual(config.feeds[0].settings.maxSize, 10 * 1024 * 1024)
        XCTAssertEqual(config.rules[0].fields, ["title", "summary", "content", "categories"])
        XCTAssertEqual(config.rules[0].notify, ["journal"])
        XCTAssertEqual(config.rules[0].feeds, [])
        XCTAssertEqual(config.webhooks[0].format, .json)
        XCTAssertEqual(config.webhooks[0].timeout, 10)
        XCTAssertEqual(config.webhooks[0].retryFor, 86400)
        XCTAssertNil(config.webhooks[0].secret)
        let withoutEnv = try load("feeds: []\nrules:\n  - {name: r, all: [x]}\n")
        XCTAssertEqual(withoutEnv.stateDirectory, "/var/lib/feedwatch")
    }

    func testFileFeedIsResolvedAgainstTheConfigurationFolder() throws {
        let config = try load(
            """
            feeds:
              - url: file:sample-feed.xml
              - url: file:../shared/other.xml
              - url: file:/abs/feed.xml
              - url: file:///abs/three.xml
            rules: [{name: r, any: [x]}]
            """, path: "/etc/feedwatch/feedwatch.yaml")
        XCTAssertEqual(
            config.feeds.map(\.source),
            [
                .file("/etc/feedwatch/sample-feed.xml"), .file("/etc/shared/other.xml"), .file("/abs/feed.xml"),
                .file("/abs/three.xml"),
            ])
        XCTAssertEqual(config.feeds[0].name, "sample-feed.xml")
        XCTAssertEqual(config.feeds[0].source.url, "file:///etc/feedwatch/sample-feed.xml")
    }

    func testVariablesComeFromCredentialsDirectoryBeforeTheEnvironment() throws {
        let credentials = try makeTemporaryDirectoryForTest()
        defer { try? FileManager.default.removeItem(at: credentials) }
        try "from-credential\n".write(
            to: credentials.appendingPathComponent("OPS_SECRET"), atomically: true, encoding: .utf8)
        let yaml = """
            feeds:
              - url: https://example.org/feed
                headers: {Authorization: "Bearer ${TOKEN}"}
            rules: [{name: r, any: [x], notify: [ops]}]
            webhooks:
              - {name: ops, url: "https://${HOOK_HOST}/x", secret: "${OPS_SECRET}"}
            """
        let env = [
            "TOKEN": "t0k", "HOOK_HOST": "hooks.example.org", "OPS_SECRET": "from-env",
            "CREDENTIALS_DIRECTORY": credentials.path,
        ]
        let config = try load(yaml, env: env)
        XCTAssertEqual(config.feeds[0].headers["Authorization"], "Bearer t0k")
        XCTAssertEqual(config.webhooks[0].url, "https://hooks.example.org/x")
        XCTAssertEqual(
            config.webhooks[0].secret, "from-credential", "the credential file wins, its final newline dropped")
        var envOnly = env
        envOnly.removeValue(forKey: "CREDENTIALS_DIRECTORY")
        XCTAssertEqual(try load(yaml, env: envOnly).webhooks[0].secret, "from-env")
    }

    func testEveryErrorIsReportedAtOnceWithFileLineColumnAndKeyPath() {
        let yaml = """
            defaults:
              intervall: 10m
              timeout: 5 minutes
            concurrency: lots
            feeds:
              - url: ftp://x.org/feed
                name: a
              - url: https://example.org/feed
                name: b
                interval: 10s
                headers: {Authorization: "Bearer ${NOPE_TOKEN}"}
                max_size: 10 parsecs
              - url: https://example.org/other
                name: b
            rules:
              - name: r
                any: [x]
                feeds: [c, "tag:zz"]
                notify: [journal, opps]
                in: [titel]
              - name: r
                none: [y]
            webhooks:
              - name: ops
                url: https://hooks.example.org/x
                format: xml
              - name: ops
                url: not a url
                alert_on_first_poll: true
            """
        XCTAssertEqual(
            errors(yaml),
            [
                "feedwatch.yaml:2:3: defaults.intervall: unknown key (did you mean interval?)",
                "feedwatch.yaml:3:12: defaults.timeout: \"5 minutes\" is not a duration (examples: 30s, 5m, 2h)",
                "feedwatch.yaml:4:14: concurrency: \"lots\" is not a whole number",
                "feedwatch.yaml:6:10: feeds[0].url: \"ftp://x.org/feed\" is not a feed URL (http://, https:// or file:PATH)",
                "feedwatch.yaml:10:15: feeds[1].interval: 10s is too short (the minimum is 30s)",
                "feedwatch.yaml:11:30: feeds[1].headers.Authorization: variable NOPE_TOKEN is not set (neither in the environment nor as a credential in $CREDENTIALS_DIRECTORY)",
                "feedwatch.yaml:12:15: feeds[1].max_size: \"10 parsecs\" is not a size (examples: 512KiB, 10MiB, 5MB)",
                "feedwatch.yaml:14:11: feeds[2].name: duplicate feed name \"b\" (first at line 8)",
                "feedwatch.yaml:18:13: rules[0].feeds[0]: no feed named \"c\"",
                "feedwatch.yaml:18:16: rules[0].feeds[1]: no feed has the tag \"zz\"",
                "feedwatch.yaml:19:23: rules[0].notify[1]: no destination named \"opps\" (did you mean ops?); targets are journal and the names under webhooks: and destinations:",
                "feedwatch.yaml:20:10: rules[0].in[0]: \"titel\" is not a field (did you mean title?); fields are title, summary, content, categories, author, link",
                "feedwatch.yaml:21:5: rules[1]: a rule needs keywords in any: or all:",
                "feedwatch.yaml:21:11: rules[1].name: duplicate rule name \"r\" (first at line 16)",
                "feedwatch.yaml:26:13: webhooks[0].format: \"xml\" is not a format (json, slack, discord, ntfy, mattermost, teams, googlechat)",
                "feedwatch.yaml:27:11: webhooks[1].name: duplicate destination name \"ops\" (first at line 24)",
                "feedwatch.yaml:28:10: webhooks[1].url: not an http:// or https:// URL",
                "feedwatch.yaml:29:5: webhooks[1].alert_on_first_poll: unknown key (known keys: name, url, format, secret, headers, timeout, retry_for, template, group_wait, digest, quiet, rate)",
            ])
    }

    func testWrongTypesNameWhatWasExpected() {
        XCTAssertEqual(
            errors(
                """
                feeds:
                  url: https://example.org/feed
                rules:
                  - name: r
                    any: {a: b}
                    in: title
                per_host: [1]
                """),
            [
                "feedwatch.yaml:2:3: feeds: expected a list (items starting with -), found a mapping",
                "feedwatch.yaml:4:5: rules[0]: a rule needs keywords in any: or all:",
                "feedwatch.yaml:5:10: rules[0].any: expected a list, found a mapping",
                "feedwatch.yaml:7:11: per_host: expected a whole number, found a list",
            ])
    }

    func testMissingSectionsAndEmptyFileAreErrors() {
        XCTAssertEqual(
            errors("concurrency: 4\n"),
            [
                "feedwatch.yaml:1:1: feeds: missing: list the feeds to watch",
                "feedwatch.yaml:1:1: rules: missing: at least one rule is needed to raise alerts",
            ])
        XCTAssertEqual(
            errors("# nothing\n"),
            [
                "feedwatch.yaml:1:1: the file is empty: it needs at least feeds: and rules:"
            ])
    }

    func testYAMLSyntaxErrorNamesItsPlace() {
        let lines = errors("feeds:\n  - url: https://example.org/feed\n    name: [unclosed\nrules: []\n")
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(lines[0].hasPrefix("feedwatch.yaml:4:"), lines[0])
        XCTAssertTrue(lines[0].contains("invalid YAML"), lines[0])
    }

    func testMissingAndUnreadableFilesAreConfigErrors() {
        XCTAssertThrowsError(try ConfigLoader.load(path: "/nonexistent/feedwatch.yaml")) { error in
            XCTAssertEqual(
                (error as? ConfigError)?.description,
                "/nonexistent/feedwatch.yaml:1:1: cannot read the configuration file: no such file")
        }
        XCTAssertThrowsError(try ConfigLoader.load(path: "/tmp")) { error in
            XCTAssertEqual(
                (error as? ConfigError)?.description,
                "/tmp:1:1: cannot read the configuration file: it is a directory")
        }
    }

    func testAnIntervalOfExactlyThirtySecondsIsAccepted() throws {
        let config = try load(
            "defaults: {interval: 30s}\nfeeds: [{url: 'https://a.example/f'}]\nrules: [{name: r, any: [x]}]\n")
        XCTAssertEqual(config.feeds[0].settings.interval, 30)
        XCTAssertEqual(
            errors("defaults: {interval: 29s}\nfeeds: []\nrules: [{name: r, any: [x]}]\n"),
            ["feedwatch.yaml:1:22: defaults.interval: 29s is too short (the minimum is 30s)"])
    }

    func testEveryMinimumIsNamedInTheSyntaxOfItsValue() {
        XCTAssertEqual(
            errors(
                """
                defaults: {interval: 29s, timeout: 0s, max_size: 0}
                concurrency: 0
                per_host: 0
                feeds:
                  - {url: "https://a.example/f", interval: 500ms, timeout: 500ms}
                rules: [{name: r, any: [x]}]
                webhooks:
                  - {name: ops, url: "https://h.example/", timeout: 0s, retry_for: 0.5s}
                """),
            [
                "feedwatch.yaml:1:22: defaults.interval: 29s is too short (the minimum is 30s)",
                "feedwatch.yaml:1:36: defaults.timeout: 0s is too short (the minimum is 1s)",
                "feedwatch.yaml:1:50: defaults.max_size: 0 is too small (the minimum is 1B)",
                "feedwatch.yaml:2:14: concurrency: 0 is too small (the minimum is 1)",
                "feedwatch.yaml:3:11: per_host: 0 is too small (the minimum is 1)",
                "feedwatch.yaml:5:44: feeds[0].interval: 500ms is too short (the minimum is 30s)",
                "feedwatch.yaml:5:60: feeds[0].timeout: 500ms is too short (the minimum is 1s)",
                "feedwatch.yaml:8:53: webhooks[0].timeout: 0s is too short (the minimum is 1s)",
                "feedwatch.yaml:8:68: webhooks[0].retry_for: 0.5s is too short (the minimum is 1s)",
            ])
        // Each minimum itself is accepted.
        XCTAssertNoThrow(
            try load(
                """
                defaults: {interval: 30s, timeout: 1s, max_size: 1B}
                concurrency: 1
                per_host: 1
                feeds: [{url: "https://a.example/f"}]
                rules: [{name: r, any: [x]}]
                webhooks: [{name: ops, url: "https://h.example/", timeout: 1s, retry_for: 1s}]
                """))
    }

    func testAnInvalidFeedURLIsTheOnlyErrorItCauses() {
        XCTAssertEqual(
            errors(
                """
                feeds:
                  - url: https://a.example/f
                  - url: ftp://x.org/feed
                  - url: "not a feed"
                  - url: https://b.example/${NOPE}
                rules: [{name: r, any: [x], feeds: [x.org/feed]}]
                """),
            [
                "feedwatch.yaml:3:10: feeds[1].url: \"ftp://x.org/feed\" is not a feed URL (http://, https:// or file:PATH)",
                "feedwatch.yaml:4:10: feeds[2].url: \"not a feed\" is not a feed URL (http://, https:// or file:PATH)",
                "feedwatch.yaml:5:10: feeds[3].url: variable NOPE is not set (neither in the environment nor as a credential in $CREDENTIALS_DIRECTORY)",
            ])
        // A name given beside a bad URL is still a name: its own checks still apply.
        XCTAssertEqual(
            errors(
                """
                feeds:
                  - {url: "https://a.example/f", name: a}
                  - {url: "ftp://x.org/feed", name: a}
                  - {url: "ftp://y.org/feed", name: ""}
                rules: [{name: r, any: [x], feeds: [b]}]
                """),
            [
                "feedwatch.yaml:3:11: feeds[1].url: \"ftp://x.org/feed\" is not a feed URL (http://, https:// or file:PATH)",
                "feedwatch.yaml:3:37: feeds[1].name: duplicate feed name \"a\" (first at line 2)",
                "feedwatch.yaml:4:11: feeds[2].url: \"ftp://y.org/feed\" is not a feed URL (http://, https:// or file:PATH)",
                "feedwatch.yaml:4:37: feeds[2].name: must not be empty",
                "feedwatch.yaml:5:37: rules[0].feeds[0]: no feed named \"b\"",
            ])
    }

    func testNoFeedsIsAWarningNotAnError() throws {
        let empty = try load("rules: [{name: r, any: [x]}]\nfeeds: []\n", path: "feedwatch.yaml")
        XCTAssertEqual(empty.feeds, [])
        XCTAssertEqual(
            empty.warnings.map(\.description), ["feedwatch.yaml:2:1: feeds: no feeds: the daemon will watch nothing"])
        let nothing = try load("feeds:\nrules: [{name: r, any: [x]}]\n", path: "feedwatch.yaml")
        XCTAssertEqual(
            nothing.warnings.map(\.description), ["feedwatch.yaml:1:1: feeds: no feeds: the daemon will watch nothing"])
        XCTAssertEqual(try load("feeds: [{url: 'https://a.example/f'}]\nrules: [{name: r, any: [x]}]\n").warnings, [])
        XCTAssertEqual(
            errors("rules: [{name: r, any: [x]}]\n"), ["feedwatch.yaml:1:1: feeds: missing: list the feeds to watch"],
            "no feeds: key at all is still an error")
    }

    func testUnsetVariablesUnderWebhooksStopTheLoadUnlessAllowed() throws {
        let yaml = """
            feeds: [{url: "https://a.example/f"}]
            rules: [{name: r, any: [x], notify: [ops]}]
            webhooks:
              - name: ops
                url: "https://hooks.example.org/${HOOK_TOKEN}"
                secret: "${OPS_SECRET}"
                headers: {Authorization: "Bearer ${OPS_TOKEN}", X-Team: infra}
            """
        XCTAssertEqual(
            errors(yaml),
            [
                "feedwatch.yaml:5:10: webhooks[0].url: variable HOOK_TOKEN is not set (neither in the environment nor as a credential in $CREDENTIALS_DIRECTORY)",
                "feedwatch.yaml:6:13: webhooks[0].secret: variable OPS_SECRET is not set (neither in the environment nor as a credential in $CREDENTIALS_DIRECTORY)",
                "feedwatch.yaml:7:30: webhooks[0].headers.Authorization: variable OPS_TOKEN is not set (neither in the environment nor as a credential in $CREDENTIALS_DIRECTORY)",
            ])
        let config = try ConfigLoader.parse(
            yaml, path: "feedwatch.yaml", environment: [:], unsetDestinationSecrets: .allowed)
        let hook = try XCTUnwrap(config.webhook(named: "ops"))
        XCTAssertEqual(hook.unsetVariables, ["HOOK_TOKEN", "OPS_SECRET", "OPS_TOKEN"])
        XCTAssertEqual(hook.url, "", "a value using an unset variable is left out")
        XCTAssertNil(hook.secret)
        XCTAssertEqual(hook.headers, ["X-Team": "infra"])
        let complete = try ConfigLoader.parse(
            yaml, path: "feedwatch.yaml", environment: ["HOOK_TOKEN": "t", "OPS_SECRET": "s", "OPS_TOKEN": "o"],
            unsetDestinationSecrets: .allowed)
        XCTAssertEqual(complete.webhooks[0].unsetVariables, [])
        XCTAssertEqual(complete.webhooks[0].secret, "s")

        // Anywhere else an unset variable is an error whatever is allowed.
        XCTAssertThrowsError(
            try ConfigLoader.parse(
                """
                feeds: [{url: "https://a.example/f", headers: {Authorization: "Bearer ${FEED_TOKEN}"}}]
                rules: [{name: r, any: [x]}]
                """, path: "feedwatch.yaml", environment: [:], unsetDestinationSecrets: .allowed)
        ) { error in
            XCTAssertEqual(
                (error as? ConfigError)?.description,
                "feedwatch.yaml:1:63: feeds[0].headers.Authorization: variable FEED_TOKEN is not set (neither in the environment nor as a credential in $CREDENTIALS_DIRECTORY)"
            )
        }
    }

    func testShippedConfigurationIsValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let config = try ConfigLoader.load(
            path: root.appendingPathComponent("config/feedwatch.yaml").path, environment: [:])
        let sample = try XCTUnwrap(config.feeds.first { $0.name == "sample" })
        XCTAssertEqual(sample.source, .file(root.appendingPathComponent("config/sample-feed.xml").path))
        XCTAssertTrue(sample.settings.alertOnFirstPoll)
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: root.appendingPathComponent("config/sample-feed.xml").path))
        XCTAssertTrue(config.rules.contains { $0.any.contains("panne*") && $0.any.contains("Telegram") })
    }
}

func makeTemporaryDirectoryForTest() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("feedwatch-config-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
