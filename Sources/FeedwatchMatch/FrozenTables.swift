/// A fixed array allocated once and read without bounds checks in the matching loop.
///
/// Written only while the matcher is built, then shared read-only between threads: hence
/// `@unchecked Sendable`.
final class FrozenBuffer<Element>: @unchecked Sendable {
    let p: UnsafeMutableBufferPointer<Element>

    init(_ elements: [Element]) {
        p = .allocate(capacity: max(elements.count, 1))
        _ = p.initialize(from: elements)
    }

    deinit {
        p.deallocate()
    }
}

/// An open-addressing map from non-zero UInt64 keys to Int32 values, built once.
struct FrozenMap: @unchecked Sendable {  // immutable; the raw pointers point into owned FrozenBuffers
    private let keys: FrozenBuffer<UInt64>
    private let values: FrozenBuffer<Int32>
    // Raw copies of the buffers' addresses: reading them costs no reference counting in the hot loop.
    private let k: UnsafeMutablePointer<UInt64>
    private let v: UnsafeMutablePointer<Int32>
    private let mask: Int
    let isEmpty: Bool

    init(_ pairs: [(key: UInt64, value: Int32)]) {
        var capacity = 16
        while capacity < pairs.count * 2 { capacity <<= 1 }
        var k = [UInt64](repeating: 0, count: capacity)
        var v = [Int32](repeating: -1, count: capacity)
        let mask = capacity - 1
        for (key, value) in pairs {
            precondition(key != 0, "FrozenMap keys are non-zero by construction")
            var i = FrozenMap.slot(key, mask)
            while k[i] != 0 && k[i] != key { i = (i + 1) & mask }
            k[i] = key
            v[i] = value
        }
        keys = FrozenBuffer(k)
        values = FrozenBuffer(v)
        self.k = keys.p.baseAddress!  // allocated with capacity >= 1
        self.v = values.p.baseAddress!
        self.mask = mask
        isEmpty = pairs.isEmpty
    }

    @inline(__always) private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// The value for `key`, or -1.
    @inline(__always) func get(_ key: UInt64) -> Int32 {
        var i = FrozenMap.slot(key, mask)
        while true {
            let found = k[i]
            if found == key { return v[i] }
            if found == 0 { return -1 }
            i = (i + 1) & mask
        }
    }
}

/// Normalised word → word id: one probe per word of text, the bytes compared only on a hash hit.
struct WordTable: @unchecked Sendable {  // immutable, as FrozenMap
    private let hashes: FrozenBuffer<UInt64>
    /// Per slot: id + 1 (0 = empty) in the low 32 bits, offset in `pool` << 40 | length << 32.
    private let slots: FrozenBuffer<UInt64>
    private let pool: FrozenBuffer<UInt8>
    private let hp: UnsafeMutablePointer<UInt64>
    private let sp: UnsafeMutablePointer<UInt64>
    private let pp: UnsafeMutablePointer<UInt8>
    private let mask: Int
    let count: Int

    /// `words[i]` gets id `i`; the words are distinct.
    init(_ words: [[UInt8]]) {
        var capacity = 16
        while capacity < words.count * 2 { capacity <<= 1 }
        var h = [UInt64](repeating: 0, count: capacity)
        var s = [UInt64](repeating: 0, count: capacity)
        var bytes: [UInt8] = []
        let mask = capacity - 1
        for (id, word) in words.enumerated() {
            let hash = WordHash.of(word)
            var i = Int(truncatingIfNeeded: hash) & mask
            while s[i] != 0 { i = (i + 1) & mask }
            h[i] = hash
            s[i] = UInt64(id + 1) | UInt64(word.count) << 32 | UInt64(bytes.count) << 40
            bytes += word
        }
        hashes = FrozenBuffer(h)
        slots = FrozenBuffer(s)
        pool = FrozenBuffer(bytes)
        hp = hashes.p.baseAddress!
        sp = slots.p.baseAddress!
        pp = pool.p.baseAddress!
        self.mask = mask
        count = words.count
    }

    /// The id of `word` (whose `WordHash` is `hash`), or -1.
    @inline(__always) func id(of word: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int32 {
        let hs = hp
        let ss = sp
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = ss[i]
            if slot == 0 { return -1 }
            if hs[i] == hash && Int((slot >> 32) & 0xFF) == word.count {
                let offset = Int(slot >> 40)
                var same = true
                for k in 0..<word.count where pp[offset + k] != word[k] {
                    same = false
                    break
                }
                if same { return Int32(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1 }
            }
            i = (i + 1) & mask
        }
    }
}

/// A byte trie of the prefixes (`panne*`): walking a word's bytes yields every prefix it starts with.
struct PrefixTrie: @unchecked Sendable {  // immutable, as FrozenMap
    /// Child of the root for each first byte (0 = none).
    private let root: FrozenBuffer<Int32>
    /// (node << 8 | byte) → child.
    private let edges: FrozenMap
    /// Prefix id ending at each node, or -1.
    private let terminal: FrozenBuffer<Int32>
    private let rootp: UnsafeMutablePointer<Int32>
    private let terminalp: UnsafeMutablePointer<Int32>
    let isEmpty: Bool

    /// `prefixes[i]` gets id `i`; the prefixes are distinct and non-empty.
    init(_ prefixes: [[UInt8]]) {
        var rootChildren = [Int32](repeating: 0, count: 256)
        var pairs: [UInt64: Int32] = [:]
        var terminal: [Int32] = [-1]  // node 0 is the root
        for (id, prefix) in prefixes.enumerated() {
            var node: Int32 = 0
            for b in prefix {
                let key = UInt64(node) << 8 | UInt64(b)
                let existing = node == 0 ? rootChildren[Int(b)] : (pairs[key] ?? 0)
                if existing != 0 {
                    node = existing
                } else {
                    let child = Int32(terminal.count)
                    terminal.append(-1)
                    if node == 0 { rootChildren[Int(b)] = child } else { pairs[key] = child }
                    node = child
                }
            }
            terminal[Int(node)] = Int32(id)
        }
        root = FrozenBuffer(rootChildren)
        edges = FrozenMap(pairs.map { (key: $0.key, value: $0.value) })
        self.terminal = FrozenBuffer(terminal)
        rootp = root.p.baseAddress!
        terminalp = self.terminal.p.baseAddress!
        isEmpty = prefixes.isEmpty
    }

    /// Calls `found` with the id of every prefix `word` starts with, shortest first.
    @inline(__always) func forEachPrefix(of word: UnsafeBufferPointer<UInt8>, _ found: (Int32) -> Void) {
        guard !word.isEmpty else { return }
        var node = rootp[Int(word[0])]
        var k = 1
        while node != 0 {
            let t = terminalp[Int(node)]
            if t >= 0 { found(t) }
            if k == word.count { return }
            node = max(edges.get(UInt64(node) << 8 | UInt64(word[k])), 0)
            k += 1
        }
    }
}
