import Foundation

/// Matches feed items against every keyword rule at once (SPEC §4).
///
/// Built once (at start and on reload); `matches` may then be called from any thread concurrently.
/// Word keywords of all rules go into one `KeywordAutomaton`, so one pass over an item's text finds
/// them all; regular expressions run afterwards, only for rules the words left undecided, over the
/// original text.
///
/// Scripts without spaces (Han, kana, Thai, Lao, Khmer, Myanmar): every character is a word of its own,
/// so a keyword in such a script (`東京`) is a phrase of characters and matches wherever those characters
/// follow each other in a run, i.e. as a substring (`東京都`, `在東京`), not across other characters.
/// Hangul is written with spaces and is matched by whole words like Latin text.
public final class RuleMatcher: Sendable {
    private let automaton: KeywordAutomaton
    private let rules: [CompiledRule]
    private let regexes: [RegexBox]
    /// For each word pattern, the rules that may fire when it matches (it is one of their positive keywords).
    private let postings: [[Int32]]
    /// Rules that must be evaluated for every item (a regex or nothing among their positive keywords).
    private let alwaysCandidates: [Int32]
    /// Fields some rule searches for words, in `MatchField` order.
    private let scannedFields: [MatchField]
    private let pool: ScratchPool

    /// Compiles `rules`; throws the first keyword that does not compile.
    public init(rules: [RuleSpec]) throws(KeywordError) {
        var patternIds: [KeywordAutomaton.Pattern: Int32] = [:]
        var patterns: [KeywordAutomaton.Pattern] = []
        var regexIds: [String: Int32] = [:]
        var regexes: [RegexBox] = []
        var compiled: [CompiledRule] = []
        var scanned: UInt8 = 0

        for spec in rules {
            func entries(_ keywords: [String]) throws(KeywordError) -> [CompiledRule.Entry] {
                var out: [CompiledRule.Entry] = []
                for written in keywords {
                    switch Keyword.parse(written) {
                    case .failure(let error):
                        throw KeywordError(
                            rule: spec.name, keyword: written,
                            description: "rule \"\(spec.name)\": keyword \"\(written)\": \(error.message)")
                    case .success(.regex(let regex)):
                        let id = regexIds[written] ?? Int32(regexes.count)
                        if id == Int32(regexes.count) {
                            regexIds[written] = id
                            regexes.append(RegexBox(regex: regex))
                        }
                        out.append(.init(written: written, ref: .regex(id)))
                    case .success(.words(let words, let lastIsPrefix)):
                        let pattern = KeywordAutomaton.Pattern(words: words, lastIsPrefix: lastIsPrefix)
                        let id = patternIds[pattern] ?? Int32(patterns.count)
                        if id == Int32(patterns.count) {
                            patternIds[pattern] = id
                            patterns.append(pattern)
                        }
                        out.append(.init(written: written, ref: .pattern(id)))
                    }
                }
                return out
            }
            let fields = spec.fields.isEmpty ? MatchField.defaultFields : spec.fields
            let mask = fields.reduce(UInt8(0)) { $0 | $1.bit }
            var rule = CompiledRule(
                name: spec.name, any: try entries(spec.any), all: try entries(spec.all),
                none: try entries(spec.none), fieldMask: mask,
                everyFeed: spec.feeds.isEmpty,
                feedNames: Set(spec.feeds.filter { !$0.hasPrefix("tag:") }),
                feedTags: Set(spec.feeds.filter { $0.hasPrefix("tag:") }.map { String($0.dropFirst(4)) }),
                feedSelectors: spec.feeds)
            rule.positive = rule.any + rule.all
            if rule.hasWordPattern { scanned |= mask }
            compiled.append(rule)
        }

        var postings = [[Int32]](repeating: [], count: patterns.count)
        var always: [Int32] = []
        for (index, rule) in compiled.enumerated() {
            if rule.isGatedByWords {
                var seen = Set<Int32>()
                for entry in rule.any + rule.all {
                    if case .pattern(let p) = entry.ref, seen.insert(p).inserted {
                        postings[Int(p)].append(Int32(index))
                    }
                }
            } else {
                always.append(Int32(index))
            }
        }

        automaton = KeywordAutomaton(patterns: patterns)
        self.rules = compiled
        self.regexes = regexes
        self.postings = postings
        alwaysCandidates = always
        scannedFields = MatchField.allCases.filter { scanned & $0.bit != 0 }
        pool = ScratchPool(patternCount: patterns.count, ruleCount: compiled.count)
    }

