import XCTest

/// Placeholder until this stage's tests land.
final class FeedwatchMatchPlaceholderTests: XCTestCase {
    func testModuleBuilds() {}
}
