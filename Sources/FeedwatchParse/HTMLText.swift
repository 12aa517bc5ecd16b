// Plain text out of the HTML feeds carry in titles, summaries and content: a byte scanner, not an
// HTML parser, because all that is kept is the words. Script and style bodies are dropped, block
// elements separate words, every HTML5 named reference and numeric reference is decoded, white
// space (Unicode's, non-breaking space included) is collapsed to one space and trimmed.

enum HTMLText {
    /// Elements whose start or end separates words ("a<br>b" reads "a b", "a<b>b</b>" reads "ab").
    static let blockElements: Set<String> = [
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "dialog", "div", "dl",
        "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hr", "img", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody",
        "td", "tfoot", "th", "thead", "tr", "ul", "iframe", "video", "audio", "object", "embed", "option",
        "select", "textarea", "title", "body", "head", "html", "meta", "link", "source", "picture",
    ]
    /// Elements whose body is not text at all.
    static let droppedElements: Set<String> = ["script", "style", "noscript", "template"]

    /// What an element name means to the text: nothing, a word break, or a body that is not text.
    enum ElementKind {
        case inline, block, dropped
    }

    /// The names above packed into 8 bytes (little-endian, zero-padded), sorted: looked up by
    /// binary search on the bytes of a name, never through a String.
    private static let packedBlock: [UInt64] = blockElements.compactMap { pack(Array($0.utf8)) }.sorted()
    private static let packedDropped: [UInt64] = droppedElements.compactMap { pack(Array($0.utf8)) }.sorted()
    /// Names longer than 8 bytes ("blockquote", "figcaption"), compared as bytes.
    private static let longBlock: [[UInt8]] = blockElements.filter { $0.utf8.count > 8 }.map { Array($0.utf8) }

    private static func pack<C: Collection>(_ name: C) -> UInt64? where C.Element == UInt8 {
        guard name.count <= 8 else { return nil }
        var key: UInt64 = 0
        var shift: UInt64 = 0
        for byte in name {
            // ASCII lower case; a byte outside letters and digits matches no name.
            let lower = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            guard lower >= 0x30 && lower <= 0x39 || lower >= 0x61 && lower <= 0x7A else { return nil }
            key |= UInt64(lower) << shift
            shift += 8
        }
        return key
    }

    private static func contains(_ sorted: [UInt64], _ key: UInt64) -> Bool {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) >> 1
            if sorted[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count && sorted[low] == key
    }

    /// The kind of element `name` (any case) is.
    static func kind<C: Collection>(of name: C) -> ElementKind where C.Element == UInt8 {
        if let key = pack(name) {
            if contains(packedBlock, key) { return .block }
            return contains(packedDropped, key) ? .dropped : .inline
        }
        guard name.count <= 10 else { return .inline }
        let lower = name.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        return longBlock.contains(lower) ? .block : .inline
    }

    /// The kind of element named by a String (the local name of an XML element).
    static func kind(of name: String) -> ElementKind {
        name.utf8.withContiguousStorageIfAvailable { kind(of: $0) } ?? kind(of: Array(name.utf8))
    }

    /// HTML (markup and references) to plain text.
    static func plainText(html bytes: UnsafeBufferPointer<UInt8>) -> String {
        if isAlreadyPlain(bytes, markupSignificant: true) { return String(decoding: bytes, as: UTF8.self) }
        return Collapser.build(inputCount: bytes.count) { scanHTML(bytes, into: &$0) }
    }

    /// HTML (markup and references) to plain text.
    static func plainText(html bytes: [UInt8]) -> String { bytes.withUnsafeBufferPointer { plainText(html: $0) } }

    /// Text that is already plain (Atom type="text", XHTML text nodes): only white space is collapsed.
    static func collapsed(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        if isAlreadyPlain(bytes, markupSignificant: false) { return String(decoding: bytes, as: UTF8.self) }
        return Collapser.build(inputCount: bytes.count) { out in
            var i = 0
            while i < bytes.count {
                let length = whitespaceLength(bytes, i)
                if length > 0 {
                    out.space()
                    i += length
                } else {
                    out.byte(bytes[i])
                    i += 1
                }
            }
        }
    }

    /// Text that is already plain: only white space is collapsed.
    static func collapsed(_ bytes: [UInt8]) -> String { bytes.withUnsafeBufferPointer { collapsed($0) } }

    /// Collapses white space of a String (used for JSON Feed and attribute values).
    static func collapsed(_ text: String) -> String { collapsed(Array(text.utf8)) }

    /// Plain text out of an HTML String.
    static func plainText(html text: String) -> String { plainText(html: Array(text.utf8)) }

