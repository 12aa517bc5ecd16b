import XCTest

/// Placeholder until this stage's tests land.
final class FeedwatchConfigPlaceholderTests: XCTestCase {
    func testModuleBuilds() {}
}
