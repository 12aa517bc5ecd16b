import FeedwatchMatch
import XCTest

/// `KeywordHighlights` finds keywords where `RuleMatcher` would match them, every occurrence.
final class KeywordHighlightsTests: XCTestCase {
    private func marked(_ text: String, _ keywords: [String]) -> String {
        var result = ""
        var position = text.startIndex
        for range in KeywordHighlights.ranges(of: keywords, in: text) {
            result += text[position..<range.lowerBound] + "[" + text[range] + "]"
            position = range.upperBound
        }
        return result + text[position...]
    }

    func testWordsMatchIgnoringCaseAndDiacriticsAsWholeWords() {
        XCTAssertEqual(
            marked("Panne chez TÉLÉGRAM, puis panne", ["panne", "telegram"]), "[Panne] chez [TÉLÉGRAM], puis [panne]")
        XCTAssertEqual(marked("empanner le panneau", ["panne"]), "empanner le panneau")
    }

    func testPrefixesPhrasesAndRegularExpressions() {
        XCTAssertEqual(marked("Les pannes du panneau", ["panne*"]), "Les [pannes] du [panneau]")
        XCTAssertEqual(
            marked("déni–de–service, déni de service", ["déni de service"]), "[déni–de–service], [déni de service]")
        XCTAssertEqual(
            marked("see CVE-2026-1234 and cve-1-2", ["/CVE-\\d+-\\d+/i"]), "see [CVE-2026-1234] and [cve-1-2]")
    }

    func testOverlapsMergeAndBadKeywordsMatchNothing() {
        XCTAssertEqual(marked("grande panne réseau", ["panne", "panne réseau"]), "grande [panne réseau]")
        XCTAssertEqual(marked("panne", ["/[/", ""]), "panne")
    }

    func testAgreesWithTheRuleMatcher() throws {
        let titles = ["L’État en panne", "Facebook's outage", "東京都で停電", "Don't panic: aujourd'hui rien"]
        let keywords = ["etat", "facebook", "東京", "aujourd'hui", "panic"]
        let matcher = try RuleMatcher(rules: keywords.map { RuleSpec(name: $0, any: [$0], fields: [.title]) })
        for title in titles {
            let fired = Set(matcher.matches(MatchInput(title: title), feed: "f", tags: []).map(\.rule))
            let highlighted = Set(keywords.filter { !KeywordHighlights.ranges(of: [$0], in: title).isEmpty })
            XCTAssertEqual(highlighted, fired, title)
        }
    }
}
