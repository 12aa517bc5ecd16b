// bench-deliver: webhook delivery by the real daemon (`feedwatch run`) to a receiver on 127.0.0.1.
//  1. Throughput: one feed of 5,000 matching items; deliveries per second seen by the receiver.
//  2. Latency: 200 feeds, each with one new matching item; for each, the time from the feed's
//     fetch (its request reaching the feed server) to the webhook reaching the receiver: p50, p99.
//
//   swift build -c release --product bench-deliver --product feedwatch && .build/release/bench-deliver
import Foundation
import TestSupport

/// "met" or "NOT MET", after a goal in the output: a figure that falls short stands out.
func verdict(_ met: Bool) -> String { met ? "met" : "NOT MET" }

#if canImport(Glibc)
    import Glibc
#endif

func monotonic() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("bench-deliver: \(message)\n".utf8))
    exit(1)
}

/// Arrival times by key, recorded by the servers' handler threads.
final class Arrivals: @unchecked Sendable {
    private let lock = NSLock()
    private var times: [String: Double] = [:]
    private var total = 0
    func record(_ key: String) {
        let now = monotonic()
        lock.withLock {
            total += 1
            if times[key] == nil { times[key] = now }
        }
    }
    var snapshot: [String: Double] { lock.withLock { times } }
    var count: Int { lock.withLock { total } }
}

func rss(items: [(guid: String, title: String)]) -> String {
    var xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>bench</title><link>https://example.org/</link>"
    for item in items {
        xml +=
            "<item><title>\(item.title)</title><link>https://example.org/\(item.guid)</link><guid>\(item.guid)</guid><description>Une panne de réseau.</description></item>"
    }
    return xml + "</channel></rss>"
}

let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
    "feedwatch")
guard FileManager.default.isExecutableFile(atPath: binary.path) else {
    fail("build the feedwatch product in release mode first")
}
let work = FileManager.default.temporaryDirectory.appendingPathComponent("bench-deliver-\(getpid())")
try? FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }

/// Runs the daemon on `yaml` until `done` holds (or 120 s), then stops it.
func runDaemon(_ yaml: String, name: String, until done: () -> Bool) {
    let config = work.appendingPathComponent("\(name).yaml")
    try? Data(yaml.utf8).write(to: config)
    let process = Process()
    process.executableURL = binary
    process.arguments = ["run", "-c", config.path]
    process.environment = ["FEEDWATCH_LOG": "stderr", "PATH": "/usr/bin:/bin"]
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { fail("could not start feedwatch: \(error)") }
    let deadline = monotonic() + 120
    while !done(), monotonic() < deadline { usleep(5_000) }
    process.terminate()
    process.waitUntilExit()
}

// MARK: 1. Throughput

let alertCount = 5_000
let deliveries = Arrivals()
let receiver = try HTTPTestServer { request in
    deliveries.record(request.header("webhook-id") ?? "?")
    return .init(status: 200, text: "ok")
}
let items = (0..<alertCount).map { (guid: "item-\($0)", title: "Panne numéro \($0)") }
try Data(rss(items: items).utf8).write(to: work.appendingPathComponent("big.xml"))
runDaemon(
    """
    state_dir: \(work.path)/state-throughput
    feeds: [{url: "file:big.xml", name: big, alert_on_first_poll: true}]
    rules: [{name: outages, any: [panne], notify: [hook]}]
    webhooks: [{name: hook, url: "\(receiver.url("/hook").absoluteString)"}]
    """, name: "throughput"
) { deliveries.snapshot.count >= alertCount }
let times = deliveries.snapshot.values.sorted()
receiver.stop()
if times.count >= 2 {
    let span = times[times.count - 1] - times[0]
    print(
        String(
            format:
                "throughput: %d alerts delivered in %.2f s from first to last = %.0f deliveries/s (goal ≥ 1,000: %@); %d requests in all",
            times.count, span, Double(times.count - 1) / span, verdict(Double(times.count - 1) / span >= 1_000),
            deliveries.count))
} else {
    print("throughput: only \(times.count) deliveries arrived")
}

// MARK: 2. Latency from fetch to webhook

let feedCount = 200
let fetches = Arrivals()
let arrivals = Arrivals()
let feedServer = try HTTPTestServer { request in
    let feed = String(request.pathWithoutQuery.dropFirst())  // "/feed-12" → "feed-12"
    fetches.record(feed)
    return .init(
        status: 200, headers: [("Content-Type", "application/rss+xml")],
        text: rss(items: [(guid: feed, title: "Panne chez \(feed)")]))
}
let latencyReceiver = try HTTPTestServer { request in
    // The item's guid is its feed's name.
    if let object = try? JSONSerialization.jsonObject(with: request.body) as? [String: Any],
        let item = object["item"] as? [String: Any], let id = item["id"] as? String
    {
        arrivals.record(id)
    }
    return .init(status: 200, text: "ok")
}
var yaml = """
    state_dir: \(work.path)/state-latency
    defaults: {alert_on_first_poll: true}
    rules: [{name: outages, any: [panne], notify: [hook]}]
    webhooks: [{name: hook, url: "\(latencyReceiver.url("/hook").absoluteString)"}]
    feeds:

    """
for feed in 0..<feedCount {
    yaml += "  - {url: \"\(feedServer.url("/feed-\(feed)").absoluteString)\", name: feed-\(feed)}\n"
}
runDaemon(yaml, name: "latency") { arrivals.snapshot.count >= feedCount }
feedServer.stop()
latencyReceiver.stop()
let fetched = fetches.snapshot
let latencies = arrivals.snapshot.compactMap { key, arrived in fetched[key].map { (arrived - $0) * 1000 } }.sorted()
if latencies.isEmpty {
    print("latency: no alert arrived")
} else {
    func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
    print(
        String(
            format:
                "latency, fetch → webhook over %d alerts: p50 %.1f ms, p99 %.1f ms, max %.1f ms (goal p99 ≤ 50 ms: %@)",
            latencies.count, percentile(0.5), percentile(0.99), latencies.last!, verdict(percentile(0.99) <= 50)))
}
