import FeedwatchConfig
import TestSupport
import XCTest

/// The `check`, `import-opml` and `webhook test` commands, and how every command loads the
/// configuration, run as the real executable.
final class CommandLineTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func write(_ yaml: String) throws -> String {
        let path = directory.appendingPathComponent("feedwatch.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testCheckPrintsASummaryForAValidFile() throws {
        let path = try write(
            "feeds: [{url: 'https://a.example/f'}, {url: 'https://b.example/f'}]\nrules: [{name: r, any: [x]}]\n")
        let result = try FeedwatchProcess.run(["check", "-c", path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "OK: 2 feeds, 1 rules, 0 webhooks\n")
    }

    func testCheckReadsFeedwatchConfigWhenNoPathIsGiven() throws {
        let path = try write("feeds: []\nrules: [{name: r, any: [x]}]\n")
        let result = try FeedwatchProcess.run(["check"], environment: ["FEEDWATCH_CONFIG": path])
        XCTAssertEqual(result.stdout, "OK: 0 feeds, 1 rules, 0 webhooks\n")
    }

    func testCheckPrintsWarningsOnStderrAndStillSucceeds() throws {
        let path = try write("feeds: []\nrules: [{name: r, any: [x]}]\n")
        let result = try FeedwatchProcess.run(["check", "-c", path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "OK: 0 feeds, 1 rules, 0 webhooks\n")
        XCTAssertEqual(result.stderr, "\(path):1:1: feeds: no feeds: the daemon will watch nothing\n")
    }

    func testInvalidConfigurationExitsSeventyEightWithEveryErrorOnStderr() throws {
        let path = try write(
            "feeds:\n  - url: https://a.example/f\n    interval: 1s\nrules: [{name: r, any: [x], notify: [nope]}]\n")
        let result = try FeedwatchProcess.run(["check", "-c", path])
        XCTAssertEqual(result.status, 78)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(
            result.stderr,
            """
            \(path):3:15: feeds[0].interval: 1s is too short (the minimum is 30s)
            \(path):4:38: rules[0].notify[0]: no destination named "nope"; targets are journal and the names under webhooks: and destinations:

            """)
        let missing = try FeedwatchProcess.run(["check", "-c", directory.appendingPathComponent("none.yaml").path])
        XCTAssertEqual(missing.status, 78)
        XCTAssertTrue(missing.stderr.contains("none.yaml:1:1: cannot read the configuration file: no such file"))
    }

    func testSecretsNeverAppearInAnyOutput() throws {
        let secret = "whsec_c2VjcmV0LXZhbHVlLW5ldmVyLXByaW50ZWQ="
        let token = "tok-9f8e7d6c5b4a"
        // A secret used in well-formed and ill-formed places: the output names the key, never the value.
        let path = try write(
            """
            feeds:
              - url: https://a.example/f
                headers: {Authorization: "Bearer ${TOKEN}", X-Bad: "${TOKEN}\\nInjected: 1"}
            rules: [{name: r, any: [x]}]
            webhooks:
              - {name: ops, url: "${HOOK_URL}", secret: "${OPS_SECRET}"}
              - {name: ops2, url: "https://h.example/${TOKEN}", secret: "${OPS_SECRET}", timeout: "${TOKEN}"}
            """)
        let env = ["OPS_SECRET": secret, "TOKEN": token, "HOOK_URL": "https://user:\(token)@hooks example"]
        let result = try FeedwatchProcess.run(["check", "-c", path], environment: env)
        XCTAssertEqual(result.status, 78)
        let output = result.stdout + result.stderr
        XCTAssertTrue(output.contains("webhooks[0].url: not an http:// or https:// URL"), output)
        XCTAssertTrue(output.contains("feeds[0].headers.X-Bad: a header value cannot contain a line break"), output)
        XCTAssertTrue(output.contains("webhooks[1].timeout: \"${TOKEN}\" is not a duration"), output)
        XCTAssertFalse(output.contains(secret))
        XCTAssertFalse(output.contains(token))
    }

    func testCheckPrintsFeedsFromTheListenerAndTheDatabaseWithoutSecrets() throws {
        let token = "fw-http-7d1c0e9a"
        let password = "fw-db-3b8f5a21"
        try "https://b.example/f b\nhttps://c.example/f c tag:x\n".write(
            toFile: directory.appendingPathComponent("more.txt").path, atomically: true, encoding: .utf8)
        let path = try write(
            """
            feeds: [{url: 'https://a.example/f'}]
            feeds_from: more.txt
            rules: [{name: r, any: [x], feeds: ["tag:x"]}]
            http: {listen: "0.0.0.0:9797", token: "${FW_TEST_HTTP_TOKEN}"}
            database: "postgres://fw:${FW_TEST_DB_PASSWORD}@db.example.org/feedwatch?sslmode=require"
            """)
        let result = try FeedwatchProcess.run(
            ["check", "-c", path], environment: ["FW_TEST_HTTP_TOKEN": token, "FW_TEST_DB_PASSWORD": password])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(
            result.stdout,
            """
            OK: 3 feeds, 1 rules, 0 webhooks
            feeds_from: 2 feeds from \(directory.appendingPathComponent("more.txt").path) (list)
            http: listening on 0.0.0.0:9797, token required
            database: PostgreSQL at db.example.org:5432/feedwatch

            """)
        let loopback = try FeedwatchProcess.run(
            ["check", "-c", try write("feeds: []\nrules: [{name: r, any: [x]}]\nhttp: {listen: 9797}\n")])
        XCTAssertEqual(
            loopback.stdout,
            "OK: 0 feeds, 1 rules, 0 webhooks\nhttp: listening on 127.0.0.1:9797, no token (loopback)\n")
        XCTAssertFalse((result.stdout + result.stderr).contains(token))
        XCTAssertFalse((result.stdout + result.stderr).contains(password))
    }

    func testAnOpenListenerAndErrorsInFeedsFromFailTheCheckTogether() throws {
        let password = "fw-db-9e2d4c60"
        try "https://b.example/f b\nhtp://x c\n".write(
            toFile: directory.appendingPathComponent("more.txt").path, atomically: true, encoding: .utf8)
        let path = try write(
            """
            feeds_from: more.txt
            rules: [{name: r, any: [x]}]
            http: {listen: "0.0.0.0:9797"}
            database: "postgres://fw:${FW_TEST_DB_PASSWORD}@db.example.org"
            """)
        let result = try FeedwatchProcess.run(
            ["check", "-c", path], environment: ["FW_TEST_DB_PASSWORD": password])
        XCTAssertEqual(result.status, 78)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(
            result.stderr,
            """
            \(path):3:16: http.listen: "0.0.0.0:9797" is reachable from other machines: set http.token too (requests then need Authorization: Bearer TOKEN), or listen on a loopback address (127.0.0.1, ::1, localhost)
            \(path):4:11: database: the database name is missing: end the URI with /NAME, as in postgres://feedwatch@db.example.org/feedwatch
            \(directory.appendingPathComponent("more.txt").path):2:1: "htp://x" is not a feed URL (http://, https:// or file:PATH)

            """)
    }

    /// SPEC §1: commands that only read the state never need a secret.
    func testReadOnlyCommandsWorkWithoutTheWebhookSecretsAndOthersRefuse() throws {
        XCTAssertNil(ProcessInfo.processInfo.environment["FW_TEST_UNSET"], "the test needs FW_TEST_UNSET unset")
        try FeedwatchTestFeed.write(to: directory.appendingPathComponent("feed.xml"))
        let path = try write(
            """
            state_dir: \(directory.appendingPathComponent("state").path)
            feeds: [{url: "file:feed.xml", name: local, alert_on_first_poll: true}]
            rules: [{name: outages, any: [panne], notify: [ops]}]
            webhooks:
              - name: ops
                url: "https://hooks.example.org/${FW_TEST_UNSET}"
                secret: "${FW_TEST_UNSET}"
                headers: {Authorization: "Bearer ${FW_TEST_UNSET}"}
            """)
        for command in [["state"], ["outbox"], ["once", "--dry-run"]] {
            let result = try FeedwatchProcess.run(command + ["-c", path])
            XCTAssertEqual(result.status, 0, "\(command): \(result.stderr)")
            XCTAssertFalse(result.stderr.contains("FW_TEST_UNSET"), "\(command): \(result.stderr)")
        }
        let dryRun = try FeedwatchProcess.run(["once", "--dry-run", "-c", path])
        XCTAssertTrue(dryRun.stdout.contains("\"outages\""), "the dry run still matches: \(dryRun.stdout)")
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: directory.appendingPathComponent("state/feedwatch.sqlite").path))

        for command in [["check"], ["once"], ["webhook", "test", "ops"]] {
            let result = try FeedwatchProcess.run(command + ["-c", path])
            XCTAssertEqual(result.status, 78, "\(command): \(result.stdout)")
            XCTAssertTrue(
                result.stderr.hasPrefix(
                    "\(path):6:10: webhooks[0].url: variable FW_TEST_UNSET is not set (neither in the environment"),
                "\(command): \(result.stderr)")
        }

        // An unset variable outside webhooks: stops every command, the read-only ones too.
        let feedHeader = try write(
            """
            state_dir: \(directory.appendingPathComponent("state").path)
            feeds: [{url: "file:feed.xml", headers: {Authorization: "Bearer ${FW_TEST_UNSET}"}}]
            rules: [{name: outages, any: [panne]}]
            """)
        for command in [["state"], ["outbox"], ["once", "--dry-run"]] {
            let result = try FeedwatchProcess.run(command + ["-c", feedHeader])
            XCTAssertEqual(result.status, 78, "\(command): \(result.stdout)")
            XCTAssertTrue(result.stderr.contains("feeds[0].headers.Authorization: variable FW_TEST_UNSET is not set"))
        }
    }

