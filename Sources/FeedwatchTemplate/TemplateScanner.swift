/// Reads a template's tags before swift-mustache compiles it, and rejects what feedwatch would render wrong:
/// a name no alert has, a section that is never closed or closed out of turn, a tag left open, and the
/// Mustache features feedwatch does not offer (partials, inheritance, delimiter changes, pragmas).
///
/// It finds tags as swift-mustache does with the default delimiters: `{{` opens a tag, the character right
/// after it is the sigil, the first `}}` closes it (`}}}` for `{{{`). Names are looked up as Mustache looks
/// them up at render time, innermost section first, so that a template that passes renders every name.
/// Problems are reported at the tag at fault, the first one in the text.
struct TemplateScanner {
    private let characters: [Character]
    private var openSections: [OpenSection] = []

    /// A section whose closing tag has not been read yet.
    private struct OpenSection {
        let name: String
        let sigil: Character
        let start: Int
        /// What `.` and bare names stand for inside it; nil when it does not change them.
        let scope: Scope?
    }

    /// What the innermost section makes current.
    private enum Scope {
        case value(TemplateValueKind)
        /// An inverted section over a list: inside, the list is empty and `.` stands for nothing.
        case emptyList
    }

    /// Checks a template; throws the first problem, with its line and column in `source`.
    static func validate(_ source: String) throws(TemplateError) {
        var scanner = TemplateScanner(characters: Array(source))
        try scanner.scan()
    }

    private init(characters: [Character]) {
        self.characters = characters
    }

    private mutating func scan() throws(TemplateError) {
        var position = 0
        while let tagStart = find("{{", from: position) {
            position = try readTag(at: tagStart)
        }
        if let section = openSections.last {
            throw error(
                at: section.start,
                "the section {{\(section.sigil)\(section.name)}} is never closed: end it with {{/\(section.name)}}")
        }
    }

    /// Reads the tag that starts at `tagStart` and returns where the text after it starts.
    private mutating func readTag(at tagStart: Int) throws(TemplateError) -> Int {
        let sigilIndex = tagStart + 2
        let sigil: Character? = sigilIndex < characters.count ? characters[sigilIndex] : nil
        switch sigil {
        case "!":
            guard let end = find("}}", from: sigilIndex + 1) else {
                throw error(
                    at: tagStart, "the comment \"\(excerpt(from: tagStart))\" is never closed: end it with \"}}\"")
            }
            return end + 2
        case ">":
            throw error(at: tagStart, "partials ({{> name}}) are not supported in feedwatch templates")
        case "<", "$":
            throw error(
                at: tagStart, "template inheritance ({{< name}}, {{$ name}}) is not supported in feedwatch templates")
        case "=":
            throw error(at: tagStart, "changing the delimiters ({{=<% %>=}}) is not supported in feedwatch templates")
        case "%":
            throw error(at: tagStart, "pragmas ({{% … }}) are not supported in feedwatch templates")
        case "{":
            let (name, end) = try readName(tagStart: tagStart, from: sigilIndex + 1, closer: "}}}")
            try checkVariable(name, at: tagStart, end: end)
            return end
        case .some(let mark) where mark == "#" || mark == "^":
            let (name, end) = try readName(tagStart: tagStart, from: sigilIndex + 1, closer: "}}")
            try openSection(name, sigil: mark, at: tagStart, end: end)
            return end
        case "/":
            let (name, end) = try readName(tagStart: tagStart, from: sigilIndex + 1, closer: "}}")
            try closeSection(name, at: tagStart)
            return end
        case "&":
            let (name, end) = try readName(tagStart: tagStart, from: sigilIndex + 1, closer: "}}")
            try checkVariable(name, at: tagStart, end: end)
            return end
        default:
            let (name, end) = try readName(tagStart: tagStart, from: sigilIndex, closer: "}}")
            try checkVariable(name, at: tagStart, end: end)
            return end
        }
    }

    /// Reads a tag's name, which may have spaces around it, up to `closer`; returns it with the tag's end.
    private func readName(tagStart: Int, from nameStart: Int, closer: String) throws(TemplateError) -> (String, Int) {
        func notClosed() -> TemplateError {
            error(at: tagStart, "the tag \"\(excerpt(from: tagStart))\" is never closed: end it with \"\(closer)\"")
        }
        guard let closerStart = find("}}", from: nameStart) else { throw notClosed() }
        if closer == "}}}" && (closerStart + 2 >= characters.count || characters[closerStart + 2] != "}") {
            throw notClosed()
        }
        let name = String(characters[nameStart..<closerStart]).trimmingWhitespace()
        // A name running into the next tag or onto another line means the tag was not closed where it ends.
        if name.contains("{{") || name.contains(where: \.isNewline) { throw notClosed() }
        let end = closerStart + closer.count
        if name.isEmpty {
            throw error(at: tagStart, "the tag \(String(characters[tagStart..<end])) names no variable")
        }
        return (name, end)
    }

    private func checkVariable(_ name: String, at tagStart: Int, end: Int) throws(TemplateError) {
        let kind = try resolve(name, at: tagStart, tag: String(characters[tagStart..<end]))
        switch kind {
        case .text, .number, .textList:
            return
        case .object(let object):
            let fields = object.qualifiedNames.map { "\(name).\($0)" }
            throw error(
                at: tagStart,
                "\"\(name)\" is a group of fields, not text: use \(fields.dropLast().joined(separator: ", "))"
                    + " or \(fields.last ?? "")")
        case .objectList:
            throw error(at: tagStart, "\"\(name)\" is a list: go through it with {{#\(name)}}…{{/\(name)}}")
        }
    }

