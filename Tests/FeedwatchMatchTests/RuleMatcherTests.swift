import FeedwatchMatch
import XCTest

final class RuleMatcherTests: XCTestCase {
    private func fire(
        _ rules: [RuleSpec], _ input: MatchInput, feed: String = "lemonde", tags: Set<String> = []
    ) throws -> [RuleMatch] {
        try RuleMatcher(rules: rules).matches(input, feed: feed, tags: tags)
    }

    private func keywords(_ any: [String], title: String) throws -> [String] {
        try fire([RuleSpec(name: "r", any: any)], MatchInput(title: title)).first?.keywords ?? []
    }

    /// A document's items are matched one after another in one session: nothing an item matched
    /// (a keyword, a phrase begun at its end, a rule it made a candidate) may carry over to the next.
    func testItemsMatchedInOneSessionFireAsEachAlone() throws {
        let matcher = try RuleMatcher(rules: [
            RuleSpec(name: "outages", any: ["panne", "déni de service"], none: ["publicité"]),
            RuleSpec(name: "both", all: ["facebook", "telegram"]),
            RuleSpec(name: "regex", any: ["/incid(ent|ence)s?/"]),
        ])
        let items = [
            MatchInput(title: "Panne de Facebook", summary: "Telegram gagne des utilisateurs"),
            MatchInput(title: "Rien à signaler", summary: "un déni de"),
            MatchInput(title: "service rétabli", summary: "publicité pour Telegram"),
            MatchInput(title: "Facebook seul", summary: "aucun incident"),
            MatchInput(title: "Panne, publicité", summary: "Telegram et Facebook"),
            MatchInput(title: "déni de service", summary: ""),
        ]
        let alone = items.map { matcher.matches($0, feed: "lemonde", tags: []) }
        let together = matcher.withSession { session in
            items.map { session.matches($0, feed: "lemonde", tags: []) }
        }
        XCTAssertEqual(together, alone)
        XCTAssertEqual(
            together.map { $0.map(\.rule) }, [["outages", "both"], [], [], ["regex"], ["both"], ["outages"]])
    }

    func testAccentsMatchBothWays() throws {
        XCTAssertEqual(try keywords(["telegram"], title: "Panne de Télégram"), ["telegram"])
        XCTAssertEqual(try keywords(["Télégram"], title: "telegram is down"), ["Télégram"])
    }

    func testCaseIsIgnored() throws {
        XCTAssertEqual(try keywords(["FACEBOOK"], title: "facebook en panne"), ["FACEBOOK"])
    }

    func testWordAfterElisionMatches() throws {
        XCTAssertEqual(try keywords(["ensemble"], title: "L'ensemble du réseau"), ["ensemble"])
        XCTAssertEqual(try keywords(["orange"], title: "Le réseau d’Orange est coupé"), ["orange"])
    }

    func testKeywordWithTypographicApostropheMatchesStraightOne() throws {
        XCTAssertEqual(try keywords(["aujourd’hui"], title: "Panne aujourd'hui"), ["aujourd’hui"])
        XCTAssertEqual(try keywords(["l’ensemble"], title: "L'ensemble du réseau"), ["l’ensemble"])
    }

    func testPrefixMatchesPlurals() throws {
        XCTAssertEqual(try keywords(["panne*"], title: "Nouvelles pannes chez OVH"), ["panne*"])
        XCTAssertEqual(try keywords(["panne*"], title: "Une panne"), ["panne*"])
        XCTAssertEqual(try keywords(["panne*"], title: "Des pan nes"), [])
    }

    func testWholeWordDoesNotMatchInsideAnotherWord() throws {
        XCTAssertEqual(try keywords(["panne"], title: "Un panneau solaire"), [])
        XCTAssertEqual(try keywords(["panne"], title: "Il faut empanner"), [])
        XCTAssertEqual(try keywords(["panne"], title: "Panne, encore."), ["panne"])
    }