    func testReadOnlyCommandsNeverPrintTheSecretWhenItIsSet() throws {
        let secret = "fw-secret-7c1e4b29d0"
        try FeedwatchTestFeed.write(to: directory.appendingPathComponent("feed.xml"))
        let path = try write(
            """
            state_dir: \(directory.appendingPathComponent("state").path)
            feeds: [{url: "file:feed.xml", name: local, alert_on_first_poll: true}]
            rules: [{name: outages, any: [panne], notify: [ops]}]
            webhooks:
              - {name: ops, url: "https://hooks.example.org/${FW_TEST_SECRET}", secret: "${FW_TEST_SECRET}"}
            """)
        for command in [["state"], ["outbox"], ["once", "--dry-run"], ["check"]] {
            let result = try FeedwatchProcess.run(command + ["-c", path], environment: ["FW_TEST_SECRET": secret])
            XCTAssertEqual(result.status, 0, "\(command): \(result.stderr)")
            XCTAssertFalse((result.stdout + result.stderr).contains(secret), "\(command)")
        }
    }

    func testWebhookTestOfAnUnknownNameFailsWithOneLineOnStderr() throws {
        let path = try write(
            """
            feeds: [{url: "https://a.example/f"}]
            rules: [{name: r, any: [x]}]
            webhooks: [{name: ops, url: "https://hooks.example.org/x"}, {name: team, url: "https://hooks.example.org/y"}]
            """)
        let result = try FeedwatchProcess.run(["webhook", "test", "nosuch", "-c", path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(
            result.stderr, "feedwatch: no destination named \"nosuch\" in \(path) (destinations: journal, ops, team)\n")
    }

    func testShippedConfigurationChecksOK() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let result = try FeedwatchProcess.run([
            "check", "-c", root.appendingPathComponent("config/feedwatch.yaml").path,
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("OK: "), result.stdout)
    }

    func testImportOPMLPrintsFeedsWithFoldersAsTags() throws {
        let opml = try XCTUnwrap(Bundle.module.path(forResource: "Fixtures/subscriptions-nested", ofType: "opml"))
        let result = try FeedwatchProcess.run(["import-opml", opml])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(
            result.stderr, "skipped duplicate https://www.lemonde.fr/rss/une.xml (already listed as \"Le Monde\")\n")
        XCTAssertEqual(
            result.stdout,
            """
            feeds:
              - url: "https://www.lemonde.fr/rss/une.xml"
                name: "Le Monde"
                tags: ["news", "france"]
              - url: "https://www.francetvinfo.fr/titres.rss"
                name: "franceinfo"
                tags: ["news", "france"]
              - url: "https://feeds.bbci.co.uk/news/technology/rss.xml"
                name: "BBC Technology"
                tags: ["news"]
              - url: "https://www.lemonde.fr/pixels/rss_full.xml"
                name: "Le Monde (2)"
                tags: ["tech-blogs"]
              - url: "https://example.org/feed?a=1&b=2"
                name: "Top \\"level\\" feed"

            """)
        // What it prints is a valid feeds: section.
        let path = try write(
            result.stdout + "rules: [{name: r, any: [x], feeds: [\"tag:france\", \"Le Monde (2)\"]}]\n")
        let config = try ConfigLoader.load(path: path, environment: [:])
        XCTAssertEqual(config.feeds.count, 5)
        XCTAssertEqual(config.feeds[3].tags, ["tech-blogs"])
    }

    func testImportOPMLNamesEachSkippedDuplicateOnStderr() throws {
        let path = directory.appendingPathComponent("dups.opml").path
        try """
        <?xml version="1.0"?>
        <opml version="2.0"><body>
          <outline text="News" xmlUrl="https://a.example/feed"/>
          <outline text="Tech">
            <outline text="News" xmlUrl="https://b.example/feed"/>
            <outline text="News again" xmlUrl="https://b.example/feed"/>
          </outline>
          <outline text="Other" xmlUrl="https://a.example/feed"/>
        </body></opml>
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try FeedwatchProcess.run(["import-opml", path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(
            result.stdout,
            """
            feeds:
              - url: "https://a.example/feed"
                name: "News"
              - url: "https://b.example/feed"
                name: "News (2)"
                tags: ["tech"]

            """)
        XCTAssertEqual(
            result.stderr,
            """
            skipped duplicate https://b.example/feed (already listed as "News (2)")
            skipped duplicate https://a.example/feed (already listed as "News")

            """)
    }

    func testImportOPMLRejectsAFileThatIsNotOPML() throws {
        let path = directory.appendingPathComponent("x.opml").path
        try "<html><body>not opml</body></html>".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try FeedwatchProcess.run(["import-opml", path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "feedwatch: \(path): not an OPML file (no <opml> root)\n")
    }
}

/// A small RSS document with one item about an outage, for commands that poll a `file:` feed.
enum FeedwatchTestFeed {
    static func write(to url: URL) throws {
        try """
        <?xml version="1.0" encoding="UTF-8"?>
        <rss version="2.0"><channel><title>Local</title><link>https://news.example.org/</link>
        <item><guid>a</guid><title>Panne géante chez Telegram</title><link>https://news.example.org/a</link></item>
        </channel></rss>
        """.write(to: url, atomically: true, encoding: .utf8)
    }
}
