// bench-match: throughput of RuleMatcher.matches over ~50 MB of generated French/English news items,
// with 10, 1,000 and 10,000 keywords, against `grep -F -c -f words.txt` over the same text (the floor).
import FeedwatchMatch
import Foundation

/// "met" or "NOT MET", after a goal in the output: a figure that falls short stands out.
func verdict(_ met: Bool) -> String { met ? "met" : "NOT MET" }

#if canImport(Glibc)
    import Glibc
#endif

/// SplitMix64: deterministic, so every run measures the same text.
struct Random {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

let french = """
    le la les de des du un une et en à au aux pour sur dans par avec sans sous entre vers chez qui que \
    est sont été être avoir fait dit selon après avant pendant depuis contre plus moins très aussi encore \
    gouvernement président ministre réforme élection économie marché entreprise société données réseau \
    incident sécurité attaque faille logiciel serveur opérateur téléphone internet \
    Orange SFR Bouygues Google Microsoft Apple utilisateurs clients services \
    l’ensemble d’après aujourd’hui qu’il jusqu’à n’est c’est s’est l’entreprise d’un d’une \
    hôpital école université région département ville Paris Lyon Marseille Bordeaux Lille Toulouse \
    manifestation syndicats salariés retraite chômage inflation prix énergie électricité gaz \
    été hiver printemps automne météo tempête sécheresse incendie canicule œuvre cœur \
    européenne française nationale publique numérique sécuritaire intelligence artificielle \
    déclaré annoncé expliqué précisé indiqué affirmé révélé confirmé démenti publié lancé \
    milliards millions euros hausse baisse croissance déficit dette budget impôts taxe
    """
let english = """
    the of and to in a is that for on with as was by at from it an be this are have has had not \
    but which their said were will would after more about over new also been one two first last \
    government president minister election economy market company data network security \
    attack vulnerability software server operator phone internet users customers services \
    hospital school university city London Washington Berlin Tokyo report reported announced \
    strike protest unions workers pension inflation prices energy electricity storm flood wildfire \
    billion million dollars rise fall growth deficit debt budget taxes court judge police officials \
    Google's Apple's don't it's can't won't weren't companies' week month year today yesterday
    """
let baseWords = (french + " " + english).split(separator: " ").map(String.init)

/// The words of the 10-keyword rule set: in about one item in ten.
let rareNews = [
    "panne", "Télégram", "Facebook", "déni de service", "cyberattaque", "outage", "breach", "grève", "piratage",
    "inondation",
]

/// Synthetic words for a long, Zipf-like tail of rarer vocabulary.
func syntheticWord(_ r: inout Random) -> String {
    let syllables = [
        "ka", "ro", "mi", "tu", "ven", "lo", "pra", "ste", "qui", "zé", "bor", "na", "ché", "dri", "gu", "fan", "lé",
        "to", "sim", "par",
    ]
    let count = 2 + r.below(3)
    return (0..<count).map { _ in syllables[r.below(syllables.count)] }.joined()
}

var rng = Random(state: 42)
let tail = (0..<20_000).map { _ in syntheticWord(&rng) }

func pickWord(_ r: inout Random) -> String {
    // 70% common words, 30% from the long tail, rarer further down.
    // Zipf-like: the function words at the head of each list are frequent, the topical ones rarer.
    if r.below(2_000) == 0 { return rareNews[r.below(rareNews.count)] }
    if r.below(10) < 7 { return baseWords[r.below(r.below(baseWords.count) + 1)] }
    let k = r.below(tail.count)
    return tail[r.below(k + 1)]
}

func sentence(_ r: inout Random, words: Int) -> String {
    var parts: [String] = []
    parts.reserveCapacity(words)
    for i in 0..<words {
        var w = pickWord(&r)
        if i == 0 { w = w.prefix(1).uppercased() + w.dropFirst() }
        parts.append(w)
        if r.below(12) == 0 { parts[parts.count - 1] += [",", ";", " :", " —"][r.below(4)] }
    }
    return parts.joined(separator: " ") + "."
}

func paragraph(_ r: inout Random, words: Int) -> String {
    var out: [String] = []
    var left = words
    while left > 0 {
        let n = min(left, 8 + r.below(15))
        out.append(sentence(&r, words: n))
        left -= n
    }
    return out.joined(separator: " ")
}

let targetBytes = 50_000_000
var items: [MatchInput] = []
var totalBytes = 0
var textRng = Random(state: 7)
while totalBytes < targetBytes {
    let item = MatchInput(
        title: sentence(&textRng, words: 6 + textRng.below(8)),
        summary: paragraph(&textRng, words: 25 + textRng.below(40)),
        content: paragraph(&textRng, words: 120 + textRng.below(300)),
        link: "https://news.example.org/\(items.count)",
        categories: [baseWords[textRng.below(baseWords.count)], tail[textRng.below(200)]],
        authors: ["Jean Dupont"])
    totalBytes +=
        item.title.utf8.count + item.summary.utf8.count + item.content.utf8.count
        + item.categories.reduce(0) { $0 + $1.utf8.count }
    items.append(item)
}

/// Words of the tail that are in a fraction of a percent of items: long (so not one of the few hundred
/// short syllable pairs that recur everywhere) and not among the frequent head of the tail.
let headTail = Set(tail.prefix(5_000))
let headPrefixes = Set(headTail.flatMap { w in (1...w.count).map { String(w.prefix($0)) } })
let rareTail = tail.dropFirst(5_000).filter { $0.count >= 9 && !headTail.contains($0) }
/// Prefixes (`foo*`) that match a few words of the rare tail only.
let rarePrefixes = rareTail.map { String($0.dropLast(2)) }.filter { $0.count >= 7 && !headPrefixes.contains($0) }

/// Keywords of a newsroom's monitor: mostly names and specific terms (people, companies, places,
/// products), of which an item mentions a few at most. The text's core vocabulary (~330 words) appears in
/// nearly every item, so only a handful of keywords come from it; a few percent come from its long tail
/// (each in well under 1% of items); the rest are names absent from this text: words, prefixes (`foo*`)
/// and phrases, some of which start with a common word (`président Xanwel`) so that phrases are followed.
/// Deterministic: the same list on every run.
func keywords(_ count: Int) -> [String] {
    let fixed = [
        "panne", "Télégram", "facebook", "déni de service", "cyber*", "outage", "breach", "grève", "piratage",
        "inondation",
    ]
    if count <= fixed.count { return Array(fixed.prefix(count)) }
    var r = Random(state: UInt64(count))
    // Generic topical terms a monitor also watches; each is in about half the items of this text.
    var out = fixed + ["sécurité", "vulnerability"]
    func absent() -> String {
        let syllables = ["xan", "wel", "yor", "kip", "zug", "hab", "vok", "jes", "wum", "yak", "ix", "oz"]
        let name = (0..<(2 + r.below(3))).map { _ in syllables[r.below(syllables.count)] }.joined()
        return r.below(2) == 0 ? name.prefix(1).uppercased() + name.dropFirst() : name
    }
    let titles = ["président", "ministre", "société", "company", "minister", "groupe", "ville", "city"]
    while out.count < count {
        switch r.below(100) {
        // From the text's long tail, deep enough to be in a fraction of a percent of items.
        case 0..<3: out.append(rareTail[r.below(rareTail.count)])
        case 3..<4: out.append(rarePrefixes[r.below(rarePrefixes.count)] + "*")
        case 4..<14: out.append(absent() + "*")
        case 14..<24: out.append(titles[r.below(titles.count)] + " " + absent())
        case 24..<34: out.append(absent() + " " + absent())
        case 34..<39: out.append(absent() + " de " + absent())
        default: out.append(absent())
        }
    }
    return out
}

func rules(_ keywords: [String]) -> [RuleSpec] {
    stride(from: 0, to: keywords.count, by: 10).map {
        RuleSpec(name: "rule\($0 / 10)", any: Array(keywords[$0..<min($0 + 10, keywords.count)]))
    }
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) / 1e6
}

func peakRSSMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

let mb = Double(totalBytes) / 1e6
print(String(format: "text: %d items, %.1f MB (title+summary+content+categories)", items.count, mb))

var throughputs: [Int: Double] = [:]
let only = ProcessInfo.processInfo.environment["BENCH_ONLY"].flatMap { Int($0) }
for count in [10, 1_000, 10_000] where only == nil || only == count {
    let list = keywords(count)
    let buildStart = Date()
    let matcher: RuleMatcher
    do { matcher = try RuleMatcher(rules: rules(list)) } catch {
        print("error: \(error)")
        exit(1)
    }
    let build = Date().timeIntervalSince(buildStart)
    // Three passes over the whole text, the fastest reported: the machine is shared, so a pass can be
    // slowed by other work; each pass times the whole `matches` call for every item.
    var fired = 0
    var elapsed = Double.infinity
    var cpu = Double.infinity
    for _ in 0..<3 {
        fired = 0
        let cpu0 = cpuSeconds()
        let t0 = Date()
        for item in items { fired += matcher.matches(item, feed: "bench", tags: []).count }
        elapsed = min(elapsed, Date().timeIntervalSince(t0))
        cpu = min(cpu, cpuSeconds() - cpu0)
    }
    throughputs[count] = mb / cpu  // CPU time: the build machine is shared, wall time is noisy
    print(
        String(
            format:
                "%6d keywords: %7.1f MB/s  %8.0f items/s  wall %.2f s  CPU %.2f s (%.0f MB per CPU-s)  build %.0f ms  rules fired %d (%.2f/item)",
            count, mb / elapsed, Double(items.count) / elapsed, elapsed, cpu, mb / cpu, build * 1000, fired,
            Double(fired) / Double(items.count)))
}
if let small = throughputs[10], let large = throughputs[10_000] {
    print(
        String(
            format:
                "10,000 keywords at %.0f%% of the 10-keyword throughput per CPU-s, %.0f MB/s (goal >= 70%%, >= 150 MB/s: %@)",
            100 * large / small, large, verdict(large >= 0.7 * small && large >= 150)))
}

