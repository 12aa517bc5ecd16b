import FeedwatchMatch
import XCTest

final class NormalisationTests: XCTestCase {
    func testAccentsAndCaseAreFolded() {
        XCTAssertEqual(TextNormaliser.words("Télégram ÉCOLE Çà"), ["telegram", "ecole", "ca"])
    }

    func testGermanSharpSIsFoldedToSS() {
        XCTAssertEqual(TextNormaliser.words("Straße STRASSE"), ["strasse", "strasse"])
    }

    func testTurkishDottedCapitalIFoldsToPlainI() {
        XCTAssertEqual(TextNormaliser.words("İSTANBUL İstanbul istanbul"), ["istanbul", "istanbul", "istanbul"])
    }

    func testLigaturesAreExpanded() {
        XCTAssertEqual(TextNormaliser.words("Œuvre cœur Æsop ﬁn"), ["oeuvre", "coeur", "aesop", "fin"])
    }

    func testFrenchElisionsAreSplitWithEitherApostrophe() {
        XCTAssertEqual(
            TextNormaliser.words("l'ensemble d’Orange qu’il jusqu'à"),
            ["l", "ensemble", "d", "orange", "qu", "il", "jusqu", "a"])
    }

    func testApostropheInsideAWordKeepsOneWord() {
        XCTAssertEqual(TextNormaliser.words("aujourd’hui aujourd'hui don't"), ["aujourd'hui", "aujourd'hui", "don't"])
    }

    func testEnglishPossessiveIsSplit() {
        XCTAssertEqual(TextNormaliser.words("Facebook's outage"), ["facebook", "s", "outage"])
    }

    func testHyphensDashesAndQuotesSeparateWords() {
        XCTAssertEqual(
            TextNormaliser.words("peut-être — «Anti‐virus» “quoted”"), ["peut", "etre", "anti", "virus", "quoted"])
    }

    func testDecomposedInputEqualsComposedInput() {
        XCTAssertEqual(TextNormaliser.words("Te\u{301}le\u{301}gram"), ["telegram"])
    }

    func testSoftHyphenDoesNotBreakAWord() {
        XCTAssertEqual(TextNormaliser.words("pan\u{AD}ne"), ["panne"])
    }

    func testFullWidthLatinIsFolded() {
        XCTAssertEqual(TextNormaliser.words("ＡＢＣ１２"), ["abc12"])
    }

    func testCJKCharactersAreOneWordEach() {
        XCTAssertEqual(TextNormaliser.words("東京都で地震、iPhone発売"), ["東", "京", "都", "で", "地", "震", "iphone", "発", "売"])
    }

    func testHangulWordsStayWhole() {
        XCTAssertEqual(TextNormaliser.words("서울 지진"), ["서울", "지진"])
    }

    func testNormalisedTextJoinsWordsWithSingleSpaces() {
        XCTAssertEqual(
            TextNormaliser.normalisedText("  Panne   géante chez\nFacebook !  "), "panne geante chez facebook")
    }
}

final class KeywordSyntaxTests: XCTestCase {
    func testValidKeywordsHaveNoError() {
        for keyword in ["panne", "panne*", "déni de service", "/fa+il/", "/outage/i", "東京", "l'ensemble"] {
            XCTAssertNil(Keyword.syntaxError(in: keyword), keyword)
        }
    }

    func testEmptyKeywordIsAnError() {
        XCTAssertEqual(Keyword.syntaxError(in: "  "), "empty keyword")
        XCTAssertEqual(Keyword.syntaxError(in: "*"), "empty keyword")
    }

    func testKeywordWithoutWordsIsAnError() {
        XCTAssertEqual(Keyword.syntaxError(in: "!!!"), "keyword has no letter or digit to match")
    }

    func testInvalidRegexIsReported() {
        XCTAssertEqual(
            Keyword.syntaxError(in: "/(unclosed/"), "invalid regular expression: /(unclosed/ does not compile")
        XCTAssertEqual(Keyword.syntaxError(in: "//"), "empty regular expression")
        XCTAssertEqual(
            Keyword.syntaxError(in: "/abc/g"), "a regular expression must be written /pattern/ or /pattern/i")
    }

    func testStarOnlyAllowedAtTheEndOfAWord() {
        XCTAssertEqual(Keyword.syntaxError(in: "pan*ne"), "'*' may only end a keyword, as in panne* (prefix match)")
        XCTAssertEqual(Keyword.syntaxError(in: "panne *"), "'*' must directly follow a word, as in panne*")
    }

    func testMatcherThrowsNamingRuleAndKeyword() {
        XCTAssertThrowsError(try RuleMatcher(rules: [RuleSpec(name: "bad", any: ["ok", "/[/"])])) { error in
            guard let error = error as? KeywordError else { return XCTFail("wrong error \(error)") }
            XCTAssertEqual(error.rule, "bad")
            XCTAssertEqual(error.keyword, "/[/")
            XCTAssertEqual(
                error.description, "rule \"bad\": keyword \"/[/\": invalid regular expression: /[/ does not compile")
        }
    }
}