    /// True when the text has no markup or reference, no leading/trailing space and no run of spaces:
    /// most titles and summaries, which then cost one scan and no copy. Eight bytes at a time: this
    /// scan sees every byte of every title and summary. `wide: false` looks at one byte at a time
    /// only (the reference the tests compare the fast path with).
    static func isAlreadyPlain(
        _ bytes: UnsafeBufferPointer<UInt8>, markupSignificant: Bool, wide: Bool = true
    ) -> Bool {
        guard let base = bytes.baseAddress, let first = bytes.first, let last = bytes.last, first != 0x20, last != 0x20
        else { return bytes.isEmpty }
        var i = 0
        var previousSpace = false
        if wide {
            while i &+ 8 <= bytes.count {
                let x = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                let spaces = PlainBlock.exactly(x, 0x20)
                var stop = PlainBlock.anyBelow20(x) | PlainBlock.anyLead(x) | spaces & (spaces &<< 8)
                if previousSpace { stop |= spaces & 0x80 }
                if markupSignificant {
                    stop |= PlainBlock.any(x, UInt8(ascii: "<")) | PlainBlock.any(x, UInt8(ascii: "&"))
                }
                if stop != 0 { return false }
                previousSpace = spaces &>> 63 != 0
                i &+= 8
            }
        }
        while i < bytes.count {
            let b = bytes[i]
            i &+= 1
            if b == 0x20 {
                if previousSpace { return false }
                previousSpace = true
                continue
            }
            previousSpace = false
            if PlainBlock.stops(b) { return false }
            if markupSignificant && (b == UInt8(ascii: "<") || b == UInt8(ascii: "&")) { return false }
        }
        return true
    }

    /// Byte length of the white-space character at `i` (ASCII or Unicode Zs and line separators), or 0.
    @inline(__always)
    static func whitespaceLength<C: RandomAccessCollection>(_ s: C, _ i: Int) -> Int
    where C.Element == UInt8, C.Index == Int {
        let b = s[i]
        if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C || b == 0x0B { return 1 }
        if b < 0xC2 { return 0 }
        let n = s.endIndex
        if b == 0xC2, i + 1 < n, s[i + 1] == 0xA0 || s[i + 1] == 0x85 { return 2 }
        guard i + 2 < n else { return 0 }
        let b1 = s[i + 1]
        let b2 = s[i + 2]
        switch b {
        case 0xE1: return b1 == 0x9A && b2 == 0x80 ? 3 : 0  // U+1680
        case 0xE2:
            if b1 == 0x80, (0x80...0x8A).contains(b2) || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF { return 3 }
            if b1 == 0x81, b2 == 0x9F { return 3 }  // U+205F
            return 0
        case 0xE3: return b1 == 0x80 && b2 == 0x80 ? 3 : 0  // U+3000
        default: return 0
        }
    }

    private static func scanHTML(_ s: UnsafeBufferPointer<UInt8>, into out: inout Collapser) {
        let n = s.count
        var i = 0
        while i < n {
            let b = s[i]
            if b == UInt8(ascii: "<") {
                i = skipMarkup(s, from: i, into: &out)
            } else if b == UInt8(ascii: "&") {
                i = decodeReference(s, from: i, into: &out)
            } else if isPlainByte(b) {
                // A run of bytes that are neither markup, reference nor (possibly) white space, single
                // ASCII spaces between words included (collapsing leaves them as they are): one copy.
                var end = i + 1
                while end < n {
                    if isPlainByte(s[end]) {
                        end += 1
                    } else if s[end] == 0x20, end + 1 < n, isPlainByte(s[end + 1]) {
                        end += 2
                    } else {
                        break
                    }
                }
                out.run(UnsafeBufferPointer(rebasing: s[i..<end]))
                i = end
            } else {
                let length = whitespaceLength(s, i)
                if length > 0 {
                    out.space()
                    i += length
                } else {
                    out.byte(b)
                    i += 1
                }
            }
        }
    }

    /// Not "<", "&", ASCII space or control, nor the first byte of a Unicode space (C2, E1–E3).
    @inline(__always)
    private static func isPlainByte(_ b: UInt8) -> Bool {
        b > 0x20 && b != UInt8(ascii: "<") && b != UInt8(ascii: "&") && b != 0xC2 && (b < 0xE1 || b > 0xE3)
    }

