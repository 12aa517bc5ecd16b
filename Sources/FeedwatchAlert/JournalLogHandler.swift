import Logging

/// Operational log lines as journald entries: the level as PRIORITY, metadata as FEEDWATCH_ fields
/// (`feed` → FEEDWATCH_FEED), SYSLOG_IDENTIFIER=feedwatch, and the source location as CODE_* fields.
///
/// If journald stops answering, each line falls back to stderr in ``StderrLogHandler``'s form.
public struct JournalLogHandler: LogHandler {
    /// The logger's label.
    public let label: String
    /// The minimum level this handler emits.
    public var logLevel: Logger.Level
    /// Metadata attached to every entry of this handler.
    public var metadata: Logger.Metadata = [:]
    /// Contextual metadata added to every entry.
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

    /// Sends the event to journald, or to stderr if journald does not take it.
    public func log(event: LogEvent) {
        var pairs = LogMetadata.merged(handler: metadata, provider: metadataProvider, event: event.metadata)
        if let error = event.error { pairs.append(("error", String(describing: error))) }
        let message = event.message.description
        var fields: [(name: String, value: String)] = [
            ("MESSAGE", message),
            ("PRIORITY", String(JournalLogHandler.priority(of: event.level))),
            ("SYSLOG_IDENTIFIER", JournalSink.syslogIdentifier),
            ("CODE_FILE", event.file),
            ("CODE_LINE", String(event.line)),
            ("CODE_FUNC", event.function),
        ]
        for (key, value) in pairs {
            fields.append((JournalLogHandler.fieldName(forMetadataKey: key), value))
        }
        if Journal.send(fields) < 0 {
            StandardError.writeLine(StderrLogHandler.line(level: event.level, message: message, metadata: pairs))
        }
    }

    /// The syslog priority of a level: trace and debug 7, info 6, notice 5, warning 4, error 3, critical 2.
    public static func priority(of level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// The journald field for a metadata key: `FEEDWATCH_` + the key upper-cased, every character outside
    /// [A-Z0-9_] replaced by `_`, cut to journald's 64-character limit. Journald drops an entry whose field
    /// names are invalid, so a key from anywhere must become a valid name.
    public static func fieldName(forMetadataKey key: String) -> String {
        var name = "FEEDWATCH_"
        for scalar in key.uppercased().unicodeScalars {
            let valid = ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
            name.unicodeScalars.append(valid ? scalar : "_")
        }
        return String(name.prefix(64))
    }
}
