/// Writes one journald entry per alert, with exactly the fields of SPEC §5; where no journald answers,
/// the same line goes to stderr.
public final class JournalSink: Sendable {
    /// Where entries go.
    public enum Destination: Sendable, Equatable {
        /// The system journal, through libsystemd.
        case journal
        /// Standard error, one readable line per alert.
        case standardError
    }

    /// The MESSAGE_ID of every alert entry, so `journalctl MESSAGE_ID=…` lists alerts and nothing else.
    public static let messageID = "01d753927b964912bb11f9b587569102"
    /// The SYSLOG_IDENTIFIER of every feedwatch entry.
    public static let syslogIdentifier = "feedwatch"
    /// Characters of the title kept in MESSAGE; FEEDWATCH_ITEM_TITLE always holds the whole title.
    static let messageTitleLimit = 1_000

    /// Where this sink writes, decided once when it was made.
    public let destination: Destination

    /// A sink writing to journald when one answers on its socket, else to stderr.
    public convenience init() {
        self.init(destination: Journal.answers() ? .journal : .standardError)
    }

    /// A sink writing to `destination`.
    public init(destination: Destination) {
        self.destination = destination
    }

    /// True when a journald answers on the system journal socket (a stale socket file does not count).
    public static func journalAnswers() -> Bool {
        Journal.answers()
    }

    /// Records `alert`; returns where it went. A journal write that fails (journald stopped since) falls
    /// back to stderr, so the alert is never silently lost.
    @discardableResult
    public func record(_ alert: Alert) -> Destination {
        if destination == .journal && Journal.send(JournalSink.fields(for: alert)) >= 0 {
            return .journal
        }
        StandardError.writeLine(JournalSink.standardErrorLine(for: alert))
        return .standardError
    }

    /// `[RULE] TITLE — LINK (matched: K1, K2)`, on one line (the exact title is in FEEDWATCH_ITEM_TITLE).
    public static func message(for alert: Alert) -> String {
        let title = SafeText.cut(SafeText.oneLine(alert.item.title), to: messageTitleLimit)
        let link = SafeText.oneLine(alert.item.link)
        let keywords = alert.keywords.map(SafeText.oneLine).joined(separator: ", ")
        return "[\(SafeText.oneLine(alert.rule))] \(title)" + (link.isEmpty ? "" : " — \(link)")
            + " (matched: \(keywords))"
    }

    /// The entry's fields, in SPEC §5 order. FEEDWATCH_ITEM_PUBLISHED is empty when the item gives no date.
    static func fields(for alert: Alert) -> [(name: String, value: String)] {
        [
            ("MESSAGE", message(for: alert)),
            ("PRIORITY", "5"),
            ("MESSAGE_ID", messageID),
            ("SYSLOG_IDENTIFIER", syslogIdentifier),
            ("FEEDWATCH_ALERT_ID", alert.alertID),
            ("FEEDWATCH_RULE", alert.rule),
            ("FEEDWATCH_KEYWORDS", alert.keywords.joined(separator: ",")),
            ("FEEDWATCH_FEED", alert.feed.name),
            ("FEEDWATCH_FEED_URL", alert.feed.url),
            ("FEEDWATCH_ITEM_ID", alert.item.id),
            ("FEEDWATCH_ITEM_TITLE", alert.item.title),
            ("FEEDWATCH_ITEM_LINK", alert.item.link),
            ("FEEDWATCH_ITEM_PUBLISHED", alert.item.published.map(RFC3339.string(from:)) ?? ""),
        ]
    }

    /// The stderr form: `notice: [feed=NAME alert_id=ID] MESSAGE`, like the operational log lines.
    public static func standardErrorLine(for alert: Alert) -> String {
        StderrLogHandler.line(
            level: .notice, message: message(for: alert),
            metadata: [("feed", alert.feed.name), ("alert_id", alert.alertID)])
    }
}
