// bench-fetch: one poll of 10,000 feeds from a local nginx, then a second, conditional poll (all 304),
// against the floor of `curl --parallel --parallel-max 64` over the same URLs.
//
//   swift build -c release --product bench-fetch && .build/release/bench-fetch [feeds]
import CLibXML2
import FeedwatchFetch
import FeedwatchHTTP
import FeedwatchParse
import Foundation

/// "met" or "NOT MET", after a goal in the output: a figure that falls short stands out.
func verdict(_ met: Bool) -> String { met ? "met" : "NOT MET" }

#if canImport(Glibc)
    import Glibc
#endif

let feedCount = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 10_000
let concurrency = 64

// MARK: - Measuring

struct Usage {
    let wall: Double
    let cpu: Double
    let childCPU: Double

    static func now() -> Usage {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Usage(
            wall: Double(time.tv_sec) + Double(time.tv_nsec) / 1e9, cpu: cpuSeconds(RUSAGE_SELF.rawValue),
            childCPU: cpuSeconds(RUSAGE_CHILDREN.rawValue))
    }

    static func cpuSeconds(_ who: Int32) -> Double {
        var usage = rusage()
        getrusage(who, &usage)
        func seconds(_ value: timeval) -> Double { Double(value.tv_sec) + Double(value.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}

func peakRSSMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("bench-fetch: \(message)\n".utf8))
    exit(1)
}

// MARK: - The corpus and nginx

func rssDocument(feed: Int) -> String {
    var text = """
        <?xml version="1.0" encoding="UTF-8"?>
        <rss version="2.0"><channel><title>Feed \(feed)</title><link>https://example.org/\(feed)/</link>
        <description>Generated feed number \(feed) for the fetch benchmark.</description>

        """
    for item in 0..<30 {
        text += """
            <item><title>Item \(item) of feed \(feed): outage reported in region \(item % 7)</title>\
            <link>https://example.org/\(feed)/items/\(item)</link><guid>feed-\(feed)-item-\(item)</guid>\
            <pubDate>Tue, 24 Nov 2026 \(10 + item % 10):\(10 + item):00 GMT</pubDate>\
            <description>Short summary of item \(item) of feed \(feed): services were degraded for a while \
            in region \(item % 7), then restored; details follow on the status page.</description></item>

            """
    }
    return text + "</channel></rss>\n"
}

func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length)
            return getsockname(fd, pointer, &length)
        }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

func waitUntilListening(port: Int) -> Bool {
    for _ in 0..<100 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        close(fd)
        if connected == 0 { return true }
        usleep(50_000)
    }
    return false
}

let setupStart = Usage.now()
// tmpfs when there is one: writing and deleting 10,000 files on a busy disk takes longer than the polls.
let scratch =
    FileManager.default.fileExists(atPath: "/dev/shm")
    ? URL(fileURLWithPath: "/dev/shm") : FileManager.default.temporaryDirectory
let workDirectory = scratch.appendingPathComponent("bench-fetch-\(getpid())")
let www = workDirectory.appendingPathComponent("www/feeds")
do {
    try FileManager.default.createDirectory(at: www, withIntermediateDirectories: true)
    for feed in 0..<feedCount {
        try Data(rssDocument(feed: feed).utf8).write(to: www.appendingPathComponent("feed-\(feed).xml"))
    }
} catch {
    fail("could not write the corpus: \(error)")
}
defer { try? FileManager.default.removeItem(at: workDirectory) }

let port = freePort()
let prefix = workDirectory.path
let nginxConfig = """
    \(getuid() == 0 ? "user root;" : "")
    worker_processes 1;
    error_log \(prefix)/error.log;
    pid \(prefix)/nginx.pid;
    events { worker_connections 4096; }
    http {
        access_log off;
        etag on;
        keepalive_requests 1000000;
        keepalive_timeout 120s;
        client_body_temp_path \(prefix)/body;
        types { application/rss+xml xml; }
        server { listen 127.0.0.1:\(port); root \(prefix)/www; }
    }

    """
