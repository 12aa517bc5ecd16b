// Turns a document's bytes into clean UTF-8 before libxml2 sees them, so that the parser never has
// to guess: charset from HTTP, then the BOM, then the XML declaration (a UTF-16 BOM wins over HTTP,
// since such bytes cannot be in any other charset); invalid bytes become U+FFFD with a warning.
import Foundation

/// The document as UTF-8: valid, without BOM, without control characters other than tab/LF/CR.
struct UTF8Document {
    var bytes: Data
    /// The charset the bytes were read as (lower case, e.g. "utf-8", "windows-1252").
    var charset: String
    var warnings: [String]
}

enum Encoding {
    /// Decodes `data` to UTF-8. Throws when the document holds a NUL character (a binary file, or a
    /// charset mislabelled beyond repair).
    static func utf8Document(_ data: Data, httpCharset: String?) throws(FeedParseError) -> UTF8Document {
        var warnings: [String] = []
        let (bom, bomLength) = byteOrderMark(data)
        var charset: String
        if let bom, bom != "utf-8" {
            charset = bom
        } else if let http = httpCharset.map(normalisedName), !http.isEmpty {
            charset = http
        } else if let bom {
            charset = bom
        } else if let declared = declaredCharset(data) {
            charset = declared
        } else if let guessed = utf16WithoutBOM(data) {
            charset = guessed
        } else {
            // Nothing declares a charset: UTF-8 is XML's default, and most such documents are UTF-8
            // indeed. The scan that proves it is the one sanitising needs anyway, so it is not repeated.
            let scan = firstProblem(in: data)
            guard let problem = scan, !isValidUTF8(data, from: problem) else {
                return try UTF8Document(
                    bytes: sanitisedUTF8(data, firstProblem: scan, warnings: &warnings) ?? data, charset: "utf-8",
                    warnings: warnings)
            }
            let (detected, sure) = CharsetDetector.detect(data[...])
            charset = detected
            warnings.append(
                "no charset declared and the bytes are not UTF-8: read as \(detected)"
                    + (sure ? " (detected)" : " (the usual charset of undeclared Western text)"))
        }
        let body = bomLength > 0 && bom == charset ? data.dropFirst(bomLength) : data[...]
        if charset == "utf-16" { charset = body.first == 0 ? "utf-16be" : "utf-16le" }

        var decoded: Data
        switch charset {
        case "utf-8":
            decoded = body
        case "utf-16le", "utf-16be":
            decoded = decodeUTF16(body, bigEndian: charset == "utf-16be", warnings: &warnings)
        default:
            if let table = SingleByteTables.shared.table(for: charset) {
                decoded = decodeSingleByte(body, table: table, warnings: &warnings)
            } else if let viaIconv = decodeWithIconv(body, charset: charset, warnings: &warnings) {
                decoded = viaIconv
            } else {
                warnings.append("unknown charset \"\(charset)\": read as UTF-8")
                charset = "utf-8"
                decoded = body
            }
        }
        if let fixed = try sanitisedUTF8(decoded, warnings: &warnings) { decoded = fixed }
        return UTF8Document(bytes: decoded, charset: charset, warnings: warnings)
    }

    /// Lower-cased charset name with aliases folded: latin1 and ASCII are read as windows-1252, as
    /// browsers do (bytes 0x80–0x9F of a document declared ISO-8859-1 are windows-1252 quotes).
    static func normalisedName(_ name: String) -> String {
        let trimmed = trimmedLowercase(name)
        switch trimmed {
        case "utf8", "utf-8", "unicode-1-1-utf-8", "x-unicode20utf8": return "utf-8"
        case "utf-16", "utf16", "ucs-2", "unicode": return "utf-16"
        case "utf-16le", "utf16le": return "utf-16le"
        case "utf-16be", "utf16be": return "utf-16be"
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "us-ascii", "ascii", "cp1252",
            "windows-1252", "x-cp1252", "cp819", "ibm819", "iso-ir-100", "iso_8859-1:1987":
            return "windows-1252"
        default:
            if trimmed.hasPrefix("iso8859-") { return "iso-8859-" + trimmed.dropFirst(8) }
            if trimmed.hasPrefix("iso_8859-") { return "iso-8859-" + trimmed.dropFirst(9) }
            if trimmed.hasPrefix("cp125"), trimmed.count == 6 { return "windows-" + trimmed.dropFirst(2) }
            if trimmed.hasPrefix("x-cp125") { return "windows-" + trimmed.dropFirst(4) }
            return trimmed
        }
    }

