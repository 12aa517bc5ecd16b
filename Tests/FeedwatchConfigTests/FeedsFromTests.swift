import FeedwatchConfig
import XCTest

/// `feeds_from: FILE`: a plain list (`URL [NAME] [tag:TAG…]`) or an OPML file, after the feeds of
/// `feeds:`, with errors located in that file and reported with the configuration's.
final class FeedsFromTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectoryForTest()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Writes `text` as `name` in the test's folder; returns its path.
    @discardableResult
    private func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private func load(_ yaml: String, env: [String: String] = [:]) throws -> Config {
        try ConfigLoader.load(path: write("feedwatch.yaml", yaml), environment: env)
    }

    /// The error lines, with the test's folder written `DIR`.
    private func errors(_ yaml: String, env: [String: String] = [:]) throws -> [String] {
        let path = try write("feedwatch.yaml", yaml)
        do {
            _ = try ConfigLoader.load(path: path, environment: env)
            XCTFail("expected the configuration to be rejected")
            return []
        } catch {
            return error.diagnostics.map { $0.description.replacingOccurrences(of: directory.path, with: "DIR") }
        }
    }

    func testAPlainListAddsItsFeedsAfterThoseOfFeedsWithTheDefaults() throws {
        try write(
            "lists/feeds.txt",
            """
            # news, one feed per line: URL [NAME] [tag:TAG…]
            https://www.lemonde.fr/rss/une.xml lemonde tag:fr tag:news

            \thttps://example.org/feed.xml    # no name: derived from the URL
            https://example.org/page#section  tag:tech other-name
            file:local.xml local\r
            """)
        let config = try load(
            """
            defaults: {interval: 5m, max_size: 1MiB}
            feeds:
              - {url: "https://a.example/f", name: first, interval: 1h}
            feeds_from: lists/feeds.txt
            rules: [{name: r, any: [x], feeds: ["tag:news", other-name, local]}]
            """)
        XCTAssertEqual(config.feeds.map(\.name), ["first", "lemonde", "example.org/feed.xml", "other-name", "local"])
        XCTAssertEqual(config.feeds[1].source, .remote("https://www.lemonde.fr/rss/une.xml"))
        XCTAssertEqual(config.feeds[1].tags, ["fr", "news"])
        XCTAssertEqual(config.feeds[2].tags, [])
        XCTAssertEqual(config.feeds[3].source, .remote("https://example.org/page#section"), "# inside a URL stays")
        XCTAssertEqual(config.feeds[3].tags, ["tech"])
        XCTAssertEqual(
            config.feeds[4].source, .file(directory.appendingPathComponent("lists/local.xml").path),
            "file: paths are relative to the list's folder")
        XCTAssertEqual(config.feeds[0].settings.interval, 3600)
        for feed in config.feeds.dropFirst() {
            XCTAssertEqual(feed.settings.interval, 300)
            XCTAssertEqual(feed.settings.maxSize, 1024 * 1024)
        }
        XCTAssertEqual(
            config.feedsFrom,
            FeedsFromSummary(
                path: directory.appendingPathComponent("lists/feeds.txt").path, format: .list, feedCount: 4))
    }

    func testFeedsFromAloneIsEnoughAndAnEmptyListIsAWarning() throws {
        try write("feeds.txt", "https://a.example/f a\n")
        let config = try load("feeds_from: feeds.txt\nrules: [{name: r, any: [x], feeds: [a]}]\n")
        XCTAssertEqual(config.feeds.map(\.name), ["a"])
        XCTAssertEqual(config.warnings, [])
        try write("empty.txt", "# nothing yet\n\n")
        let empty = try load("feeds_from: empty.txt\nrules: [{name: r, any: [x]}]\n")
        XCTAssertEqual(
            empty.warnings.map { $0.description.replacingOccurrences(of: directory.path, with: "DIR") },
            ["DIR/feedwatch.yaml:1:1: feeds_from: no feeds: the daemon will watch nothing"])
    }

    func testAnOPMLFileIsRecognisedByItsContent() throws {
        let fixture = try XCTUnwrap(Bundle.module.path(forResource: "Fixtures/subscriptions-nested", ofType: "opml"))
        try write("subscriptions.txt", String(contentsOfFile: fixture, encoding: .utf8))
        let config = try load(
            """
            feeds: [{url: "https://a.example/f", name: first}]
            feeds_from: subscriptions.txt
            rules: [{name: r, any: [x], feeds: ["tag:tech-blogs", "Le Monde (2)"]}]
            """)
        XCTAssertEqual(
            config.feeds.map(\.name),
            ["first", "Le Monde", "franceinfo", "BBC Technology", "Le Monde (2)", "Top \"level\" feed"])
        XCTAssertEqual(config.feeds[1].tags, ["news", "france"])
        XCTAssertEqual(config.feeds[5].source, .remote("https://example.org/feed?a=1&b=2"))
        XCTAssertEqual(config.feedsFrom?.format, .opml)
        XCTAssertEqual(config.feedsFrom?.feedCount, 5)
        XCTAssertEqual(
            config.warnings.map { $0.description.replacingOccurrences(of: directory.path, with: "DIR") },
            [
                "DIR/subscriptions.txt:14:46: skipped duplicate https://www.lemonde.fr/rss/une.xml (already listed as \"Le Monde\")"
            ])
    }

    func testErrorsPointIntoTheListAndComeWithTheConfigurationsErrors() throws {
        try write(
            "feeds.txt",
            """
            https://a.example/f a
            htp://x b tag:x
            https://b.example/f b2 tag: extra
            https://c.example/${NOPE_TOKEN} c
            https://d.example/f é e
            """)
        XCTAssertEqual(
            try errors(
                """
                defaults: {interval: 10s}
                feeds_from: feeds.txt
                rules: [{name: r, any: [x]}]
                """),
            [
                "DIR/feedwatch.yaml:1:22: defaults.interval: 10s is too short (the minimum is 30s)",
                "DIR/feeds.txt:2:1: \"htp://x\" is not a feed URL (http://, https:// or file:PATH)",
                "DIR/feeds.txt:3:24: \"tag:\" needs a tag name, e.g. tag:news",
                "DIR/feeds.txt:3:29: \"extra\" is a second name for this feed (a name is one word; tags are written tag:NAME)",
                "DIR/feeds.txt:4:1: variable NOPE_TOKEN is not set (neither in the environment nor as a credential in $CREDENTIALS_DIRECTORY)",
                "DIR/feeds.txt:5:23: \"e\" is a second name for this feed (a name is one word; tags are written tag:NAME)",
            ])
    }

    func testDuplicateNamesAcrossFeedsAndFeedsFromNameBothPlaces() throws {
        try write(
            "feeds.txt",
            """
            https://www.lemonde.fr/rss/une.xml lemonde tag:fr
            https://example.org/feed.xml
            https://example.org/other.xml other
            https://example.org/other2.xml other
            """)
        XCTAssertEqual(
            try errors(
                """
                feeds:
                  - url: https://a.example/f
                    name: lemonde
                  - url: https://example.org/feed.xml
                feeds_from: feeds.txt
                rules: [{name: r, any: [x]}]
                """),
            [
                "DIR/feeds.txt:1:36: duplicate feed name \"lemonde\" (first at DIR/feedwatch.yaml:2)",
                "DIR/feeds.txt:2:1: duplicate feed name \"example.org/feed.xml\" (first at DIR/feedwatch.yaml:4)",
                "DIR/feeds.txt:4:32: duplicate feed name \"other\" (first at line 3)",
            ])
    }

    func testAMissingFileIsOneErrorAtTheKey() throws {
        XCTAssertEqual(
            try errors("feeds_from: nope.txt\nrules: [{name: r, any: [x], feeds: [a]}]\n"),
            ["DIR/feedwatch.yaml:1:13: feeds_from: cannot read \"DIR/nope.txt\": no such file"],
            "no error follows from the feeds it would have given")
        XCTAssertEqual(
            try errors("feeds_from: [a, b]\nrules: [{name: r, any: [x]}]\n"),
            ["DIR/feedwatch.yaml:1:13: feeds_from: expected text, found a list"])
    }

    func testOPMLErrorsPointIntoTheFile() throws {
        try write(
            "broken.opml",
            "<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><body>\n<outline text=\"a & b\" xmlUrl=\"https://a.example/f\"/>\n</body></opml>\n"
        )
        let broken = try errors("feeds_from: broken.opml\nrules: [{name: r, any: [x]}]\n")
        XCTAssertEqual(broken.count, 1)
        guard broken.count == 1 else { return }
        // Where the XML parser stopped, which is not always the line at fault.
        XCTAssertTrue(broken[0].hasPrefix("DIR/broken.opml:"), broken[0])
        XCTAssertTrue(broken[0].contains("not a readable OPML file"), broken[0])
        try write(
            "bad-url.opml",
            """
            <opml version="2.0"><body>
              <outline text="Feeds">
                <outline text="ok" xmlUrl="https://a.example/f"/>
                <outline text="bad" xmlUrl="htp://x"/>
              </outline>
            </body></opml>
            """)
        XCTAssertEqual(
            try errors("feeds_from: bad-url.opml\nrules: [{name: r, any: [x]}]\n"),
            ["DIR/bad-url.opml:4:33: \"htp://x\" is not a feed URL (http://, https:// or file:PATH)"])
    }

    func testErrorsLateInALongListNameTheirLine() throws {
        // Several megabytes: the list is read in parts, each numbering its lines from the right one.
        var lines = ""
        for index in 1...60_000 {
            switch index {
            case 50_000: lines += "htp://x.example/f bad\n"
            case 55_000: lines += "https://y.example/f tag:t feed-3\n"
            default: lines += "https://news.example.org/feed/\(index).xml feed-\(index) tag:news\n"
            }
        }
        try write("feeds.txt", lines)
        XCTAssertEqual(
            try errors("feeds_from: feeds.txt\nrules: [{name: r, any: [x]}]\n"),
            [
                "DIR/feeds.txt:50000:1: \"htp://x.example/f\" is not a feed URL (http://, https:// or file:PATH)",
                "DIR/feeds.txt:55000:27: duplicate feed name \"feed-3\" (first at line 3)",
            ])
    }

    func testAGeneratedListOfAHundredThousandLinesLoads() throws {
        var lines = "# generated\n"
        for index in 0..<100_000 {
            let tags = index % 3 == 0 ? "tag:news tag:fr" : (index % 3 == 1 ? "tag:news" : "")
            lines += "https://news\(index % 5_000).example.org/feed/\(index).xml feed-\(index) \(tags)\n"
        }
        try write("feeds.txt", lines)
        let config = try load(
            """
            defaults: {interval: 30m}
            feeds: [{url: "https://a.example/f", name: first}]
            feeds_from: feeds.txt
            rules: [{name: r, any: [x], feeds: ["tag:fr", feed-99999]}]
            """)
        XCTAssertEqual(config.feeds.count, 100_001)
        XCTAssertEqual(config.feedsFrom?.feedCount, 100_000)
        XCTAssertEqual(config.feeds[1].name, "feed-0")
        XCTAssertEqual(config.feeds[1].tags, ["news", "fr"])
        XCTAssertEqual(config.feeds[100_000].name, "feed-99999")
        XCTAssertEqual(config.feeds[100_000].source, .remote("https://news4999.example.org/feed/99999.xml"))
        XCTAssertEqual(config.feeds[100_000].tags, ["news", "fr"])
        XCTAssertEqual(config.feeds[50_000].tags, ["news"])
        XCTAssertEqual(config.feeds[3].tags, [])
        XCTAssertEqual(Set(config.feeds.map(\.name)).count, 100_001)
        XCTAssertTrue(config.feeds.dropFirst().allSatisfy { $0.settings.interval == 1800 })
    }
}
