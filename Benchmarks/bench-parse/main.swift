// Parse throughput of feedwatch against the floor: a bare libxml2 xmlTextReader loop over the same
// bytes (every node visited, nothing done with it). Each measurement runs in a child process so its
// peak RSS (getrusage ru_maxrss) is its own: the document itself, then what parsing adds.
//   swift build -c release --product bench-parse && .build/release/bench-parse
import CLibXML2
import FeedwatchParse
import Foundation

/// "met" or "NOT MET", after a goal in the output: a figure that falls short stands out.
func verdict(_ met: Bool) -> String { met ? "met" : "NOT MET" }

func bigFeed(megabytes: Int) -> Data {
    var xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" "
        + "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">"
        + "<channel><title>Bench</title><link>https://bench.example.org/</link>\n"
    xml.reserveCapacity(megabytes << 20 + 4096)
    var index = 0
    while xml.utf8.count < megabytes << 20 {
        xml += """
            <item><title>Item \(index): Panne g\u{E9}ante chez Facebook &amp; Telegram</title>
            <link>/posts/\(index).html</link><guid isPermaLink="false">urn:bench:\(index)</guid>
            <pubDate>Thu, 14 Mar 2019 09:\(index % 60 < 10 ? "0" : "")\(index % 60):00 GMT</pubDate>
            <dc:creator>Author \(index % 17)</dc:creator><category>news</category><category>tech</category>
            <description>&lt;p&gt;Pendant la &lt;b&gt;panne&lt;/b&gt;, Telegram a gagn\u{E9} 3 millions
            d\u{2019}utilisateurs &amp;amp; plus. &lt;a href="https://example.org/\(index)"&gt;Lire&lt;/a&gt;&lt;/p&gt;</description>
            <content:encoded><![CDATA[<div><p>Le r\u{E9}seau social a \u{E9}t\u{E9} indisponible six heures.</p>
            <p>Pendant ce temps&nbsp;: 3 millions d'inscriptions.</p><script>track()</script></div>]]></content:encoded>
            </item>

            """
        index += 1
    }
    xml += "</channel></rss>\n"
    return Data(xml.utf8)
}

func smallFeeds(count: Int) -> [Data] {
    (0..<count).map { feed in
        var xml = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed \(feed)</title>"
        for item in 0..<20 {
            xml +=
                "<item><title>Feed \(feed) item \(item) &amp; more</title><link>https://f\(feed).example.org/\(item)"
                + "</link><pubDate>Tue, 05 Oct 2021 09:15:00 +0200</pubDate><description>&lt;p&gt;Short "
                + "&lt;i&gt;summary&lt;/i&gt; number \(item) with some words in it.&lt;/p&gt;</description></item>"
        }
        return Data((xml + "</channel></rss>").utf8)
    }
}

