import FeedwatchState
import Foundation
import XCTest

/// What every `StateStore` promises (SPEC §4–§5), checked the same way against each implementation:
/// each check gets a fresh, empty store from `make`. Times are fixed (`t0`), as the daemon passes
/// its clock in.
struct StoreContract {
    let make: () async throws -> any StateStore
    let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    func item(_ key: String, link: String, title: String, rules: [String] = ["outages"]) -> IncomingItem {
        IncomingItem(
            key: key, link: link, title: title,
            candidates: rules.map { rule in
                AlertCandidate(
                    alertID: "\(rule)|\(key)", rule: rule, targets: ["journal", "ops"],
                    payload: Data(#"{"rule":"\#(rule)","id":"\#(key)"}"#.utf8))
            })
    }

    @discardableResult
    func poll(
        _ store: any StateStore, _ feed: String, _ items: [IncomingItem], at date: Date? = nil, alertOnFirstPoll: Bool = true
    ) async throws -> RecordOutcome {
        try await store.recordItemsAndEnqueueAlerts(
            feed: feed, items: items, now: date ?? t0, alertOnFirstPoll: alertOnFirstPoll)
    }

    // MARK: - The checks, by group (one test each in every implementation's test class)

    func ledger() async throws {
        try await ledgerFiresEachItemOnceAndEachStoryOncePerRule()
        try await ledgerFirstPollIsSilentUnlessAskedAndRepeatsCountAsSeen()
        try await ledgerRecordsAHealthAlertOncePerEpisode()
        try await ledgerRecordsDocumentsTogetherAsOneAfterAnother()
        try await ledgerQueuesADocumentsAlertsInItemOrder()
    }

    func outbox() async throws {
        try await outboxClaimsOnceRetriesAndDeadLetters()
        try await outboxReleasesExpiresAndRequeuesAll()
        try await outboxGroupsAreClaimedTogether()
    }

    func historyAndHousekeeping() async throws {
        try await historyListsAlertsNewestFirst()
        try await pruningForgetsOnlyWhatRetentionAllows()
    }

    // MARK: - The ledger

    func ledgerFiresEachItemOnceAndEachStoryOncePerRule() async throws {
        let store = try await make()
        let first = try await poll(store, "news", [item("a", link: "https://ex.org/a", title: "server outage in paris today")])
        XCTAssertEqual(first.fired, 1)
        XCTAssertEqual(first.firedAlertIDs, ["outages|a"])
        XCTAssertEqual(first.entries.map(\.target), ["journal", "ops"])
        XCTAssertEqual(first.entries.map(\.status), [.pending, .pending])
        let pendingIDs = try await store.pending().map(\.id)
        XCTAssertEqual(pendingIDs, first.entries.map(\.id))
        let payload = try await store.pending().first?.payload
        XCTAssertEqual(payload, Data(#"{"rule":"outages","id":"a"}"#.utf8))

        let again = try await poll(store, "news", [item("a", link: "https://ex.org/a", title: "server outage in paris today")],
            at: t0.addingTimeInterval(600))
        XCTAssertEqual(again.fired, 0)
        XCTAssertEqual(again.seenItems, 1)

        // The same story under another guid in another feed, for two rules: held back for both;
        // a third rule that has not fired for it still fires.
        let rules = ["outages", "europe"]
        let story = try await poll(
            store, "feed-one", [item("x1", link: "https://ex.org/story", title: "big outage hits europe", rules: rules)])
        XCTAssertEqual(story.fired, 2)
        let copy = try await poll(
            store, "feed-two", [item("guid-99", link: "https://www.ex.org/story?utm_source=x", title: "other", rules: rules)])
        XCTAssertEqual(copy.fired, 0)
        XCTAssertEqual(copy.suppressed, 2)
        XCTAssertEqual(copy.newItems, 1)
        let byTitle = try await poll(
            store, "feed-three", [item("t", link: "https://other.org/t", title: "big outage hits europe", rules: ["europe"])])
        XCTAssertEqual(byTitle.suppressed, 1, "the same title is the same story")
        let other = try await poll(
            store, "feed-four", [item("z", link: "https://ex.org/story", title: "big outage hits europe", rules: ["other"])])
        XCTAssertEqual(other.firedAlertIDs, ["other|z"])
        // After the story window the story may fire again.
        let later = try await poll(
            store, "feed-five", [item("late", link: "https://ex.org/story", title: "x", rules: ["outages"])],
            at: t0.addingTimeInterval(storyWindow + 3600))
        XCTAssertEqual(later.fired, 1)
        await store.close()
    }

    func ledgerFirstPollIsSilentUnlessAskedAndRepeatsCountAsSeen() async throws {
        let store = try await make()
        let silent = try await poll(
            store, "news", [item("a", link: "https://ex.org/a", title: "outage one two")], alertOnFirstPoll: false)
        XCTAssertTrue(silent.silentFirstPoll)
        XCTAssertEqual(silent.fired, 0)
        XCTAssertEqual(silent.newItems, 1)
        let second = try await poll(
            store, "news",
            [
                item("a", link: "https://ex.org/a", title: "outage one two"),
                item("b", link: "https://ex.org/b", title: "outage three four"),
                item("b", link: "https://ex.org/b", title: "outage three four"),
            ], alertOnFirstPoll: false)
        XCTAssertFalse(second.silentFirstPoll)
        XCTAssertEqual(second.firedAlertIDs, ["outages|b"])
        XCTAssertEqual(second.newItems, 1)
        XCTAssertEqual(second.seenItems, 2, "a repeat within the document counts as seen")
        let unseen = try await store.unseenKeys(feed: "news", keys: ["a", "c", "b", "d"])
        XCTAssertEqual(unseen, ["c", "d"])
        let elsewhere = try await store.unseenKeys(feed: "other", keys: ["a"])
        XCTAssertEqual(elsewhere, ["a"])
        let facts = try await store.ledgerFacts(
            feed: "news", items: [item("a", link: "https://ex.org/a", title: "outage one two")], now: t0)
        XCTAssertTrue(facts.firstPollDone)
        XCTAssertEqual(facts.seen.count, 1)
        await store.close()
    }

    /// `recordDocuments` (what `once` uses) decides as if each document were recorded alone, in
    /// order: a story in two documents fires for the first; a feed recorded twice sees its own items.
    func ledgerRecordsDocumentsTogetherAsOneAfterAnother() async throws {
        let store = try await make()
        let story = item("s1", link: "https://ex.org/story", title: "outage across the region")
        let outcomes = try await store.recordDocuments(
            [
                DocumentRecording(
                    feed: "quiet", items: [item("q", link: "https://ex.org/q", title: "outage q")],
                    alertOnFirstPoll: false),
                DocumentRecording(feed: "first", items: [story], alertOnFirstPoll: true),
                DocumentRecording(
                    feed: "second", items: [item("s2", link: "https://www.ex.org/story", title: "other")],
                    alertOnFirstPoll: true),
                DocumentRecording(
                    feed: "first", items: [story, item("n", link: "https://ex.org/n", title: "outage n")],
                    alertOnFirstPoll: true),
            ], now: t0)
        XCTAssertEqual(outcomes.map(\.silentFirstPoll), [true, false, false, false])
        XCTAssertEqual(outcomes.map(\.firedAlertIDs), [[], ["outages|s1"], [], ["outages|n"]])
        XCTAssertEqual(outcomes.map(\.suppressed), [0, 0, 1, 0])
        XCTAssertEqual(outcomes.map(\.seenItems), [0, 0, 0, 1])
        let pending = try await store.pending().map(\.alertID)
        XCTAssertEqual(pending, ["outages|s1", "outages|s1", "outages|n", "outages|n"])
        let quietFacts = try await store.ledgerFacts(feed: "quiet", items: [], now: t0)
        XCTAssertTrue(quietFacts.firstPollDone)
        await store.close()
    }

    func ledgerQueuesADocumentsAlertsInItemOrder() async throws {
        let store = try await make()
        let rules = ["outages", "europe"]
        let outcome = try await poll(
            store, "news",
            [
                item("a", link: "https://ex.org/a", title: "outage in paris this morning", rules: rules),
                item("quiet", link: "https://ex.org/quiet", title: "nothing to see here today", rules: []),
                item("b", link: "https://ex.org/b", title: "outage in berlin this morning", rules: rules),
                // The same story as "a" under another guid: held back for both rules.
                item("a2", link: "https://ex.org/a", title: "another title entirely here", rules: rules),
                // A title that is its own link: one story, which fires.
                item("c", link: "https://ex.org/c-outage-story", title: "ex.org/c-outage-story"),
            ])
        XCTAssertEqual(outcome.newItems, 5)
        XCTAssertEqual(outcome.firedAlertIDs, ["outages|a", "europe|a", "outages|b", "europe|b", "outages|c"])
        XCTAssertEqual(outcome.suppressed, 2)
        let queued = outcome.entries.map { "\($0.alertID) \($0.target)" }
        XCTAssertEqual(
            queued,
            [
                "outages|a journal", "outages|a ops", "europe|a journal", "europe|a ops", "outages|b journal",
                "outages|b ops", "europe|b journal", "europe|b ops", "outages|c journal", "outages|c ops",
            ])
        let pending = try await store.pending().map(\.id)
        XCTAssertEqual(pending, outcome.entries.map(\.id), "queued in item order")
        await store.close()
    }

    func ledgerRecordsAHealthAlertOncePerEpisode() async throws {
        let store = try await make()
        let candidate = AlertCandidate(
            alertID: "health-1", rule: "feedwatch.feed_failing", targets: ["journal"], payload: Data("{}".utf8))
        let first = try await store.recordHealthAlert(feed: "news", key: "episode-1", candidate: candidate, now: t0)
        XCTAssertTrue(first)
        let again = try await store.recordHealthAlert(feed: "news", key: "episode-1", candidate: candidate, now: t0)
        XCTAssertFalse(again)
        let fired = try await store.hasFired(rule: "feedwatch.feed_failing", feed: "news", key: "episode-1")
        XCTAssertTrue(fired)
        let other = try await store.hasFired(rule: "feedwatch.feed_failing", feed: "news", key: "episode-2")
        XCTAssertFalse(other)
        let queued = try await store.pending().map(\.alertID)
        XCTAssertEqual(queued, ["health-1"])
        let state = try await store.feedState(named: "news")
        XCTAssertEqual(state?.firstPollDone, false, "a health alert is not a poll")
        await store.close()
    }

    // MARK: - Feed states

    func feedStatesRoundTripAndFirstPollDoneOnlyTurnsOn() async throws {
        let store = try await make()
        var state = FeedState(
            name: "news", url: "https://ex.org/feed", configuredURL: "https://ex.org/feed", etag: "\"abc\"",
            lastModified: "Tue, 01 Dec 2026 10:00:00 GMT", lastPoll: t0, lastStatus: "200", consecutiveErrors: 0,
            nextDue: t0.addingTimeInterval(600))
        try await store.saveFeedStates([state])
        try await poll(store, "news", [])
        state.lastStatus = "timeout: no answer in 30s"
        state.consecutiveErrors = 1
        state.failingSince = t0
        try await store.saveFeedStates([state])  // a copy taken before the poll: firstPollDone false
        state.firstPollDone = true
        let read = try await store.feedState(named: "news")
        XCTAssertEqual(read, state)
        var gone = FeedState(name: "old", configuredURL: "https://ex.org/old", lastPoll: t0, lastStatus: "410 gone")
        gone.gone = true
        var quiet = FeedState(name: "quiet", configuredURL: "https://ex.org/q", lastPoll: t0)
        quiet.lastNewItem = t0.addingTimeInterval(-30 * 86400)
        let fine = FeedState(name: "fine", configuredURL: "https://ex.org/f", lastPoll: t0, lastNewItem: t0)
        try await store.saveFeedStates([gone, quiet, fine])
        let troubled = try await store.troubledFeedStates(silentBefore: t0.addingTimeInterval(-7 * 86400))
        XCTAssertEqual(troubled.map(\.name), ["news", "old", "quiet"])
        let named = try await store.feedStates(named: ["fine", "missing", "old"])
        XCTAssertEqual(named.keys.sorted(), ["fine", "old"])
        // Three names, a list the SQLite store pads to four: the same answer, but for the poll
        // times, which a store may leave out.
        let forPolls = try await store.pollStates(named: ["fine", "missing", "old"])
        XCTAssertEqual(forPolls.keys.sorted(), ["fine", "old"])
        for (name, state) in named {
            var forPoll = try XCTUnwrap(forPolls[name])
            XCTAssertTrue(forPoll.lastPoll == nil || forPoll.lastPoll == state.lastPoll, name)
            XCTAssertTrue(forPoll.nextDue == nil || forPoll.nextDue == state.nextDue, name)
            forPoll.lastPoll = state.lastPoll
            forPoll.nextDue = state.nextDue
            XCTAssertEqual(forPoll, state)
        }
        let all = try await store.allFeedStates().map(\.name)
        XCTAssertEqual(all, ["fine", "news", "old", "quiet"])
        var rows: [String: FeedScheduleRow] = [:]
        try await store.forEachScheduleRow { rows[$0.name] = $0 }
        XCTAssertEqual(rows.count, 4)
        XCTAssertEqual(rows["news"]?.consecutiveErrors, 1)
        XCTAssertEqual(rows["news"]?.nextDue, t0.addingTimeInterval(600))
        XCTAssertEqual(rows["old"]?.gone, true)
        await store.close()
    }

    /// The reads polls start from and the saves after them, round after round, most saves of the
    /// times alone: each lands on the feed it names, however the store finds the row (the SQLite
    /// store by its row id once it has learnt it, by name the first time).
    func feedStatesStayEachFeedsOwnPollAfterPoll() async throws {
        let store = try await make()
        let names = (0..<40).map { "feed-\($0)" }
        var states: [String: FeedState] = [:]
        for (index, name) in names.enumerated() {
            states[name] = FeedState(
                name: name, configuredURL: "https://ex.org/\(name)", etag: "\"\(name)-0\"", lastPoll: t0,
                lastStatus: "200", nextDue: t0.addingTimeInterval(Double(60 + index)))
        }
        // Half the feeds saved first: the others' rows come with the saves of the rounds that poll them.
        try await store.saveFeedStates(names.prefix(20).map { states[$0]! })
        var stored = Set(names.prefix(20))
        for round in 1...4 {
            // A different subset each round, in another order, and a feed never saved.
            let subset = names.enumerated().filter { ($0.offset + round) % 3 != 0 }.map(\.element)
            let asked = round % 2 == 0 ? subset.reversed() : subset
            let read = try await store.pollStates(named: asked + ["missing"])
            XCTAssertEqual(Set(read.keys), stored.intersection(asked), "round \(round)")
            for (name, state) in read {
                var expected = try XCTUnwrap(states[name])
                XCTAssertTrue(state.lastPoll == nil || state.lastPoll == expected.lastPoll, name)
                expected.lastPoll = state.lastPoll
                expected.nextDue = state.nextDue
                XCTAssertEqual(state, expected, "round \(round)")
            }
            var saved: [FeedState] = []
            var timesOnly: Set<String> = []
            for (index, name) in asked.enumerated() {
                var state = try XCTUnwrap(states[name])
                state.lastPoll = t0.addingTimeInterval(Double(round * 60))
                state.nextDue = t0.addingTimeInterval(Double(round * 60 + 60 + index))
                if index % 4 == 0 || read[name] == nil {
                    state.etag = "\"\(name)-\(round)\""
                } else {
                    timesOnly.insert(name)
                }
                states[name] = state
                saved.append(state)
            }
            try await store.saveFeedStates(saved, timesOnly: timesOnly)
            stored.formUnion(asked)
        }
        let all = try await store.allFeedStates()
        XCTAssertEqual(all.count, stored.count)
        for state in all { XCTAssertEqual(state, states[state.name]) }
        await store.close()
    }

    // MARK: - The outbox

    func outboxClaimsOnceRetriesAndDeadLetters() async throws {
        let store = try await make()
        try await poll(store, "news", [item("a", link: "https://ex.org/a", title: "outage one two")])
        let unshaped = try await store.unshapedDeliveries(limit: 10)
        XCTAssertEqual(unshaped.count, 2)
        let none = try await store.dueMessages(now: t0, target: "ops", limit: 10)
        XCTAssertTrue(none.isEmpty, "a row is not claimable before it is shaped")
        try await store.applyShaping(unshaped.map { ShapingDecision(id: $0.id) })
        let stillUnshaped = try await store.unshapedDeliveries(limit: 10)
        XCTAssertTrue(stillUnshaped.isEmpty)

        let claimed = try await store.dueMessages(now: t0, target: "ops", limit: 10)
        XCTAssertEqual(claimed.map { $0.map(\.target) }, [["ops"]])
        XCTAssertEqual(claimed.first?.first?.status, .inFlight)
        let twice = try await store.dueMessages(now: t0, target: "ops", limit: 10)
        XCTAssertTrue(twice.isEmpty, "a claimed row is not handed out again")
        let ops = try XCTUnwrap(claimed.first?.first)

        try await store.markFailed(id: ops.id, error: "HTTP 503", retryAt: t0.addingTimeInterval(60))
        let early = try await store.dueMessages(now: t0.addingTimeInterval(30), target: "ops", limit: 10)
        XCTAssertTrue(early.isEmpty, "not before its next attempt")
        let next = try await store.earliestNextAttempt()
        XCTAssertEqual(next, t0, "the journal row is still due")
        let retried = try await store.dueMessages(now: t0.addingTimeInterval(60), target: "ops", limit: 10)
        XCTAssertEqual(retried.first?.first?.attempts, 1)
        XCTAssertEqual(retried.first?.first?.lastError, "HTTP 503")
        try await store.markFailed(id: ops.id, error: "HTTP 404", retryAt: nil)
        let dead = try await store.deadLetters()
        XCTAssertEqual(dead.map(\.id), [ops.id])
        let recent = try await store.recentDeadLetters(limit: 5)
        XCTAssertEqual(recent.map(\.id), [ops.id])
        let counts = try await store.outboxCounts()
        XCTAssertEqual(counts["ops"]?.dead, 1)
        XCTAssertEqual(counts["journal"]?.pending, 1)

        let requeued = try await store.requeue(id: ops.id, now: t0.addingTimeInterval(120))
        XCTAssertTrue(requeued)
        let notDead = try await store.requeue(id: ops.id, now: t0.addingTimeInterval(120))
        XCTAssertFalse(notDead, "only dead letters are requeued")
        let back = try await store.pending().first { $0.target == "ops" }
        XCTAssertEqual(back?.attempts, 0)
        XCTAssertEqual(back?.retryFrom, t0.addingTimeInterval(120))

        let journal = try await store.dueMessages(now: t0, target: "journal", limit: 10)
        let journalID = try XCTUnwrap(journal.first?.first?.id)
        try await store.markDelivered(id: journalID, status: nil, now: t0.addingTimeInterval(1))
        let delivered = try await store.messagesDelivered(target: "journal", since: t0)
        XCTAssertEqual(delivered, [t0.addingTimeInterval(1)])
        let queues = try await store.outboxQueues()
        XCTAssertEqual(queues.map(\.target), ["ops"])
        XCTAssertEqual(queues.first?.pending, 1)
        await store.close()
    }

    func outboxReleasesExpiresAndRequeuesAll() async throws {
        let store = try await make()
        try await poll(store, "news", [item("a", link: "https://ex.org/a", title: "outage one two")])
        try await store.applyShaping(try await store.unshapedDeliveries(limit: 10).map { ShapingDecision(id: $0.id) })
        let orphans = try await store.dueDeliveries(now: t0, limit: 10, excludingTargets: ["journal"])
        XCTAssertEqual(orphans.map(\.target), ["ops"], "rows of targets outside the set")
        try await store.releaseDeliveries(ids: orphans.map(\.id))
        let expired = try await store.expire(olderThan: ["ops": 3600], now: t0.addingTimeInterval(3601))
        XCTAssertEqual(expired, 1)
        let dead = try await store.deadLetters()
        XCTAssertEqual(dead.first?.lastError, "expired: undelivered after 3600s")
        let all = try await store.requeueAll(now: t0.addingTimeInterval(4000))
        XCTAssertEqual(all, 1)
        let empty = try await store.deadLetters()
        XCTAssertTrue(empty.isEmpty)
        await store.close()
    }

    func outboxGroupsAreClaimedTogether() async throws {
        let store = try await make()
        try await poll(
            store, "news",
            [
                item("a", link: "https://ex.org/a", title: "outage one two"),
                item("b", link: "https://ex.org/b", title: "outage three four"),
                item("c", link: "https://ex.org/c", title: "outage five six"),
            ])
        let ops = try await store.unshapedDeliveries(limit: 10).filter { $0.target == "ops" }
        let releaseAt = t0.addingTimeInterval(300)
        try await store.applyShaping(
            ops.prefix(2).map { ShapingDecision(id: $0.id, groupKey: "ops/group:300/1", hold: "group", releaseAt: releaseAt) }
                + [ShapingDecision(id: ops[2].id)])
        let open = try await store.openGroup(target: "ops", keyPrefix: "ops/group:300/")
        XCTAssertEqual(open?.key, "ops/group:300/1")
        XCTAssertEqual(open?.releaseAt, releaseAt)
        let now = try await store.dueMessages(now: t0, target: "ops", limit: 10)
        XCTAssertEqual(now.map(\.count), [1], "the group waits for its release")
        let held = try await store.outboxQueues().first { $0.target == "ops" }
        XCTAssertEqual(held?.held, 2)
        let group = try await store.dueMessages(now: releaseAt, target: "ops", limit: 10)
        XCTAssertEqual(group.map(\.count), [2])
        for entry in group[0] { try await store.markDelivered(id: entry.id, status: 200, now: releaseAt) }
        let messages = try await store.messagesDelivered(target: "ops", since: t0)
        XCTAssertEqual(messages.count, 1, "a group is one message")
        await store.close()
    }

    // MARK: - History and housekeeping

    func historyListsAlertsNewestFirst() async throws {
        let store = try await make()
        try await poll(store, "news", [item("a", link: "https://ex.org/a", title: "outage one two")])
        try await poll(
            store, "news", [item("b", link: "https://ex.org/b", title: "outage three four", rules: ["europe"])],
            at: t0.addingTimeInterval(60))
        let all = try await store.alertHistory(since: t0, rule: nil, limit: nil)
        XCTAssertEqual(all.map(\.alertID), ["europe|b", "europe|b", "outages|a", "outages|a"])
        let newest = try await store.alertHistory(since: t0, rule: nil, limit: 1)
        XCTAssertEqual(Set(newest.map(\.alertID)), ["europe|b"])
        let byRule = try await store.alertHistory(since: t0, rule: "outages", limit: nil)
        XCTAssertEqual(Set(byRule.map(\.alertID)), ["outages|a"])
        let since = try await store.alertHistory(since: t0.addingTimeInterval(30), rule: nil, limit: nil)
        XCTAssertEqual(Set(since.map(\.alertID)), ["europe|b"])
        await store.close()
    }

    func pruningForgetsOnlyWhatRetentionAllows() async throws {
        let store = try await make()
        try await poll(store, "news", [item("a", link: "https://ex.org/a", title: "outage one two")])
        let rows = try await store.pending()
        for row in rows { try await store.markDelivered(id: row.id, status: 200, now: t0) }
        let early = try await store.pruneAll(now: t0.addingTimeInterval(86400))
        XCTAssertEqual(early, 0, "nothing is old enough after a day")
        let late = t0.addingTimeInterval(Retention.seenItems + 86400)
        let removed = try await store.pruneAll(now: late, batchSize: 1)
        XCTAssertGreaterThanOrEqual(removed, 4, "the seen item, the fired alert and both delivered rows")
        let history = try await store.alertHistory(since: t0, rule: nil, limit: nil)
        XCTAssertTrue(history.isEmpty)
        let unseen = try await store.unseenKeys(feed: "news", keys: ["a"])
        XCTAssertEqual(unseen, ["a"], "an item gone from its feed for 90 days is forgotten")
        await store.close()
    }
}
