import Foundation

/// What a character is to the word scanner.
enum CharClass: UInt8 {
    /// Ends a word: white space, punctuation, symbols, hyphens and dashes.
    case separator = 0
    /// Part of a word: letters, digits, connector punctuation (`_`).
    case word = 1
    /// `'`, `’`, `‘`, `ʼ`, `＇`: joins two letters into one word unless the part before is an elision.
    case apostrophe = 2
    /// Combining marks and format characters (soft hyphen, zero-width joiner): dropped, never break a word.
    case ignorable = 3
    /// A character of a script written without spaces (Han, kana, Thai, Lao, Khmer, Myanmar):
    /// each one is a word of its own, so a keyword in such a script matches as a substring of a run.
    case ideograph = 4
}

/// The folding and classification of every character, looked up per Unicode scalar.
///
/// ASCII needs two 128-entry tables. Scalars below U+3000 (all alphabetic scripts of Europe, the Middle
/// East and India, and general punctuation) and U+FB00–U+FFFF (ligatures, full-width forms) are folded
/// once, at first use, with the standard library and Foundation: full case folding (as lower(upper(c)),
/// so `ß`→`ss`, `İ`→`i`, `ﬁ`→`fi`), canonical decomposition, combining marks dropped (`é`→`e`), and a
/// few letters that do not decompose mapped by hand (`œ`→`oe`, `æ`→`ae`, `ø`→`o`, `ł`→`l`, `đ`→`d`).
/// CJK ideographs and Hangul need no folding; the rare other scalars are folded on the fly.
final class ScalarTable: @unchecked Sendable {
    // Immutable after init, shared read-only by every thread: hence @unchecked Sendable.
    /// Packed entries: bits 0–3 the `CharClass`, 4–7 the folded length in bytes, 8–31 its offset in `pool`.
    private let entries: UnsafeMutableBufferPointer<UInt32>
    /// The folded forms, UTF-8.
    let pool: UnsafeMutableBufferPointer<UInt8>
    /// ASCII: the class of each byte below 0x80.
    let asciiClass: UnsafeMutableBufferPointer<UInt8>
    /// ASCII: each byte lower-cased.
    let asciiLower: UnsafeMutableBufferPointer<UInt8>

    static let shared = ScalarTable()

    private static let lowRangeEnd: UInt32 = 0x3000
    private static let highRangeStart: UInt32 = 0xFB00
    private static let entryCount = Int(lowRangeEnd) + Int(0x10000 - highRangeStart)