let configPath = workDirectory.appendingPathComponent("nginx.conf")
try? Data(nginxConfig.utf8).write(to: configPath)
let nginx = Process()
nginx.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
nginx.arguments = ["-p", prefix, "-c", configPath.path, "-g", "daemon off;"]
do { try nginx.run() } catch { fail("could not start nginx (apt-get install -y nginx-light): \(error)") }
defer {
    let stopping = Usage.now()
    nginx.terminate()
    nginx.waitUntilExit()
    print(String(format: "(nginx stopped in %.1f s)", Usage.now().wall - stopping.wall))
}
guard waitUntilListening(port: port) else { fail("nginx did not start; see \(prefix)/error.log") }

print(String(format: "(setup: corpus and nginx in %.1f s)", Usage.now().wall - setupStart.wall))
let urls = (0..<feedCount).compactMap { URL(string: "http://127.0.0.1:\(port)/feeds/feed-\($0).xml") }
let corpusBytes = (0..<min(feedCount, 100)).map { rssDocument(feed: $0).utf8.count }.reduce(0, +) / min(feedCount, 100)
print("bench-fetch: \(feedCount) feeds of ~\(corpusBytes / 1024) KB (30 items) from nginx on 127.0.0.1:\(port)")
print("concurrency \(concurrency), per_host \(concurrency)\n")

// MARK: - Polls

/// What each poll keeps per feed: only the validators (bodies are handed on and dropped, as the daemon does).
final class PollLog: @unchecked Sendable {
    private let lock = NSLock()
    var etags: [String?]
    var lastModifieds: [String?]
    var statuses: [Int: Int] = [:]
    var failures: [String] = []
    var bodyBytes = 0
    var parsedItems = 0
    var parseFailures = 0
    let parsing = DispatchGroup()

    init(count: Int) {
        etags = Array(repeating: nil, count: count)
        lastModifieds = Array(repeating: nil, count: count)
    }

    func record(_ result: FetchResult, feed: Int) {
        lock.lock()
        defer { lock.unlock() }
        etags[feed] = result.etag
        lastModifieds[feed] = result.lastModified
        statuses[result.status ?? 0, default: 0] += 1
        switch result.outcome {
        case .document(let body, _, _):
            bodyBytes += body.count
            // Parsed off the HTTP loop thread, as the daemon does, so the figures cover fetch + parse.
            parseQueue.async(group: parsing) { [self] in
                let parsed = try? FeedParser.parse(body, url: urls[feed].absoluteString)
                lock.withLock {
                    if let parsed { parsedItems += parsed.items.count } else { parseFailures += 1 }
                }
            }
        case .failed(let message):
            if failures.count < 5 { failures.append(message) }
        case .notModified, .gone:
            break
        }
    }
}

let parseQueue = DispatchQueue(label: "parse", attributes: .concurrent)

func poll(_ label: String, fetcher: FeedFetcher, validators: PollLog?) -> (log: PollLog, wall: Double) {
    let log = PollLog(count: urls.count)
    let group = DispatchGroup()
    let before = Usage.now()
    for (feed, url) in urls.enumerated() {
        group.enter()
        let request = FetchRequest(
            url: url, etag: validators?.etags[feed], lastModified: validators?.lastModifieds[feed])
        fetcher.fetch(request) { result in
            log.record(result, feed: feed)
            group.leave()
        }
    }
    group.wait()
    log.parsing.wait()
    let after = Usage.now()
    let wall = after.wall - before.wall
    let statuses = log.statuses.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
    print(
        String(
            format: "%@: %.2f s wall, %.2f s CPU, %.0f feeds/s, %.1f MB/s of bodies, peak RSS %.1f MB  [%@]",
            label, wall, after.cpu - before.cpu, Double(urls.count) / wall,
            Double(log.bodyBytes) / wall / 1e6, peakRSSMegabytes(), statuses))
    if log.parsedItems + log.parseFailures > 0 {
        print("  parsed \(log.parsedItems) items, \(log.parseFailures) documents failed to parse")
    }
    for failure in log.failures { print("  failure: \(failure)") }
    return (log, wall)
}

