/// One problem in a configuration file, with the place it was found.
public struct ConfigDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    /// Where in the document: `feeds[2].interval`; empty for the file as a whole.
    public var keyPath: String
    public var message: String

    /// `FILE:LINE:COL: path.to.key: message`, the form editors and `grep` understand.
    public var description: String {
        let location = "\(file):\(line):\(column)"
        return keyPath.isEmpty ? "\(location): \(message)" : "\(location): \(keyPath): \(message)"
    }
}

/// Every problem found in a configuration file, reported together so the user fixes them in one go.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [ConfigDiagnostic]

    /// The exit status for an invalid configuration: EX_CONFIG.
    public static let exitCode: Int32 = 78

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