    /// Rules in config order that fire for this item of feed `feed` with tags `tags`.
    public func matches(_ input: MatchInput, feed: String, tags: Set<String>) -> [RuleMatch] {
        withSession { $0.matches(input, feed: feed, tags: tags) }
    }

    /// Runs `body` with one working memory for all the items it matches: a document's items share
    /// one scratch taken from the pool, instead of taking and giving one back for each item under
    /// the pool's lock (`once`'s first poll of 10,000 feeds matches 300,000 items on every core).
    public func withSession<T>(_ body: (inout MatchSession) throws -> T) rethrows -> T {
        var session = MatchSession(matcher: self, sink: MatchSink(automaton: automaton, scratch: pool.take()))
        defer { pool.give(back: session.releaseScratch()) }
        return try body(&session)
    }

    /// `matches` for an item whose words `scan` has just put in `scratch`.
    fileprivate func decide(
        _ input: MatchInput, feed: String, tags: Set<String>, scratch: inout Scratch
    ) -> [RuleMatch] {
        if scratch.touched.isEmpty && alwaysCandidates.isEmpty { return [] }
        var candidates = scratch.candidates  // reused buffer: no allocation per item
        scratch.candidates = []
        candidates.removeAll(keepingCapacity: true)
        candidates += alwaysCandidates
        for pattern in scratch.touched {
            for rule in postings[Int(pattern)] where scratch.ruleEpoch[Int(rule)] != scratch.epoch {
                scratch.ruleEpoch[Int(rule)] = scratch.epoch
                candidates.append(rule)
            }
        }
        candidates.sort()

        var results: [RuleMatch] = []
        var last: Int32 = -1
        for index in candidates where index != last {
            last = index
            guard rules[Int(index)].applies(toFeed: feed, tags: tags) else { continue }
            if let match = evaluate(rules[Int(index)], input: input, scratch: scratch) { results.append(match) }
        }
        scratch.candidates = candidates
        return results
    }

    /// Every rule in config order, whether it fires for this item and why (`feedwatch explain`).
    ///
    /// The same scan and the same evaluation as `matches`: a rule's `match` is what `matches` returns
    /// for it, and each keyword's place is where that scan (or, for a regular expression, the same
    /// search over the original text) found it in the rule's fields. `feed` nil stands for a document
    /// of no configured feed: rules with `feeds:` selectors do not apply to it.
    public func explain(_ input: MatchInput, feed: String?, tags: Set<String>) -> [RuleExplanation] {
        withSession { session in
            scan(input, into: &session.sink)
            return explain(input, feed: feed, tags: tags, scratch: session.sink.scratch)
        }
    }

    private func explain(_ input: MatchInput, feed: String?, tags: Set<String>, scratch: Scratch) -> [RuleExplanation] {
        rules.map { rule in
            var regexLocations: [Int32: Location?] = [:]
            func explained(_ entries: [CompiledRule.Entry]) -> [KeywordExplanation] {
                entries.map { entry in
                    let location: Location?
                    switch entry.ref {
                    case .pattern(let p):
                        // As in `evaluate`: a keyword's hits are only valid when it matched in this item.
                        location =
                            scratch.matched(p, in: rule.fieldMask)
                            ? wordLocation(p, fields: rule.fieldMask, scratch: scratch) : nil
                    case .regex(let r):
                        if let known = regexLocations[r] {
                            location = known
                        } else {
                            location = firstMatch(of: regexes[Int(r)].regex, in: input, fields: rule.fieldMask)
                            regexLocations[r] = location
                        }
                    }
                    return KeywordExplanation(keyword: entry.written, place: location.flatMap { place($0, in: input) })
                }
            }
            let applies = feed.map { rule.applies(toFeed: $0, tags: tags) } ?? rule.everyFeed
            return RuleExplanation(
                rule: rule.name, feeds: rule.feedSelectors,
                fields: MatchField.ordered.filter { rule.fieldMask & $0.bit != 0 }, appliesToFeed: applies,
                any: explained(rule.any), all: explained(rule.all), none: explained(rule.none),
                match: applies ? evaluate(rule, input: input, scratch: scratch) : nil)
        }
    }

