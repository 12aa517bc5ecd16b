import Foundation

/// `${NAME}` substitution: a file `NAME` in `$CREDENTIALS_DIRECTORY` (systemd `LoadCredential=`)
/// first, else the environment variable.
struct VariableExpansion: Sendable {
    var environment: [String: String]

    enum Failure: Error, Equatable {
        case unset(String)
        case unterminated
        case invalidName(String)
    }

    /// The text with every `${NAME}` replaced. `$` not followed by `{` is kept as written.
    func expand(_ text: String) -> Result<String, Failure> {
        guard Self.mayHoldVariable(text) else { return .success(text) }
        var output = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            output += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { return .failure(.unterminated) }
            let name = String(rest[start.upperBound..<end])
            guard isValidName(name) else { return .failure(.invalidName(name)) }
            guard let value = lookUp(name) else { return .failure(.unset(name)) }
            output += value
            rest = rest[rest.index(after: end)...]
        }
        output += rest
        return .success(output)
    }

    /// Whether `${` occurs: a byte scan, since every string of the file (a million feed URLs) goes
    /// through here and Foundation's `contains` is far slower.
    static func mayHoldVariable(_ text: String) -> Bool {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "{") && previous == UInt8(ascii: "$") { return true }
            previous = byte
        }
        return false
    }

    private func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
        else { return false }
        return name.unicodeScalars.allSatisfy {
            $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0)
        }
    }

    private func lookUp(_ name: String) -> String? {
        if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty,
            let data = FileManager.default.contents(atPath: directory + "/" + name),
            var value = String(data: data, encoding: .utf8)
        {
            // Credential files usually end with the newline an editor or `echo` added.
            if value.hasSuffix("\n") { value.removeLast() }
            if value.hasSuffix("\r") { value.removeLast() }
            return value
        }
        return environment[name]
    }
}
