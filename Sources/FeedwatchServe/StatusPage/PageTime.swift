import Foundation

/// A time as the status page shows it: `2026-11-24 22:00 UTC` with how long ago (or how soon),
/// and the RFC 3339 form for `<time datetime>`.
struct PageTime {
    var iso: String
    var text: String
    var relative: String

    init(_ date: Date, now: Date) {
        iso = RFC3339Date.string(date)
        text = Self.formatter.string(from: date) + " UTC"
        relative = Self.relative(date.timeIntervalSince(now))
    }

    private static let formatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter
    }()

    /// "just now", "5 min ago", "in 2 h", "3 d ago".
    static func relative(_ seconds: TimeInterval) -> String {
        let magnitude = abs(seconds)
        let amount: String
        switch magnitude {
        case ..<45: return "just now"
        case ..<3600: amount = "\(Int((magnitude / 60).rounded())) min"
        case ..<(48 * 3600): amount = "\(Int((magnitude / 3600).rounded())) h"
        default: amount = "\(Int((magnitude / 86400).rounded())) d"
        }
        return seconds < 0 ? "\(amount) ago" : "in \(amount)"
    }
}
