import FeedwatchConfig
import Foundation

/// The shaping the configuration asks for: each destination's, each rule's overrides and urgency,
/// and the wall clock of `timezone:`.
public struct ShapingPolicy: Sendable {
    let destinations: [String: Shaping]
    let rules: [String: (shaping: Shaping?, urgent: Bool)]
    public let clock: ShapingClock

    /// Nothing shaped: every alert is its own message, at once (`once` tests, the journal).
    public static let none = ShapingPolicy(destinations: [:], rules: [:], clock: ShapingClock(timeZone: .current))

    init(destinations: [String: Shaping], rules: [String: (shaping: Shaping?, urgent: Bool)], clock: ShapingClock) {
        self.destinations = destinations
        self.rules = rules
        self.clock = clock
    }

    /// The policy of `config`.
    public init(config: Config) {
        destinations = Dictionary(
            config.destinations.map { ($0.name, $0.shaping) }, uniquingKeysWith: { first, _ in first })
        rules = Dictionary(
            config.rules.map { ($0.name, ($0.shaping, $0.urgent)) }, uniquingKeysWith: { first, _ in first })
        clock = ShapingClock(timeZone: config.timeZone)
    }

    /// The shaping of `rule`'s alerts at `destination`.
    func shaping(destination: String, rule: String) -> (Shaping, urgent: Bool) {
        let base = destinations[destination] ?? Shaping()
        let override = rules[rule]
        return (base.overridden(by: override?.shaping), override?.urgent ?? false)
    }

    /// The destination's rate, if it has one.
    func rate(of destination: String) -> Shaping.Rate? { destinations[destination]?.rate }

    /// Whether an alert for `destination` can be held at all: when neither the destination nor
    /// any rule shapes anything, its new rows go as they are, without reading their alerts.
    func mayHold(_ destination: String) -> Bool {
        !(destinations[destination]?.isEmpty ?? true) || rules.values.contains { $0.shaping != nil }
    }
}
