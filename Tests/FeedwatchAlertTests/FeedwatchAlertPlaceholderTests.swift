import XCTest

/// Placeholder until this stage's tests land.
final class FeedwatchAlertPlaceholderTests: XCTestCase {
    func testModuleBuilds() {}
}
