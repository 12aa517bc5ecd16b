import Foundation
import GRDB
import XCTest

@testable import FeedwatchState

final class RetentionTests: StateTestCase {
    func testItemsThatLeftTheFeedAreForgottenAfterNinetyDaysInSmallBatches() throws {
        let store = try openStore()
        let old = (0..<1200).map { item("old-\($0)", link: "https://ex.org/old/\($0)", title: "story number \($0)") }
        let kept = [item("kept", link: "https://ex.org/kept", title: "kept story here")]
        try poll(store, "news", old + kept)
        let day = 86400.0
        // "kept" stays in the feed and is seen again every day; the old ones left on day 0.
        try poll(store, "news", kept, at: t0.addingTimeInterval(60 * day))
        let delivered = try store.dueDeliveries(now: t0, limit: 5000)
        for entry in delivered { try store.markDelivered(id: entry.id, status: 200, now: t0) }

        XCTAssertEqual(
            try store.prune(now: t0.addingTimeInterval(89 * day), batchSize: 500), 0,
            "nothing before 90 days: delivered rows are the alert history")
        XCTAssertEqual(try store.unseenKeys(feed: "news", keys: ["old-0", "kept"]), [], "not yet 90 days")

        let later = t0.addingTimeInterval(91 * day)
        // One batch deletes at most 500 seen, 500 fired and 500 delivered rows.
        XCTAssertEqual(try store.prune(now: later, batchSize: 500), 1500)
        XCTAssertEqual(try store.pruneAll(now: later, batchSize: 500), 1200 + 1201 + 2402 - 1500)
        XCTAssertEqual(try store.unseenKeys(feed: "news", keys: ["old-0", "old-1199", "kept"]), ["old-0", "old-1199"])
        XCTAssertEqual(try store.prune(now: later), 0)
        // The forgotten item coming back is new again: its story window is long past.
        XCTAssertEqual(try poll(store, "news", [old[0]], at: later).fired, 1)
    }

    func testHotQueriesAreIndexLookups() throws {
        let store = try openStore()
        let queries = [
            HotQueries.firedForItem, HotQueries.storyByLink, HotQueries.storyByTitle, HotQueries.seen,
            HotQueries.seenByFeedName, HotQueries.refreshSeen,
            HotQueries.due, HotQueries.dueShaped, HotQueries.unshaped, HotQueries.staleSeen, HotQueries.staleFired,
            HotQueries.staleDelivered,
        ]
        for sql in queries {
            let arguments = StatementArguments(Array(repeating: 1, count: sql.filter { $0 == "?" }.count))
            let details = try store.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map {
                    $0["detail"] as String
                }
            }
            XCTAssertFalse(details.isEmpty, sql)
            for detail in details {
                // A scan of a partial index holds only the rows it is for (the new, unshaped ones);
                // a subquery's line heads the searches it runs.
                XCTAssertTrue(
                    detail.hasPrefix("SEARCH") || detail == "SCAN outbox USING INDEX outbox_unshaped"
                        || detail.hasPrefix("SCALAR SUBQUERY"),
                    "\(sql): \(detail)")
            }
        }
    }

    func testDiskFullIsAClearErrorAndRecordsNothing() throws {
        let store = try openStore()
        try poll(store, "news", [item("first", link: "https://ex.org/first", title: "outage one two")])
        // Cap the file at its current size: the next growth fails as a full disk would.
        try store.writer.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            try db.execute(sql: "PRAGMA max_page_count = \(pages)")
        }
        let many = (0..<5000).map {
            item("k\($0)", link: "https://ex.org/\($0)", title: "a long enough story title \($0)")
        }
        XCTAssertThrowsError(try poll(store, "news", many)) { error in
            XCTAssertEqual(error as? StateError, .diskFull(path: store.databasePath))
            XCTAssertTrue(
                "\(error)".hasPrefix("disk full while writing \(store.databasePath); nothing was recorded"), "\(error)")
        }
        XCTAssertEqual(
            try store.unseenKeys(feed: "news", keys: ["k0", "k4999"]), ["k0", "k4999"], "the transaction rolled back")
        XCTAssertEqual(try store.pending().count, 2)
        // Space is back: the same document is recorded on the next try.
        try store.writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = 1073741823") }
        XCTAssertEqual(try poll(store, "news", many).fired, 5000)
    }
}
