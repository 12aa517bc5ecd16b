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
///
/// Key and value share one 16-byte slot, so a look-up touches one cache line.
struct FrozenMap: @unchecked Sendable {  // immutable; the raw pointer points into an owned FrozenBuffer
    /// Slot i: key at 2i (0 = empty), value at 2i + 1.
    private let slots: FrozenBuffer<UInt64>
    // A raw copy of the buffer's address: reading it costs no reference counting in the hot loop.
    private let s: UnsafeMutablePointer<UInt64>
    private let mask: Int
    let isEmpty: Bool

    init(_ pairs: [(key: UInt64, value: Int32)]) {
        var capacity = 16
        while capacity < pairs.count * 2 { capacity <<= 1 }
        var s = [UInt64](repeating: 0, count: capacity * 2)
        let mask = capacity - 1
        for (key, value) in pairs {
            precondition(key != 0, "FrozenMap keys are non-zero by construction")
            var i = FrozenMap.slot(key, mask)
            while s[2 * i] != 0 && s[2 * i] != key { i = (i + 1) & mask }
            s[2 * i] = key
            s[2 * i + 1] = UInt64(UInt32(bitPattern: value))
        }
        slots = FrozenBuffer(s)
        self.s = slots.p.baseAddress!  // allocated with capacity >= 1
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
            let found = s[2 * i]
            if found == key { return Int32(bitPattern: UInt32(truncatingIfNeeded: s[2 * i + 1])) }
            if found == 0 { return -1 }
            i = (i + 1) & mask
        }
    }
}

/// Normalised word → word id: one probe per word of text, the bytes compared only on a hash hit.
///
/// Most words of a text are no keyword, so a look-up first reads a one-byte tag per slot (7 bits of the
/// hash; 0 = empty) from a table small enough to stay in the L1/L2 cache, and touches the 16-byte slot
/// (hash, id, offset and length of the word's bytes) only when the tag agrees.
struct WordTable: @unchecked Sendable {  // immutable, as FrozenMap
    private let tagBuffer: FrozenBuffer<UInt8>
    /// Slot i: the hash at 2i; at 2i + 1, id + 1 in the low 32 bits, offset in `pool` << 40 | length << 32.
    private let slotBuffer: FrozenBuffer<UInt64>
    private let pool: FrozenBuffer<UInt8>
    /// Two bits per word in one 64-bit block (bits 40..<51 of its hash pick one of 2,048 blocks, bits
    /// 51..<57 and 28..<34 the bits): 16 KiB that stay in the L1 cache and turn away nearly every word
    /// that is no keyword (~1% false positives with 10,000 words) before the larger tag table is read.
    private let presenceBuffer: FrozenBuffer<UInt64>
    private let tp: UnsafeMutablePointer<UInt8>
    private let sp: UnsafeMutablePointer<UInt64>
    private let bp: UnsafeMutablePointer<UInt64>
    private let pp: UnsafeMutablePointer<UInt8>
    private let mask: Int
    let count: Int

    @inline(__always) private static func tag(_ hash: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: hash >> 57) | 0x80 }
    private static let presenceBlocks = 1 << 11
    @inline(__always) private static func presenceBlock(_ hash: UInt64) -> Int {
        Int(truncatingIfNeeded: (hash &>> 40) & UInt64(presenceBlocks - 1))
    }
    @inline(__always) private static func presenceBits(_ hash: UInt64) -> UInt64 {
        (1 &<< ((hash &>> 51) & 63)) | (1 &<< ((hash &>> 28) & 63))
    }

    /// `words[i]` gets id `i`; the words are distinct.
    init(_ words: [[UInt8]]) {
        var capacity = 16
        while capacity < words.count * 4 { capacity <<= 1 }
        var t = [UInt8](repeating: 0, count: capacity)
        var s = [UInt64](repeating: 0, count: capacity * 2)
        var presence = [UInt64](repeating: 0, count: WordTable.presenceBlocks)
        var bytes: [UInt8] = []
        let mask = capacity - 1
        for (id, word) in words.enumerated() {
            let hash = WordHash.of(word)
            var i = Int(truncatingIfNeeded: hash) & mask
            while t[i] != 0 { i = (i + 1) & mask }
            t[i] = WordTable.tag(hash)
            presence[WordTable.presenceBlock(hash)] |= WordTable.presenceBits(hash)
            s[2 * i] = hash
            s[2 * i + 1] = UInt64(id + 1) | UInt64(word.count) << 32 | UInt64(bytes.count) << 40
            bytes += word
        }
        tagBuffer = FrozenBuffer(t)
        slotBuffer = FrozenBuffer(s)
        pool = FrozenBuffer(bytes)
        presenceBuffer = FrozenBuffer(presence)
        bp = presenceBuffer.p.baseAddress!
        tp = tagBuffer.p.baseAddress!
        sp = slotBuffer.p.baseAddress!
        pp = pool.p.baseAddress!
        self.mask = mask
        count = words.count
    }

    /// False when no word has hash `hash` (true: maybe one has).
    @inline(__always) func mayContain(hash: UInt64) -> Bool {
        let bits = WordTable.presenceBits(hash)
        return bp[WordTable.presenceBlock(hash)] & bits == bits
    }

    /// The id of `word` (whose `WordHash` is `hash`), or -1.
    @inline(__always) func id(of word: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int32 {
        guard mayContain(hash: hash) else { return -1 }
        let tag = WordTable.tag(hash)
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let t = tp[i]
            if t == 0 { return -1 }
            if t == tag && sp[2 * i] == hash {
                let slot = sp[2 * i + 1]
                if Int((slot >> 32) & 0xFF) == word.count {
                    let offset = Int(slot >> 40)
                    var same = true
                    for k in 0..<word.count where pp[offset + k] != word[k] {
                        same = false
                        break
                    }
                    if same { return Int32(truncatingIfNeeded: slot & 0xFFFF_FFFF) - 1 }
                }
            }
            i = (i + 1) & mask
        }
    }
}

