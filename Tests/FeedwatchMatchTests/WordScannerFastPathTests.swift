import XCTest

@testable import FeedwatchMatch

/// The scanner's 8-bytes-at-a-time ASCII path must split and fold exactly as the byte-at-a-time one:
/// these tests put word boundaries, apostrophes and non-ASCII characters on each side of a block edge.
final class WordScannerFastPathTests: XCTestCase {
    /// Everything the scanner reports about one word.
    private struct Scanned: Equatable, CustomStringConvertible {
        var word: String
        var hash: UInt64
        var start: Int
        var end: Int
        var matchable: Bool
        var description: String { "\(word)@\(start)..<\(end)\(matchable ? "" : " (too long)")" }
    }

    private struct Recorder: WordSink {
        var words: [Scanned] = []
        mutating func word(_ word: UnsafeBufferPointer<UInt8>, hash: UInt64, start: Int, end: Int, matchable: Bool) {
            words.append(
                Scanned(
                    word: String(decoding: word, as: UTF8.self), hash: hash, start: start, end: end,
                    matchable: matchable))
        }
    }

    private func scan(_ text: String, wide: Bool) -> [Scanned] {
        var recorder = Recorder()
        var text = text
        text.withUTF8 { WordScanner.scan($0, into: &recorder, wide: wide) }
        return recorder.words
    }

    /// Asserts the fast path agrees with the byte-at-a-time path, and that each hash is the word's hash.
    private func assertSameAsBytewise(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let fast = scan(text, wide: true)
        XCTAssertEqual(fast, scan(text, wide: false), "text: \(text.debugDescription)", file: file, line: line)
        for w in fast where w.matchable {
            XCTAssertEqual(w.hash, WordHash.of(Array(w.word.utf8)), "word \(w.word)", file: file, line: line)
        }
    }

    func testEveryAsciiByteSplitsOrJoinsWordsTheSameAtEveryBlockPosition() {
        for byte in UInt8(1)..<0x80 {
            let c = String(UnicodeScalar(byte))
            for position in 0..<17 {
                let text = String(repeating: "Ab", count: 12).prefix(position) + c + "XyZ09_qrstuvwxyzAB"
                assertSameAsBytewise(String(text))
            }
        }
    }

    func testWordBoundariesAtBlockEdgesGiveTheExpectedWords() {
        XCTAssertEqual(TextNormaliser.words("ABCDEFGH IJKLMNOP"), ["abcdefgh", "ijklmnop"])
        XCTAssertEqual(TextNormaliser.words("abcdefg hijklmnopq"), ["abcdefg", "hijklmnopq"])
        XCTAssertEqual(TextNormaliser.words("abcdefghi,jklmnopqrstuvwx"), ["abcdefghi", "jklmnopqrstuvwx"])
        XCTAssertEqual(TextNormaliser.words("Abcdefgh"), ["abcdefgh"])
        XCTAssertEqual(TextNormaliser.words("Z@[`{/:^_A"), ["z", "_a"])
        let spans = scan("  Sixteen_Letters x", wide: true).map { [$0.start, $0.end] }
        XCTAssertEqual(spans, [[2, 17], [18, 19]])
    }

    func testWordsMixingAsciiAndAccentedLettersAcrossBlockEdges() {
        XCTAssertEqual(
            TextNormaliser.words("aaaaaaaé bbbbbbbbÉcole Sécuritéxyzabcdefgh"),
            ["aaaaaaae", "bbbbbbbbecole", "securitexyzabcdefgh"])
        XCTAssertEqual(TextNormaliser.words("STRAßEabcdefgh cœurXXXXXXXX"), ["strasseabcdefgh", "coeurxxxxxxxx"])
        XCTAssertEqual(TextNormaliser.words("abcdefg\u{301}hijklmn"), ["abcdefghijklmn"])
        XCTAssertEqual(TextNormaliser.words("abcdefg東京abc"), ["abcdefg", "東", "京", "abc"])
        for text in [
            "aaaaaaaé bbbbbbbbÉcole", "ÉÉÉÉabcdefghÉ", "xxxxxxxﬁxxxxxxx", "abcdefg\u{301}hijklmn", "abcdefg東京abc",
        ] {
            assertSameAsBytewise(text)
        }
    }

