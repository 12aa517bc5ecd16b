/// Receives the normalised words of a text, in order.
protocol WordSink {
    /// `word` is the normalised word (valid only during the call), `hash` its `WordHash`, `start..<end`
    /// its byte range in the original UTF-8; `matchable` is false for a word too long to be a keyword.
    mutating func word(_ word: UnsafeBufferPointer<UInt8>, hash: UInt64, start: Int, end: Int, matchable: Bool)
}

/// FNV-1a over the normalised bytes, finished with a mix so that the low bits index a table well.
enum WordHash {
    static let seed: UInt64 = 0xcbf2_9ce4_8422_2325
    @inline(__always) static func add(_ h: UInt64, _ b: UInt8) -> UInt64 { (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    @inline(__always) static func finish(_ h: UInt64) -> UInt64 {
        var x = h ^ (h >> 32)
        x = x &* 0xd6e8_feb8_6659_fd93
        return x ^ (x >> 32)
    }
    static func of(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var h = seed
        for b in bytes { h = add(h, b) }
        return finish(h)
    }
}

/// Splits UTF-8 text into normalised words in one pass over its bytes.
///
/// Words are runs of letters, digits and `_` (Unicode's word characters); everything else separates
/// them, so a hyphenated word is several words and a keyword phrase matches across any punctuation.
/// An apostrophe between letters keeps one word (`aujourd'hui`, `don't`) except after a French elided
/// form (`l'`, `d'`, `j'`, `m'`, `n'`, `s'`, `t'`, `c'`, `qu'`, `jusqu'`, `lorsqu'`, `puisqu'`,
/// `quoiqu'`) or before an English possessive `s` (`Facebook's` → `facebook`, `s`), which are split.
/// Characters of scripts written without spaces are one word each (see `CharClass.ideograph`).
/// ASCII bytes are folded with a 128-entry table; only non-ASCII characters are looked up in
/// `ScalarTable`.
struct WordScanner {
    /// Words longer than this (in normalised bytes) are never matched; keywords are limited to it too.
    static let maxWordBytes = 128

    /// The elided forms, packed little-endian into a UInt64 each.
    private static let elisions: [UInt64] = ["l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"]
        .map { pack(Array($0.utf8)[...]) }

    @inline(__always) private static func pack(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var x: UInt64 = 0
        for (i, b) in bytes.enumerated() { x |= UInt64(b) << (8 * UInt64(i)) }
        return x
    }

    static func scan<S: WordSink>(_ text: String, into sink: inout S) {
        var text = text
        text.withUTF8 { scan($0, into: &sink) }
    }

    static func scan<S: WordSink>(_ p: UnsafeBufferPointer<UInt8>, into sink: inout S) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxWordBytes) { buffer in
            scan(p, buffer: buffer, into: &sink)
        }
    }

    /// Decodes the scalar at `i` (well-formed UTF-8 is guaranteed by `String`); returns value and length.
    @inline(__always)
    private static func decode(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt32, Int) {
        let b0 = UInt32(p[i])
        let n = p.count
        if b0 < 0xE0 {
            guard i + 1 < n else { return (0xFFFD, 1) }
            return ((b0 & 0x1F) << 6 | UInt32(p[i + 1] & 0x3F), 2)
        }
        if b0 < 0xF0 {
            guard i + 2 < n else { return (0xFFFD, n - i) }
            return ((b0 & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F), 3)
        }
        guard i + 3 < n else { return (0xFFFD, n - i) }
        return (
            (b0 & 0x07) << 18 | UInt32(p[i + 1] & 0x3F) << 12 | UInt32(p[i + 2] & 0x3F) << 6 | UInt32(p[i + 3] & 0x3F),
            4
        )
    }

    /// The class of the character starting at `i`, or separator past the end.
    @inline(__always)
    private static func classAt(_ p: UnsafeBufferPointer<UInt8>, _ i: Int, _ table: ScalarTable) -> UInt8 {
        guard i < p.count else { return CharClass.separator.rawValue }
        let b = p[i]
        if b < 0x80 { return table.asciiClass[Int(b)] }
        let (v, _) = decode(p, i)
        if let e = table.lookup(v) { return e.cls }
        return ScalarTable.slowFold(v).cls.rawValue
    }

