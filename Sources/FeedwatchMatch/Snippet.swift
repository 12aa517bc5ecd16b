/// The text shown in an alert around a match: the match with about 50 characters of context each side,
/// cut at word boundaries, white space collapsed, `…` where the text was cut.
///
/// Works on the UTF-8 bytes (a snippet is made for every rule that fires): cuts fall on white space,
/// so no character is split; context is counted in Unicode scalars.
enum Snippet {
    static let context = 50
    static let maxMatch = 120

    /// `start..<end` are UTF-8 offsets of the match in `text`, on scalar boundaries.
    static func around(_ text: String, start: Int, end: Int) -> String {
        var text = text
        return text.withUTF8 { around($0, start: start, end: end) }
    }

    private static func around(_ p: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> String {
        let n = p.count
        let s = min(max(start, 0), n)
        var e = min(max(end, s), n)
        @inline(__always) func isContinuation(_ i: Int) -> Bool { p[i] & 0xC0 == 0x80 }
        @inline(__always) func after(_ i: Int) -> Int {
            var j = i + 1
            while j < n && isContinuation(j) { j += 1 }
            return j
        }
        @inline(__always) func before(_ i: Int) -> Int {
            var j = i - 1
            while j > 0 && isContinuation(j) { j -= 1 }
            return j
        }
        /// White space at `i`: ASCII, NEL, no-break space, the U+2000 spaces, line/paragraph separators.
        func isSpace(_ i: Int) -> Bool {
            let b = p[i]
            if b < 0x80 { return b == 0x20 || (b >= 0x09 && b <= 0x0D) }
            if b == 0xC2 && i + 1 < n { return p[i + 1] == 0x85 || p[i + 1] == 0xA0 }
            if b == 0xE2 && i + 2 < n {
                let (b1, b2) = (p[i + 1], p[i + 2])
                return (b1 == 0x80 && (b2 <= 0x8A || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF))
                    || (b1 == 0x81 && b2 == 0x9F)
            }
            return b == 0xE3 && i + 2 < n && p[i + 1] == 0x80 && p[i + 2] == 0x80
        }

        var matchCut = false
        var k = 0
        var i = s
        while i < e && k < maxMatch {
            i = after(i)
            k += 1
        }
        if i < e {
            e = i
            matchCut = true
        }

        // Left: back up to `context` scalars, then forward to the start of a word.
        var left = s
        k = 0
        while left > 0 && k < context {
            left = before(left)
            k += 1
        }
        let leftCut = left > 0
        if leftCut && !isSpace(before(left)) {
            var j = left
            while j < s && !isSpace(j) { j = after(j) }
            if j < s { left = j }
        }

        // Right: forward up to `context` scalars, then back to the end of a word.
        var right = e
        k = 0
        while !matchCut && right < n && k < context {
            right = after(right)
            k += 1
        }
        let rightCut = right < n
        if rightCut && !matchCut && !isSpace(right) {
            var j = right
            while j > e && !isSpace(before(j)) { j = before(j) }
            if j > e { right = j }
        }

        var out: [UInt8] = []
        out.reserveCapacity(right - left + 8)
        let ellipsis: [UInt8] = [0xE2, 0x80, 0xA6]
        if leftCut { out += ellipsis }
        var pendingSpace = false
        var j = left
        let start = out.count
        while j < right {
            let b = p[j]
            let space =
                b < 0x80 ? (b == 0x20 || (b >= 0x09 && b <= 0x0D)) : (b == 0xC2 || b == 0xE2 || b == 0xE3) && isSpace(j)
            if space {
                pendingSpace = true
                j = after(j)
                continue
            }
            if pendingSpace && out.count > start { out.append(0x20) }
            pendingSpace = false
            out.append(b)
            j += 1
        }
        if rightCut { out += ellipsis }
        return String(decoding: out, as: UTF8.self)
    }
}
