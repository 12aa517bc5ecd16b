import XCTest

/// Placeholder until this stage's tests land.
final class FeedwatchFetchPlaceholderTests: XCTestCase {
    func testModuleBuilds() {}
}