    func testPhraseMatchesAcrossPunctuationAndLineBreaks() throws {
        let rule = [RuleSpec(name: "ddos", any: ["déni de service"])]
        XCTAssertEqual(try fire(rule, MatchInput(content: "un Déni\nde — service massif")).count, 1)
        XCTAssertEqual(try fire(rule, MatchInput(content: "un déni, de: service")).count, 1)
        XCTAssertEqual(try fire(rule, MatchInput(content: "déni du service")).count, 0)
        XCTAssertEqual(try fire(rule, MatchInput(content: "service de déni")).count, 0)
    }

    func testPhraseFoundAfterAFalseStart() throws {
        XCTAssertEqual(try keywords(["déni de service"], title: "déni de déni de service"), ["déni de service"])
    }

    func testHyphenatedKeywordMatchesWithOrWithoutHyphen() throws {
        XCTAssertEqual(try keywords(["peut-être"], title: "C'est peut être fini"), ["peut-être"])
        XCTAssertEqual(try keywords(["peut-être"], title: "C'est peut-être fini"), ["peut-être"])
        XCTAssertEqual(try keywords(["covid"], title: "L'ère post-covid"), ["covid"])
    }

    func testNoneExcludesTheItem() throws {
        let rule = [RuleSpec(name: "outages", any: ["panne"], none: ["publicité"])]
        XCTAssertEqual(try fire(rule, MatchInput(title: "Panne géante")).map(\.rule), ["outages"])
        XCTAssertEqual(try fire(rule, MatchInput(title: "Panne géante", summary: "Publicité")).count, 0)
    }

    func testAllRequiresEveryKeyword() throws {
        let rule = [RuleSpec(name: "r", all: ["panne", "facebook"])]
        XCTAssertEqual(
            try fire(rule, MatchInput(title: "Panne", content: "chez Facebook")).first?.keywords, ["panne", "facebook"])
        XCTAssertEqual(try fire(rule, MatchInput(title: "Panne chez Google")).count, 0)
    }

    func testAnyAndAllTogether() throws {
        let rule = [RuleSpec(name: "r", any: ["panne", "outage"], all: ["facebook"])]
        XCTAssertEqual(try fire(rule, MatchInput(title: "Facebook outage")).first?.keywords, ["outage", "facebook"])
        XCTAssertEqual(try fire(rule, MatchInput(title: "Facebook launches")).count, 0)
    }

    func testKeywordsReportedAsWrittenInRuleOrder() throws {
        let rule = [RuleSpec(name: "r", any: ["Facebook", "panne*", "Télégram", "absent"])]
        let found = try fire(rule, MatchInput(title: "TELEGRAM et facebook : pannes"))
        XCTAssertEqual(
            found,
            [
                RuleMatch(
                    rule: "r", keywords: ["Facebook", "panne*", "Télégram"], snippet: "TELEGRAM et facebook : pannes")
            ])
    }

    func testFieldScoping() throws {
        let titleOnly = RuleSpec(name: "t", any: ["panne"], fields: [.title])
        let linkOnly = RuleSpec(name: "l", any: ["panne"], fields: [.link])
        let authors = RuleSpec(name: "a", any: ["dupont"], fields: [.author])
        let input = MatchInput(
            title: "Incident", summary: "une panne", link: "https://example.org/panne-geante",
            categories: ["Réseau"], authors: ["Jean Dupont"])
        XCTAssertEqual(try fire([titleOnly, linkOnly, authors], input).map(\.rule), ["l", "a"])
    }

    func testDefaultFieldsIncludeCategoriesButNotAuthorOrLink() throws {
        let rule = [RuleSpec(name: "r", any: ["réseau", "dupont", "geante"])]
        let input = MatchInput(link: "https://example.org/geante", categories: ["Réseau"], authors: ["Dupont"])
        XCTAssertEqual(try fire(rule, input).first?.keywords, ["réseau"])
    }

    func testPhraseDoesNotSpanTwoCategories() throws {
        let rule = [RuleSpec(name: "r", any: ["sécurité réseau"])]
        XCTAssertEqual(try fire(rule, MatchInput(categories: ["Sécurité", "Réseau"])).count, 0)
        XCTAssertEqual(try fire(rule, MatchInput(categories: ["Sécurité réseau"])).count, 1)
    }

