// bench-state: the state store's hot paths against a store of a million items, and a year of
// 1,000 feeds to show that retention keeps the database file bounded.
//   swift build -c release --product bench-state && .build/release/bench-state
import FeedwatchState
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func peakRSSMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func fileMiB(_ directory: String) -> Double {
    let names = ["feedwatch.sqlite", "feedwatch.sqlite-wal"]
    let bytes = names.compactMap {
        try? FileManager.default.attributesOfItem(atPath: directory + "/" + $0)[.size] as? UInt64
    }.reduce(0, +)
    return Double(bytes) / 1_048_576
}

func rate(_ count: Int, _ time: Double) -> String {
    String(format: "%10.0f/s", Double(count) / time)
}

func item(_ feed: Int, _ n: Int, matching: Bool = false) -> IncomingItem {
    let link = "https://news\(feed % 97).example.org/\(feed)/2026/story-number-\(n)"
    let candidates =
        matching
        ? [
            AlertCandidate(
                alertID: "a-\(feed)-\(n)", rule: "outages", targets: ["journal", "ops"],
                payload: Data(#"{"type":"feedwatch.alert","rule":"outages"}"#.utf8))
        ]
        : []
    return IncomingItem(
        key: link, link: link, title: "story \(n) of feed \(feed) in the benchmark", candidates: candidates)
}

let root = FileManager.default.temporaryDirectory.appendingPathComponent("bench-state-\(getpid())").path
defer { try? FileManager.default.removeItem(atPath: root) }
let now = Date(timeIntervalSince1970: 1_790_000_000)
let cpuAtStart = cpuSeconds()

// 0. Feed states as the daemon keeps them at 100,000 feeds polled every minute (1,667 polls/s):
//    read in batches of 64 as polls start, saved 3,334 at a time (every 2 s), most of them a 304
//    that changed only the last and next poll times. CPU per state read and saved.
do {
    let directory = root + "/states"
    let store = try SQLiteStateStore(directory: directory)
    let feeds = 100_000
    func state(_ feed: Int, at time: Date) -> FeedState {
        FeedState(
            name: "feed-\(feed)", configuredURL: "https://news\(feed % 256).example.org/f\(feed).xml",
            etag: "\"65f1c2a3-\(feed)\"", lastModified: "Tue, 24 Nov 2026 10:\(feed % 60):00 GMT", lastPoll: time,
            lastStatus: "304", nextDue: time.addingTimeInterval(60), firstPollDone: true, lastNewItem: now)
    }
    try store.saveFeedStates((0..<feeds).map { state($0, at: now) })
    // Feeds fall due in no order of their rows: a fixed shuffle.
    var order = Array(0..<feeds)
    var seed: UInt64 = 20_261_207
    for index in stride(from: feeds - 1, to: 0, by: -1) {
        seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        order.swapAt(index, Int((seed >> 33) % UInt64(index + 1)))
    }
    var read = 0
    var readCPU = 0.0
    let perSave = 3334
    let cpu = cpuSeconds()
    let time = try seconds {
        for save in 0..<30 {
            let at = now.addingTimeInterval(Double(save) * 2)
            let first = save * perSave
            var batch: [FeedState] = []
            for start in stride(from: first, to: first + perSave, by: 64) {
                let names = (start..<min(first + perSave, start + 64)).map { "feed-\(order[$0 % feeds])" }
                let before = cpuSeconds()
                read += try store.pollStates(named: names).count
                readCPU += cpuSeconds() - before
            }
            for feed in first..<(first + perSave) { batch.append(state(order[feed % feeds], at: at)) }
            try store.saveFeedStates(batch)
        }
    }
    let states = 30 * perSave
    say(
        "feed states, 100,000 feeds: \(states) read (64 a statement) and saved (\(perSave) a transaction) in "
            + String(format: "%.2f s, %.1f µs CPU a state", time, (cpuSeconds() - cpu) / Double(states) * 1e6)
            + String(format: " (reading %.1f µs)", readCPU / Double(states) * 1e6))
    store.close()
}
if ProcessInfo.processInfo.environment["BENCH_STATE_ONLY"] == "states" { exit(0) }

do {
    // 1. A million items: 1,000 feeds of 1,000 items, one transaction per feed.
    let directory = root + "/million"
    let store = try SQLiteStateStore(directory: directory)
    let feeds = 1000
    let perFeed = 1000
    let build = try seconds {
        for feed in 0..<feeds {
            _ = try store.recordItemsAndEnqueueAlerts(
                feed: "feed-\(feed)", items: (0..<perFeed).map { item(feed, $0) }, now: now, alertOnFirstPoll: false)
        }
    }
    say(
        "store of \(feeds * perFeed) items built in \(String(format: "%.1f", build)) s: "
            + "\(rate(feeds * perFeed, build)) inserts in 1,000-item transactions; file \(String(format: "%.0f", fileMiB(directory))) MiB"
    )

    // 2. Seen checks: batches of 30 (one document) and 1,000, half seen, half not.
    for batch in [30, 1000] {
        var checked = 0
        var unseen = 0
        let time = try seconds {
            for round in 0..<(batch == 30 ? 20_000 : 600) {
                let feed = (round * 7919) % feeds
                let keys = (0..<batch).map { i in
                    item(feed, i % 2 == 0 ? (round * 31 + i) % perFeed : perFeed + round * batch + i).key
                }
                unseen += try store.unseenKeys(feed: "feed-\(feed)", keys: keys).count
                checked += batch
            }
        }
        say(
            "seen checks, \(String(format: "%5d", batch)) keys/query: \(rate(checked, time)) keys (\(unseen) of \(checked) unseen)"
        )
    }

    // 3. Polls: 30-item documents, 25 already seen and 5 new of which 1 matches, as the daemon records them.
    //    Polls a second apart leave the 25 seen items' last-seen time alone (rewritten at most hourly);
    //    polls an hour apart rewrite it every time, the worst case.
    store.close()
    let passes: [(SQLiteStateStore.Durability, TimeInterval, String)] = [
        (.full, 1, "FULL,   1 s apart"), (.full, 3600, "FULL,   1 h apart"), (.normal, 1, "NORMAL, 1 s apart"),
    ]
    for (pass, (durability, spacing, label)) in passes.enumerated() {
        let pollStore = try SQLiteStateStore(directory: directory, durability: durability)
        let documents = durability == .full ? 1500 : 5000
        let start = now.addingTimeInterval(Double(pass) * 86400 * 30)
        var fired = 0
        let time = try seconds {
            for doc in 0..<documents {
                let feed = (doc * 13) % feeds
                let fresh = perFeed + 10_000 * (pass + 1) + doc * 5
                let items = (0..<25).map { item(feed, $0) } + (0..<5).map { item(feed, fresh + $0, matching: $0 == 0) }
                fired += try pollStore.recordItemsAndEnqueueAlerts(
                    feed: "feed-\(feed)", items: items, now: start.addingTimeInterval(Double(doc) * spacing),
                    alertOnFirstPoll: false
                ).fired
            }
        }
        say(
            "poll transactions (30 items, 5 new), synchronous=\(label): "
                + "\(rate(documents, time)) documents = \(rate(documents * 30, time)) items, "
                + "\(rate(documents * 5, time)) inserts (\(fired) alerts queued)")
        pollStore.close()
    }
}

do {
    // 4. A year of 1,000 feeds, 20 new items a day each (1% matching), one step per simulated
    //    week: each feed's week of items in one transaction, deliveries acknowledged, then pruning.
    let directory = root + "/year"
    let store = try SQLiteStateStore(directory: directory, durability: .normal)
    // 250 feeds keep the run under two minutes; the full 1,000 (7.4 M items) plateaued at 138 MiB.
    let feeds = Int(ProcessInfo.processInfo.environment["BENCH_STATE_FEEDS"] ?? "") ?? 250
    let perDay = 20
    let stepDays = 7
    var inserted = 0
    var pruned = 0
    var pruneTime = 0.0
    var sizes: [String] = []
    let time = try seconds {
        for step in 0..<(365 / stepDays + 1) {
            let day = step * stepDays
            let date = now.addingTimeInterval(Double(day) * 86400)
            for feed in 0..<feeds {
                let items = (0..<(perDay * stepDays)).map { n in
                    let serial = day * perDay + n
                    return item(feed, serial, matching: serial % 100 == 0)
                }
                _ = try store.recordItemsAndEnqueueAlerts(
                    feed: "feed-\(feed)", items: items, now: date, alertOnFirstPoll: false)
                inserted += items.count
            }
            for entry in try store.dueDeliveries(now: date, limit: 100_000) {
                try store.markDelivered(id: entry.id, status: 200, now: date)
            }
            pruneTime += try seconds { pruned += try store.pruneAll(now: date, batchSize: 500) }
            if step % 13 == 12 { sizes.append("day \(day): \(String(format: "%.0f", fileMiB(directory))) MiB") }
        }
    }
    say(
        "year of \(feeds) feeds x \(perDay) items/day: \(inserted) items recorded in \(String(format: "%.1f", time)) s "
            + "(\(rate(inserted, time)) incl. pruning), \(pruned) rows pruned in 500-row batches in \(String(format: "%.1f", pruneTime)) s"
    )
    say("database file size: " + sizes.joined(separator: ", ") + " — bounded by the 90-day window")
    store.close()
    say("after close: \(String(format: "%.0f", fileMiB(directory))) MiB")
}

say(String(format: "CPU %.1f s, peak RSS %.0f MiB", cpuSeconds() - cpuAtStart, peakRSSMiB()))
say("floor: SQLite on this machine does several hundred thousand small inserts/s in one transaction")

/// Prints and flushes at once, so that progress shows when the output is a pipe.
func say(_ line: String) {
    print(line)
    fflush(nil)
}