/// A byte trie of the prefixes (`panne*`): walking a word's bytes yields every prefix it starts with.
///
/// Most words start with no prefix, so a word's first `headLength` bytes (the length of the shortest
/// prefix, at most 4) are first looked up in a 64 Kibit filter that holds those bytes of every prefix;
/// only a word that passes walks the trie, whose edges are in a hash map.
struct PrefixTrie: @unchecked Sendable {  // immutable, as FrozenMap
    /// Child of the root for each first byte (0 = none).
    private let root: FrozenBuffer<Int32>
    /// (node << 8 | byte) → child.
    private let edges: FrozenMap
    /// Prefix id ending at each node, or -1.
    private let terminal: FrozenBuffer<Int32>
    /// Bit set of `headSlot` of the first `headLength` bytes of every prefix.
    private let filter: FrozenBuffer<UInt64>
    private let rootp: UnsafeMutablePointer<Int32>
    private let terminalp: UnsafeMutablePointer<Int32>
    private let filterp: UnsafeMutablePointer<UInt64>
    private let headLength: Int
    let isEmpty: Bool

    private static let filterBits = 1 << 16

    /// The first `length` bytes of `bytes`, packed, hashed to a bit of the filter.
    @inline(__always) private static func headSlot(_ bytes: UnsafeBufferPointer<UInt8>, _ length: Int) -> Int {
        var x: UInt32 = 0
        for k in 0..<length { x = x << 8 | UInt32(bytes[k]) }
        return Int((x &* 0x9E37_79B1) >> 16)
    }

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
        let headLength = min(4, prefixes.map(\.count).min() ?? 1)
        var bits = [UInt64](repeating: 0, count: Self.filterBits / 64)
        for prefix in prefixes {
            let slot = prefix.withUnsafeBufferPointer { Self.headSlot($0, headLength) }
            bits[slot >> 6] |= 1 << UInt64(slot & 63)
        }
        root = FrozenBuffer(rootChildren)
        edges = FrozenMap(pairs.map { (key: $0.key, value: $0.value) })
        self.terminal = FrozenBuffer(terminal)
        filter = FrozenBuffer(bits)
        rootp = root.p.baseAddress!
        terminalp = self.terminal.p.baseAddress!
        filterp = filter.p.baseAddress!
        self.headLength = headLength
        isEmpty = prefixes.isEmpty
    }

    /// False when `word` starts with no prefix (true: maybe it does). Every prefix is at least
    /// `headLength` bytes long, so a shorter word or one whose head is not in the filter starts with none.
    @inline(__always) func mayStart(_ word: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !isEmpty, word.count >= headLength else { return false }
        let slot = Self.headSlot(word, headLength)
        return filterp[slot >> 6] & (1 << UInt64(slot & 63)) != 0
    }

    /// Calls `found` with the id of every prefix `word` starts with, shortest first.
    @inline(__always) func forEachPrefix(of word: UnsafeBufferPointer<UInt8>, _ found: (Int32) -> Void) {
        guard mayStart(word) else { return }
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