    func testFeedScopingByNameAndTag() throws {
        let rules = [
            RuleSpec(name: "byName", any: ["panne"], feeds: ["lemonde"]),
            RuleSpec(name: "byTag", any: ["panne"], feeds: ["tag:fr"]),
            RuleSpec(name: "everywhere", any: ["panne"]),
        ]
        let input = MatchInput(title: "panne")
        XCTAssertEqual(try fire(rules, input, feed: "lemonde", tags: []).map(\.rule), ["byName", "everywhere"])
        XCTAssertEqual(try fire(rules, input, feed: "bbc", tags: ["fr", "news"]).map(\.rule), ["byTag", "everywhere"])
        XCTAssertEqual(try fire(rules, input, feed: "bbc", tags: ["en"]).map(\.rule), ["everywhere"])
    }

    func testRegexIsCaseSensitiveUnlessFlagged() throws {
        XCTAssertEqual(
            try keywords(["/CVE-\\d{4}-\\d+/"], title: "Faille CVE-2024-3094 dans xz"), ["/CVE-\\d{4}-\\d+/"])
        XCTAssertEqual(try keywords(["/CVE-\\d{4}-\\d+/"], title: "faille cve-2024-3094"), [])
        XCTAssertEqual(try keywords(["/CVE-\\d{4}-\\d+/i"], title: "faille cve-2024-3094"), ["/CVE-\\d{4}-\\d+/i"])
    }

    func testRegexRunsOverTheOriginalText() throws {
        XCTAssertEqual(try keywords(["/Télé/"], title: "Télégram"), ["/Télé/"])
        XCTAssertEqual(try keywords(["/Tele/"], title: "Télégram"), [])
    }

    func testRegexInNoneAndAll() throws {
        let rule = [RuleSpec(name: "r", any: ["panne"], all: ["/\\bOVH\\b/"], none: ["/sponsor/i"])]
        XCTAssertEqual(try fire(rule, MatchInput(title: "Panne chez OVH")).first?.keywords, ["panne", "/\\bOVH\\b/"])
        XCTAssertEqual(try fire(rule, MatchInput(title: "Panne chez OVH", summary: "SPONSORED")).count, 0)
        XCTAssertEqual(try fire(rule, MatchInput(title: "Panne chez Free")).count, 0)
    }

    func testRegexOnlyRuleFires() throws {
        let rule = [RuleSpec(name: "r", any: ["/\\d+ ?Gb\\/s/"])]
        XCTAssertEqual(try fire(rule, MatchInput(content: "attaque de 3 Gb/s")).first?.snippet, "attaque de 3 Gb/s")
    }

    func testGermanSharpSKeywordMatchesSS() throws {
        XCTAssertEqual(try keywords(["Straße"], title: "STRASSE gesperrt"), ["Straße"])
        XCTAssertEqual(try keywords(["strasse"], title: "Die Straße ist gesperrt"), ["strasse"])
    }

    func testTurkishDottedCapitalIMatches() throws {
        XCTAssertEqual(try keywords(["istanbul"], title: "Deprem: İSTANBUL sallandı"), ["istanbul"])
        XCTAssertEqual(try keywords(["İzmir"], title: "izmir"), ["İzmir"])
    }

    func testCJKKeywordMatchesAsSubstringOfARun() throws {
        XCTAssertEqual(try keywords(["東京"], title: "東京都で地震"), ["東京"])
        XCTAssertEqual(try keywords(["地震"], title: "東京都で地震が発生"), ["地震"])
        XCTAssertEqual(try keywords(["東京"], title: "京東"), [])
        XCTAssertEqual(try keywords(["ニュース"], title: "最新ニュース速報"), ["ニュース"])
    }

    func testSnippetShowsContextCutAtWordBoundaries() throws {
        let text =
            "Selon plusieurs analystes interrogés, les marchés ont chuté mardi sur fond de panne de Facebook, qui a duré six heures "
            + "et privé des milliards d'utilisateurs de leurs messageries pendant la soirée."
        let found = try fire([RuleSpec(name: "r", any: ["panne"])], MatchInput(content: text))
        XCTAssertEqual(
            found.first?.snippet,
            "…les marchés ont chuté mardi sur fond de panne de Facebook, qui a duré six heures et privé des…")
    }

