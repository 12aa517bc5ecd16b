import XCTest

/// Placeholder until this stage's tests land.
final class FeedwatchHTTPPlaceholderTests: XCTestCase {
    func testModuleBuilds() {}
}
