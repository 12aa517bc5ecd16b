import Foundation
import TestSupport
import XCTest

/// `feedwatch explain FILE|URL [--rule NAME] [--json]`, run as the real executable.
final class ExplainCommandTests: DaemonTestCase {
    private static let rules = """
        rules:
          - {name: outages, any: [panne, Facebook], none: [publicité]}
          - {name: growth, all: [Telegram, "/\\\\d+ millions/"]}
          - {name: lemonde-only, any: [panne], feeds: [lemonde]}
          - {name: french, any: [messagerie], feeds: ["tag:fr"]}
        """

    private var feedPath: String { directory.appendingPathComponent("feed.xml").path }

    /// The fixture as the file of the configured feed `local`, tagged `fr`, beside a feed `lemonde`.
    private func writeConfiguredFeed(extra: String = "") throws {
        try FileManager.default.copyItem(
            at: try fixture("explain-outage-growth-and-advert-items.xml"), to: URL(fileURLWithPath: feedPath))
        try writeConfig(
            """
            feeds:
              - {url: "file:feed.xml", name: local, tags: [fr]}
              - {url: "https://www.lemonde.fr/rss/une.xml", name: lemonde}
            \(Self.rules)
            \(extra)
            """)
    }

    private func fixture(_ name: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil), "fixture \(name)")
    }

    private func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    func testAFiringRuleIsShownWithEachKeywordItsFieldAndSnippet() throws {
        try writeConfiguredFeed()
        let result = try feedwatch(["explain", feedPath])
        XCTAssertEqual(result.status, 0, result.stderr)
        let output = lines(result.stdout)
        XCTAssertEqual(output.first, "\(feedPath): read as feed \"local\" (tags: fr)")
        XCTAssertTrue(
            output.contains("item 1: Panne géante chez Facebook ce matin — https://news.example.org/a"), result.stdout)
        XCTAssertTrue(
            output.contains(
                "  outages: FIRES — \"panne\", \"Facebook\" in title: «Panne géante chez Facebook ce matin»"),
            result.stdout)
        XCTAssertTrue(
            output.contains(
                "  growth: FIRES — \"Telegram\", \"/\\d+ millions/\" in title: "
                    + "«Telegram gagne 12 millions d’utilisateurs»"),
            result.stdout)
    }

    func testARuleThatDoesNotFireSaysWhichAllKeywordIsMissingAndWhichNoneVetoed() throws {
        try writeConfiguredFeed()
        let result = try feedwatch(["explain", feedPath])
        XCTAssertEqual(result.status, 0, result.stderr)
        let output = lines(result.stdout)
        XCTAssertTrue(
            output.contains(
                "  growth: does not fire — all: \"Telegram\" is missing (matched: \"/\\d+ millions/\" in summary)"),
            result.stdout)
        XCTAssertTrue(
            output.contains("  outages: does not fire — any: none of \"panne\", \"Facebook\" matched"), result.stdout)
        XCTAssertTrue(
            output.contains(
                "  outages: does not fire — none: \"publicité\" matched in summary: «Contenu sponsorisé : "
                    + "publicité pour une offre d’accès à internet.» (matched: \"panne\" in title, \"Facebook\" in title)"
            ),
            result.stdout)
    }

    func testFeedSelectorsApplyToTheConfiguredFeedOnly() throws {
        try writeConfiguredFeed()
        let configured = lines(try feedwatch(["explain", feedPath]).stdout)
        XCTAssertTrue(
            configured.contains(
                "  lemonde-only: does not fire — not for this feed (feeds: lemonde) (matched: \"panne\" in title)"),
            configured.joined(separator: "\n"))
        XCTAssertTrue(
            configured.contains(
                "  french: FIRES — \"messagerie\" in summary: «Plus de 3 millions d’utilisateurs privés de "
                    + "messagerie pendant deux heures.»"),
            configured.joined(separator: "\n"))

        // The same document from a path no feed is configured with: tag:fr no longer takes it.
        let elsewhere = try fixture("explain-outage-growth-and-advert-items.xml").path
        let unconfigured = try feedwatch(["explain", elsewhere])
        XCTAssertEqual(unconfigured.status, 0, unconfigured.stderr)
        let output = lines(unconfigured.stdout)
        XCTAssertEqual(
            output.first,
            "\(elsewhere): no configured feed has this URL: rules limited by feeds: do not apply to it")
        XCTAssertTrue(
            output.contains(
                "  french: does not fire — not for this feed (feeds: tag:fr) (matched: \"messagerie\" in summary)"),
            unconfigured.stdout)
        XCTAssertTrue(output.contains { $0.hasPrefix("  outages: FIRES — ") }, "rules for every feed still apply")
    }

    func testRuleOptionLimitsTheOutputToThatRule() throws {
        try writeConfiguredFeed()
        let result = try feedwatch(["explain", feedPath, "--rule", "growth"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let rules = lines(result.stdout).filter { $0.hasPrefix("  ") }
        XCTAssertEqual(rules.count, 3, result.stdout)
        XCTAssertTrue(rules.allSatisfy { $0.hasPrefix("  growth: ") }, result.stdout)
    }

    func testAnUnknownRuleIsOneLineOnStderrAndExitOne() throws {
        try writeConfiguredFeed()
        let result = try feedwatch(["explain", feedPath, "--rule", "growht"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(
            result.stderr,
            "feedwatch: no rule named \"growht\" in \(configPath) (its rules: outages, growth, lemonde-only, french)\n")
    }

    func testJSONOutputGivesEveryRuleItsVerdictKeywordsAndReasons() throws {
        try writeConfiguredFeed()
        let result = try feedwatch(["explain", feedPath, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout.filter { $0 == "\n" }.count, 1, "one JSON document on one line")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["source"] as? String, feedPath)
        XCTAssertEqual((json["feed"] as? [String: Any])?["name"] as? String, "local")
        let items = try XCTUnwrap(json["items"] as? [[String: Any]])
        XCTAssertEqual(items.map { $0["id"] as? String }, ["a", "b", "c"])
        let first = try XCTUnwrap(items[0]["rules"] as? [[String: Any]])
        XCTAssertEqual(first.map { $0["rule"] as? String }, ["outages", "growth", "lemonde-only", "french"])
        XCTAssertEqual(first.map { $0["fires"] as? Bool }, [true, false, false, true])

        let outages = first[0]
        XCTAssertEqual(outages["keywords"] as? [String], ["panne", "Facebook"])
        XCTAssertEqual(outages["snippet"] as? String, "Panne géante chez Facebook ce matin")
        let any = try XCTUnwrap(outages["any"] as? [[String: Any]])
        XCTAssertEqual(any.first?["keyword"] as? String, "panne")
        XCTAssertEqual(any.first?["matched"] as? Bool, true)
        XCTAssertEqual(any.first?["field"] as? String, "title")
        XCTAssertEqual(try reasons(outages), [])

        let growth = first[1]
        XCTAssertEqual(try reasons(growth), ["all_missing: Telegram"])
        let all = try XCTUnwrap(growth["all"] as? [[String: Any]])
        XCTAssertEqual(all.map { $0["matched"] as? Bool }, [false, true])
        XCTAssertTrue(all[0]["field"] is NSNull)
        XCTAssertEqual(all[1]["field"] as? String, "summary")

        XCTAssertEqual(first[2]["for_this_feed"] as? Bool, false)
        XCTAssertEqual(try reasons(first[2]), ["not_for_this_feed"])
        let third = try XCTUnwrap(items[2]["rules"] as? [[String: Any]])
        XCTAssertEqual(try reasons(third[0]), ["none_matched: publicité"])
        let second = try XCTUnwrap(items[1]["rules"] as? [[String: Any]])
        XCTAssertEqual(try reasons(second[0]), ["no_any_matched"])
    }

    /// A rule's JSON reasons as `reason: keyword, keyword` strings.
    private func reasons(_ rule: [String: Any]) throws -> [String] {
        try XCTUnwrap(rule["reasons"] as? [[String: Any]]).map { reason in
            let keywords = (reason["keywords"] as? [String]).map { ": " + $0.joined(separator: ", ") } ?? ""
            return (reason["reason"] as? String ?? "?") + keywords
        }
    }

    func testExplainNeedsNoDestinationSecretButAValidConfiguration() throws {
        try writeConfiguredFeed(
            extra: """
                webhooks:
                  - {name: ops, url: "https://hooks.example.org/x", secret: "${FEEDWATCH_EXPLAIN_TEST_UNSET}"}
                """)
        let result = try feedwatch(["explain", feedPath, "--rule", "outages"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("outages: FIRES"), result.stdout)

        try writeConfig("feeds: []\nrules: [{name: r, any: [panne], colour: red}]")
        let invalid = try feedwatch(["explain", feedPath])
        XCTAssertEqual(invalid.status, 78, invalid.stderr)
    }

    func testAURLOfAConfiguredFeedIsFetchedWithItsHeadersAndExplainedAsThatFeed() throws {
        let document = try Data(contentsOf: try fixture("explain-outage-growth-and-advert-items.xml"))
        let server = try HTTPTestServer { _ in .init(status: 200, body: document) }
        defer { server.stop() }
        let url = server.url("/news.xml").absoluteString
        try writeConfig(
            """
            feeds:
              - {url: "\(url)", name: lemonde, headers: {Authorization: "Bearer t0ken"}}
              - {url: "file:feed.xml", name: local, tags: [fr]}
            \(Self.rules)
            """)
        let result = try feedwatch(["explain", url, "--rule", "lemonde-only"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(lines(result.stdout).first, "\(url): read as feed \"lemonde\"")
        XCTAssertTrue(
            result.stdout.contains("  lemonde-only: FIRES — \"panne\" in title: «Panne géante chez Facebook ce matin»"),
            result.stdout)
        XCTAssertEqual(server.requests.first?.header("Authorization"), "Bearer t0ken")
    }

    func testADocumentThatIsNotAFeedIsOneLineAndExitOne() throws {
        try writeConfiguredFeed()
        let page = try fixture("discover-page-without-feeds.html").path
        let result = try feedwatch(["explain", page])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.stderr.hasPrefix("feedwatch: \(page): not a feed"), result.stderr)
        XCTAssertEqual(result.stderr.filter { $0 == "\n" }.count, 1, result.stderr)
    }
}