    func testSnippetComesFromTheFirstMatchInFieldOrder() throws {
        let rule = [RuleSpec(name: "r", any: ["facebook", "panne"])]
        let found = try fire(rule, MatchInput(title: "Facebook\nindisponible", content: "Une panne"))
        XCTAssertEqual(found.first?.snippet, "Facebook indisponible")
    }

    func testWordsOfEveryLengthAroundEightBytesMatchOnlyThemselves() throws {
        // Word hashes are taken eight bytes at a time: lengths 7, 8, 9, 16 and 17 cross those steps.
        for word in ["abcdefg", "abcdefgh", "abcdefghi", "abcdefghijklmnop", "abcdefghijklmnopq", "cyberattaqué"] {
            XCTAssertEqual(try keywords([word], title: "Une \(word.uppercased()) ici"), [word], word)
            XCTAssertEqual(try keywords([word], title: "Une \(word)x ici"), [], word)
            XCTAssertEqual(try keywords([word], title: "Une \(word.dropLast()) ici"), [], word)
        }
    }

    func testAMatchEqualsOneBuiltFromItsSnippetText() throws {
        let found = try fire([RuleSpec(name: "r", any: ["panne"])], MatchInput(title: "Grande  panne\tchez Orange"))
        XCTAssertEqual(found, [RuleMatch(rule: "r", keywords: ["panne"], snippet: "Grande panne chez Orange")])
        XCTAssertNotEqual(found, [RuleMatch(rule: "r", keywords: ["panne"], snippet: "Grande panne")])
    }

    func testRulesFiringOnTheSameWordsGetTheSameSnippet() throws {
        let rules = (0..<3).map { RuleSpec(name: "rule\($0)", any: ["panne", "w\($0)"]) }
        let found = try fire(rules, MatchInput(summary: "w2 rien", content: "La panne de Facebook a duré six heures"))
        XCTAssertEqual(
            found.map(\.snippet),
            ["La panne de Facebook a duré six heures", "La panne de Facebook a duré six heures", "w2 rien"])
    }

    func testASnippetSetByHandReplacesTheCutOne() throws {
        var found = try XCTUnwrap(fire([RuleSpec(name: "r", any: ["panne"])], MatchInput(title: "Une panne")).first)
        found.snippet = "autre"
        XCTAssertEqual(found.snippet, "autre")
        XCTAssertEqual(found, RuleMatch(rule: "r", keywords: ["panne"], snippet: "autre"))
    }

    func testRulesComeBackInConfigOrder() throws {
        let rules = (0..<5).map { RuleSpec(name: "rule\($0)", any: ["w\(4 - $0)", "commun"]) }
        XCTAssertEqual(
            try fire(rules, MatchInput(title: "w3 w1 commun")).map(\.rule),
            ["rule0", "rule1", "rule2", "rule3", "rule4"])
    }

    func testSameKeywordInManyRulesAndMatcherReuse() throws {
        let matcher = try RuleMatcher(rules: [
            RuleSpec(name: "a", any: ["panne"]), RuleSpec(name: "b", any: ["Panne", "google"], fields: [.summary]),
        ])
        XCTAssertEqual(matcher.matches(MatchInput(title: "panne"), feed: "f", tags: []).map(\.rule), ["a"])
        XCTAssertEqual(matcher.matches(MatchInput(summary: "PANNE"), feed: "f", tags: []).map(\.rule), ["a", "b"])
        XCTAssertEqual(matcher.matches(MatchInput(title: "rien"), feed: "f", tags: []), [])
    }

    func testConcurrentCallersGetTheSameAnswers() throws {
        let matcher = try RuleMatcher(rules: [RuleSpec(name: "r", any: ["panne*"], none: ["test"])])
        let results = UnsafeMutableBufferPointer<Int>.allocate(capacity: 200)
        defer { results.deallocate() }
        let box = UnsafeSendable(results)
        DispatchQueue.concurrentPerform(iterations: 200) { i in
            let input = MatchInput(title: i % 2 == 0 ? "pannes \(i)" : "test panne \(i)")
            box.value[i] = matcher.matches(input, feed: "f", tags: []).count
        }
        for i in 0..<200 { XCTAssertEqual(results[i], i % 2 == 0 ? 1 : 0) }
    }
}

private struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
