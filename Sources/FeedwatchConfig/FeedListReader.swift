import Foundation

/// A `feeds_from:` plain list: one feed per line, `URL [NAME] [tag:TAG…]`.
///
/// Fields are separated by spaces or tabs; the first is the URL (http, https, or `file:PATH`
/// relative to the list's folder), `tag:NAME` fields are tags, and one other field is the name
/// (without one, the name is derived from the URL as in `feeds:`). `#` at the start of a field
/// starts a comment (a `#` inside a URL does not); blank lines are ignored. Each feed gets the
/// `defaults:` settings. A million lines are read in a byte scan, without a regular expression or
/// a YAML parser, in parts on every core.
struct FeedListReader: Sendable {
    /// The list as named in messages.
    let file: String
    /// Its index in `FeedCollection.files`.
    let fileIndex: Int
    /// Where relative `file:` paths start: the list's folder.
    let directory: String
    let expansion: VariableExpansion
    let defaults: SharedFeedSettings
    /// A reader of the configuration with nothing collected, to collect a part's problems.
    let reporter: ConfigNodeReader

    /// Bytes a part holds, about: enough that handing parts out costs nothing.
    static let partSize = 1 << 19

    /// Adds each line's feed to `feeds`, in order; each problem is reported through `reader` at
    /// its line and column.
    func read(_ data: Data, into feeds: inout FeedCollection, reader: inout ConfigNodeReader) {
        let parts = Self.parts(of: data)
        feeds.reserve(parts.last.map { $0.firstLine + $0.lines } ?? 0)
        let work = OrderedWork(count: parts.count) { index in read(parts[index], of: data) }
        for index in parts.indices {
            var result = work.result(for: index)
            reader.absorb(result.reader)
            while let read = result.feeds.popLast() { feeds.add(read, reader: &reader) }
        }
    }

    /// A run of whole lines.
    struct Part: Sendable {
        var bytes: Range<Int>
        var firstLine: Int
        var lines: Int
    }

    /// The feeds of one part and the problems found in it.
    struct PartResult: Sendable {
        /// Last line first: the adding thread pops them, taking each without a copy.
        var feeds: [ReadFeed]
        var reader: ConfigNodeReader
    }