    /// Runs every word keyword over the fields some rule searches: one pass of the automaton per text,
    /// the matches left in the sink's scratch.
    fileprivate func scan(_ input: MatchInput, into sink: inout MatchSink) {
        sink.scratch.begin()
        for field in scannedFields {
            for index in 0..<input.segmentCount(of: field) {
                let segment = input.segment(field, index)
                if segment.isEmpty { continue }
                sink.beginSegment(field: field.bit, segment: Int32(index))
                WordScanner.scan(segment, into: &sink)
            }
        }
    }

    /// The field and snippet of a match location, as an alert's snippet is cut.
    private func place(_ location: Location, in input: MatchInput) -> KeywordPlace? {
        guard location.field < MatchField.ordered.count, case let field = MatchField.ordered[location.field],
            location.segment < input.segmentCount(of: field)
        else { return nil }
        return KeywordPlace(
            field: field,
            snippet: Snippet.around(input.segment(field, location.segment), start: location.start, end: location.end))
    }

    /// Where a keyword matched, for choosing the snippet: field order, then segment, then offset.
    private struct Location: Comparable, Hashable {
        var field: Int
        var segment: Int
        var start: Int
        var end: Int
        static func < (a: Location, b: Location) -> Bool {
            (a.field, a.segment, a.start) < (b.field, b.segment, b.start)
        }
    }

    private func evaluate(_ rule: CompiledRule, input: MatchInput, scratch: Scratch) -> RuleMatch? {
        let fields = rule.fieldMask
        // Decide with the word keywords first: most rules end here without running a regex.
        for entry in rule.none {
            if case .pattern(let p) = entry.ref, scratch.matched(p, in: fields) { return nil }
        }
        for entry in rule.all {
            if case .pattern(let p) = entry.ref, !scratch.matched(p, in: fields) { return nil }
        }
        let anyWordMatched = rule.any.contains {
            if case .pattern(let p) = $0.ref { scratch.matched(p, in: fields) } else { false }
        }
        if !rule.any.isEmpty && !anyWordMatched && !rule.anyHasRegex { return nil }

        var regexLocations: [Int32: Location?] = [:]
        func regexLocation(_ id: Int32) -> Location? {
            if let known = regexLocations[id] { return known }  // the same regex twice in one rule
            let found = firstMatch(of: regexes[Int(id)].regex, in: input, fields: fields)
            regexLocations[id] = found
            return found
        }
        for entry in rule.none {
            if case .regex(let r) = entry.ref, regexLocation(r) != nil { return nil }
        }
        for entry in rule.all {
            if case .regex(let r) = entry.ref, regexLocation(r) == nil { return nil }
        }

        var keywords: [String] = []
        var anyMatched = false
        var first: Location? = nil
        for (k, entry) in rule.positive.enumerated() {
            let location: Location?
            switch entry.ref {
            case .pattern(let p):
                location = scratch.matched(p, in: fields) ? wordLocation(p, fields: fields, scratch: scratch) : nil
            case .regex(let r):
                location = regexLocation(r)
            }
            guard let location else { continue }
            keywords.append(entry.written)
            if k < rule.any.count { anyMatched = true }
            if first == nil || location < first! { first = location }
        }
        if !rule.any.isEmpty && !anyMatched { return nil }

        // The snippet is cut when read (see `RuleMatch.snippet`): rules that fire cost no string each.
        guard let first, first.field < MatchField.ordered.count, case let field = MatchField.ordered[first.field],
            first.segment < input.segmentCount(of: field)
        else {
            return RuleMatch(rule: rule.name, keywords: keywords, source: .around(input.title, start: 0, end: 0))
        }
        return RuleMatch(
            rule: rule.name, keywords: keywords,
            source: .around(input.segment(field, first.segment), start: Int32(first.start), end: Int32(first.end)))
    }

