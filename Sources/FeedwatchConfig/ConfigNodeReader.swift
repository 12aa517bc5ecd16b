import Foundation
import Yams

/// Reads typed values out of a composed YAML tree, collecting a diagnostic for every problem
/// instead of stopping at the first, so that `check` can report them all at once.
struct ConfigNodeReader {
    let file: String
    let expansion: VariableExpansion
    let unsetDestinationSecrets: UnsetDestinationSecrets
    private(set) var diagnostics: [ConfigDiagnostic] = []
    /// Things that are valid but probably not what the user meant; they do not stop the load.
    private(set) var warnings: [ConfigDiagnostic] = []
    /// The unset variables left out under `webhooks:`/`destinations:` (`.allowed` only), in the
    /// order they were met; each section reads the ones it added.
    private(set) var skippedVariables: [String] = []
    /// Added to every mark's line: the nodes of a piece of the `feeds:` list (`FeedsBlock`) are
    /// composed apart and numbered from the piece's first line.
    var lineOffset = 0

    init(file: String, expansion: VariableExpansion, unsetDestinationSecrets: UnsetDestinationSecrets = .refused) {
        self.file = file
        self.expansion = expansion
        self.unsetDestinationSecrets = unsetDestinationSecrets
    }

    /// A reader of the same file with nothing collected yet, to read part of it apart.
    func emptyCopy() -> ConfigNodeReader {
        ConfigNodeReader(file: file, expansion: expansion, unsetDestinationSecrets: unsetDestinationSecrets)
    }

    mutating func report(_ node: Node?, _ keyPath: String, _ message: String) {
        diagnostics.append(diagnostic(node, keyPath, message))
    }

    /// An error at a position computed by the caller (inside a template, or in another file).
    mutating func report(file: String? = nil, line: Int, column: Int, _ keyPath: String, _ message: String) {
        diagnostics.append(
            ConfigDiagnostic(file: file ?? self.file, line: line, column: column, keyPath: keyPath, message: message))
    }

    /// A warning at a position computed by the caller (in another file).
    mutating func warn(file: String, line: Int, column: Int, _ message: String) {
        warnings.append(ConfigDiagnostic(file: file, line: line, column: column, keyPath: "", message: message))
    }

    /// Takes the diagnostics of a reader that read part of the file apart (a piece of `feeds:`).
    mutating func absorb(_ other: ConfigNodeReader) {
        diagnostics += other.diagnostics
        warnings += other.warnings
        skippedVariables += other.skippedVariables
    }

    mutating func warn(_ node: Node?, _ keyPath: String, _ message: String) {
        warnings.append(diagnostic(node, keyPath, message))
    }

    private func diagnostic(_ node: Node?, _ keyPath: String, _ message: String) -> ConfigDiagnostic {
        let mark = node?.mark
        return ConfigDiagnostic(
            file: file, line: mark.map { $0.line + lineOffset } ?? 1, column: mark?.column ?? 1, keyPath: keyPath,
            message: message)
    }

    /// A YAML null (`~`, `null` or nothing at all) stands for "not given".
    static func isNull(_ node: Node) -> Bool {
        if case .scalar(let scalar) = node, scalar.style == .plain {
            switch scalar.string {
            case "", "~", "null", "Null", "NULL": return true
            default: return false
            }
        }
        return false
    }

    /// The line of a node in the file.
    func line(of node: Node) -> Int? {
        node.mark.map { $0.line + lineOffset }
    }

    /// The keys of a mapping with their key and value nodes. Unknown keys are reported with the
    /// nearest known key suggested; a key given twice is reported at its second place.
    ///
    /// Key paths are taken as autoclosures throughout: they are only built for a message, and a
    /// million feeds would otherwise build a dozen strings each for nothing.
    mutating func mapping(_ node: Node, _ keyPath: @autoclosure () -> String, known: [String])
        -> MappingEntries?
    {
        guard case .mapping(let mapping) = node else {
            report(
                node, keyPath(),
                "expected a mapping of keys (\(known.prefix(3).joined(separator: ", ")), …), found \(Self.describe(node))"
            )
            return nil
        }
        var entries = MappingEntries(mapping)
        for index in mapping.indices {
            let keyNode = mapping[index].key
            guard case .scalar(let scalar) = keyNode else {
                report(keyNode, keyPath(), "a key must be plain text")
                continue
            }
            let key = scalar.string
            if !known.contains(key) {
                if let suggestion = KeySuggestion.nearest(to: key, in: known) {
                    report(keyNode, Self.join(keyPath(), key), "unknown key (did you mean \(suggestion)?)")
                } else {
                    report(
                        keyNode, Self.join(keyPath(), key), "unknown key (known keys: \(known.joined(separator: ", ")))"
                    )
                }
                continue
            }
            if entries.contains(key) {
                report(keyNode, Self.join(keyPath(), key), "key given twice")
                continue
            }
            entries.add(key, at: index)
        }
        return entries
    }

