/// Where a keyword matched: the first match of each (keyword, field) in one item.
struct Hit {
    var pattern: Int32
    var field: UInt8
    var segment: Int32
    var start: Int32
    var end: Int32
    /// Index in `Scratch.hits` of the same keyword's hit in another field, or -1.
    var next: Int32
}

/// Per-call working memory, reused between calls (`RuleMatcher` keeps a pool) so that matching an item
/// allocates nothing in the steady state. Arrays indexed by keyword are cleared by bumping `epoch`.
struct Scratch {
    var epoch: UInt32 = 0
    var patternEpoch: [UInt32]
    var patternFields: [UInt8]
    /// Index in `hits` of each matched keyword's latest hit (valid when `patternEpoch` is current).
    var patternHit: [Int32]
    var touched: [Int32] = []
    var hits: [Hit] = []
    var active: [(node: Int32, start: Int32)] = []
    var next: [(node: Int32, start: Int32)] = []
    var ruleEpoch: [UInt32]
    /// Rules to evaluate for the current item (`RuleMatcher.matches`).
    var candidates: [Int32] = []

    init(patternCount: Int, ruleCount: Int) {
        patternEpoch = [UInt32](repeating: 0, count: patternCount)
        patternFields = [UInt8](repeating: 0, count: patternCount)
        patternHit = [Int32](repeating: -1, count: patternCount)
        ruleEpoch = [UInt32](repeating: 0, count: ruleCount)
        if patternCount > 0 {
            active.reserveCapacity(64)
            next.reserveCapacity(64)
        }
    }

    /// Starts a new item: forgets every match of the previous one.
    mutating func begin() {
        epoch &+= 1
        if epoch == 0 {
            for i in patternEpoch.indices { patternEpoch[i] = 0 }
            for i in ruleEpoch.indices { ruleEpoch[i] = 0 }
            epoch = 1
        }
        touched.removeAll(keepingCapacity: true)
        hits.removeAll(keepingCapacity: true)
    }

    @inline(__always) func matched(_ pattern: Int32, in fields: UInt8) -> Bool {
        patternEpoch[Int(pattern)] == epoch && patternFields[Int(pattern)] & fields != 0
    }
}

/// Feeds the words of one text segment through the automaton, recording matches in `Scratch`.
struct MatchSink: WordSink {
    /// Phrases in progress are capped: beyond this many, new ones are not followed (never reached by real text).
    static let maxActive = 64

    // The automaton's tables, copied out so that the per-word path does no reference counting;
    // the caller keeps the automaton alive for the sink's lifetime.
    private let words: WordTable
    private let prefixes: PrefixTrie
    private let edges: FrozenMap
    private let wordCount: Int32
    private let rootChild: UnsafeMutablePointer<Int32>
    private let terminalStart: UnsafeMutablePointer<Int32>
    private let terminalPatterns: UnsafeMutablePointer<Int32>
    private let hasChildren: UnsafeMutablePointer<Bool>
    var scratch: Scratch
    var fieldBit: UInt8 = 0
    var segment: Int32 = 0

    init(automaton a: KeywordAutomaton, scratch: Scratch) {
        words = a.words
        prefixes = a.prefixes
        edges = a.edges
        wordCount = a.wordCount
        rootChild = a.rootChild.p.baseAddress!
        terminalStart = a.terminalStart.p.baseAddress!
        terminalPatterns = a.terminalPatterns.p.baseAddress!
        hasChildren = a.hasChildren.p.baseAddress!
        self.scratch = scratch
    }

    mutating func beginSegment(field: UInt8, segment: Int32) {
        fieldBit = field
        self.segment = segment
        scratch.active.removeAll(keepingCapacity: true)
    }

    /// Inlined into the scanner: most words are no keyword, start no prefix and continue no phrase, and
    /// are turned away by two bit tests in L1-resident filters without a call.
    @inline(__always)
    mutating func word(_ word: UnsafeBufferPointer<UInt8>, hash: UInt64, start: Int, end: Int, matchable: Bool) {
        if matchable && scratch.active.isEmpty && !words.mayContain(hash: hash) && !prefixes.mayStart(word) { return }
        advance(word, hash: hash, start: start, end: end, matchable: matchable)
    }

    @inline(never)
    private mutating func advance(
        _ word: UnsafeBufferPointer<UInt8>, hash: UInt64, start: Int, end: Int, matchable: Bool
    ) {
        guard matchable else {
            scratch.active.removeAll(keepingCapacity: true)
            return
        }
        let id = words.id(of: word, hash: hash)
        var stepped = false
        if id >= 0 {
            scratch.next.removeAll(keepingCapacity: true)
            stepped = true
            step(label: id, start: Int32(start), end: Int32(end))
        }
        if !prefixes.isEmpty {
            let wordCount = wordCount
            prefixes.forEachPrefix(of: word) { prefix in
                if !stepped {
                    scratch.next.removeAll(keepingCapacity: true)
                    stepped = true
                }
                step(label: wordCount + prefix, start: Int32(start), end: Int32(end))
            }
        }
        if stepped {
            swap(&scratch.active, &scratch.next)
        } else if !scratch.active.isEmpty {
            scratch.active.removeAll(keepingCapacity: true)
        }
    }

    @inline(__always) private mutating func step(label: Int32, start: Int32, end: Int32) {
        let root = rootChild[Int(label)]
        if root != 0 { visit(root, start: start, end: end) }
        var k = 0
        while k < scratch.active.count {
            let partial = scratch.active[k]
            let child = edges.get(UInt64(partial.node) << 32 | UInt64(label))
            if child > 0 { visit(child, start: partial.start, end: end) }
            k += 1
        }
    }

    @inline(__always) private mutating func visit(_ node: Int32, start: Int32, end: Int32) {
        let from = Int(terminalStart[Int(node)])
        let to = Int(terminalStart[Int(node) + 1])
        for t in from..<to { record(terminalPatterns[t], start: start, end: end) }
        if hasChildren[Int(node)] && scratch.next.count < Self.maxActive {
            scratch.next.append((node, start))
        }
    }

    private mutating func record(_ pattern: Int32, start: Int32, end: Int32) {
        let p = Int(pattern)
        if scratch.patternEpoch[p] != scratch.epoch {
            scratch.patternEpoch[p] = scratch.epoch
            scratch.patternFields[p] = 0
            scratch.patternHit[p] = -1
            scratch.touched.append(pattern)
        }
        if scratch.patternFields[p] & fieldBit == 0 {
            scratch.patternFields[p] |= fieldBit
            scratch.hits.append(
                Hit(
                    pattern: pattern, field: fieldBit, segment: segment, start: start, end: end,
                    next: scratch.patternHit[p]))
            scratch.patternHit[p] = Int32(scratch.hits.count - 1)
        }
    }
}
