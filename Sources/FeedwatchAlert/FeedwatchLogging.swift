import Logging

/// Chooses where operational logs go, once, at startup.
public enum FeedwatchLogging {
    /// Installs the process-wide swift-log backend: ``JournalLogHandler`` when a journald answers on its
    /// socket, else ``StderrLogHandler``. Call once, early (swift-log allows a single bootstrap).
    public static func bootstrap(level: Logger.Level) {
        let useJournal = Journal.answers()
        LoggingSystem.bootstrap { label in
            makeHandler(label: label, level: level, useJournal: useJournal)
        }
    }

    /// The handler ``bootstrap(level:)`` installs for `label`.
    public static func makeHandler(label: String, level: Logger.Level, useJournal: Bool) -> any LogHandler {
        useJournal ? JournalLogHandler(label: label, level: level) : StderrLogHandler(label: label, level: level)
    }
}