    /// A string with `${VAR}` expanded. `secret` values are never quoted in messages.
    mutating func string(_ node: Node, _ keyPath: @autoclosure () -> String, secret: Bool = false) -> String? {
        guard case .scalar(let scalar) = node else {
            report(node, keyPath(), "expected text, found \(Self.describe(node))")
            return nil
        }
        switch expansion.expand(scalar.string) {
        case .success(let value):
            return value
        case .failure(.unset(let name))
        where unsetDestinationSecrets == .allowed && Self.holdsDeliverySecrets(keyPath()):
            // Only commands that never deliver load this way: the value is left out as if not given.
            skippedVariables.append(name)
        case .failure(.unset(let name)):
            report(
                node, keyPath(),
                "variable \(name) is not set (neither in the environment nor as a credential in $CREDENTIALS_DIRECTORY)"
            )
        case .failure(.unterminated):
            report(node, keyPath(), "\"${\" without a closing \"}\"")
        case .failure(.invalidName(let name)):
            report(
                node, keyPath(), secret ? "invalid variable name in ${…}" : "invalid variable name \"\(name)\" in ${…}")
        }
        return nil
    }

    mutating func integer(_ node: Node, _ keyPath: @autoclosure () -> String, minimum: Int) -> Int? {
        guard let (text, raw) = plainScalar(node, keyPath(), expected: "a whole number") else { return nil }
        guard let value = Int(text) else {
            report(node, keyPath(), "\(Self.quote(raw)) is not a whole number")
            return nil
        }
        guard value >= minimum else {
            report(node, keyPath(), "\(value) is too small (the minimum is \(minimum))")
            return nil
        }
        return value
    }

    mutating func boolean(_ node: Node, _ keyPath: @autoclosure () -> String) -> Bool? {
        guard let (text, raw) = plainScalar(node, keyPath(), expected: "true or false") else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            report(node, keyPath(), "\(Self.quote(raw)) is not true or false")
            return nil
        }
    }

    /// A duration of at least `minimum` seconds (which must be positive: no duration may be 0).
    mutating func duration(_ node: Node, _ keyPath: @autoclosure () -> String, minimum: TimeInterval)
        -> TimeInterval?
    {
        guard let (text, raw) = plainScalar(node, keyPath(), expected: "a duration") else { return nil }
        guard let seconds = Units.duration(text) else {
            report(node, keyPath(), "\(Self.quote(raw)) is not a duration (examples: 30s, 5m, 2h)")
            return nil
        }
        guard seconds >= minimum else {
            report(node, keyPath(), "\(raw) is too short (the minimum is \(Units.describe(seconds: minimum)))")
            return nil
        }
        return seconds
    }

    /// A size of at least `minimum` bytes.
    mutating func size(_ node: Node, _ keyPath: @autoclosure () -> String, minimum: Int) -> Int? {
        guard let (text, raw) = plainScalar(node, keyPath(), expected: "a size") else { return nil }
        guard let bytes = Units.size(text) else {
            report(node, keyPath(), "\(Self.quote(raw)) is not a size (examples: 512KiB, 10MiB, 5MB)")
            return nil
        }
        guard bytes >= minimum else {
            report(node, keyPath(), "\(raw) is too small (the minimum is \(Units.describe(bytes: minimum)))")
            return nil
        }
        return bytes
    }

    /// A list of strings; a single string is accepted as a list of one.
    mutating func stringList(_ node: Node, _ keyPath: @autoclosure () -> String) -> [String]? {
        switch node {
        case .scalar:
            if Self.isNull(node) { return [] }
            return string(node, keyPath()).map { [$0] }
        case .sequence(let sequence):
            var values: [String] = []
            values.reserveCapacity(sequence.count)
            for (index, element) in sequence.enumerated() {
                if let value = string(element, "\(keyPath())[\(index)]") { values.append(value) }
            }
            return values
        default:
            report(node, keyPath(), "expected a list, found \(Self.describe(node))")
            return nil
        }
    }

    /// A mapping of header names to values; values are treated as secrets.
    mutating func headerMap(_ node: Node, _ keyPath: @autoclosure () -> String) -> [String: String]? {
        if Self.isNull(node) { return [:] }
        guard case .mapping(let mapping) = node else {
            report(node, keyPath(), "expected a mapping of header names to values, found \(Self.describe(node))")
            return nil
        }
        var headers: [String: String] = [:]
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let key) = keyNode, Self.isHeaderName(key.string) else {
                report(keyNode, keyPath(), "header names are letters, digits and -")
                continue
            }
            let path = Self.join(keyPath(), key.string)
            guard let value = string(valueNode, path, secret: true) else { continue }
            if value.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
                report(valueNode, path, "a header value cannot contain a line break")
                continue
            }
            headers[key.string] = value
        }
        return headers
    }

    /// The expanded value; messages quote `raw`, the text as written, so an expanded `${SECRET}`
    /// never reaches the output.
    private mutating func plainScalar(_ node: Node, _ keyPath: @autoclosure () -> String, expected: String) -> (
        value: String, raw: String
    )? {
        guard case .scalar(let scalar) = node else {
            report(node, keyPath(), "expected \(expected), found \(Self.describe(node))")
            return nil
        }
        return string(node, keyPath()).map { ($0, scalar.string) }
    }

    /// Whether `keyPath` lies inside the `webhooks:`, `destinations:` or `http:` section: the places
    /// that hold what only delivering or serving needs (URLs with tokens, secrets, credentials).
    static func holdsDeliverySecrets(_ keyPath: String) -> Bool {
        ["webhooks", "destinations", "http"].contains { section in
            keyPath == section || keyPath.hasPrefix(section + "[") || keyPath.hasPrefix(section + ".")
        }
    }

    static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_")
            }
    }

    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    static func quote(_ text: String) -> String {
        "\"\(text)\""
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return isNull(node) ? "nothing" : "\"\(scalar.string)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