    private init() {
        asciiClass = .allocate(capacity: 128)
        asciiLower = .allocate(capacity: 128)
        for b in 0..<128 {
            let c = UInt8(b)
            let isWord = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
            asciiClass[b] = isWord ? CharClass.word.rawValue : (c == 0x27 ? CharClass.apostrophe.rawValue : 0)
            asciiLower[b] = (c >= 0x41 && c <= 0x5A) ? c + 0x20 : c
        }
        entries = .allocate(capacity: Self.entryCount)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(40_000)
        for index in 0..<Self.entryCount {
            let value =
                index < Int(Self.lowRangeEnd) ? UInt32(index) : Self.highRangeStart + UInt32(index) - Self.lowRangeEnd
            guard value >= 0x80, let scalar = Unicode.Scalar(value) else {
                entries[index] = 0
                continue
            }
            let (cls, folded) = Self.classify(scalar)
            let utf8 = Array(folded.utf8)
            if utf8.count > 15 || utf8.isEmpty {
                entries[index] = UInt32(utf8.isEmpty && cls == .word ? CharClass.ignorable.rawValue : cls.rawValue)
                continue
            }
            entries[index] = UInt32(cls.rawValue) | UInt32(utf8.count) << 4 | UInt32(bytes.count) << 8
            bytes.append(contentsOf: utf8)
        }
        // 8 bytes of slack: the scanner copies a folded form as one 8-byte load.
        let allocated = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count + 8)
        allocated.initialize(repeating: 0)
        _ = allocated.initialize(from: bytes)
        pool = UnsafeMutableBufferPointer(rebasing: allocated[0..<bytes.count])
    }

    deinit {
        entries.deallocate()
        pool.deallocate()
        asciiClass.deallocate()
        asciiLower.deallocate()
    }

    /// The class of a non-ASCII scalar and, when `foldLength > 0`, where its folded form sits in `pool`;
    /// `foldLength == 0` for a word or ideograph means "its own bytes" (no folding needed).
    @inline(__always)
    func lookup(_ value: UInt32) -> (cls: UInt8, foldOffset: Int, foldLength: Int)? {
        let index: Int
        if value < Self.lowRangeEnd {
            index = Int(value)
        } else if value >= Self.highRangeStart && value < 0x10000 {
            index = Int(value - Self.highRangeStart + Self.lowRangeEnd)
        } else if value >= 0x4E00 && value <= 0x9FFF || value >= 0x3400 && value <= 0x4DBF
            || value >= 0x3040 && value <= 0x30FA || value >= 0x30FC && value <= 0x30FF
        {
            return (CharClass.ideograph.rawValue, 0, 0)
        } else if value >= 0xAC00 && value <= 0xD7A3 {
            return (CharClass.word.rawValue, 0, 0)
        } else {
            return nil  // rare: the caller asks `slowFold`
        }
        let e = entries[index]
        return (UInt8(e & 0xF), Int(e >> 8), Int((e >> 4) & 0xF))
    }

    /// Class and folded form of a scalar outside the tables (supplementary planes, rare BMP blocks).
    static func slowFold(_ value: UInt32) -> (cls: CharClass, folded: String) {
        guard let scalar = Unicode.Scalar(value) else { return (.separator, "") }
        return classify(scalar)
    }

    private static let handFolded: [UInt32: String] = [
        0x153: "oe", 0xE6: "ae", 0xF8: "o", 0x142: "l", 0x111: "d", 0x127: "h", 0x167: "t", 0x133: "ij",
        0x140: "l", 0x131: "i",
    ]

    private static func isApostrophe(_ v: UInt32) -> Bool {
        v == 0x2019 || v == 0x2018 || v == 0x2BC || v == 0xFF07
    }

    private static func isSpacelessScript(_ v: UInt32) -> Bool {
        switch v {
        case 0x0E00...0x0EFF, 0x1000...0x109F, 0x1780...0x17FF, 0x2E80...0x2FDF, 0x3005...0x3007,
            0x3021...0x3029, 0x3031...0x3035, 0x3038...0x303C, 0x3040...0x30FF, 0x31F0...0x31FF,
            0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0xFF66...0xFF9F, 0x20000...0x3FFFF:
            true
        default:
            false
        }
    }

    private static func classify(_ scalar: Unicode.Scalar) -> (CharClass, String) {
        var v = scalar.value
        if isApostrophe(v) { return (.apostrophe, "'") }
        if v >= 0xFF01 && v <= 0xFF5E { v -= 0xFEE0 }  // full-width ASCII
        if v < 0x80 {
            let c = UInt8(v)
            let isWord = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
            if c == 0x27 { return (.apostrophe, "'") }
            return isWord ? (.word, String(UnicodeScalar((c >= 0x41 && c <= 0x5A) ? c + 0x20 : c))) : (.separator, "")
        }
        guard let s = Unicode.Scalar(v) else { return (.separator, "") }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .decimalNumber, .letterNumber, .otherNumber, .connectorPunctuation:
            if isSpacelessScript(v) { return (.ideograph, v >= 0xFF66 && v <= 0xFF9F ? String(s) : "") }
            if v >= 0xAC00 && v <= 0xD7A3 { return (.word, "") }
            return (.word, fold(s))
        case .nonspacingMark, .spacingMark, .enclosingMark, .format:
            return (.ignorable, "")
        default:
            return (.separator, "")
        }
    }

    /// Full case folding, canonical decomposition, marks dropped, ligatures expanded.
    private static func fold(_ s: Unicode.Scalar) -> String {
        if let hand = handFolded[s.value] { return hand }
        let decomposed = String(s).uppercased().lowercased().decomposedStringWithCanonicalMapping
        var out = ""
        for u in decomposed.unicodeScalars {
            switch u.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark, .format:
                continue
            default:
                if let hand = handFolded[u.value] { out += hand } else { out.unicodeScalars.append(u) }
            }
        }
        return out
    }
}
