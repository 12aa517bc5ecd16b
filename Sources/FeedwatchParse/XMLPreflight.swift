// A single pass over the UTF-8 document before libxml2 reads it. It removes the document type
// declaration, so no entity is ever declared (billion laughs, XXE and external DTDs have nothing to
// work with), and it rewrites entity references libxml2 would drop: HTML names used undeclared in
// RSS (&nbsp; &eacute;) become numeric references, a bare "&" becomes "&amp;", and references to
// names nobody defines are removed with a warning. CDATA sections and comments are left alone.
import Foundation

enum XMLPreflight {
    /// What the pass found, for the format sniffing that follows.
    struct Result {
        /// The rewritten document, or nil when nothing needed rewriting (no copy made).
        var rewritten: [UInt8]?
        /// The document type declaration named this root ("html" for an HTML page).
        var doctypeName: String?
        var warnings: [String]
    }

    private static let predefined: Set<String> = ["amp", "lt", "gt", "quot", "apos"]

    static func prepare(_ bytes: UnsafeRawBufferPointer) -> Result {
        var result = Result(rewritten: nil, doctypeName: nil, warnings: [])
        guard let p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return result }
        let n = bytes.count
        var out: [UInt8]? = nil
        var copiedUpTo = 0
        var seenRoot = false
        var dropped: [String: Int] = [:]
        var bareAmpersands = 0

