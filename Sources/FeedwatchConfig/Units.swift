import Foundation

/// Durations and sizes as written in the configuration file (and in options such as
/// `parse --max-size`).
public enum Units {
    private static let durationUnits: [String: Double] = [
        "ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400,
    ]
    private static let sizeUnits: [String: Double] = [
        "": 1, "b": 1, "kib": 1024, "mib": 1024 * 1024, "gib": 1024 * 1024 * 1024,
        "kb": 1000, "mb": 1_000_000, "gb": 1_000_000_000, "k": 1024, "m": 1024 * 1024,
    ]

    /// Seconds in `500ms`, `30s`, `10m`, `2h`, `1d`, or a sum such as `1h30m`; nil if unreadable.
    static func duration(_ text: String) -> TimeInterval? {
        let parts = numberUnitPairs(text.trimmingCharacters(in: .whitespaces))
        guard let parts, !parts.isEmpty else { return nil }
        var total = 0.0
        for (number, unit) in parts {
            guard let factor = durationUnits[unit] else { return nil }
            total += number * factor
        }
        return total
    }

    /// ``duration(_:)`` for the command line (`alerts --since 24h`).
    public static func durationValue(_ text: String) -> TimeInterval? { duration(text) }

    /// Bytes in `10MiB`, `512KB`, `1048576`; nil if unreadable.
    public static func size(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let parts = numberUnitPairs(trimmed), parts.count == 1,
            let factor = sizeUnits[parts[0].1.lowercased()]
        else { return nil }
        let bytes = parts[0].0 * factor
        return bytes < Double(Int.max) ? Int(bytes) : nil
    }

    /// `1h30m` → [(1, "h"), (30, "m")]; allows a space between number and unit.
    private static func numberUnitPairs(_ text: String) -> [(Double, String)]? {
        var pairs: [(Double, String)] = []
        var index = text.startIndex
        while index < text.endIndex {
            let numberStart = index
            while index < text.endIndex, text[index].isASCII, text[index].isNumber || text[index] == "." {
                index = text.index(after: index)
            }
            guard let number = Double(text[numberStart..<index]) else { return nil }
            while index < text.endIndex, text[index] == " " { index = text.index(after: index) }
            let unitStart = index
            while index < text.endIndex, text[index].isASCII, text[index].isLetter {
                index = text.index(after: index)
            }
            pairs.append((number, String(text[unitStart..<index])))
            while index < text.endIndex, text[index] == " " { index = text.index(after: index) }
        }
        return pairs
    }

    /// `90` → `1m30s`, for messages.
    static func describe(seconds: TimeInterval) -> String {
        if seconds < 1 { return "\(Int(seconds * 1000))ms" }
        let whole = Int(seconds)
        if whole % 86400 == 0 { return "\(whole / 86400)d" }
        if whole % 3600 == 0 { return "\(whole / 3600)h" }
        if whole % 60 == 0 { return "\(whole / 60)m" }
        return "\(whole)s"
    }

    /// `10485760` → `10MiB`, `1` → `1B`, for messages.
    public static func describe(bytes: Int) -> String {
        for (unit, factor) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        where bytes >= factor && bytes % factor == 0 {
            return "\(bytes / factor)\(unit)"
        }
        return "\(bytes)B"
    }
}