    /// The file cut into parts of about `partSize` bytes, at line ends.
    static func parts(of data: Data) -> [Part] {
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var parts: [Part] = []
            // A byte-order mark is not part of the first line.
            var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            var line = 1
            while start < bytes.count {
                var end = start
                var lines = 0
                while end < bytes.count && (end - start < partSize || bytes[end - 1] != UInt8(ascii: "\n")) {
                    if bytes[end] == UInt8(ascii: "\n") { lines += 1 }
                    end += 1
                }
                if end == bytes.count && bytes[end - 1] != UInt8(ascii: "\n") { lines += 1 }
                parts.append(Part(bytes: start..<end, firstLine: line, lines: lines))
                start = end
                line += lines
            }
            return parts
        }
    }

    private func read(_ part: Part, of data: Data) -> PartResult {
        var result = PartResult(feeds: [], reader: reporter)
        result.feeds.reserveCapacity(part.lines)
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var lineStart = part.bytes.lowerBound
            var line = part.firstLine
            var fields: [Range<Int>] = []
            while lineStart < part.bytes.upperBound {
                var lineEnd = lineStart
                while lineEnd < part.bytes.upperBound, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                Self.fields(bytes, lineStart..<lineEnd, into: &fields)
                if !fields.isEmpty {
                    readLine(fields, bytes: bytes, lineStart: lineStart, line: line, into: &result)
                }
                lineStart = lineEnd + 1
                line += 1
            }
        }
        result.feeds.reverse()
        return result
    }

    /// The byte ranges of a line's fields, up to a comment.
    private static func fields(
        _ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>, into fields: inout [Range<Int>]
    ) {
        fields.removeAll(keepingCapacity: true)
        var index = line.lowerBound
        while index < line.upperBound {
            while index < line.upperBound, isBlank(bytes[index]) { index += 1 }
            guard index < line.upperBound, bytes[index] != UInt8(ascii: "#") else { break }
            let start = index
            while index < line.upperBound, !isBlank(bytes[index]) { index += 1 }
            fields.append(start..<index)
        }
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    private func readLine(
        _ fields: [Range<Int>], bytes: UnsafeBufferPointer<UInt8>, lineStart: Int, line: Int,
        into result: inout PartResult
    ) {
        func column(_ field: Range<Int>) -> Int {
            // Characters, not bytes, as editors count: UTF-8 continuation bytes do not start one.
            1 + bytes[lineStart..<field.lowerBound].count { $0 & 0xC0 != 0x80 }
        }
        func report(_ field: Range<Int>, _ message: String) {
            result.reader.report(file: file, line: line, column: column(field), "", message)
        }
        var texts: [String] = []
        texts.reserveCapacity(fields.count)
        for field in fields {
            let fieldBytes = UnsafeBufferPointer(rebasing: bytes[field])
            // ASCII (nearly every line) is valid as it stands; anything else is checked.
            if fieldBytes.allSatisfy({ $0 < 0x80 }) {
                texts.append(String(decoding: fieldBytes, as: UTF8.self))
            } else if let text = String(validating: fieldBytes, as: UTF8.self) {
                texts.append(text)
            } else {
                return report(field, "not UTF-8 text")
            }
        }
        var source: FeedSource?
        switch expandedURL(texts[0], mayHoldVariable: Self.holdsDollarBrace(bytes, fields[0])) {
        case .success(let url):
            switch FeedSourceParser.parse(url, written: texts[0], directory: directory) {
            case .success(let value): source = value
            case .failure(let problem): report(fields[0], problem.message)
            }
        case .failure(let failure):
            report(fields[0], failure.message)
        }
        var name: (text: String, field: Range<Int>)?
        var tags: [String] = []
        for (text, field) in zip(texts, fields).dropFirst() {
            if text.hasPrefix("tag:") {
                if text.count == 4 {
                    report(field, "\"tag:\" needs a tag name, e.g. tag:news")
                } else {
                    tags.append(String(text.dropFirst(4)))
                }
            } else if name != nil {
                report(
                    field,
                    "\(ConfigNodeReader.quote(text)) is a second name for this feed (a name is one word; tags are "
                        + "written tag:NAME)")
            } else {
                name = (text, field)
            }
        }
        result.feeds.append(
            ReadFeed(
                feed: FeedConfig(
                    name: name?.text ?? source?.derivedName ?? "", source: source ?? .remote(""), tags: tags,
                    headers: [:], settings: defaults),
                nameIsKnown: name != nil || source != nil, file: fileIndex, line: line,
                column: column(name?.field ?? fields[0]), entryLine: line, index: nil))
    }

    private static func holdsDollarBrace(_ bytes: UnsafeBufferPointer<UInt8>, _ field: Range<Int>) -> Bool {
        field.dropLast().contains { bytes[$0] == UInt8(ascii: "$") && bytes[$0 + 1] == UInt8(ascii: "{") }
    }

    /// The URL with its `${VAR}`s replaced, or why not (never quoting a variable's value).
    private func expandedURL(_ text: String, mayHoldVariable: Bool) -> Result<String, Failure> {
        guard mayHoldVariable else { return .success(text) }
        switch expansion.expand(text) {
        case .success(let url): return .success(url)
        case .failure(.unset(let name)):
            return .failure(
                Failure(
                    "variable \(name) is not set (neither in the environment nor as a credential in "
                        + "$CREDENTIALS_DIRECTORY)"))
        case .failure(.unterminated): return .failure(Failure("\"${\" without a closing \"}\""))
        case .failure(.invalidName(let name)): return .failure(Failure("invalid variable name \"\(name)\" in ${…}"))
        }
    }

    private struct Failure: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }
}