        func replace(_ range: Range<Int>, with replacement: [UInt8]) {
            if out == nil {
                out = []
                out?.reserveCapacity(n + 256)
            }
            out?.append(contentsOf: UnsafeBufferPointer(start: p + copiedUpTo, count: range.lowerBound - copiedUpTo))
            out?.append(contentsOf: replacement)
            copiedUpTo = range.upperBound
        }
        func matches(_ literal: StaticString, at i: Int) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard i + count <= n else { return false }
            return memcmp(p + i, literal.utf8Start, count) == 0
        }
        /// Index just past the first occurrence of `terminator` at or after `i`, or n.
        func skip(past terminator: StaticString, from i: Int) -> Int {
            var j = i
            let first = Int32(terminator.utf8Start[0])
            while j < n {
                // memchr is vectorised: CDATA sections (content:encoded) are long.
                guard let hit = memchr(p + j, first, n - j) else { return n }
                j = UnsafeRawPointer(hit) - UnsafeRawPointer(p)
                if matches(terminator, at: j) { return j + terminator.utf8CodeUnitCount }
                j += 1
            }
            return n
        }

        var i = 0
        while i < n {
            if seenRoot {
                // After the root starts no "<" matters but "<!" (comment, CDATA) and "<?": the scan
                // jumps eight bytes at a time to the next "&", "!" or "?".
                i = nextSpecial(p, from: i, n)
                guard i < n else { break }
                let special = p[i]
                if special != UInt8(ascii: "&") {
                    if i > 0, p[i - 1] == UInt8(ascii: "<") {
                        if special == UInt8(ascii: "?") {
                            i = skip(past: "?>", from: i + 1)
                            continue
                        }
                        if matches("<!--", at: i - 1) {
                            i = skip(past: "-->", from: i + 3)
                            continue
                        }
                        if matches("<![CDATA[", at: i - 1) {
                            i = skip(past: "]]>", from: i + 8)
                            continue
                        }
                    }
                    i += 1
                    continue
                }
            }
            let b = p[i]
            if b != UInt8(ascii: "<") && b != UInt8(ascii: "&") {
                i += 1
                continue
            }
            if b == UInt8(ascii: "<") {
                guard i + 1 < n else { break }
                let next = p[i + 1]
                if next == UInt8(ascii: "!") {
                    if matches("<!--", at: i) {
                        i = skip(past: "-->", from: i + 4)
                        continue
                    }
                    if matches("<![CDATA[", at: i) {
                        i = skip(past: "]]>", from: i + 9)
                        continue
                    }
                    if !seenRoot, matches("<!DOCTYPE", at: i) || matches("<!doctype", at: i) {
                        let (end, name, hasSubset) = doctypeEnd(p, n, from: i + 9)
                        result.doctypeName = name
                        if hasSubset {
                            result.warnings.append(
                                "the document type declaration was ignored: entities it "
                                    + "declares are not expanded and nothing it names is loaded")
                        }
                        replace(i..<end, with: [])
                        i = end
                        continue
                    }
                } else if next == UInt8(ascii: "?") {
                    i = skip(past: "?>", from: i + 2)
                    continue
                } else if next != UInt8(ascii: "/") {
                    seenRoot = true
                }
                i += 1
                continue
            }
            // "&": a reference libxml2 can handle stays as it is.
            var j = i + 1
            if j < n, p[j] == UInt8(ascii: "#") {
                j += 1
                let upperX = j < n && p[j] == UInt8(ascii: "X")
                let hex = upperX || (j < n && p[j] == UInt8(ascii: "x"))
                if hex { j += 1 }
                let digitsStart = j
                while j < n, j - digitsStart < 8, hex ? isHexDigit(p[j]) : isDecimalDigit(p[j]) { j += 1 }
                if j > digitsStart, j < n, p[j] == UInt8(ascii: ";") {
                    // XML knows only "&#x": libxml2 rejects "&#X41;" (and in recover mode loses the
                    // text after it), where HTML and browsers read it as "A".
                    if upperX { replace((i + 2)..<(i + 3), with: [UInt8(ascii: "x")]) }
                    i = j + 1
                    continue
                }
                bareAmpersands += 1
                replace(i..<(i + 1), with: Array("&amp;".utf8))
                i += 1
                continue
            }
            while j < n, j - i <= HTMLEntities.longestName + 1, isNameByte(p[j]) { j += 1 }
            if j > i + 1, j < n, p[j] == UInt8(ascii: ";") {
                if isPredefined(p + i + 1, j - i - 1) {
                    i = j + 1
                    continue
                }
                let name = String(decoding: UnsafeBufferPointer(start: p + i + 1, count: j - i - 1), as: UTF8.self)
                if predefined.contains(name) {
                    i = j + 1
                    continue
                }
                if let value = HTMLEntities.table[name] {
                    let numeric = value.unicodeScalars.map { "&#\($0.value);" }.joined()
                    replace(i..<(j + 1), with: Array(numeric.utf8))
                } else {
                    dropped[name, default: 0] += 1
                    replace(i..<(j + 1), with: [])
                }
                i = j + 1
                continue
            }
            bareAmpersands += 1
            replace(i..<(i + 1), with: Array("&amp;".utf8))
            i += 1
        }
        if out != nil {
            out?.append(contentsOf: UnsafeBufferPointer(start: p + copiedUpTo, count: n - copiedUpTo))
        }
        result.rewritten = out
        for (name, count) in dropped.sorted(by: { $0.key < $1.key }).prefix(10) {
            result.warnings.append("undefined entity &\(name); dropped (\(count) time\(count == 1 ? "" : "s"))")
        }
        if bareAmpersands > 0 {
            result.warnings.append("\(bareAmpersands) bare \"&\" read as text")
        }
        return result
    }

    /// Index of the first "&", "!" or "?" at or after `start`, or n. Eight bytes per step (SWAR): a
    /// byte equal to c makes (x ^ c·0x01…) hold a zero byte, whose high bit the borrow trick sets; the
    /// lowest such bit is always a true match (false positives only sit above a true one).
    @inline(__always)
    private static func nextSpecial(_ p: UnsafePointer<UInt8>, from start: Int, _ n: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let amp = ones &* 0x26
        let bang = ones &* 0x21
        let question = ones &* 0x3F
        var i = start
        let raw = UnsafeRawPointer(p)
        while i + 8 <= n {
            let x = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let a = x ^ amp
            let b = x ^ bang
            let c = x ^ question
            let found = ((a &- ones) & ~a | (b &- ones) & ~b | (c &- ones) & ~c) & highs
            if found != 0 { return i + found.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < n {
            let b = p[i]
            if b == 0x26 || b == 0x21 || b == 0x3F { return i }
            i += 1
        }
        return n
    }

    /// amp, lt, gt, quot, apos: compared as bytes, since feeds hold hundreds of thousands of them.
    @inline(__always)
    private static func isPredefined(_ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        switch count {
        case 2: return (p[0] == 0x6C || p[0] == 0x67) && p[1] == 0x74  // lt gt
        case 3: return p[0] == 0x61 && p[1] == 0x6D && p[2] == 0x70  // amp
        case 4:
            return (p[0] == 0x71 && p[1] == 0x75 && p[2] == 0x6F && p[3] == 0x74)  // quot
                || (p[0] == 0x61 && p[1] == 0x70 && p[2] == 0x6F && p[3] == 0x73)  // apos
        default: return false
        }
    }

    @inline(__always)
    private static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F
            || b == 0x2D || b == 0x2E
    }

    @inline(__always)
    private static func isDecimalDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    @inline(__always)
    private static func isHexDigit(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46)
    }

    /// End of a `<!DOCTYPE …>` whose keyword ends at `start`: quoted literals, comments and the
    /// internal subset `[…]` may hold ">" that does not end it.
    private static func doctypeEnd(_ p: UnsafePointer<UInt8>, _ n: Int, from start: Int) -> (Int, String, Bool) {
        var i = start
        while i < n, p[i] == 0x20 || p[i] == 0x09 || p[i] == 0x0A || p[i] == 0x0D { i += 1 }
        let nameStart = i
        while i < n, p[i] > 0x20, p[i] != UInt8(ascii: ">"), p[i] != UInt8(ascii: "[") { i += 1 }
        let name = String(decoding: UnsafeBufferPointer(start: p + nameStart, count: i - nameStart), as: UTF8.self)
        var inSubset = false
        var hasSubset = false
        var quote: UInt8 = 0
        while i < n {
            let b = p[i]
            if quote != 0 {
                if b == quote { quote = 0 }
            } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                quote = b
            } else if inSubset, b == UInt8(ascii: "<"), i + 3 < n, p[i + 1] == UInt8(ascii: "!"),
                p[i + 2] == UInt8(ascii: "-"), p[i + 3] == UInt8(ascii: "-")
            {
                var j = i + 4
                while j + 2 < n,
                    !(p[j] == UInt8(ascii: "-") && p[j + 1] == UInt8(ascii: "-")
                        && p[j + 2] == UInt8(ascii: ">"))
                { j += 1 }
                i = j + 2
            } else if b == UInt8(ascii: "[") {
                inSubset = true
                hasSubset = true
            } else if b == UInt8(ascii: "]") {
                inSubset = false
            } else if b == UInt8(ascii: ">"), !inSubset {
                return (i + 1, name, hasSubset)
            }
            i += 1
        }
        return (n, name, hasSubset)
    }
}
