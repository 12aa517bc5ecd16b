/// Receives the normalised words of a text, in order.
protocol WordSink {
    /// `word` is the normalised word (valid only during the call), `hash` its `WordHash`, `start..<end`
    /// its byte range in the original UTF-8; `matchable` is false for a word too long to be a keyword.
    mutating func word(_ word: UnsafeBufferPointer<UInt8>, hash: UInt64, start: Int, end: Int, matchable: Bool)
}

/// The hash of a normalised word, computed once the word is complete: eight bytes at a time (a word is
/// usually one or two steps), rather than a multiply per byte in the scanning loop.
enum WordHash {
    @inline(__always) private static func mix(_ h: UInt64, _ x: UInt64) -> UInt64 {
        let m = (h ^ x) &* 0x9E37_79B9_7F4A_7C15
        return m ^ (m >> 29)
    }

    /// The last (partial) block and the finalisation in one full-width multiply, whose high and low
    /// halves folded together depend on every input bit: a short word costs one multiply in all.
    @inline(__always) private static func last(_ h: UInt64, _ tail: UInt64) -> UInt64 {
        let (high, low) = (h ^ tail).multipliedFullWidth(by: 0xd6e8_feb8_6659_fd93)
        return high ^ low
    }

    @inline(__always) static func of(_ p: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = p.count
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(n)
        var k = 0
        if let base = p.baseAddress {
            while k + 8 <= n {
                h = mix(h, UInt64(littleEndian: UnsafeRawPointer(base + k).loadUnaligned(as: UInt64.self)))
                k += 8
            }
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while k < n {
            tail |= UInt64(p[k]) << shift
            shift += 8
            k += 1
        }
        return last(h, tail)
    }

    /// The same hash as `of`, for a word in a buffer readable for 8 bytes past its end (the scanner's):
    /// the last partial block is one load, masked, rather than a loop over its bytes.
    @inline(__always) static func ofPadded(_ base: UnsafePointer<UInt8>, count n: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(n)
        var k = 0
        while k &+ 8 <= n {
            h = mix(h, UInt64(littleEndian: UnsafeRawPointer(base + k).loadUnaligned(as: UInt64.self)))
            k &+= 8
        }
        let mask = (UInt64(1) &<< UInt64(8 &* (n &- k))) &- 1  // n - k < 8 bytes; 0 when none
        return last(h, UInt64(littleEndian: UnsafeRawPointer(base + k).loadUnaligned(as: UInt64.self)) & mask)
    }

    static func of(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBufferPointer { of($0) }
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
    private static let elisions: [UInt64] = [
        "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu",
    ]
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

    /// `wide: false` scans one byte at a time only (the reference the tests compare the fast path with).
    static func scan<S: WordSink>(_ p: UnsafeBufferPointer<UInt8>, into sink: inout S, wide: Bool = true) {
        // 8 bytes of slack: the ASCII fast path stores whole 8-byte blocks.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxWordBytes + 8) { buffer in
            buffer.initialize(repeating: 0)  // the slack is read (and masked off) by `WordHash.ofPadded`
            scan(p, buffer: buffer, into: &sink, wide: wide)
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

    /// Whether an apostrophe at `at` (`width` bytes), after the word so far `word`, joins it to the
    /// next letter: not when no letter follows, after an elided form, or before a possessive `s`.
    /// A function of its arguments only: the scanner's loop state stays in registers.
    private static func joins(
        _ p: UnsafeBufferPointer<UInt8>, apostropheAt at: Int, width: Int, _ table: ScalarTable,
        _ word: Slice<UnsafeMutableBufferPointer<UInt8>>, overflow: Bool
    ) -> Bool {
        let next = at + width
        guard classAt(p, next, table) == CharClass.word.rawValue else { return false }
        let elided = word.count <= 6 && !overflow && elisions.contains(pack(word))
        let possessive =
            (p[next] | 0x20) == 0x73 && classAt(p, next + 1, table) != CharClass.word.rawValue
            && classAt(p, next + 1, table) != CharClass.apostrophe.rawValue
        return !(elided || possessive)
    }

    private static func scan<S: WordSink>(
        _ p: UnsafeBufferPointer<UInt8>, buffer: UnsafeMutableBufferPointer<UInt8>, into sink: inout S, wide: Bool
    ) {
        guard let base = p.baseAddress, let out = buffer.baseAddress else { return }
        let table = ScalarTable.shared
        let asciiClass = table.asciiClass
        let asciiLower = table.asciiLower
        let pool = table.pool
        guard let poolBase = UnsafeRawPointer(pool.baseAddress) else { return }  // allocated with 8 bytes of slack
        let wordClass = CharClass.word.rawValue
        let n = p.count
        var length = 0
        var inWord = false
        var overflow = false
        var start = 0
        var end = 0

        @inline(__always) func append(_ b: UInt8) {
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
                overflow = false
            }
        }
        @inline(__always) func finish() {
            if inWord {
                inWord = false
                let word = UnsafeBufferPointer(rebasing: buffer[0..<length])
                sink.word(
                    word, hash: overflow ? 0 : WordHash.ofPadded(out, count: length), start: start, end: end,
                    matchable: !overflow)
            }
        }

        var i = 0
        while i < n {
            let b = p[i]
            if b < 0x80 {
                let cls = asciiClass[Int(b)]
                if cls == wordClass {
                    // The common case, a run of ASCII letters, in local variables: the state shared with
                    // the nested functions is written back once per run, not per byte.
                    begin(i)
                    var len = length
                    var j = i
                    // Eight bytes at a time while a whole block remains: the block's word bytes are
                    // found and lower-cased at once, and stored whole (the buffer has 8 bytes of slack
                    // past `maxWordBytes`, so bytes past the run's end are written but never read).
                    // The byte that ended the run, when a block found it (0xFF: not found yet).
                    var stopByte: UInt8 = 0xFF
                    if wide {
                        while j &+ 8 <= n {
                            let x = UInt64(littleEndian: UnsafeRawPointer(base + j).loadUnaligned(as: UInt64.self))
                            let stop = ~AsciiBlock.wordBytes(x) & AsciiBlock.high
                            let run = stop == 0 ? 8 : stop.trailingZeroBitCount &>> 3
                            UnsafeMutableRawPointer(out + len).storeBytes(
                                of: AsciiBlock.lowered(x).littleEndian, as: UInt64.self)
                            len &+= run
                            if len > maxWordBytes {
                                len = maxWordBytes
                                overflow = true
                            }
                            j &+= run
                            if run < 8 {
                                stopByte = UInt8(truncatingIfNeeded: x &>> UInt64(run &* 8))
                                break
                            }
                        }
                    }
                    if stopByte == 0xFF {
                        // The last bytes of the text, one at a time.
                        while j < n {
                            let c = p[j]
                            guard c < 0x80, asciiClass[Int(c)] == wordClass else { break }
                            if len < maxWordBytes {
                                buffer[len] = asciiLower[Int(c)]
                                len += 1
                            } else {
                                overflow = true
                            }
                            j += 1
                        }
                    }
                    length = len
                    i = j
                    end = j
                    // The usual end of a word, an ASCII space or punctuation, handled here rather than by
                    // reading and classifying it again at the top of the loop.
                    if stopByte < 0x80 && asciiClass[Int(stopByte)] == CharClass.separator.rawValue {
                        finish()
                        i &+= 1
                    }
                    continue
                }
                if cls == CharClass.apostrophe.rawValue {
                    if inWord && joins(p, apostropheAt: i, width: 1, table, buffer[0..<length], overflow: overflow) {
                        append(0x27)
                    } else {
                        finish()
                    }
                    i += 1
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
                    if foldLength <= 8 && length &+ foldLength <= maxWordBytes {
                        // One 8-byte copy (the pool has 8 bytes of slack; the buffer too).
                        let folded = (poolBase + foldOffset).loadUnaligned(as: UInt64.self)
                        UnsafeMutableRawPointer(out + length).storeBytes(of: folded, as: UInt64.self)
                        length &+= foldLength
                    } else {
                        for k in foldOffset..<(foldOffset + foldLength) { append(pool[k]) }
                    }
                } else {
                    for k in i..<(i + width) { append(p[k]) }
                }
                i += width
                end = i
            case CharClass.apostrophe.rawValue:
                if inWord && joins(p, apostropheAt: i, width: width, table, buffer[0..<length], overflow: overflow) {
                    append(0x27)
                } else {
                    finish()
                }
                i += width
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

/// Eight ASCII bytes at a time, in a UInt64 (SWAR): for bytes below 0x80, adding a constant to every
/// byte never carries into the next one, so a byte's range test lands in its high bit.
enum AsciiBlock {
    static let high: UInt64 = 0x8080_8080_8080_8080
    private static let ones: UInt64 = 0x0101_0101_0101_0101

    /// 0x80 in each byte of `x7` (whose high bits are clear) that lies in `lo...hi` (lo >= 1).
    @inline(__always) private static func inRange(_ x7: UInt64, _ lo: UInt64, _ hi: UInt64) -> UInt64 {
        let atLeast = x7 &+ ones &* (0x80 &- lo)
        let above = x7 &+ ones &* (0x7F &- hi)
        return atLeast & ~above & high
    }

    /// 0x80 in each byte of `x` that is an ASCII word character (letter, digit, `_`), 0 elsewhere.
    @inline(__always) static func wordBytes(_ x: UInt64) -> UInt64 {
        let x7 = x & ~high
        let letter = inRange(x7 | ones &* 0x20, 0x61, 0x7A)
        let digit = inRange(x7, 0x30, 0x39)
        let underscore = ~((x7 ^ ones &* 0x5F) &+ ones &* 0x7F) & high
        return (letter | digit | underscore) & ~x
    }

    /// `x` with its ASCII capitals lower-cased.
    @inline(__always) static func lowered(_ x: UInt64) -> UInt64 {
        x | (inRange(x & ~high, 0x41, 0x5A) & ~x) &>> 2
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
