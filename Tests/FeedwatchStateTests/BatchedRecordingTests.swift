import Foundation
import GRDB
import XCTest

@testable import FeedwatchState

/// Recording inserts, looks up and refreshes seen items many rows per statement: documents of every
/// length across the batch sizes must still count each item exactly once.
final class BatchedRecordingTests: StateTestCase {
    func testDocumentsOfEveryLengthAcrossBatchSizesRecordEachItemOnce() throws {
        let store = try openStore()
        for (n, count) in [1, 2, 3, 63, 64, 65, 127, 511, 512, 513, 1100].enumerated() {
            let feed = "feed-\(n)"
            let keys = (0..<count).map { "\(feed)-item-\($0)" }
            let items = keys.map { IncomingItem(key: $0, link: "https://ex.org/\($0)", title: "title of \($0)") }
            // A repeated item within the document counts as seen, not new.
            let first = try poll(store, feed, items + [items[0]])
            XCTAssertEqual([first.newItems, first.seenItems], [count, 1], "\(count) items")
            XCTAssertEqual(
                try store.unseenKeys(feed: feed, keys: keys + ["\(feed)-other"]), ["\(feed)-other"], "\(count) items")
            // Half old, half new: the old are counted seen, the new inserted.
            let more = (count..<(count + count / 2 + 1)).map {
                IncomingItem(key: "\(feed)-item-\($0)", link: "", title: "")
            }
            let second = try poll(store, feed, items + more, at: t0.addingTimeInterval(86400))
            XCTAssertEqual([second.newItems, second.seenItems], [more.count, count], "\(count) items")
        }
    }

    func testItemsStillInTheFeedHaveTheirLastSeenTimeRefreshedAfterAnHour() throws {
        let store = try openStore()
        let items = (0..<600).map { IncomingItem(key: "k\($0)", link: "", title: "") }
        try poll(store, "news", items)
        try poll(store, "news", items, at: t0.addingTimeInterval(600))
        try poll(store, "news", Array(items.prefix(550)), at: t0.addingTimeInterval(7200))
        let lastSeen = try store.read { db in
            try Int64.fetchAll(db, sql: "SELECT last_seen FROM seen_item ORDER BY last_seen")
        }
        let start = Int64(t0.timeIntervalSince1970)
        XCTAssertEqual(lastSeen.filter { $0 == start }.count, 50, "left the feed before the refresh")
        XCTAssertEqual(lastSeen.filter { $0 == start + 7200 }.count, 550, "seen again two hours later")
    }

    func testKeyHashIsTheStoredSixteenByteHashPrefix() {
        for key in ["", "a", "https://ex.org/a?b=c", String(repeating: "é", count: 300)] {
            XCTAssertEqual(KeyHash(key).data, StoryKeys.hash(key), key)
            XCTAssertEqual(StoryKeys.hash(key).withUnsafeBytes { KeyHash(bytes: $0) }, KeyHash(key), key)
        }
    }
}
