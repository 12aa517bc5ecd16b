import FeedwatchMatch
import TestSupport
import XCTest

/// `RuleMatcher.explain`: why each rule fires or not, from the matcher's own scan and evaluation.
final class RuleExplanationTests: XCTestCase {
    private let rules = [
        RuleSpec(name: "outages", any: ["panne", "Telegram", "Facebook"], none: ["publicité"]),
        RuleSpec(name: "growth", all: ["Telegram", "/\\d+ millions/"]),
        RuleSpec(name: "ads", any: ["panne*"], none: ["publicité", "/sponsoris/i"]),
        RuleSpec(name: "french", any: ["panne"], feeds: ["lemonde", "tag:fr"]),
        RuleSpec(name: "titles", any: ["millions"], fields: [.title]),
    ]

    private func explain(
        _ input: MatchInput, feed: String? = "bbc", tags: Set<String> = []
    ) throws -> [String: RuleExplanation] {
        let explained = try RuleMatcher(rules: rules).explain(input, feed: feed, tags: tags)
        XCTAssertEqual(explained.map(\.rule), rules.map(\.name), "every rule, in configuration order")
        return Dictionary(uniqueKeysWithValues: explained.map { ($0.rule, $0) })
    }

    private let story = MatchInput(
        title: "Panne géante chez Facebook ce matin",
        summary: "Telegram gagne 3 millions, hors publicité")

    func testAFiringRuleNamesEachKeywordItsFieldAndASnippet() throws {
        let outages = try XCTUnwrap(try explain(MatchInput(title: "Panne géante chez Facebook ce matin"))["outages"])
        XCTAssertTrue(outages.fires)
        XCTAssertEqual(outages.reasons, [])
        XCTAssertEqual(
            outages.any,
            [
                KeywordExplanation(
                    keyword: "panne",
                    place: KeywordPlace(field: .title, snippet: "Panne géante chez Facebook ce matin")),
                KeywordExplanation(keyword: "Telegram", place: nil),
                KeywordExplanation(
                    keyword: "Facebook",
                    place: KeywordPlace(field: .title, snippet: "Panne géante chez Facebook ce matin")),
            ])
        XCTAssertEqual(outages.none, [KeywordExplanation(keyword: "publicité", place: nil)])
        XCTAssertEqual(outages.match?.keywords, ["panne", "Facebook"])
        XCTAssertEqual(outages.fields, [.title, .summary, .content, .categories])
    }

    func testAMissingAllKeywordIsTheReason() throws {
        let growth = try XCTUnwrap(try explain(MatchInput(summary: "Signal gagne 3 millions d’utilisateurs"))["growth"])
        XCTAssertFalse(growth.fires)
        XCTAssertEqual(growth.reasons, [.allMissing(["Telegram"])])
        XCTAssertEqual(
            growth.all[1],
            KeywordExplanation(
                keyword: "/\\d+ millions/",
                place: KeywordPlace(field: .summary, snippet: "Signal gagne 3 millions d’utilisateurs")))
    }

    func testAMatchedNoneKeywordVetoesTheRule() throws {
        let explained = try explain(story)
        let outages = try XCTUnwrap(explained["outages"])
        XCTAssertFalse(outages.fires)
        XCTAssertEqual(outages.reasons, [.noneMatched(["publicité"])])
        XCTAssertEqual(outages.none.first?.place?.field, .summary)
        XCTAssertEqual(outages.none.first?.place?.snippet, "Telegram gagne 3 millions, hors publicité")
        XCTAssertEqual(outages.any.filter(\.matched).map(\.keyword), ["panne", "Telegram", "Facebook"])
        // Both none: keywords are reported, the regular expression over the original text included.
        let ads = try XCTUnwrap(try explain(MatchInput(title: "Pannes", summary: "Publicité — SPONSORISÉ"))["ads"])
        XCTAssertEqual(ads.reasons, [.noneMatched(["publicité", "/sponsoris/i"])])
        XCTAssertEqual(ads.none.compactMap(\.place?.snippet), ["Publicité — SPONSORISÉ", "Publicité — SPONSORISÉ"])
    }

    func testNoAnyKeywordMatched() throws {
        let outages = try XCTUnwrap(try explain(MatchInput(title: "Le festival de jazz"))["outages"])
        XCTAssertEqual(outages.reasons, [.noAnyMatched])
        XCTAssertEqual(outages.any.filter(\.matched), [])
    }

    func testARuleForOtherFeedsIsNotForThisFeedButItsKeywordsAreStillShown() throws {
        let elsewhere = try XCTUnwrap(try explain(story, feed: "bbc", tags: ["en"])["french"])
        XCTAssertFalse(elsewhere.appliesToFeed)
        XCTAssertEqual(elsewhere.reasons, [.notForThisFeed])
        XCTAssertEqual(elsewhere.feeds, ["lemonde", "tag:fr"])
        XCTAssertEqual(elsewhere.any.first?.place?.field, .title)
        let unconfigured = try XCTUnwrap(try explain(story, feed: nil)["french"])
        XCTAssertEqual(unconfigured.reasons, [.notForThisFeed])
        XCTAssertTrue(try XCTUnwrap(try explain(story, feed: "lemonde")["french"]).fires)
        XCTAssertTrue(try XCTUnwrap(try explain(story, feed: "bbc", tags: ["fr"])["french"]).fires)
        XCTAssertTrue(try XCTUnwrap(try explain(MatchInput(title: "panne"), feed: nil)["outages"]).fires)
    }

    func testAKeywordOutsideTheRuleFieldsDoesNotCount() throws {
        let titles = try XCTUnwrap(try explain(story)["titles"])
        XCTAssertEqual(titles.fields, [.title])
        XCTAssertEqual(titles.any, [KeywordExplanation(keyword: "millions", place: nil)])
        XCTAssertEqual(titles.reasons, [.noAnyMatched])
    }

    /// The explanation is no second opinion: over many items, the rules it says fire (with their
    /// keywords and snippets) are exactly what `matches` returns, and its reasons never contradict it.
    func testExplanationAgreesWithMatchesOnEveryItem() throws {
        let matcher = try RuleMatcher(rules: rules)
        let words = [
            "panne", "pannes", "Telegram", "télégram", "Facebook", "publicité", "Publicite", "3 millions",
            "sponsorisé", "jazz", "millions", "12 millions",
        ]
        var generator = SeededRandom(seed: 2026)  // the same items on every run
        for _ in 0..<500 {
            func text() -> String {
                (0..<Int.random(in: 0...4, using: &generator)).map { _ in words.randomElement(using: &generator)! }
                    .joined(separator: " ")
            }
            let input = MatchInput(title: text(), summary: text(), content: text(), categories: [text()])
            let feed = ["lemonde", "bbc", nil].randomElement(using: &generator)!
            // Tags belong to a configured feed: a document of none has none.
            let tags: Set<String> = feed != nil && Bool.random(using: &generator) ? ["fr"] : []
            let explained = matcher.explain(input, feed: feed, tags: tags)
            XCTAssertEqual(
                explained.compactMap(\.match), matcher.matches(input, feed: feed ?? "", tags: tags), "\(input)")
            for rule in explained {
                XCTAssertEqual(rule.fires, rule.reasons.isEmpty, "\(rule.rule): \(rule.reasons) for \(input)")
                if let match = rule.match {
                    XCTAssertEqual(match.keywords, (rule.any + rule.all).filter(\.matched).map(\.keyword))
                }
            }
        }
    }
}