    private static func scan<S: WordSink>(
        _ p: UnsafeBufferPointer<UInt8>, buffer: UnsafeMutableBufferPointer<UInt8>, into sink: inout S
    ) {
        let table = ScalarTable.shared
        let asciiClass = table.asciiClass
        let asciiLower = table.asciiLower
        let pool = table.pool
        let wordClass = CharClass.word.rawValue
        let n = p.count
        var length = 0
        var hash = WordHash.seed
        var inWord = false
        var overflow = false
        var start = 0
        var end = 0

        @inline(__always) func append(_ b: UInt8) {
            hash = WordHash.add(hash, b)
            if length < maxWordBytes {
                buffer[length] = b
                length += 1
            } else {
                overflow = true
            }
        }
        @inline(__always) func begin(_ at: Int) {
            if !inWord {
                inWord = true
                start = at
                length = 0
                hash = WordHash.seed
                overflow = false
            }
        }
        @inline(__always) func finish() {
            if inWord {
                inWord = false
                sink.word(
                    UnsafeBufferPointer(rebasing: buffer[0..<length]), hash: WordHash.finish(hash), start: start,
                    end: end, matchable: !overflow)
            }
        }

        /// Handles an apostrophe at `at`; returns where scanning resumes.
        func apostrophe(at: Int, width: Int) -> Int {
            let next = at + width
            guard inWord, classAt(p, next, table) == wordClass else {
                finish()
                return next
            }
            let elided = length <= 6 && !overflow && elisions.contains(pack(buffer[0..<length]))
            let possessive = (p[next] | 0x20) == 0x73 && classAt(p, next + 1, table) != wordClass
                && classAt(p, next + 1, table) != CharClass.apostrophe.rawValue
            if elided || possessive {
                finish()
            } else {
                append(0x27)
            }
            return next
        }

        var i = 0
        while i < n {
            let b = p[i]
            if b < 0x80 {
                let cls = asciiClass[Int(b)]
                if cls == wordClass {
                    begin(i)
                    append(asciiLower[Int(b)])
                    i += 1
                    end = i
                    continue
                }
                if cls == CharClass.apostrophe.rawValue {
                    i = apostrophe(at: i, width: 1)
                    continue
                }
                finish()
                i += 1
                continue
            }
            let (v, width) = decode(p, i)
            var cls: UInt8
            var foldOffset = 0
            var foldLength = 0
            var slow: String? = nil
            if let e = table.lookup(v) {
                (cls, foldOffset, foldLength) = e
            } else {
                let s = ScalarTable.slowFold(v)
                cls = s.cls.rawValue
                slow = s.folded
            }
            switch cls {
            case wordClass:
                begin(i)
                if let slow {
                    for c in slow.utf8 { append(c) }
                } else if foldLength > 0 {
                    for k in foldOffset..<(foldOffset + foldLength) { append(pool[k]) }
                } else {
                    for k in i..<(i + width) { append(p[k]) }
                }
                i += width
                end = i
            case CharClass.apostrophe.rawValue:
                i = apostrophe(at: i, width: width)
            case CharClass.ignorable.rawValue:
                i += width
                if inWord { end = i }
            case CharClass.ideograph.rawValue:
                finish()
                begin(i)
                if foldLength > 0 {
                    for k in foldOffset..<(foldOffset + foldLength) { append(pool[k]) }
                } else {
                    for k in i..<(i + width) { append(p[k]) }
                }
                i += width
                end = i
                finish()
            default:
                finish()
                i += width
            }
        }
        finish()

    }
}

extension WordScanner {
    @inline(__always) private static func pack(_ bytes: Slice<UnsafeMutableBufferPointer<UInt8>>) -> UInt64 {
        var x: UInt64 = 0
        var shift: UInt64 = 0
        for b in bytes {
            x |= UInt64(b) << shift
            shift += 8
        }
        return x
    }
}