    /// `name` without surrounding blanks and quotes, lowercased: byte by byte for the ASCII names
    /// charsets have (Foundation's trimming and case mapping cost more than the rest of a poll's
    /// charset handling).
    private static func trimmedLowercase(_ name: String) -> String {
        let bytes = Array(name.utf8)
        func stripped(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x22 || byte == 0x27 }
        guard let first = bytes.firstIndex(where: { !stripped($0) }),
            let last = bytes.lastIndex(where: { !stripped($0) })
        else { return "" }
        let kept = bytes[first...last]
        if kept.contains(where: { $0 >= 0x80 }) { return String(decoding: kept, as: UTF8.self).lowercased() }
        return String(decoding: kept.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    private static func byteOrderMark(_ data: Data) -> (String?, Int) {
        // Read through one buffer pointer: an Array of a Data prefix costs an allocation a document.
        data.withUnsafeBytes { bytes in
            let b = bytes.prefix(3)
            if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { return ("utf-8", 3) }
            if b.count >= 2, b[0] == 0xFF, b[1] == 0xFE { return ("utf-16le", 2) }
            if b.count >= 2, b[0] == 0xFE, b[1] == 0xFF { return ("utf-16be", 2) }
            return (nil, 0)
        }
    }

    /// UTF-16 without a BOM still starts with "<?" or "<" padded with zero bytes.
    private static func utf16WithoutBOM(_ data: Data) -> String? {
        let b = Array(data.prefix(4))
        guard b.count == 4 else { return nil }
        if b[0] == 0x3C, b[1] == 0, b[2] != 0, b[3] == 0 { return "utf-16le" }
        if b[0] == 0, b[1] == 0x3C, b[2] == 0, b[3] != 0 { return "utf-16be" }
        return nil
    }

    /// The `encoding="…"` of an XML declaration at the start of the document (after a UTF-8 BOM),
    /// read byte by byte: Foundation's string search here cost more than libxml2's whole parse of a
    /// small document.
    static func declaredCharset(_ data: Data) -> String? {
        var head = Array(data.prefix(200))
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { head.removeFirst(3) }
        guard head.starts(with: Array("<?xml".utf8)), let end = head.firstIndex(of: UInt8(ascii: ">")) else {
            return nil
        }
        let declaration = head[..<end]
        let key = Array("encoding".utf8)
        guard let start = declaration.indices.first(where: { declaration[$0...].starts(with: key) }) else { return nil }
        var rest = declaration[(start + key.count)...].drop(while: { $0 == 0x20 || $0 == 0x3D || $0 == 0x09 })
        guard let quote = rest.first, quote == 0x22 || quote == 0x27 else { return nil }
        rest = rest.dropFirst()
        guard let close = rest.firstIndex(of: quote) else { return nil }
        return normalisedName(String(decoding: rest[..<close], as: UTF8.self))
    }

    private static func decodeUTF16(_ body: Data.SubSequence, bigEndian: Bool, warnings: inout [String]) -> Data {
        var units: [UInt16] = []
        units.reserveCapacity(body.count / 2)
        var index = body.startIndex
        while index + 1 < body.endIndex {
            let a = UInt16(body[index])
            let b = UInt16(body[index + 1])
            units.append(bigEndian ? a << 8 | b : b << 8 | a)
            index += 2
        }
        var out = [UInt8]()
        out.reserveCapacity(units.count * 2)
        var invalid = 0
        _ = transcode(units.makeIterator(), from: UTF16.self, to: UTF8.self, stoppingOnError: false) { unit in
            out.append(unit)
        }
        // transcode() already substituted U+FFFD for lone surrogates; count them for the warning.
        var iterator = units.makeIterator()
        var decoder = UTF16()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: break loop
            case .error: invalid += 1
            }
        }
        if body.count % 2 == 1 { invalid += 1 }
        if invalid > 0 { warnings.append("\(invalid) invalid UTF-16 sequence(s) replaced by U+FFFD") }
        return Data(out)
    }

    private static func decodeSingleByte(_ body: Data.SubSequence, table: [UInt32], warnings: inout [String]) -> Data {
        var out = [UInt8]()
        out.reserveCapacity(body.count + body.count / 8)
        var undefined = 0
        for byte in body {
            var scalar = table[Int(byte)]
            if scalar == SingleByteTables.undefined {
                undefined += 1
                scalar = 0xFFFD
            }
            appendUTF8(scalar, to: &out)
        }
        if undefined > 0 { warnings.append("\(undefined) byte(s) undefined in the charset replaced by U+FFFD") }
        return Data(out)
    }

