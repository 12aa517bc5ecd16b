/// Quoted-printable (RFC 2045 §6.7) for the text and HTML parts: readable where the text is ASCII,
/// 7-bit and with lines of at most 76 characters whatever the text, so no relay rewraps or rejects it.
///
/// `=` is always encoded, so no encoded body can hold a line beginning `--=_`, which is how every
/// multipart boundary of ours begins.
enum QuotedPrintable {
    /// Characters before a soft line break `=`, which makes the 76th.
    static let lineLimit = 75

    /// `text` encoded, lines ending in CRLF; its line breaks (CRLF, CR or LF) are kept as line breaks.
    static func encode(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 4)
        var lineStart = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == carriageReturn || byte == lineFeed else {
                index += 1
                continue
            }
            encodeLine(bytes[lineStart..<index], into: &output)
            output += [carriageReturn, lineFeed]
            if byte == carriageReturn && index + 1 < bytes.count && bytes[index + 1] == lineFeed { index += 1 }
            index += 1
            lineStart = index
        }
        encodeLine(bytes[lineStart..<bytes.count], into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    private static let carriageReturn = UInt8(ascii: "\r")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func encodeLine(_ bytes: ArraySlice<UInt8>, into output: inout [UInt8]) {
        var length = 0
        for index in bytes.indices {
            let byte = bytes[index]
            let isLast = index == bytes.endIndex - 1
            let literal =
                (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                || ((byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")) && !isLast)
            let size = literal ? 1 : 3
            // The last character may take the 76th place: no soft break follows it.
            if length + size > (isLast ? lineLimit + 1 : lineLimit) {
                output += [UInt8(ascii: "="), carriageReturn, lineFeed]
                length = 0
            }
            if literal {
                output.append(byte)
            } else {
                output += [UInt8(ascii: "="), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            }
            length += size
        }
    }
}
