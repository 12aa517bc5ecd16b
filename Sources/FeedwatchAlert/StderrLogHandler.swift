import Logging

/// Operational log lines on stderr, one readable line each: `warning: [feed=x] message`.
///
/// Used where no journald answers (a container, a terminal). Under systemd, journald gets stderr anyway,
/// but without fields; ``JournalLogHandler`` is preferred whenever the journal socket answers.
public struct StderrLogHandler: LogHandler {
    /// The logger's label (not printed: one daemon, one identity).
    public let label: String
    /// The minimum level this handler emits.
    public var logLevel: Logger.Level
    /// Metadata attached to every line of this handler.
    public var metadata: Logger.Metadata = [:]
    /// Contextual metadata added to every line.
    public var metadataProvider: Logger.MetadataProvider?

    /// A handler for `label` emitting `level` and above.
    public init(label: String, level: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    /// Handler-level metadata.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes the event as one line on stderr.
    public func log(event: LogEvent) {
        var pairs = LogMetadata.merged(handler: metadata, provider: metadataProvider, event: event.metadata)
        if let error = event.error { pairs.append(("error", String(describing: error))) }
        StandardError.writeLine(
            StderrLogHandler.line(level: event.level, message: event.message.description, metadata: pairs))
    }

    /// `LEVEL: [k=v k2=v2] message` on one line; values with spaces, `]` or `"` are quoted.
    public static func line(level: Logger.Level, message: String, metadata: [(String, String)]) -> String {
        var line = level.rawValue + ": "
        if !metadata.isEmpty {
            line +=
                "["
                + metadata.map { "\(SafeText.oneLine($0.0))=\(quotedIfNeeded(SafeText.oneLine($0.1)))" }
                .joined(separator: " ") + "] "
        }
        return line + SafeText.oneLine(message)
    }

    private static func quotedIfNeeded(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "]" || $0 == "\"" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
    }
}
