import Foundation
import TestSupport
import XCTest

@testable import FeedwatchState

/// Key hashes are stored: every seen item, fired alert and story key is found again by its hash.
/// `KeyHash` (two integers, the recorder's form) must hold SHA-256's first 16 bytes exactly as
/// `StoryKeys.hash` gives them, whatever the input's length, or stored rows would stop matching
/// and every item would look new and alert again.
final class KeyHashTests: XCTestCase {
    func testKnownDigests() {
        // FIPS 180-2's examples, the digest's first 16 bytes.
        XCTAssertEqual(hex(KeyHash("")), "e3b0c44298fc1c149afbf4c8996fb924")
        XCTAssertEqual(hex(KeyHash("abc")), "ba7816bf8f01cfea414140de5dae2223")
        XCTAssertEqual(
            hex(KeyHash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039")
    }

    func testEveryLengthAcrossBlockBoundariesMatchesTheStoryKeyHash() {
        // Lengths 0...300 cover the one- and two-block paddings (55/56 and 119/120 bytes) and
        // several whole blocks before them.
        for length in 0...300 {
            let text = String((0..<length).map { Character(UnicodeScalar(UInt8(33 + ($0 * 7 + length) % 90))) })
            XCTAssertEqual(KeyHash(text).data, StoryKeys.hash(text), "length \(length)")
        }
    }

    func testRandomTextsMatchTheStoryKeyHash() {
        var generator = SeededRandom(seed: 0xFEED)
        let pieces = ["https://example.org/", "feed-", "item ", "é", "’", "日本", "\u{1F600}", "?utm_source=x", "0"]
        for _ in 0..<5_000 {
            let count = Int.random(in: 0...40, using: &generator)
            let text = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
            XCTAssertEqual(KeyHash(text).data, StoryKeys.hash(text), text)
        }
    }

    private func hex(_ hash: KeyHash) -> String { hash.data.map { String(format: "%02x", $0) }.joined() }
}