    func testApostrophesAndElisionsAtBlockEdges() {
        XCTAssertEqual(TextNormaliser.words("aujourd'hui"), ["aujourd'hui"])
        XCTAssertEqual(TextNormaliser.words("abcdefg'hijk"), ["abcdefg'hijk"])
        XCTAssertEqual(TextNormaliser.words("abcdefgh'ijk"), ["abcdefgh'ijk"])
        XCTAssertEqual(TextNormaliser.words("Facebook's outage"), ["facebook", "s", "outage"])
        XCTAssertEqual(TextNormaliser.words("Abcdefgh’s"), ["abcdefgh", "s"])
        XCTAssertEqual(TextNormaliser.words("xxxxxx l'abcdefgh"), ["xxxxxx", "l", "abcdefgh"])
        XCTAssertEqual(TextNormaliser.words("jusqu'aujourd'hui"), ["jusqu", "aujourd'hui"])
        XCTAssertEqual(TextNormaliser.words("abcdefgh' ijk"), ["abcdefgh", "ijk"])
        for text in [
            "aujourd'hui", "abcdefg'hijk", "abcdefgh'ijk", "Abcdefgh’s", "xxxxxx l'abcdefgh", "xxxxxxx qu’abcdefgh",
            "jusqu'aujourd'hui", "abcdefgh' ijk", "abcdefgh's'", "'abcdefgh'",
        ] {
            assertSameAsBytewise(text)
        }
    }

    func testWordsTooLongToMatchAreCutAtTheSameLength() {
        for length in [127, 128, 129, 130, 135, 136, 137, 200] {
            assertSameAsBytewise(String(repeating: "a", count: length) + " next")
            assertSameAsBytewise(String(repeating: "B", count: length - 1) + "é next")
            assertSameAsBytewise(String(repeating: "c", count: length - 1) + "ß next")
        }
        let words = scan(String(repeating: "a", count: 128) + " " + String(repeating: "b", count: 129), wide: true)
        XCTAssertEqual(words.map(\.matchable), [true, false])
        XCTAssertEqual(words.map(\.word.utf8.count), [128, 128])
    }

    func testRandomTextsSplitAsByteAtATime() {
        let pieces = [
            "a", "Z", "q", "9", "_", " ", ",", "-", "'", "’", "é", "É", "ß", "œ", "ﬁ", "\u{301}", "東", "\u{AD}", "s",
            "l", "qu", "\n",
        ]
        var state: UInt64 = 12_345
        func next(_ n: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(n))
        }
        for _ in 0..<3_000 {
            // Mostly letters, so that runs long enough to cross blocks are common.
            let text = (0..<next(40)).map { _ in next(3) == 0 ? pieces[next(pieces.count)] : pieces[next(3)] }.joined()
            assertSameAsBytewise(text)
        }
    }

    func testKeywordsStraddlingBlockEdgesMatch() throws {
        let matcher = try RuleMatcher(rules: [RuleSpec(name: "r", any: ["abcdefghij", "déni de service", "cyber*"])])
        let cases = [
            ("xxxxxxx ABCDEFGHIJ", ["abcdefghij"]), ("xxxxxxxABCDEFGHIJ", []),
            ("un déni de service massif", ["déni de service"]), ("abcdefg Cyberattaque", ["cyber*"]),
        ]
        for (title, expected) in cases {
            XCTAssertEqual(
                matcher.matches(MatchInput(title: title), feed: "f", tags: []).first?.keywords ?? [], expected, title)
        }
    }

    func testPrefixesOfEightBytesOrMoreMatchAlongsideShortOnes() throws {
        let matcher = try RuleMatcher(rules: [
            RuleSpec(name: "long", any: ["karomitu*", "sécurité*"]), RuleSpec(name: "short", any: ["kar*"]),
        ])
        func rules(_ title: String) -> [String] {
            matcher.matches(MatchInput(title: title), feed: "f", tags: []).map(\.rule)
        }
        XCTAssertEqual(rules("karomitu"), ["long", "short"])
        XCTAssertEqual(rules("KAROMITUVEN"), ["long", "short"])
        XCTAssertEqual(rules("Sécuritaire sécurités"), ["long"])
        XCTAssertEqual(rules("karomit karomiti"), ["short"])
        XCTAssertEqual(rules("ka karomxtu"), ["short"])
        XCTAssertEqual(rules("securit"), [])
    }
}
