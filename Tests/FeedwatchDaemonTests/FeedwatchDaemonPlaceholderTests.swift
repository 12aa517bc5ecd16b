import XCTest

/// Placeholder until this stage's tests land.
final class FeedwatchDaemonPlaceholderTests: XCTestCase {
    func testModuleBuilds() {}
}
