import XCTest

/// Placeholder until this stage's tests land.
final class FeedwatchParsePlaceholderTests: XCTestCase {
    func testModuleBuilds() {}
}