    @inline(__always)
    private static func isASCIILetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }

    /// Skips a tag, comment or declaration at `i` (a "<"); a "<" that starts none is text.
    private static func skipMarkup(_ s: UnsafeBufferPointer<UInt8>, from start: Int, into out: inout Collapser) -> Int {
        let n = s.count
        var i = start + 1
        guard i < n else {
            out.byte(UInt8(ascii: "<"))
            return n
        }
        if s[i] == UInt8(ascii: "!") {
            if i + 2 < n, s[i + 1] == UInt8(ascii: "-"), s[i + 2] == UInt8(ascii: "-") {
                i += 3
                while i + 2 < n,
                    !(s[i] == UInt8(ascii: "-") && s[i + 1] == UInt8(ascii: "-") && s[i + 2] == UInt8(ascii: ">"))
                {
                    i += 1
                }
                return min(n, i + 3)
            }
            return skipTagBody(s, from: i)
        }
        if s[i] == UInt8(ascii: "?") { return skipTagBody(s, from: i) }
        let closing = s[i] == UInt8(ascii: "/")
        if closing { i += 1 }
        guard i < n, isASCIILetter(s[i]) else {
            out.byte(UInt8(ascii: "<"))
            return start + 1
        }
        let nameStart = i
        while i < n, isASCIILetter(s[i]) || (s[i] >= 0x30 && s[i] <= 0x39) { i += 1 }
        let name = UnsafeBufferPointer(rebasing: s[nameStart..<i])
        let end = skipTagBody(s, from: i)
        let kind = kind(of: name)
        if !closing, kind == .dropped {
            // Drop everything up to the matching end tag (names are ASCII letters: compared ignoring case).
            let length = name.count
            var j = end
            while j < n {
                if s[j] == UInt8(ascii: "<"), j + 1 < n, s[j + 1] == UInt8(ascii: "/"), j + 2 + length <= n {
                    var same = true
                    for k in 0..<length where s[j + 2 + k] | 0x20 != name[k] | 0x20 {
                        same = false
                        break
                    }
                    if same {
                        out.space()
                        return skipTagBody(s, from: j + 2 + length)
                    }
                }
                j += 1
            }
            return n
        }
        if kind == .block { out.space() }
        return end
    }

    /// Index after the ">" closing a tag, honouring quoted attribute values.
    private static func skipTagBody(_ s: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        var quote: UInt8 = 0
        while i < s.count {
            let b = s[i]
            if quote != 0 {
                if b == quote { quote = 0 }
            } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                quote = b
            } else if b == UInt8(ascii: ">") {
                return i + 1
            }
            i += 1
        }
        return s.count
    }

    /// Decodes the reference at `i` (an "&"); an "&" that starts none is text.
    private static func decodeReference(_ s: UnsafeBufferPointer<UInt8>, from start: Int, into out: inout Collapser)
        -> Int
    {
        let n = s.count
        var i = start + 1
        if i < n, s[i] == UInt8(ascii: "#") {
            i += 1
            var radix: UInt32 = 10
            if i < n, s[i] | 0x20 == UInt8(ascii: "x") {
                radix = 16
                i += 1
            }
            var value: UInt32 = 0
            let digitsStart = i
            while i < n, i - digitsStart < 8 {
                let c = s[i]
                let digit: UInt32
                if c >= 0x30 && c <= 0x39 {
                    digit = UInt32(c - 0x30)
                } else if radix == 16, (c | 0x20) >= 0x61, (c | 0x20) <= 0x66 {
                    digit = UInt32((c | 0x20) - 0x61 + 10)
                } else {
                    break
                }
                value = value * radix + digit
                i += 1
            }
            guard i > digitsStart else {
                out.byte(UInt8(ascii: "&"))
                return start + 1
            }
            if i < n, s[i] == UInt8(ascii: ";") { i += 1 }
            out.scalar(numericReferenceValue(value))
            return i
        }
        let nameStart = i
        while i < n, i - nameStart <= HTMLEntities.longestName, isASCIILetter(s[i]) || (s[i] >= 0x30 && s[i] <= 0x39) {
            i += 1
        }
        guard i > nameStart else {
            out.byte(UInt8(ascii: "&"))
            return start + 1
        }
        let name = String(decoding: UnsafeBufferPointer(rebasing: s[nameStart..<i]), as: UTF8.self)
        if i < n, s[i] == UInt8(ascii: ";"), let value = HTMLEntities.table[name] {
            out.text(value)
            return i + 1
        }
        // Legacy references without ";" ("&copy 2019", "&amp"), longest known prefix first.
        var length = name.utf8.count
        while length >= 2 {
            let prefix = String(name.utf8.prefix(length))!
            if HTMLEntities.legacyWithoutSemicolon.contains(prefix), let value = HTMLEntities.table[prefix] {
                out.text(value)
                return nameStart + length
            }
            length -= 1
        }
        out.byte(UInt8(ascii: "&"))
        return start + 1
    }

    /// Numeric references as HTML reads them: windows-1252 for 0x80–0x9F, U+FFFD for the impossible.
    private static func numericReferenceValue(_ value: UInt32) -> UInt32 {
        if value == 0 || value > 0x10FFFF || (0xD800...0xDFFF).contains(value) { return 0xFFFD }
        if (0x80...0x9F).contains(value) {
            let windows1252: [UInt32] = [
                0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152,
                0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122,
                0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
            ]
            return windows1252[Int(value - 0x80)]
        }
        return value
    }
}