if only != nil { exit(0) }
// The floor: grep -F over the same text, one item per line, with the same 10,000 keywords as fixed strings.
let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bench-match-\(getpid())")
try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: dir) }
let textFile = dir.appendingPathComponent("text.txt")
let wordsFile = dir.appendingPathComponent("words.txt")
var text = ""
text.reserveCapacity(totalBytes + items.count * 8)
for item in items {
    text += item.title + " " + item.summary + " " + item.content + " " + item.categories.joined(separator: " ") + "\n"
}
do {
    try text.write(to: textFile, atomically: false, encoding: .utf8)
    for count in [10, 10_000] {
        try keywords(count).map { $0.hasSuffix("*") ? String($0.dropLast()) : $0 }.joined(separator: "\n")
            .appending("\n").write(to: wordsFile, atomically: false, encoding: .utf8)
        let grep = Process()
        grep.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        grep.arguments = ["grep", "-F", "-c", "-f", wordsFile.path, textFile.path]
        let pipe = Pipe()
        grep.standardOutput = pipe
        let t0 = Date()
        try grep.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        grep.waitUntilExit()
        let elapsed = Date().timeIntervalSince(t0)
        let lines = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        print(
            String(
                format: "grep -F -c -f words.txt (%5d keywords): %7.1f MB/s  wall %.2f s  matching lines %@", count,
                Double(text.utf8.count) / 1e6 / elapsed, elapsed, lines))
    }
} catch {
    print("grep floor skipped: \(error)")
}
print(String(format: "peak RSS %.0f MiB", peakRSSMiB()))
