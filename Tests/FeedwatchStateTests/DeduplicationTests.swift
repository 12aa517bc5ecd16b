import Foundation
import XCTest

@testable import FeedwatchState

final class DeduplicationTests: StateTestCase {
    func testNewMatchingItemFiresOnceWithOneOutboxRowPerTarget() throws {
        let store = try openStore()
        let outcome = try poll(
            store, "news", [item("a", link: "https://ex.org/a", title: "server outage in paris today")])
        XCTAssertEqual(outcome.fired, 1)
        XCTAssertEqual(outcome.newItems, 1)
        XCTAssertEqual(outcome.firedAlertIDs, ["outages|a"])
        XCTAssertEqual(outcome.entries.map(\.target), ["journal", "ops"])
        XCTAssertEqual(outcome.entries.map(\.status), [.pending, .pending])
        XCTAssertEqual(outcome.entries.map(\.nextAttempt), [t0, t0])
        XCTAssertEqual(try store.pending().map(\.id), outcome.entries.map(\.id))
        XCTAssertEqual(try store.pending().first?.payload, Data(#"{"rule":"outages","id":"a"}"#.utf8))
    }

    func testRestartDoesNotRealertSeenItems() throws {
        let items = [
            item("a", link: "https://ex.org/a", title: "server outage in paris today"),
            item("b", link: "https://ex.org/b", title: "telegram is down for everyone"),
        ]
        do {
            let store = try openStore()
            XCTAssertEqual(try poll(store, "news", items).fired, 2)
            store.close()
        }
        let reopened = try openStore()
        let again = try poll(reopened, "news", items, at: t0.addingTimeInterval(600))
        XCTAssertEqual(again.fired, 0)
        XCTAssertEqual(again.seenItems, 2)
        XCTAssertEqual(again.newItems, 0)
        XCTAssertEqual(try reopened.pending().count, 4)
    }

    func testSameStoryInTwoFeedsFiresOncePerRule() throws {
        let store = try openStore()
        let rules = ["outages", "europe"]
        let first = try poll(
            store, "feed-one", [item("x1", link: "https://ex.org/story", title: "big outage hits europe", rules: rules)]
        )
        let second = try poll(
            store, "feed-two",
            [item("guid-99", link: "https://ex.org/story", title: "big outage hits europe", rules: rules)])
        XCTAssertEqual(first.fired, 2)
        XCTAssertEqual(second.fired, 0)
        XCTAssertEqual(second.suppressed, 2)
        XCTAssertEqual(second.newItems, 1)
        // A rule that had not fired for the story still fires.
        let third = try poll(
            store, "feed-three",
            [item("z", link: "https://ex.org/story", title: "big outage hits europe", rules: ["other"])])
        XCTAssertEqual(third.firedAlertIDs, ["other|z"])
    }

    func testGuidSwitchingFromHttpToHttpsAfterARedirectDoesNotRefire() throws {
        let store = try openStore()
        let before = item("http://www.ex.org/p/1", link: "http://www.ex.org/p/1", title: "outage at the datacenter")
        XCTAssertEqual(try poll(store, "news", [before]).fired, 1)
        let after = item("https://ex.org/p/1", link: "https://ex.org/p/1", title: "outage at the datacenter")
        let churned = try poll(store, "news", [after], at: t0.addingTimeInterval(3600))
        XCTAssertEqual(churned.newItems, 1)
        XCTAssertEqual(churned.fired, 0)
        XCTAssertEqual(churned.suppressed, 1)
    }

    func testSlugEditInAURLGuidDoesNotRefire() throws {
        let store = try openStore()
        let old = "https://ex.org/2026/05/outage-hits-bank"
        let new = "https://ex.org/2026/05/outage-hits-national-bank"
        XCTAssertEqual(try poll(store, "news", [item(old, link: old, title: "outage hits national bank")]).fired, 1)
        let edited = try poll(
            store, "news", [item(new, link: new, title: "outage hits national bank")], at: t0.addingTimeInterval(1800))
        XCTAssertEqual(edited.fired, 0)
        XCTAssertEqual(edited.suppressed, 1)
    }

    func testRandomGuidPerRequestDoesNotRefire() throws {
        let store = try openStore()
        let links = [
            "https://ex.org/a?id=7&utm_source=rss#top", "https://EX.org/a?utm_medium=x&id=7",
            "http://www.ex.org/a?id=7",
        ]
        for round in 0..<6 {
            let fresh = item(UUID().uuidString, link: links[round % 3], title: "outage")
            let outcome = try poll(store, "news", [fresh], at: t0.addingTimeInterval(Double(round) * 600))
            XCTAssertEqual(outcome.fired, round == 0 ? 1 : 0, "round \(round)")
        }
        XCTAssertEqual(try store.pending().count, 2)
    }

    func testTitleWithChangingCommentCountDoesNotRefire() throws {
        let store = try openStore()
        // The link goes through a per-request tracking redirect, so only the title can tell.
        let first = item("g1", link: "https://t.ex/r/111", title: "telegram outage worldwide (12 comments)")
        XCTAssertEqual(try poll(store, "hn", [first]).fired, 1)
        let titles = [
            "telegram outage worldwide (13 comments)", "telegram outage worldwide [14]",
            "telegram outage worldwide 15 comments",
        ]
        for (index, title) in titles.enumerated() {
            let churned = item("g\(index + 2)", link: "https://t.ex/r/\(index)", title: title)
            XCTAssertEqual(
                try poll(store, "hn", [churned], at: t0.addingTimeInterval(Double(index + 1) * 600)).fired, 0, title)
        }
    }

    func testSameStoryFiresAgainAfterTheFortyEightHourWindow() throws {
        let store = try openStore()
        XCTAssertEqual(
            try poll(store, "a", [item("1", link: "https://ex.org/s", title: "outage at the datacenter")]).fired, 1)
        let later = try poll(
            store, "b", [item("2", link: "https://ex.org/s", title: "outage at the datacenter")],
            at: t0.addingTimeInterval(49 * 3600))
        XCTAssertEqual(later.fired, 1)
    }

    func testShortTitlesDoNotCollide() throws {
        let store = try openStore()
        XCTAssertEqual(try poll(store, "a", [item("1", link: "https://ex.org/1", title: "update")]).fired, 1)
        XCTAssertEqual(try poll(store, "a", [item("2", link: "https://ex.org/2", title: "update")]).fired, 1)
    }

    func testItemThatChangesItsTitleAndContentDoesNotFireAgain() throws {
        let store = try openStore()
        XCTAssertEqual(
            try poll(store, "news", [item("id-1", link: "https://ex.org/a", title: "outage reported")]).fired, 1)
        let edited = item("id-1", link: "https://ex.org/a-updated", title: "outage resolved after four hours")
        let outcome = try poll(store, "news", [edited], at: t0.addingTimeInterval(7200))
        XCTAssertEqual(outcome.seenItems, 1)
        XCTAssertEqual(outcome.fired, 0)
    }

    func testFirstPollIsSilentUnlessAlertOnFirstPoll() throws {
        let store = try openStore()
        let items = [item("a", link: "https://ex.org/a", title: "outage one two")]
        let silent = try store.recordItemsAndEnqueueAlerts(
            feed: "quiet", items: items, now: t0, alertOnFirstPoll: false)
        XCTAssertTrue(silent.silentFirstPoll)
        XCTAssertEqual(silent.fired, 0)
        XCTAssertEqual(silent.newItems, 1)
        XCTAssertEqual(try store.feedState(named: "quiet")?.firstPollDone, true)
        XCTAssertEqual(try store.pending(), [])
        // The next poll alerts on new items only.
        let next = try store.recordItemsAndEnqueueAlerts(
            feed: "quiet", items: items + [item("b", link: "https://ex.org/b", title: "second outage three four")],
            now: t0.addingTimeInterval(600), alertOnFirstPoll: false)
        XCTAssertEqual(next.firedAlertIDs, ["outages|b"])

        let loud = try store.recordItemsAndEnqueueAlerts(
            feed: "loud", items: [item("c", link: "https://ex.org/c", title: "third outage five six")],
            now: t0, alertOnFirstPoll: true)
        XCTAssertFalse(loud.silentFirstPoll)
        XCTAssertEqual(loud.firedAlertIDs, ["outages|c"])
    }

    func testUnseenKeysAnswersForABatch() throws {
        let store = try openStore()
        try poll(
            store, "news",
            [item("a", link: "https://ex.org/a", title: "x"), item("b", link: "https://ex.org/b", title: "y")])
        XCTAssertEqual(try store.unseenKeys(feed: "news", keys: ["a", "c", "b", "d"]), ["c", "d"])
        XCTAssertEqual(try store.unseenKeys(feed: "other", keys: ["a"]), ["a"])
    }

    func testDryRunSimulatesWithoutWritingWhileTheDaemonRuns() async throws {
        let daemon = try openStore()
        try poll(daemon, "news", [item("a", link: "https://ex.org/a", title: "first outage of the day")])
        let reader = try openStore(.readOnly)
        let dryRun = DryRunStore(wrapping: reader)
        let items = [
            item("a", link: "https://ex.org/a", title: "first outage of the day"),
            item("b", link: "https://ex.org/b", title: "second outage of the day"),
        ]
        let outcome = try await dryRun.recordItemsAndEnqueueAlerts(
            feed: "news", items: items, now: t0, alertOnFirstPoll: true)
        XCTAssertEqual(outcome.firedAlertIDs, ["outages|b"])
        XCTAssertEqual(outcome.entries.map(\.id), [0, 0], "reported, not stored")
        let again = try await dryRun.recordItemsAndEnqueueAlerts(
            feed: "news", items: items, now: t0, alertOnFirstPoll: true)
        XCTAssertEqual(again.fired, 0, "the dry run remembers what it would have recorded")
        let unseen = try await dryRun.unseenKeys(feed: "news", keys: ["a", "b", "c"])
        XCTAssertEqual(unseen, ["c"])
        // The same story in another feed is held back too, as the daemon would.
        let elsewhere = try await dryRun.recordItemsAndEnqueueAlerts(
            feed: "wire", items: [item("w", link: "https://ex.org/b", title: "second outage of the day")], now: t0,
            alertOnFirstPoll: true)
        XCTAssertEqual(elsewhere.suppressed, 1)
        do {
            _ = try await dryRun.requeueAll(now: t0)
            XCTFail("a dry run settles nothing")
        } catch {
            XCTAssertEqual(error as? StateError, .readOnly(path: reader.databasePath))
        }
        XCTAssertThrowsError(try reader.requeueAll(), "the read-only store refuses every write") {
            XCTAssertEqual($0 as? StateError, .readOnly(path: reader.databasePath))
        }
        // The daemon's store is untouched: b is still new to it.
        XCTAssertEqual(try daemon.unseenKeys(feed: "news", keys: ["a", "b"]), ["b"])
        XCTAssertEqual(try daemon.pending().count, 2)
    }

    func testReadOnlyStoreReadsAStoppedDaemonsFileWithoutItsWalFiles() throws {
        do {
            let daemon = try openStore()
            try poll(daemon, "news", [item("a", link: "https://ex.org/a", title: "first outage of the day")])
            daemon.close()
        }
        for suffix in ["-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: directory + "/feedwatch.sqlite" + suffix)
        }
        let reader = try openStore(.readOnly)
        XCTAssertFalse(reader.isEmptyStandIn)
        XCTAssertEqual(try reader.pending().map(\.alertID), ["outages|a", "outages|a"])
        XCTAssertEqual(try reader.allFeedStates().map(\.firstPollDone), [true])
    }

    func testDryRunOnAFreshDirectoryIsEmptyAndCreatesNothing() async throws {
        let reader = try openStore(.readOnly)
        XCTAssertTrue(reader.isEmptyStandIn)
        let dryRun = DryRunStore(wrapping: reader)
        let states = try await dryRun.allFeedStates()
        XCTAssertEqual(states, [])
        let outcome = try await dryRun.recordItemsAndEnqueueAlerts(
            feed: "news", items: [item("a", link: "https://ex.org/a", title: "outage one two")], now: t0,
            alertOnFirstPoll: false)
        XCTAssertTrue(outcome.silentFirstPoll)
        let second = try await dryRun.recordItemsAndEnqueueAlerts(
            feed: "news", items: [item("b", link: "https://ex.org/b", title: "outage three four")], now: t0,
            alertOnFirstPoll: false)
        XCTAssertFalse(second.silentFirstPoll, "a first poll is first once")
        XCTAssertEqual(second.firedAlertIDs, ["outages|b"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory))
    }

    func testFeedStateRoundTripsAndFirstPollDoneOnlyTurnsOn() throws {
        let store = try openStore()
        var state = FeedState(
            name: "news", url: "https://ex.org/feed", etag: "\"abc\"", lastModified: "Tue, 01 Dec 2026 10:00:00 GMT",
            lastPoll: t0, lastStatus: "200", consecutiveErrors: 0, nextDue: t0.addingTimeInterval(600))
        try store.saveFeedState(state)
        try poll(store, "news", [])
        state.lastStatus = "timeout: no answer in 30s"
        state.consecutiveErrors = 1
        try store.saveFeedState(state)  // a copy taken before the poll: firstPollDone false
        state.firstPollDone = true
        XCTAssertEqual(try store.feedState(named: "news"), state)
        XCTAssertEqual(try store.allFeedStates().map(\.name), ["news"])
        XCTAssertNil(try store.feedState(named: "nope"))
    }

    /// A poll that changed only the times writes only them (the wide row is left alone); any other
    /// change rewrites the row. Either way what is read back is the whole state last saved.
    func testFeedStatesSavedTimesOnlyOrWholeReadBackWhole() throws {
        let store = try openStore()
        var state = FeedState(
            name: "news", url: nil, configuredURL: "https://ex.org/feed", etag: "\"v1\"", lastPoll: t0,
            lastStatus: "200", nextDue: t0.addingTimeInterval(60), lastNewItem: t0)
        try store.saveFeedStates([state])
        for minute in 1...3 {
            state.lastPoll = t0.addingTimeInterval(Double(minute) * 60)
            state.nextDue = t0.addingTimeInterval(Double(minute + 1) * 60)
            if minute == 2 { state.etag = "\"v2\"" }
            if minute == 3 { state.lastStatus = "304" }
            try store.saveFeedStates([state])
            XCTAssertEqual(try store.feedState(named: "news"), state, "after minute \(minute)")
            var forPoll = state
            (forPoll.lastPoll, forPoll.nextDue) = (nil, nil)  // a poll sets its times itself
            XCTAssertEqual(try store.pollStates(named: ["news"])["news"], forPoll)
        }
        var rows: [FeedScheduleRow] = []
        try store.forEachScheduleRow { rows.append($0) }
        XCTAssertEqual(rows.map(\.lastPoll), [t0.addingTimeInterval(180)])
        XCTAssertEqual(rows.map(\.nextDue), [t0.addingTimeInterval(240)])
        state.consecutiveErrors = 1
        state.failingSince = t0.addingTimeInterval(200)
        try store.saveFeedStates([state, FeedState(name: "other", lastPoll: t0, nextDue: t0)])
        XCTAssertEqual(try store.feedState(named: "news"), state)
        XCTAssertEqual(try store.feedState(named: "other")?.nextDue, t0)
        XCTAssertEqual(try store.troubledFeedStates(silentBefore: nil), [state])
    }

    /// Told that a state differs from the stored one only in its times, the store writes only those.
    func testTimesOnlySavesWriteThePollTimesAlone() throws {
        let store = try openStore()
        let first = FeedState(name: "news", etag: "\"v1\"", lastPoll: t0, lastStatus: "200", nextDue: t0)
        try store.saveFeedStates([first, FeedState(name: "other", lastPoll: t0, nextDue: t0)])
        var later = first
        later.lastPoll = t0.addingTimeInterval(60)
        later.nextDue = t0.addingTimeInterval(120)
        var moved = later
        moved.lastStatus = "304"  // a caller that broke the promise: only the times are written
        var other = FeedState(name: "other", etag: "\"o2\"", lastPoll: t0.addingTimeInterval(5), nextDue: t0)
        try store.saveFeedStates([moved, other], timesOnly: ["news"])
        XCTAssertEqual(try store.feedState(named: "news"), later)
        XCTAssertEqual(try store.feedState(named: "other"), other, "a state not named is saved whole")
        other.lastPoll = t0.addingTimeInterval(9)
        try store.saveFeedStates([other], timesOnly: ["other"])
        XCTAssertEqual(try store.feedState(named: "other"), other)
    }

    /// Items recorded before their candidates are known: the store asks for the candidates of the
    /// items it finds new, and only of those, then decides as for items that came with them.
    func testCandidatesAreAskedOfNewItemsOnlyInsideTheRecording() throws {
        let store = try openStore()
        let bare = { (key: String) in IncomingItem(key: key, link: "https://ex.org/\(key)", title: "", candidates: []) }
        var asked: [Int] = []
        let first = try store.recordItemsAndEnqueueAlerts(
            feed: "news", items: [bare("a"), bare("b")], now: t0, alertOnFirstPoll: false
        ) { index in
            asked.append(index)
            return bare("?")
        }
        XCTAssertEqual(asked, [], "a first poll that records silently matches nothing")
        XCTAssertEqual(first.newItems, 2)
        let items = [bare("c"), bare("a"), bare("d"), bare("b")]
        let second = try store.recordItemsAndEnqueueAlerts(
            feed: "news", items: items, now: t0, alertOnFirstPoll: false
        ) { index in
            asked.append(index)
            let key = items[index].key
            let rules = key == "c" ? ["outages"] : []
            return item(key, link: "https://ex.org/\(key)", title: "outage \(key)", rules: rules)
        }
        XCTAssertEqual(asked, [0, 2], "only the new items")
        XCTAssertEqual(second.newItems, 2)
        XCTAssertEqual(second.firedAlertIDs, ["outages|c"])
        XCTAssertEqual(try store.pending().map(\.alertID), ["outages|c", "outages|c"])
        XCTAssertEqual(try store.unseenKeys(feed: "news", keys: ["a", "b", "c", "d", "e"]), ["e"])
    }

    /// A group of documents recorded together decides as one recording after another would: the
    /// same story in two feeds of one group fires once, for the first of them.
    func testAGroupRecordsEachDocumentAsAloneInOrder() throws {
        let store = try openStore()
        let first = [item("a", link: "https://ex.org/a", title: "outage a")]
        try poll(store, "east", [item("old", link: "https://ex.org/old", title: "old")])
        try poll(store, "west", [item("old", link: "https://ex.org/old", title: "old")])
        let shared = item("s", link: "https://ex.org/story", title: "outage story")
        let east = [item("old", link: "https://ex.org/old", title: "old"), shared]
        let west = [item("s2", link: "https://ex.org/story", title: "outage story")]
        let asked = AskedKeys()
        func recording(_ feed: String, _ items: [IncomingItem]) -> GroupedRecording {
            let bare = items.map { IncomingItem(key: $0.key, link: $0.link, title: "", candidates: []) }
            return GroupedRecording(document: DocumentRecording(feed: feed, items: bare, alertOnFirstPoll: true)) {
                index in
                asked.append("\(feed)/\(items[index].key)")
                return items[index]
            }
        }
        let results = store.recordGroup(
            [recording("east", east), recording("west", west), recording("north", first)], now: t0)
        let outcomes = try results.map { try $0.get() }
        XCTAssertEqual(asked.keys, ["east/s", "west/s2", "north/a"], "only new items, document after document")
        XCTAssertEqual(outcomes.map(\.newItems), [1, 1, 1])
        XCTAssertEqual(outcomes.map(\.firedAlertIDs), [["outages|s"], [], ["outages|a"]], "one story fires once")
        XCTAssertEqual(try store.unseenKeys(feed: "west", keys: ["s2", "old"]), [])
    }

    /// A document whose completion throws fails alone: the others of its group are recorded.
    func testAGroupDocumentThatFailsFailsAlone() throws {
        struct Refused: Error {}
        let store = try openStore()
        let goodItem = item("g", link: "https://ex.org/g", title: "outage g")
        let good = GroupedRecording(
            document: DocumentRecording(
                feed: "good", items: [IncomingItem(key: "g", link: "", title: "", candidates: [])],
                alertOnFirstPoll: true)
        ) { _ in goodItem }
        let bad = GroupedRecording(
            document: DocumentRecording(
                feed: "bad", items: [IncomingItem(key: "b", link: "", title: "", candidates: [])],
                alertOnFirstPoll: true)
        ) { _ in throw Refused() }
        let results = store.recordGroup([good, bad, good], now: t0)
        XCTAssertEqual(try results[0].get().firedAlertIDs, ["outages|g"])
        XCTAssertThrowsError(try results[1].get()) { XCTAssertTrue($0 is Refused, "\($0)") }
        XCTAssertEqual(try results[2].get().newItems, 0, "recorded once, then seen")
        XCTAssertEqual(try store.unseenKeys(feed: "bad", keys: ["b"]), ["b"], "nothing of the failed document stays")
        XCTAssertEqual(try store.unseenKeys(feed: "good", keys: ["g"]), [])
    }
}

/// What a group's completions were asked for, from whichever thread runs the transaction.
private final class AskedKeys: @unchecked Sendable {
    private let lock = NSLock()
    private var asked: [String] = []

    func append(_ key: String) { lock.withLock { asked.append(key) } }
    var keys: [String] { lock.withLock { asked } }
}