    /// Any other charset glibc knows (Shift_JIS, GB18030, KOI8-R…), byte by byte past invalid input.
    private static func decodeWithIconv(_ body: Data.SubSequence, charset: String, warnings: inout [String]) -> Data? {
        let converter = iconv_open("UTF-8", charset)
        guard let converter, converter != UnsafeMutableRawPointer(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        var input = [UInt8](body)
        var output = [UInt8](repeating: 0, count: max(64, input.count * 4))
        var produced = 0
        var invalid = 0
        input.withUnsafeMutableBytes { inRaw in
            output.withUnsafeMutableBytes { outRaw in
                guard let inBase = inRaw.baseAddress, let outBase = outRaw.baseAddress else { return }
                var inPtr: UnsafeMutablePointer<CChar>? = inBase.assumingMemoryBound(to: CChar.self)
                var inLeft = inRaw.count
                var outPtr: UnsafeMutablePointer<CChar>? = outBase.assumingMemoryBound(to: CChar.self)
                var outLeft = outRaw.count - 8
                while inLeft > 0 {
                    if iconv(converter, &inPtr, &inLeft, &outPtr, &outLeft) != -1 { break }
                    if errno == E2BIG { break }
                    // EILSEQ or EINVAL (truncated sequence): one byte becomes U+FFFD.
                    invalid += 1
                    inPtr = inPtr.map { $0 + 1 }
                    inLeft -= 1
                    guard outLeft >= 3, let at = outPtr else { break }
                    at[0] = CChar(bitPattern: 0xEF)
                    at[1] = CChar(bitPattern: 0xBF)
                    at[2] = CChar(bitPattern: 0xBD)
                    outPtr = at + 3
                    outLeft -= 3
                }
                produced = outRaw.count - 8 - outLeft
            }
        }
        if invalid > 0 { warnings.append("\(invalid) byte(s) invalid in \(charset) replaced by U+FFFD") }
        return Data(output[..<produced])
    }

    static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case ..<0x80:
            out.append(UInt8(scalar))
        case ..<0x800:
            out.append(UInt8(0xC0 | scalar >> 6))
            out.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x10000:
            out.append(UInt8(0xE0 | scalar >> 12))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        default:
            out.append(UInt8(0xF0 | scalar >> 18))
            out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            out.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Length of the valid UTF-8 sequence at `i`, or 0 when the bytes there are not one.
    @inline(__always)
    private static func validSequenceLength(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int {
        let b0 = p[i]
        @inline(__always) func cont(_ k: Int) -> Bool { i + k < n && p[i + k] & 0xC0 == 0x80 }
        switch b0 {
        case 0xC2...0xDF: return cont(1) ? 2 : 0
        case 0xE0: return cont(1) && p[i + 1] >= 0xA0 && cont(2) ? 3 : 0
        case 0xED: return cont(1) && p[i + 1] < 0xA0 && cont(2) ? 3 : 0  // no surrogates
        case 0xE1...0xEF:
            guard cont(1), cont(2) else { return 0 }
            // U+FFFE and U+FFFF are not XML characters.
            if b0 == 0xEF, p[i + 1] == 0xBF, p[i + 2] >= 0xBE { return 0 }
            return 3
        case 0xF0: return cont(1) && p[i + 1] >= 0x90 && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xF4: return cont(1) && p[i + 1] < 0x90 && cont(2) && cont(3) ? 4 : 0
        default: return 0
        }
    }

    /// Whether the bytes from `start` on are UTF-8, control characters allowed.
    static func isValidUTF8(_ data: Data, from start: Int) -> Bool {
        data.withUnsafeBytes { raw in
            guard let p = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return true }
            let n = raw.count
            var i = start
            while i < n {
                if p[i] < 0x80 {
                    i += 1
                    continue
                }
                let length = validSequenceLength(p, i, n)
                if length == 0 { return false }
                i += length
            }
            return true
        }
    }

    /// Checks UTF-8 in one pass; returns nil when the bytes are already clean (the common case, no
    /// copy), else a repaired copy: invalid sequences → U+FFFD, control characters → space.
    static func sanitisedUTF8(_ data: Data, warnings: inout [String]) throws(FeedParseError) -> Data? {
        try sanitisedUTF8(data, firstProblem: firstProblem(in: data), warnings: &warnings)
    }

    /// The offset of the first byte that is not clean UTF-8 (an invalid sequence, or a control
    /// character other than tab, LF and CR), or nil when there is none.
    static func firstProblem(in data: Data) -> Int? {
        var firstProblem = -1
        data.withUnsafeBytes { raw in
            guard let p = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            let n = raw.count
            var i = 0
            while i < n {
                // Eight printable ASCII bytes at a time (no high bit, none below 0x20): most of a feed.
                while i + 8 <= n {
                    let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                    let high: UInt64 = 0x8080_8080_8080_8080
                    let belowSpace = (word &- 0x2020_2020_2020_2020) & ~word & high
                    guard (word & high) | belowSpace == 0 else { break }
                    i += 8
                }
                guard i < n else { break }
                let b = p[i]
                if b >= 0x20 && b < 0x80 {
                    i += 1
                    continue
                }
                if b < 0x20 {
                    if b == 0x09 || b == 0x0A || b == 0x0D {
                        i += 1
                        continue
                    }
                    firstProblem = i
                    return
                }
                let length = validSequenceLength(p, i, n)
                if length == 0 {
                    firstProblem = i
                    return
                }
                i += length
            }
        }
        return firstProblem < 0 ? nil : firstProblem
    }

    /// Repairs `data` from `firstProblem` (found by `firstProblem(in:)`) on; nil when there is none.
    static func sanitisedUTF8(
        _ data: Data, firstProblem: Int?, warnings: inout [String]
    ) throws(FeedParseError) -> Data? {
        guard let firstProblem else { return nil }
        var nulOffset = -1
        var out = [UInt8]()
        out.reserveCapacity(data.count + 16)
        var invalid = 0
        var controls = 0
        data.withUnsafeBytes { raw in
            guard let p = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            let n = raw.count
            out.append(contentsOf: UnsafeBufferPointer(start: p, count: firstProblem))
            var i = firstProblem
            while i < n {
                let b = p[i]
                if b >= 0x20 && b < 0x80 || b == 0x09 || b == 0x0A || b == 0x0D {
                    out.append(b)
                    i += 1
                } else if b < 0x20 {
                    if b == 0, nulOffset < 0 { nulOffset = i }
                    controls += 1
                    out.append(0x20)
                    i += 1
                } else {
                    let length = validSequenceLength(p, i, n)
                    if length == 0 {
                        invalid += 1
                        out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                        i += 1
                    } else {
                        out.append(contentsOf: UnsafeBufferPointer(start: p + i, count: length))
                        i += length
                    }
                }
            }
        }
        if nulOffset >= 0 {
            throw FeedParseError(
                description: "not a feed: the document contains a NUL byte (at character offset "
                    + "\(nulOffset) of the decoded text); it is binary or its charset is mislabelled")
        }
        if invalid > 0 { warnings.append("\(invalid) invalid byte(s) replaced by U+FFFD") }
        if controls > 0 { warnings.append("\(controls) control character(s) replaced by spaces") }
        return Data(out)
    }
}

/// 256-entry tables for the single-byte charsets, built once from glibc's iconv and cached.
final class SingleByteTables: @unchecked Sendable {
    static let shared = SingleByteTables()
    static let undefined: UInt32 = 0xFFFF_FFFF
    private let lock = NSLock()
    private var tables: [String: [UInt32]] = [:]

