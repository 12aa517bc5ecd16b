import FeedwatchConfig
import XCTest

/// Long `feeds:` lists are composed piece by piece: the result and every message must be those of
/// the whole file.
final class LargeFeedListTests: XCTestCase {
    /// `count` block entries from line 3 on, three lines each; entry `i` starts at line 3 + 3i.
    private func feedsYAML(_ count: Int, entry: (Int) -> String? = { _ in nil }) -> String {
        var text = "defaults: {interval: 15m}\nfeeds:\n"
        for index in 0..<count {
            text +=
                entry(index)
                ?? "  - url: https://news\(index % 50).example.org/feed/\(index).xml\n    name: feed-\(index)\n    tags: [\(index % 2 == 0 ? "news, fr" : "tech")]\n"
        }
        return text + "rules:\n  - {name: r, any: [x], feeds: [\"tag:fr\", feed-4999]}\n"
    }

    private func errors(_ yaml: String) -> [String] {
        do {
            _ = try ConfigLoader.parse(yaml, path: "feedwatch.yaml", environment: [:])
            XCTFail("expected the configuration to be rejected")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    func testALongListLoadsEveryFeedInOrderWithSharedValues() throws {
        let config = try ConfigLoader.parse(feedsYAML(5_000), path: "feedwatch.yaml", environment: [:])
        XCTAssertEqual(config.feeds.count, 5_000)
        XCTAssertEqual(config.feeds.map(\.name), (0..<5_000).map { "feed-\($0)" })
        XCTAssertEqual(config.feeds[4_321].source, .remote("https://news21.example.org/feed/4321.xml"))
        XCTAssertEqual(config.feeds[4_321].tags, ["tech"])
        XCTAssertEqual(config.feeds[4_320].tags, ["news", "fr"])
        XCTAssertEqual(config.feeds[4_999].settings.interval, 900, "defaults: apply to every piece")
    }

    func testErrorsInALongListNameTheirLineInTheFile() {
        let yaml = feedsYAML(5_000) { index in
            switch index {
            case 10: return "  - url: ftp://x.org/feed\n    name: early\n    tags: [a]\n"
            case 4_000: return "  - url: https://a.example/f\n    name: feed-7\n    intervall: 5m\n"
            case 4_500: return "  - {url: 'https://b.example/f', interval: 10s}\n  # a comment\n\n"
            default: return nil
            }
        }
        XCTAssertEqual(
            errors(yaml),
            [
                "feedwatch.yaml:33:10: feeds[10].url: \"ftp://x.org/feed\" is not a feed URL (http://, https:// or file:PATH)",
                "feedwatch.yaml:12004:11: feeds[4000].name: duplicate feed name \"feed-7\" (first at line 24)",
                "feedwatch.yaml:12005:5: feeds[4000].intervall: unknown key (did you mean interval?)",
                "feedwatch.yaml:13503:44: feeds[4500].interval: 10s is too short (the minimum is 30s)",
            ])
    }

    func testAnAliasToAnAnchorInAnotherPartOfTheListStillResolves() throws {
        let yaml = feedsYAML(5_000) { index in
            switch index {
            case 1: return "  - url: https://a.example/f\n    name: a\n    headers: &auth {Authorization: Bearer x}\n"
            case 4_900: return "  - url: https://b.example/f\n    name: b\n    headers: *auth\n"
            default: return nil
            }
        }
        let config = try ConfigLoader.parse(yaml, path: "feedwatch.yaml", environment: [:])
        XCTAssertEqual(config.feeds.count, 5_000)
        XCTAssertEqual(config.feeds[4_900].headers, ["Authorization": "Bearer x"])
    }

    func testASyntaxErrorLateInALongListIsReportedAsForTheWholeFile() {
        let yaml = feedsYAML(5_000) { index in
            index == 4_200 ? "  - url: \"https://a.example/f\n    name: [unclosed\n    tags: x\n" : nil
        }
        let lines = errors(yaml)
        XCTAssertEqual(lines.count, 1)
        XCTAssertTrue(lines[0].hasPrefix("feedwatch.yaml:"), lines[0])
        XCTAssertTrue(lines[0].contains("invalid YAML"), lines[0])
        let line = Int(lines[0].split(separator: ":")[1]) ?? 0
        XCTAssertGreaterThan(line, 12_603, "the place of the error in the file: \(lines[0])")
    }
}
