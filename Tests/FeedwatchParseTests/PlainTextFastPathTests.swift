import TestSupport
import XCTest

@testable import FeedwatchParse

/// `HTMLText.isAlreadyPlain` reads eight bytes at a time: it must answer as the byte-at-a-time
/// scan does, whatever byte sits at whatever position of a block. A wrong "plain" would leave
/// markup, entities or runs of spaces in the text that alerts show and rules match.
final class PlainTextFastPathTests: XCTestCase {
    private func assertSameAsBytewise(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        bytes.withUnsafeBufferPointer { buffer in
            for markup in [true, false] {
                XCTAssertEqual(
                    HTMLText.isAlreadyPlain(buffer, markupSignificant: markup, wide: true),
                    HTMLText.isAlreadyPlain(buffer, markupSignificant: markup, wide: false),
                    "bytes \(bytes), markup significant: \(markup)", file: file, line: line)
            }
        }
    }

    func testEveryByteAtEveryPositionOfTwoBlocks() {
        let plain = Array("Telegram gagne des utilisateurs".utf8)
        for byte in UInt8(0)...UInt8(255) {
            for position in 1..<18 {
                var bytes = plain
                bytes[position] = byte
                assertSameAsBytewise(bytes)
            }
        }
    }

    func testTwoSpacesAcrossAndWithinBlocks() {
        for position in 1..<20 {
            var bytes = Array(repeating: UInt8(ascii: "a"), count: 24)
            bytes[position] = 0x20
            bytes[position + 1] = 0x20
            assertSameAsBytewise(bytes)
            bytes.withUnsafeBufferPointer {
                XCTAssertFalse(HTMLText.isAlreadyPlain($0, markupSignificant: false), "two spaces at \(position)")
            }
        }
    }

    func testPlainFrenchTextStaysOnTheFastPath() {
        let text = "Panne géante : Telegram gagne 3 millions d’utilisateurs, « une première » à Montréal"
        var bytes = Array(text.utf8)
        assertSameAsBytewise(bytes)
        // The curly apostrophe starts with 0xE2, a byte that also starts Unicode spaces: not plain.
        bytes.withUnsafeBufferPointer { XCTAssertFalse(HTMLText.isAlreadyPlain($0, markupSignificant: true)) }
        bytes = Array("Panne géante à Montréal : une première".utf8)
        bytes.withUnsafeBufferPointer { XCTAssertTrue(HTMLText.isAlreadyPlain($0, markupSignificant: true)) }
        XCTAssertEqual(HTMLText.plainText(html: "Panne géante à Montréal"), "Panne géante à Montréal")
    }

    func testRandomTextsAgree() {
        var generator = SeededRandom(seed: 0x5EED)
        let alphabet: [UInt8] = Array("ab <&\t\n".utf8) + [0xC2, 0xA0, 0xC3, 0xA9, 0xE2, 0x80, 0x99, 0xE3, 0xE1]
        for _ in 0..<20_000 {
            let count = Int.random(in: 1...40, using: &generator)
            let bytes = (0..<count).map { _ in
                Int.random(in: 0..<4, using: &generator) == 0 ? alphabet.randomElement(using: &generator)! : 0x61
            }
            assertSameAsBytewise(bytes)
        }
    }
}