    func table(for charset: String) -> [UInt32]? {
        guard charset.hasPrefix("iso-8859-") || charset.hasPrefix("windows-12") || charset.hasPrefix("koi8") else {
            return nil
        }
        lock.lock()
        defer { lock.unlock() }
        if let table = tables[charset] { return table }
        guard var table = Self.build(charset) else { return nil }
        if charset == "windows-1252" {
            // WHATWG: the five bytes windows-1252 leaves undefined map to the C1 controls.
            for byte in [0x81, 0x8D, 0x8F, 0x90, 0x9D] where table[byte] == Self.undefined {
                table[byte] = UInt32(byte)
            }
        }
        tables[charset] = table
        return table
    }

    private static func build(_ charset: String) -> [UInt32]? {
        let converter = iconv_open("UTF-32LE", charset.uppercased())
        guard let converter, converter != UnsafeMutableRawPointer(bitPattern: -1) else { return nil }
        defer { iconv_close(converter) }
        var table = [UInt32](repeating: undefined, count: 256)
        for byte in 0..<256 {
            var input = [CChar(bitPattern: UInt8(byte))]
            var output = [UInt8](repeating: 0, count: 8)
            let ok = input.withUnsafeMutableBufferPointer { inBuf in
                output.withUnsafeMutableBufferPointer { outBuf in
                    var inPtr: UnsafeMutablePointer<CChar>? = inBuf.baseAddress
                    var inLeft = 1
                    var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuf.baseAddress)?
                        .assumingMemoryBound(to: CChar.self)
                    var outLeft = 8
                    iconv(converter, nil, nil, nil, nil)
                    guard iconv(converter, &inPtr, &inLeft, &outPtr, &outLeft) != -1 else { return false }
                    // windows-1258 holds a base letter back, waiting for a combining mark: flush it.
                    _ = iconv(converter, nil, nil, &outPtr, &outLeft)
                    return outLeft == 4
                }
            }
            if ok {
                table[byte] =
                    UInt32(output[0]) | UInt32(output[1]) << 8 | UInt32(output[2]) << 16
                    | UInt32(output[3]) << 24
            }
        }
        return table
    }
}
