import XCTest

/// Placeholder until this stage's tests land.
final class FeedwatchStatePlaceholderTests: XCTestCase {
    func testModuleBuilds() {}
}