/// Builds collapsed, trimmed UTF-8 in scratch memory (on the stack for fields up to 1 KiB), then makes
/// one String of exactly the bytes written: a String sized for the input would keep the spare room
/// for as long as the item is kept, and markup-heavy fields shrink to a third of their input.
struct Collapser {
    private let storage: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0
    private var pendingSpace = false
    /// More output than the storage holds: what did not fit was dropped, and the caller retries larger.
    private(set) var overflowed = false

    private init(storage: UnsafeMutableBufferPointer<UInt8>) {
        self.storage = storage
    }

    /// The text `body` writes. Decoded references can make it longer than its input ("&nGt;" is 5 bytes
    /// and 6 decoded), by at most a fifth: a first guess of that size, then one of four times the input.
    static func build(inputCount: Int, _ body: (inout Collapser) -> Void) -> String {
        if let text = build(capacity: inputCount + inputCount / 4 + 16, body) { return text }
        return build(capacity: inputCount * 4 + 16, body) ?? ""
    }

    private static func build(capacity: Int, _ body: (inout Collapser) -> Void) -> String? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { storage -> String? in
            var out = Collapser(storage: storage)
            body(&out)
            guard !out.overflowed else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: storage[..<out.count]), as: UTF8.self)
        }
    }

    mutating func space() { pendingSpace = count > 0 }

    @inline(__always)
    private mutating func flushSpace() -> Bool {
        if pendingSpace {
            pendingSpace = false
            guard count < storage.count else {
                overflowed = true
                return false
            }
            storage[count] = 0x20
            count += 1
        }
        return true
    }

    /// Appends bytes that hold no white space.
    mutating func run(_ run: UnsafeBufferPointer<UInt8>) {
        guard flushSpace(), let source = run.baseAddress, let target = storage.baseAddress else { return }
        guard run.count <= storage.count - count else {
            overflowed = true
            return
        }
        (target + count).update(from: source, count: run.count)
        count += run.count
    }

    @inline(__always)
    mutating func byte(_ b: UInt8) {
        guard flushSpace() else { return }
        guard count < storage.count else {
            overflowed = true
            return
        }
        storage[count] = b
        count += 1
    }

    mutating func scalar(_ value: UInt32) {
        if value == 0x20 || value == 0x09 || value == 0x0A || value == 0x0D || value == 0xA0 || value == 0x3000
            || (0x2000...0x200A).contains(value) || value == 0x202F
        {
            space()
            return
        }
        if value < 0x20 { return }
        if value < 0x80 {
            byte(UInt8(value))
            return
        }
        var encoded: [UInt8] = []
        Encoding.appendUTF8(value, to: &encoded)
        for b in encoded { byte(b) }
    }

    mutating func text(_ value: String) {
        for scalar in value.unicodeScalars { self.scalar(scalar.value) }
    }
}

/// Eight bytes at once for `HTMLText.isAlreadyPlain` (SWAR: each byte's answer in its high bit).
private enum PlainBlock {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let high: UInt64 = 0x8080_8080_8080_8080

    /// A byte that is not plain by itself: a control character (white space other than the space
    /// included), or the first byte of a non-ASCII space (U+00A0, U+1680, U+2000–U+205F, U+3000).
    @inline(__always) static func stops(_ b: UInt8) -> Bool {
        b < 0x20 || b == 0xC2 || b == 0xE1 || b == 0xE2 || b == 0xE3
    }

    /// Non-zero when some byte of `x` equals `b` (not which one: a borrow may mark bytes above it).
    @inline(__always) static func any(_ x: UInt64, _ b: UInt8) -> UInt64 {
        let t = x ^ ones &* UInt64(b)
        return (t &- ones) & ~t & high
    }

    /// 0x80 in exactly the bytes of `x` equal to `b`.
    @inline(__always) static func exactly(_ x: UInt64, _ b: UInt8) -> UInt64 {
        let t = x ^ ones &* UInt64(b)
        return ~(((t & ~high) &+ ~high) | t) & high
    }

    /// Non-zero when some byte of `x` is below 0x20.
    @inline(__always) static func anyBelow20(_ x: UInt64) -> UInt64 { (x &- ones &* 0x20) & ~x & high }

    /// Non-zero when some byte of `x` is 0xC2, 0xE1, 0xE2 or 0xE3.
    @inline(__always) static func anyLead(_ x: UInt64) -> UInt64 {
        guard x & high != 0 else { return 0 }
        return any(x, 0xC2) | any(x, 0xE1) | any(x, 0xE2) | any(x, 0xE3)
    }
}