let client: HTTPClient
do { client = try HTTPClient(configuration: .init(concurrency: concurrency, perHost: concurrency)) } catch {
    fail("\(error)")
}
let fetcher = FeedFetcher(client: client)
let first = poll("feedwatch poll 1 (200)", fetcher: fetcher, validators: nil)
let second = poll("feedwatch poll 2 (304)", fetcher: fetcher, validators: first.log)
client.shutdown()

// MARK: - The floor: curl --parallel over the same URLs

func curlFloor(_ label: String, withValidators log: PollLog?) -> Double {
    var config = ""
    for (feed, url) in urls.enumerated() {
        if log != nil && feed > 0 { config += "next\n" }  // per-URL headers need one operation per URL
        config += "url = \"\(url.absoluteString)\"\noutput = \"/dev/null\"\n"
        if let log, let etag = log.etags[feed] {
            let escaped = etag.replacingOccurrences(of: "\"", with: "\\\"")
            config += "header = \"If-None-Match: \(escaped)\"\n"
        }
    }
    let path = workDirectory.appendingPathComponent("curl-\(log == nil ? "200" : "304").cfg")
    try? Data(config.utf8).write(to: path)
    let curl = Process()
    curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
    curl.arguments = [
        "--parallel", "--parallel-max", "\(concurrency)", "--silent", "--no-progress-meter", "-K", path.path,
    ]
    curl.standardError = FileHandle.nullDevice
    let before = Usage.now()
    do { try curl.run() } catch { fail("could not run curl: \(error)") }
    curl.waitUntilExit()
    let after = Usage.now()
    let wall = after.wall - before.wall
    print(
        String(
            format: "%@: %.2f s wall, %.2f s CPU, %.0f feeds/s (exit %d)", label, wall,
            after.childCPU - before.childCPU, Double(urls.count) / wall, curl.terminationStatus))
    return wall
}

print("")
let curl200 = curlFloor("curl --parallel-max 64 (200)", withValidators: nil)
let curl304 = curlFloor("curl --parallel-max 64 (304)", withValidators: first.log)
// MARK: - The parse floor: a bare xmlTextReader read of the same bytes

func bareRead(_ document: String) -> Int {
    var nodes = 0
    var bytes = Array(document.utf8)
    bytes.withUnsafeMutableBufferPointer { raw in
        raw.baseAddress!.withMemoryRebound(to: CChar.self, capacity: raw.count) { base in
            guard let reader = xmlReaderForMemory(base, Int32(raw.count), nil, "UTF-8", Int32(XML_PARSE_NONET.rawValue))
            else { return }
            while xmlTextReaderRead(reader) == 1 { nodes += 1 }
            xmlFreeTextReader(reader)
        }
    }
    return nodes
}

/// The bare reads of every document, one after another on one core: seconds, and nodes read.
func parseFloorSeconds() -> (seconds: Double, nodes: Int) {
    var nodes = 0
    var seconds = 0.0
    for feed in 0..<feedCount {
        // Generated one at a time, and only the read is timed, so the corpus never sits in memory.
        let document = rssDocument(feed: feed)
        let start = Usage.now()
        nodes += bareRead(document)
        seconds += Usage.now().wall - start.wall
    }
    return (seconds, nodes)
}

let (parseFloor, floorNodes) = parseFloorSeconds()
print(
    String(
        format: "bare xmlTextReader over the same %d documents (one core): %.2f s (%d nodes)", feedCount, parseFloor,
        floorNodes))

print("")
print(
    String(
        format: "poll 1 (fetch + parse) / (curl floor + parse floor): %.2f× (goal ≤ 2×: %@)",
        first.wall / (curl200 + parseFloor), verdict(first.wall / (curl200 + parseFloor) <= 2)))
