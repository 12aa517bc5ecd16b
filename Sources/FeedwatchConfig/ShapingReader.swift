import Foundation
import Yams

/// The shaping keys of destinations and rules (`group_wait`, `digest`, `quiet`, `rate`) and
/// `timezone:` (SPEC §5).
extension ConfigBuilder {
    static let shapingKeys = ["group_wait", "digest", "quiet", "rate"]
    /// What a rule may override: `rate` belongs to the destination alone.
    static let ruleShapingKeys = ["group_wait", "digest", "quiet", "urgent"]
    static let minimumGroupWait: TimeInterval = 1
    static let minimumDigest: TimeInterval = 60
    static let ratePeriods: [String: TimeInterval] = [
        "s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400,
        "day": 86400,
    ]

    /// The shaping keys found in `entries` (`rate` only where `allowRate`).
    mutating func shaping(_ entries: MappingEntries, _ path: String) -> Shaping {
        var shaping = Shaping()
        if let node = entries["group_wait"]?.value {
            shaping.groupWait = reader.duration(node, "\(path).group_wait", minimum: Self.minimumGroupWait)
        }
        if let node = entries["digest"]?.value, let text = reader.string(node, "\(path).digest") {
            if let time = Shaping.TimeOfDay.parse(text) {
                shaping.digest = .daily(time)
            } else if let period = reader.duration(node, "\(path).digest", minimum: Self.minimumDigest) {
                shaping.digest = .every(period)
            }
        }
        if let node = entries["quiet"]?.value,
            let quiet = reader.mapping(node, "\(path).quiet", known: ["from", "to"])
        {
            let from = quiet["from"].flatMap { timeOfDay($0.value, "\(path).quiet.from") }
            let to = quiet["to"].flatMap { timeOfDay($0.value, "\(path).quiet.to") }
            if quiet["from"] == nil { reader.report(node, "\(path).quiet", "missing from: (e.g. \"22:00\")") }
            if quiet["to"] == nil { reader.report(node, "\(path).quiet", "missing to: (e.g. \"07:00\")") }
            if let from, let to {
                if from == to {
                    reader.report(node, "\(path).quiet", "from: and to: are the same time: the window would be empty")
                } else {
                    shaping.quiet = Shaping.QuietHours(from: from, to: to)
                }
            }
        }
        if let node = entries["rate"]?.value, let text = reader.string(node, "\(path).rate") {
            shaping.rate = rate(text, node, "\(path).rate")
        }
        return shaping
    }

    private mutating func timeOfDay(_ node: Node, _ path: String) -> Shaping.TimeOfDay? {
        guard let text = reader.string(node, path) else { return nil }
        guard let time = Shaping.TimeOfDay.parse(text) else {
            reader.report(node, path, "\(ConfigNodeReader.quote(text)) is not a time of day (examples: 07:00, 22:30)")
            return nil
        }
        return time
    }

    /// "20/min", "100/h", "5/10m": a count over a unit or a duration.
    private mutating func rate(_ text: String, _ node: Node, _ path: String) -> Shaping.Rate? {
        let parts = text.replacingOccurrences(of: " ", with: "").split(separator: "/")
        let unit = parts.count == 2 ? String(parts[1]) : ""
        guard parts.count == 2, let count = Int(parts[0]), count >= 1,
            let period = Self.ratePeriods[unit.lowercased()] ?? Units.duration(unit), period >= 1
        else {
            reader.report(node, path, "\(ConfigNodeReader.quote(text)) is not a rate (examples: 20/min, 100/h, 5/10m)")
            return nil
        }
        return Shaping.Rate(count: count, period: period)
    }

    /// `timezone: Europe/Paris`: an IANA name the system knows.
    mutating func timeZone(_ entry: (key: Node, value: Node)?) -> TimeZone {
        guard let node = entry?.value, !ConfigNodeReader.isNull(node), let name = reader.string(node, "timezone") else {
            return .current
        }
        guard let zone = TimeZone(identifier: name) else {
            let known = TimeZone.knownTimeZoneIdentifiers
            let hint = KeySuggestion.nearest(to: name, in: known).map { " (did you mean \($0)?)" } ?? ""
            reader.report(
                node, "timezone",
                "\(ConfigNodeReader.quote(name)) is not a time zone\(hint); use an IANA name such as Europe/Paris")
            return .current
        }
        return zone
    }
}