    private func wordLocation(_ pattern: Int32, fields: UInt8, scratch: Scratch) -> Location? {
        var best: Location? = nil
        var index = scratch.patternHit[Int(pattern)]
        while index >= 0 {
            let hit = scratch.hits[Int(index)]
            index = hit.next
            guard hit.field & fields != 0 else { continue }
            let here = Location(
                field: hit.field.trailingZeroBitCount, segment: Int(hit.segment), start: Int(hit.start),
                end: Int(hit.end))
            if best == nil || here < best! { best = here }
        }
        return best
    }

    private func firstMatch(of regex: NSRegularExpression, in input: MatchInput, fields: UInt8) -> Location? {
        for field in MatchField.ordered where fields & field.bit != 0 {
            for index in 0..<input.segmentCount(of: field) {
                let text = input.segment(field, index)
                if text.isEmpty { continue }
                guard let found = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
                    let range = Range(found.range, in: text)
                else { continue }
                let start = text.utf8.distance(from: text.startIndex, to: range.lowerBound)
                let end = text.utf8.distance(from: text.startIndex, to: range.upperBound)
                return Location(field: field.index, segment: index, start: start, end: end)
            }
        }
        return nil
    }
}

/// One working memory for matching items one after another (`RuleMatcher.withSession`). The sink
/// points into the matcher's automaton, which the session keeps alive through `matcher`.
public struct MatchSession {
    private let matcher: RuleMatcher
    fileprivate var sink: MatchSink

    fileprivate init(matcher: RuleMatcher, sink: MatchSink) {
        self.matcher = matcher
        self.sink = sink
    }

    /// Rules in config order that fire for this item of feed `feed` with tags `tags`.
    public mutating func matches(_ input: MatchInput, feed: String, tags: Set<String>) -> [RuleMatch] {
        matcher.scan(input, into: &sink)
        return matcher.decide(input, feed: feed, tags: tags, scratch: &sink.scratch)
    }

    /// The scratch, for the pool, leaving the sink an empty one (so that it is not copied on write).
    fileprivate mutating func releaseScratch() -> Scratch {
        let scratch = sink.scratch
        sink.scratch = Scratch(patternCount: 0, ruleCount: 0)
        return scratch
    }
}

/// A rule ready to evaluate.
struct CompiledRule: Sendable {
    enum Ref: Sendable {
        case pattern(Int32)
        case regex(Int32)
    }
    struct Entry: Sendable {
        var written: String
        var ref: Ref
    }

    var name: String
    var any: [Entry]
    var all: [Entry]
    var none: [Entry]
    /// `any` then `all`: the order keywords are reported in.
    var positive: [Entry] = []
    var fieldMask: UInt8
    var everyFeed: Bool
    var feedNames: Set<String>
    var feedTags: Set<String>
    /// `feeds:` as written, for explanations.
    var feedSelectors: [String]

    var hasWordPattern: Bool {
        (any + all + none).contains { if case .pattern = $0.ref { true } else { false } }
    }
    var anyHasRegex: Bool {
        any.contains { if case .regex = $0.ref { true } else { false } }
    }
    /// True when the rule cannot fire unless one of its positive word keywords matched.
    var isGatedByWords: Bool {
        let allHasWord = all.contains { if case .pattern = $0.ref { true } else { false } }
        return allHasWord || (!any.isEmpty && !anyHasRegex)
    }

    func applies(toFeed feed: String, tags: Set<String>) -> Bool {
        everyFeed || feedNames.contains(feed) || !feedTags.isDisjoint(with: tags)
    }
}

/// NSRegularExpression is immutable and documented thread-safe for matching.
struct RegexBox: @unchecked Sendable {
    let regex: NSRegularExpression
}

/// Reusable `Scratch` buffers, one per concurrent caller.
final class ScratchPool: @unchecked Sendable {
    // `free` is only touched under `lock`.
    private let lock = NSLock()
    private var free: [Scratch] = []
    private let patternCount: Int
    private let ruleCount: Int

    init(patternCount: Int, ruleCount: Int) {
        self.patternCount = patternCount
        self.ruleCount = ruleCount
    }

    func take() -> Scratch {
        lock.lock()
        defer { lock.unlock() }
        return free.popLast() ?? Scratch(patternCount: patternCount, ruleCount: ruleCount)
    }

    func give(back scratch: Scratch) {
        lock.lock()
        defer { lock.unlock() }
        if free.count < 16 { free.append(scratch) }
    }
}