/// The floor: every node of the document visited by xmlTextReader, nothing else.
func bareReaderNodes(_ data: Data) -> Int {
    data.withUnsafeBytes { raw -> Int in
        guard let base = raw.baseAddress?.assumingMemoryBound(to: CChar.self),
            let reader = xmlReaderForMemory(base, Int32(raw.count), nil, "UTF-8", Int32(XML_PARSE_NONET.rawValue))
        else { return 0 }
        defer { xmlFreeTextReader(reader) }
        var nodes = 0
        while xmlTextReaderRead(reader) == 1 {
            nodes += Int(xmlTextReaderNodeType(reader)) > 0 ? 1 : 0
        }
        return nodes
    }
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func peakMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// Child: builds its input, then runs one measurement (best of `rounds`) and prints one line:
/// seconds cpu items bytes peakBeforeMiB peakAfterMiB
func child(_ mode: String, _ megabytes: Int) {
    let rounds = 3
    let big = mode.hasSuffix("big") ? bigFeed(megabytes: megabytes) : Data()
    let small = mode.hasSuffix("small") ? smallFeeds(count: 1000) : []
    let bytes = big.count + small.reduce(0) { $0 + $1.count }
    let peakBefore = peakMiB()
    var best = Double.infinity
    var cpu = 0.0
    var items = 0
    for _ in 0..<rounds {
        let start = now()
        let cpuStart = cpuSeconds()
        items = 0
        switch mode {
        case "floor-big": items = bareReaderNodes(big)
        case "floor-small": for feed in small { items += bareReaderNodes(feed) }
        case "stream-big":
            _ = try? FeedParser.stream(big, url: "https://bench.example.org/feed.xml") { _ in items += 1 }
        case "parse-big":
            items = (try? FeedParser.parse(big, url: "https://bench.example.org/feed.xml"))?.items.count ?? -1
        case "parse-small":
            for feed in small {
                items += (try? FeedParser.parse(feed, url: "https://s.example.org/f.xml"))?.items.count ?? 0
            }
        default: break
        }
        let elapsed = now() - start
        if elapsed < best {
            best = elapsed
            cpu = cpuSeconds() - cpuStart
        }
    }
    print(best, cpu, items, bytes, peakBefore, peakMiB())
}

struct Figures {
    var seconds, cpu: Double
    var items, bytes: Int
    var peakBefore, peakAfter: Double
}

func run(_ mode: String, _ megabytes: Int = 0) -> Figures? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    if !FileManager.default.isExecutableFile(atPath: process.executableURL!.path) {
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    }
    process.arguments = ["--child", mode, String(megabytes)]
    let pipe = Pipe()
    process.standardOutput = pipe
    do { try process.run() } catch { return nil }
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let fields = output.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
    guard fields.count == 6 else { return nil }
    return Figures(
        seconds: fields[0], cpu: fields[1], items: Int(fields[2]), bytes: Int(fields[3]),
        peakBefore: fields[4], peakAfter: fields[5])
}

let arguments = CommandLine.arguments
if arguments.count == 4, arguments[1] == "--child" {
    child(arguments[2], Int(arguments[3]) ?? 0)
    exit(0)
}

func line(_ name: String, _ f: Figures, unit: String) {
    let mb = Double(f.bytes) / 1_048_576
    print(
        String(
            format:
                "  %-34@ %7.1f MB/s wall %7.1f MB/s cpu %9.0f %@/s  cpu %5.2fs  peak RSS %6.1f MiB (input alone %6.1f, +%5.1f)",
            name as NSString, mb / f.seconds, mb / f.cpu, Double(f.items) / f.seconds, unit as NSString, f.cpu,
            f.peakAfter, f.peakBefore, f.peakAfter - f.peakBefore))
}

print("bench-parse: best of 3 runs, each measurement in its own process")
for megabytes in [10, 50] {
    guard let floor = run("floor-big", megabytes), let stream = run("stream-big", megabytes),
        let parse = run("parse-big", megabytes)
    else {
        print("a child failed")
        exit(1)
    }
    print(
        String(
            format: "%d MB RSS 2.0 document (%.1f MB, %d items):", megabytes, Double(stream.bytes) / 1_048_576,
            stream.items))
    line("bare xmlTextReader loop (floor)", floor, unit: "nodes")
    line("feedwatch FeedParser.stream", stream, unit: "items")
    line("feedwatch FeedParser.parse (kept)", parse, unit: "items")
    print(
        String(
            format:
                "  ratio feedwatch/floor throughput by wall time: stream %.0f%%, parse %.0f%%; by CPU time: %.0f%%, %.0f%% (goal: 50%%, %@)",
            floor.seconds / stream.seconds * 100, floor.seconds / parse.seconds * 100,
            floor.cpu / stream.cpu * 100, floor.cpu / parse.cpu * 100, verdict(floor.seconds / stream.seconds >= 0.5)))
}
guard let floorSmall = run("floor-small"), let parseSmall = run("parse-small") else {
    print("a child failed")
    exit(1)
}
print(
    String(
        format: "1,000 small feeds (%.1f MB, %d items in all):", Double(parseSmall.bytes) / 1_048_576, parseSmall.items)
)
line("bare xmlTextReader loop (floor)", floorSmall, unit: "nodes")
line("feedwatch FeedParser.parse", parseSmall, unit: "items")
print(
    String(
        format: "  ratio feedwatch/floor throughput: %.0f%% by wall time, %.0f%% by CPU time (goal: 50%%, %@)",
        floorSmall.seconds / parseSmall.seconds * 100, floorSmall.cpu / parseSmall.cpu * 100,
        verdict(floorSmall.seconds / parseSmall.seconds >= 0.5)))
