/// The layout of `feedwatch state`: one row per feed, every line at most `width` columns, so it
/// reads in a terminal without wrapping.
///
/// Nothing is cut off for good. A status longer than its column shows its start there, ending in
/// "…", and the whole text on its own indented line below, wrapped at `width` (an error text is
/// what the user needs whole); a feed name longer than its column gets a line of its own above
/// its row; a feed moved by a permanent redirect gets a `moved to:` line with its new URL.
struct StateTable {
    /// One feed, every cell already text.
    struct Row {
        var name: String
        var lastPoll: String
        var status: String
        /// The validators held: `etag+lm`, `etag`, `lm` or `-`.
        var held: String
        var errors: String
        var nextPoll: String
        /// The URL polled now, when a permanent redirect moved the feed from its configured one.
        var movedTo: String?
    }

    static let width = 100
    /// Longer names go on their own line, so that the status keeps a useful width.
    static let maximumNameWidth = 24
    static let separator = "  "
    static let indent = "    "

    static func lines(_ rows: [Row], width: Int = Self.width) -> [String] {
        let header = Row(
            name: "FEED", lastPoll: "LAST POLL", status: "STATUS", held: "HELD", errors: "ERRORS",
            nextPoll: "NEXT POLL")
        let all = [header] + rows
        func widest(_ cell: (Row) -> String) -> Int { all.map { cell($0).count }.max() ?? 0 }
        // Names too long for the column have their own line: they do not widen it.
        let nameWidth = all.map(\.name.count).filter { $0 <= maximumNameWidth }.max() ?? 0
        let lastPollWidth = widest(\.lastPoll)
        let heldWidth = widest(\.held)
        let errorsWidth = widest(\.errors)
        let others = nameWidth + lastPollWidth + heldWidth + errorsWidth + widest(\.nextPoll) + 5 * separator.count
        let statusWidth = max(min(widest(\.status), width - others), header.status.count)

        var lines: [String] = []
        for (index, row) in all.enumerated() {
            var name = row.name
            if name.count > nameWidth {
                lines += wrapped(name, label: "", indent: "", width: width)
                name = ""
            }
            let status = row.status.count > statusWidth ? row.status.prefix(statusWidth - 1) + "…" : row.status
            let cells = [
                padded(name, nameWidth), padded(row.lastPoll, lastPollWidth), padded(status, statusWidth),
                padded(row.held, heldWidth), padded(row.errors, errorsWidth), row.nextPoll,
            ]
            lines.append(cells.joined(separator: separator))
            guard index > 0 else { continue }
            if row.status.count > statusWidth { lines += wrapped(row.status, label: "status: ", width: width) }
            if let movedTo = row.movedTo { lines += wrapped(movedTo, label: "moved to: ", width: width) }
        }
        return lines
    }

    /// `text` after `indent` and `label`, in lines of at most `width` columns: broken at white
    /// space where it can be, and inside a word (a URL) only when the word alone is too long.
    /// Continuation lines start under the text's first character.
    static func wrapped(_ text: String, label: String, indent: String = Self.indent, width: Int) -> [String] {
        let first = indent + label
        let hanging = String(repeating: " ", count: first.count)
        let room = max(1, width - first.count)
        var lines: [String] = []
        var line = ""
        for word in text.split(whereSeparator: \.isWhitespace) {
            if !line.isEmpty {
                if line.count + 1 + word.count <= room {
                    line += " " + word
                    continue
                }
                lines.append(line)
            }
            var rest = word
            while rest.count > room {
                lines.append(String(rest.prefix(room)))
                rest = rest.dropFirst(room)
            }
            line = String(rest)
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines.enumerated().map { ($0.offset == 0 ? first : hanging) + $0.element }
    }

    /// Pads by characters, not UTF-16 units (`String.padding` counts the latter).
    private static func padded<S: StringProtocol>(_ text: S, _ width: Int) -> String {
        String(text) + String(repeating: " ", count: max(0, width - text.count))
    }
}
