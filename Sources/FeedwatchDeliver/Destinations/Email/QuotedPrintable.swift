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
        var output = ""
        output.reserveCapacity(text.utf8.count + text.utf8.count / 8)
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            encodeLine(Array(line.utf8), into: &output)
            if index < lines.count - 1 { output += "\r\n" }
        }
        return output
    }

    private static func encodeLine(_ bytes: [UInt8], into output: inout String) {
        var length = 0
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            let literal =
                (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                || ((byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")) && !isLast)
            let token = literal ? String(UnicodeScalar(byte)) : hex(byte)
            // The last token may take the 76th place: no soft break follows it.
            let room = isLast ? lineLimit + 1 : lineLimit
            if length + token.count > room {
                output += "=\r\n"
                length = 0
            }
            output += token
            length += token.count
        }
    }

    private static let digits = Array("0123456789ABCDEF")

    private static func hex(_ byte: UInt8) -> String {
        "=" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }
}