print(String(format: "poll 1 / curl floor (200): %.2f×", first.wall / curl200))
print(
    String(
        format: "poll 2 / curl floor (304): %.2f× (goal ≤ 3×: %@)", second.wall / curl304,
        verdict(second.wall / curl304 <= 3)))
let peak = peakRSSMegabytes()
print(String(format: "peak RSS %.1f MB (goal < 150 MB: %@)", peak, verdict(peak < 150)))

// MARK: - End to end: `feedwatch once` over the same 10,000 feeds (fetch, parse, match, record)

/// Rounds of the end-to-end measurement: each times the curl floor, the parse floor and `once`'s
/// first poll one after another, so that each round's ratio is measured within a few seconds. On a
/// shared VM whose speed drifts by tens of per cent from one minute to the next, a single round's
/// ratio moved by ±0.3; the median round's is the figure.
let endToEndRounds = 3

func endToEnd() {
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
        "feedwatch")
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
        print("(end to end skipped: build the feedwatch product in release mode first)")
        return
    }
    let stateDirectory = workDirectory.appendingPathComponent("state")
    var yaml = """
        state_dir: \(stateDirectory.path)
        concurrency: \(concurrency)
        per_host: \(concurrency)
        defaults: {alert_on_first_poll: true}
        rules:
          - {name: outages, any: [panne, "déni de service", "feed 7"], none: [publicité]}
          - {name: regions, all: ["region 3", restored*], feeds: [feed-11, feed-12]}
        feeds:

        """
    for (feed, url) in urls.enumerated() { yaml += "  - {url: \"\(url.absoluteString)\", name: feed-\(feed)}\n" }
    let configPath = workDirectory.appendingPathComponent("feedwatch.yaml")
    try? Data(yaml.utf8).write(to: configPath)

    /// One `once`: wall and CPU seconds, the largest child's peak RSS so far, and its summary line.
    func once() -> (wall: Double, cpu: Double, peakMB: Double, summary: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["once", "-c", configPath.path]
        process.environment = ["FEEDWATCH_LOG": "stderr", "PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let before = Usage.now()
        do { try process.run() } catch { fail("could not run feedwatch: \(error)") }
        let summary = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let after = Usage.now()
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return (
            after.wall - before.wall, after.childCPU - before.childCPU, Double(usage.ru_maxrss) / 1024,
            summary.trimmingCharacters(in: .whitespacesAndNewlines)
        )
    }

    var ratios: [Double] = []
    for round in 1...endToEndRounds {
        print("round \(round) of \(endToEndRounds):")
        let curl = curlFloor("  curl --parallel-max 64 (200)", withValidators: nil)
        let parse = parseFloorSeconds().seconds
        print(String(format: "  bare xmlTextReader (one core): %.2f s", parse))
        try? FileManager.default.removeItem(at: stateDirectory)  // every round's first poll is a first poll
        let first = once()
        ratios.append(first.wall / (curl + parse))
        print(
            String(
                format: "  feedwatch once, first poll (fetch, parse, match, record): %.2f s wall, %.2f s CPU, "
                    + "peak RSS of the largest child %.1f MB", first.wall, first.cpu, first.peakMB))
        print("    " + first.summary)
        print(String(format: "  first poll / (curl floor + parse floor): %.2f×", ratios.last!))
    }
    // The goal for `once`: its first poll within 1.5× the floors measured beside it.
    let median = ratios.sorted()[ratios.count / 2]
    print(
        String(
            format:
                "feedwatch once, first poll / (curl floor + parse floor), median of %d rounds: %.2f× (goal ≤ 1.5×: %@)",
            endToEndRounds, median, verdict(median <= 1.5)))
    let second = once()
    print(
        String(
            format: "feedwatch once, second poll (all 304): %.2f s wall, %.2f s CPU, "
                + "peak RSS of the largest child %.1f MB", second.wall, second.cpu, second.peakMB))
    print("  " + second.summary)
}

print("")
endToEnd()
