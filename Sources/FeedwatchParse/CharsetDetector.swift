// The one file that calls uchardet. It only runs when a document declares no charset (no HTTP
// charset, no BOM, no XML declaration) and its bytes are not valid UTF-8: then the document was
// written in some legacy charset, and the statistics of its bytes say which one.
import CUchardet
import Foundation

/// Guesses the charset of undeclared, non-UTF-8 text.
enum CharsetDetector {
    /// The charset browsers and feedparser assume for undeclared Western text, and ours when the
    /// detector is unsure.
    static let fallback = "windows-1252"
    /// Enough text for a confident answer; a feed's first 256 KiB say as much as all of it.
    static let sampleLimit = 256 * 1024

    /// The charset of `bytes` as a name `Encoding` can decode, or `fallback` when detection gives
    /// no answer or an answer that cannot be right (UTF-8 or ASCII for bytes that are neither).
    static func detect(_ bytes: Data.SubSequence) -> (charset: String, detected: Bool) {
        guard let detector = uchardet_new() else { return (fallback, false) }
        defer { uchardet_delete(detector) }
        let sample = bytes.prefix(sampleLimit)
        let status = sample.withUnsafeBytes { raw -> Int32 in
            guard let base = raw.baseAddress else { return 0 }
            return uchardet_handle_data(detector, base.assumingMemoryBound(to: CChar.self), raw.count)
        }
        guard status == 0 else { return (fallback, false) }
        uchardet_data_end(detector)
        guard let name = uchardet_get_charset(detector).map({ String(cString: $0) }) else { return (fallback, false) }
        let charset = Encoding.normalisedName(name)
        switch charset {
        case "", "utf-8", "ascii", "utf-16", "utf-16le", "utf-16be", "utf-32", "utf-32le", "utf-32be":
            return (fallback, false)
        case fallback, "iso-8859-15":
            return (charset, true)
        default:
            // The Latin charsets share most accented letters with windows-1252 (é is 0xE9 in
            // ISO-8859-2 too), and on a few of them the detector's choice among them is a coin toss:
            // "Télégram" alone comes out as ISO-8859-2. A few accented letters are read as Western.
            if isLatin(charset), highBytes(in: sample) < minimumLatinEvidence { return (fallback, false) }
            return (charset, true)
        }
    }

    /// How many non-ASCII bytes a Latin charset other than windows-1252 needs to be believed.
    static let minimumLatinEvidence = 24

    private static func isLatin(_ charset: String) -> Bool {
        switch charset {
        case "iso-8859-2", "iso-8859-3", "iso-8859-4", "iso-8859-9", "iso-8859-10", "iso-8859-13", "iso-8859-14",
            "iso-8859-16", "windows-1250", "windows-1254", "windows-1257", "windows-1258":
            return true
        default:
            return charset.hasPrefix("mac")
        }
    }

    private static func highBytes(in bytes: Data.SubSequence) -> Int {
        bytes.reduce(0) { $0 + ($1 >= 0x80 ? 1 : 0) }
    }
}
