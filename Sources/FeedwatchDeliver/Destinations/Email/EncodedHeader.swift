import FeedwatchAlert
import Foundation

/// Header fields as RFC 5322 and RFC 2047 want them: printable ASCII only, lines folded under 76
/// characters, non-ASCII text in `=?UTF-8?B?…?=` encoded words.
///
/// A value is written as units — words, encoded words, `<address>` — that are never split: folding
/// happens only in the white space between them. Nothing given here can end the field early: text is
/// put on one line first, and an encoded word holds no CR or LF.
enum EncodedHeader {
    /// The longest line we write, CRLF aside (RFC 2047 asks 76 of lines holding encoded words).
    static let lineLimit = 76
    /// UTF-8 bytes per encoded word: 39 bytes are 52 base64 characters, 64 with `=?UTF-8?B?` and `?=`,
    /// so "Subject: " and one word fit on a line, and every word is well under RFC 2047's 75.
    static let bytesPerWord = 39

    /// `Name: value` with its CRLF, folded between units.
    static func field(_ name: String, units: [String]) -> String {
        var lines: [String] = []
        var line = name + ":"
        var lineHasUnit = false
        for unit in units where !unit.isEmpty {
            if lineHasUnit && line.count + 1 + unit.count > lineLimit {
                lines.append(line)
                line = " " + unit
            } else {
                line += " " + unit
            }
            lineHasUnit = true
        }
        lines.append(line)
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Unstructured text (a Subject) as units: its words when it is plain ASCII, else encoded words.
    static func textUnits(_ text: String) -> [String] {
        let line = SafeText.oneLine(text)
        // "=?" in plain text would be decoded by mail readers as an encoded word: encode the whole
        // value, as for non-ASCII, so what they show is what the feed said.
        if line.unicodeScalars.allSatisfy({ $0.isASCII }) && !line.contains("=?") {
            return line.split(separator: " ").map(String.init)
        }
        return encodedWords(line)
    }

    /// A display name as units: words when they are atoms, a quoted string when it has specials,
    /// encoded words when it is not ASCII.
    static func phraseUnits(_ name: String) -> [String] {
        let line = SafeText.oneLine(name)
        guard line.unicodeScalars.allSatisfy({ $0.isASCII }) && !line.contains("=?") else {
            return encodedWords(line)
        }
        let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~ ")
        if line.allSatisfy({ atext.contains($0) }) { return line.split(separator: " ").map(String.init) }
        let escaped = line.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return ["\"\(escaped)\""]
    }

    /// `text` as "B" encoded words of at most `bytesPerWord` UTF-8 bytes each, split between Unicode
    /// scalars so that each word decodes on its own (a decoder joins adjacent words without a space).
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > bytesPerWord {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk.append(contentsOf: bytes)
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words
    }
}
