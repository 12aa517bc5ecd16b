import Foundation

/// What a read-only store would have written, kept in memory so that a dry run answers like the
/// daemon would: an item is new once, a story fires once per rule, a first poll is first once.
final class DryRunOverlay: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: Set<String> = []
    private var fired: Set<String> = []
    private var stories: Set<String> = []
    private var polledFeeds: Set<String> = []

    func withLock<T>(_ body: (DryRunOverlay) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(self)
    }

    func isSeen(feed: String, keyHash: Data) -> Bool { seen.contains(feed + "\0" + keyHash.base64EncodedString()) }
    func markSeen(feed: String, keyHash: Data) { seen.insert(feed + "\0" + keyHash.base64EncodedString()) }

    func hasFired(rule: String, feed: String, keyHash: Data) -> Bool {
        fired.contains(rule + "\0" + feed + "\0" + keyHash.base64EncodedString())
    }
    func markFired(rule: String, feed: String, keyHash: Data) {
        fired.insert(rule + "\0" + feed + "\0" + keyHash.base64EncodedString())
    }

    /// A dry run lasts far less than the 48-hour story window, so a story seen in it always counts.
    func storyFired(rule: String, storyKey: Data?) -> Bool {
        guard let storyKey else { return false }
        return stories.contains(rule + "\0" + storyKey.base64EncodedString())
    }
    func markStory(rule: String, storyKey: Data?) {
        guard let storyKey else { return }
        stories.insert(rule + "\0" + storyKey.base64EncodedString())
    }

    func firstPollDone(feed: String) -> Bool { polledFeeds.contains(feed) }
    func markFirstPollDone(feed: String) { polledFeeds.insert(feed) }
}
