/// The `feeds:` section of a large file cut into pieces that Yams composes one at a time, so that
/// the YAML tree of a million feeds never exists at once (each piece's tree is dropped as soon as
/// its feeds are built).
///
/// It applies only to the usual layout: a top-level `feeds:` key on a line of its own followed by a
/// block list (`  - url: …`). The pieces are cut before a `-` at the list's own indentation, the only
/// place where an entry can start. Anything unusual (a flow list, odd indentation, tabs) leaves the
/// file to be composed whole; so does any YAML error in a piece (an alias to an anchor in another
/// piece, a quote left open across a cut), so that errors are always those of the whole file.
struct FeedsBlock {
    /// One piece: whole entries, with where they start in the file.
    struct Piece {
        /// UTF-8 offsets in the file's text.
        var bytes: Range<Int>
        /// The file's line of the piece's first line (1-based).
        var firstLine: Int
        /// The list index of the piece's first entry (`feeds[N]`).
        var firstIndex: Int
        /// How many entries it holds.
        var entries = 0
    }

    /// The line of the `feeds:` key (1-based).
    var keyLine: Int
    var pieces: [Piece]
    /// The file's text without the entries, every line kept (as an empty one) so that marks in the
    /// rest of the file keep their line numbers.
    var remainder: String

    /// Below this many entries the whole file is composed at once: cutting would only add work.
    static let minimumEntries = 2_000
    /// Entries per piece: small enough that a piece's tree is a few megabytes.
    static let entriesPerPiece = 2_000

    /// The text of one piece.
    static func text(of piece: Piece, in text: String) -> String {
        var text = text
        return text.withUTF8 { String(decoding: UnsafeBufferPointer(rebasing: $0[piece.bytes]), as: UTF8.self) }
    }

    /// The block in `text`, or nil when the file should be composed whole.
    static func locate(in text: String, entriesPerPiece: Int = entriesPerPiece, minimumEntries: Int = minimumEntries)
        -> FeedsBlock?
    {
        var text = text
        return text.withUTF8 { bytes in
            var scanner = Scanner(bytes: bytes)
            guard let block = scanner.block(entriesPerPiece: entriesPerPiece),
                block.entries >= minimumEntries
            else { return nil }
            var remainder = String(decoding: bytes[..<block.start], as: UTF8.self)
            remainder.append(String(repeating: "\n", count: block.lineCount))
            remainder.append(String(decoding: bytes[block.end...], as: UTF8.self))
            return FeedsBlock(keyLine: block.keyLine, pieces: block.pieces, remainder: remainder)
        }
    }

    /// A line-by-line scan of the file's bytes.
    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0
        var line = 1

        struct Found {
            var keyLine: Int
            /// The byte range of the entries (from the line after `feeds:` to the next top-level key).
            var start: Int
            var end: Int
            var lineCount: Int
            var entries: Int
            var pieces: [Piece]
        }

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func block(entriesPerPiece: Int) -> Found? {
            // Find `feeds:` at the start of a line, alone but for spaces and a comment.
            while position < bytes.count {
                let lineStart = position
                let lineEnd = endOfLine(from: lineStart)
                advance(to: lineEnd)
                if isFeedsKey(lineStart..<lineEnd) {
                    return entries(keyLine: line - 1, entriesPerPiece: entriesPerPiece)
                }
            }
            return nil
        }

        /// The entries after the key line, cut into pieces; nil when the layout is not the usual one.
        private mutating func entries(keyLine: Int, entriesPerPiece: Int) -> Found? {
            let start = position
            let startLine = line
            var indentation: Int?
            var pieces: [Piece] = []
            var entries = 0
            var piece = Piece(bytes: start..<start, firstLine: line, firstIndex: 0)
            while position < bytes.count {
                let lineStart = position
                let lineEnd = endOfLine(from: lineStart)
                var column = lineStart
                while column < lineEnd, bytes[column] == UInt8(ascii: " ") { column += 1 }
                let indent = column - lineStart
                let isBlank = column == lineEnd || bytes[column] == UInt8(ascii: "\r")
                let isComment = !isBlank && bytes[column] == UInt8(ascii: "#")
                if !isBlank && !isComment {
                    let isItem = bytes[column] == UInt8(ascii: "-") && isSpaceOrEnd(column + 1, lineEnd)
                    if indent == 0 && !isItem { break }  // the next top-level key (or a document marker)
                    if bytes[column] == UInt8(ascii: "\t") { return nil }
                    if indentation == nil {
                        guard isItem else { return nil }  // not a block list: composed whole
                        indentation = indent
                    }
                    guard let indentation, indent >= indentation else { return nil }
                    if indent == indentation {
                        guard isItem else { return nil }
                        if entries - piece.firstIndex == entriesPerPiece {
                            piece.bytes = piece.bytes.lowerBound..<lineStart
                            piece.entries = entriesPerPiece
                            pieces.append(piece)
                            piece = Piece(bytes: lineStart..<lineStart, firstLine: line, firstIndex: entries)
                        }
                        entries += 1
                    }
                }
                advance(to: lineEnd)
            }
            guard entries > 0 else { return nil }
            let end = position
            piece.bytes = piece.bytes.lowerBound..<end
            piece.entries = entries - piece.firstIndex
            pieces.append(piece)
            return Found(
                keyLine: keyLine, start: start, end: end, lineCount: line - startLine, entries: entries, pieces: pieces)
        }

        private func isFeedsKey(_ range: Range<Int>) -> Bool {
            let key = Array("feeds:".utf8)
            guard range.count >= key.count, bytes[range.lowerBound..<range.lowerBound + key.count].elementsEqual(key)
            else { return false }
            var index = range.lowerBound + key.count
            while index < range.upperBound, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\r") {
                index += 1
            }
            // A comment needs a space before it; anything else is an inline value (`feeds: []`).
            return index == range.upperBound
                || (bytes[index] == UInt8(ascii: "#") && index > range.lowerBound + key.count)
        }

        private func isSpaceOrEnd(_ index: Int, _ lineEnd: Int) -> Bool {
            index == lineEnd || bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\r")
        }

        /// The index of the line's `\n`, or the end of the text.
        private func endOfLine(from start: Int) -> Int {
            var index = start
            while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            return index
        }

        /// Moves past the line ending at `lineEnd` (and its `\n`).
        private mutating func advance(to lineEnd: Int) {
            position = lineEnd < bytes.count ? lineEnd + 1 : lineEnd
            line += 1
        }
    }
}