    private mutating func openSection(_ name: String, sigil: Character, at tagStart: Int, end: Int)
        throws(TemplateError)
    {
        let kind = try resolve(name, at: tagStart, tag: String(characters[tagStart..<end]))
        let scope: Scope?
        switch (sigil, kind) {
        case ("#", .objectList(let object)): scope = .value(.object(object))
        case ("#", .textList): scope = .value(.text)
        case ("#", _): scope = .value(kind)
        case (_, .objectList), (_, .textList): scope = .emptyList
        default: scope = nil
        }
        openSections.append(OpenSection(name: name, sigil: sigil, start: tagStart, scope: scope))
    }

    private mutating func closeSection(_ name: String, at tagStart: Int) throws(TemplateError) {
        guard let section = openSections.last else {
            throw error(at: tagStart, "{{/\(name)}} closes no open section")
        }
        guard section.name == name else {
            let (line, column) = location(of: section.start)
            throw error(
                at: tagStart,
                "{{/\(name)}} does not close the open section {{\(section.sigil)\(section.name)}} at \(line):\(column):"
                    + " close that one first with {{/\(section.name)}}")
        }
        openSections.removeLast()
    }

    /// What a name stands for where the tag is, or an error saying why it stands for nothing.
    private func resolve(_ name: String, at tagStart: Int, tag: String) throws(TemplateError) -> TemplateValueKind {
        if name == "." { return try currentValue(at: tagStart) }
        if let sigil = name.first, "#^/&!>{<$=%".contains(sigil) {
            throw error(at: tagStart, "in \(tag) the \"\(sigil)\" must come right after {{")
        }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        var found: TemplateValueKind?
        if !parts.contains(where: \.isEmpty) {
            found =
                scopes.lazy.compactMap { scope -> TemplateValueKind? in
                    guard case .value(.object(let object)) = scope else { return nil }
                    return object.field(named: parts[0])
                }.first
            for part in parts.dropFirst() {
                guard case .object(let object) = found else {
                    found = nil
                    break
                }
                found = object.field(named: part)
            }
        }
        guard let kind = found else {
            var message = "unknown variable \(shown(name))"
            if let suggestion = nearestName(to: name) { message += " — did you mean \"\(suggestion)\"?" }
            message += " (variables: \(MessageTemplate.variables.joined(separator: ", ")))"
            throw error(at: tagStart, message)
        }
        return kind
    }

    /// What `{{.}}` stands for where the tag is: only text or a number can be shown.
    private func currentValue(at tagStart: Int) throws(TemplateError) -> TemplateValueKind {
        guard let section = openSections.last else {
            throw error(
                at: tagStart, "{{.}} stands for the value of the section around it and is only allowed inside a section"
            )
        }
        switch scopes.first {
        case .value(.text): return .text
        case .value(.number): return .number
        case .emptyList:
            throw error(at: tagStart, "{{.}} inside {{\(section.sigil)\(section.name)}} stands for an empty list")
        case .value(.object(let object)):
            let example: String
            switch object {
            case .group, .alert: example = "{{item.title}}"
            case .feed: example = "{{name}}"
            case .item: example = "{{title}}"
            }
            throw error(at: tagStart, "{{.}} here is not text but a group of fields: name one, e.g. \(example)")
        case .value, nil:
            throw error(at: tagStart, "{{.}} here is not text")
        }
    }

    /// The scopes names are looked up in, innermost first, ending with the top level.
    private var scopes: [Scope] {
        openSections.reversed().compactMap(\.scope) + [.value(.object(.group))]
    }

    /// The known name nearest a misspelt one, among those usable where it was written.
    private func nearestName(to name: String) -> String? {
        var candidates: [String] = []
        for case .value(.object(let object)) in scopes {
            candidates += object.qualifiedNames.filter { !candidates.contains($0) }
        }
        let scored = candidates.map { ($0, editDistance(name, $0)) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= max(2, name.count / 3) && best.1 < name.count ? best.0 : nil
    }

    /// Where `{{` or `}}` next starts, from `start` on.
    private func find(_ pair: String, from start: Int) -> Int? {
        let pair = Array(pair)
        var index = start
        while index + 1 < characters.count {
            if characters[index] == pair[0] && characters[index + 1] == pair[1] { return index }
            index += 1
        }
        return nil
    }

    /// The start of a tag as the user wrote it, for messages: up to the end of its line, at most 30 characters.
    private func excerpt(from start: Int) -> String {
        var end = start
        while end < characters.count && !characters[end].isNewline && end - start < 30 { end += 1 }
        let text = String(characters[start..<end])
        return end < characters.count && !characters[end].isNewline ? "\(text)…" : text
    }

    private func error(at index: Int, _ message: String) -> TemplateError {
        let (line, column) = location(of: index)
        return TemplateError(line: line, column: column, message: message)
    }

    private func location(of index: Int) -> (line: Int, column: Int) {
        TextLocation.of(index, in: characters)
    }
}

/// Lines and columns as templates report them: a line ends at any newline character (LF, CR LF, CR, …),
/// a column is one character as a person sees it.
enum TextLocation {
    static func of(_ index: Int, in characters: [Character]) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for character in characters[..<min(index, characters.count)] {
            if character.isNewline {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}

/// A name in quotes, with control characters made visible.
private func shown(_ name: String) -> String {
    "\""
        + name.unicodeScalars.map { $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0) }
        .joined() + "\""
}

/// Levenshtein distance over Unicode scalars.
private func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.unicodeScalars)
    let b = Array(b.unicodeScalars)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
