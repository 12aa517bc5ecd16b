import XCTest

@testable import FeedwatchAlert

final class AlertIDTests: XCTestCase {
    func testTheSameRuleFeedAndItemAlwaysGiveTheSameID() {
        // A literal: the id must not change between runs, restarts or releases, or receivers see duplicates.
        XCTAssertEqual(
            Alert.makeID(rule: "outages", feed: "example", itemID: "urn:1"),
            Alert.makeID(rule: "outages", feed: "example", itemID: "urn:1"))
        XCTAssertEqual(Alert.makeID(rule: "outages", feed: "example", itemID: "urn:1"), stableOutagesID)
    }

    func testAnAlertTakesItsIDFromRuleFeedAndItem() {
        XCTAssertEqual(sampleAlert().alertID, stableOutagesID)
    }

    func testAnyDifferentPartGivesADifferentID() {
        let base = Alert.makeID(rule: "r", feed: "f", itemID: "i")
        XCTAssertNotEqual(base, Alert.makeID(rule: "r2", feed: "f", itemID: "i"))
        XCTAssertNotEqual(base, Alert.makeID(rule: "r", feed: "f2", itemID: "i"))
        XCTAssertNotEqual(base, Alert.makeID(rule: "r", feed: "f", itemID: "i2"))
        // The parts are separated, not concatenated: moving a character between them changes the id.
        XCTAssertNotEqual(
            Alert.makeID(rule: "ab", feed: "c", itemID: "i"), Alert.makeID(rule: "a", feed: "bc", itemID: "i"))
    }

    func testTheIDIsALowerCaseUUID() throws {
        let id = Alert.makeID(rule: "outages", feed: "example", itemID: "urn:1")
        let uuid = try XCTUnwrap(UUID(uuidString: id))
        XCTAssertEqual(uuid.uuidString.lowercased(), id)
    }

    func testAnAlertSurvivesACodableRoundTrip() throws {
        let alert = sampleAlert(snippet: "…chez Facebook…")
        let decoded = try JSONDecoder().decode(Alert.self, from: JSONEncoder().encode(alert))
        XCTAssertEqual(decoded, alert)
    }

    private let stableOutagesID = "308752a6-9236-8a86-961e-97e6339e2617"
}
