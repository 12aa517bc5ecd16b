import Foundation
import Hummingbird
import HummingbirdCore

/// A query the API cannot answer: 400, with what to send instead.
struct BadRequest: Error, CustomStringConvertible {
    var description: String
}

/// The query parameters of `/api/v1/feeds` and `/api/v1/alerts`. Unknown names are refused rather
/// than ignored, so that a typo (`?limt=5`) does not silently return something else.
enum APIParameters {
    /// Alerts listed when `limit=` is not given, and the most one request may ask for.
    static let defaultAlertLimit = 50
    static let maximumAlertLimit = 500

    /// `?status=failing,gone&limit=100&offset=0`.
    static func feedQuery(_ parameters: FlatDictionary<Substring, Substring>) throws -> FeedQuery {
        try refuseUnknown(parameters, known: ["status", "limit", "offset"])
        var statuses = Set<FeedStatus>()
        for value in parameters[values: "status"] {
            for name in value.split(separator: ",") {
                let name = name.trimmingCharacters(in: .whitespaces)
                if name == "problem" {
                    statuses.formUnion(FeedStatus.problems)
                } else if let status = FeedStatus(rawValue: name) {
                    statuses.insert(status)
                } else {
                    let known = FeedStatus.allCases.map(\.rawValue) + ["problem"]
                    throw BadRequest(
                        description:
                            "status=\(name): not a feed status (one or more of \(known.joined(separator: ", ")))")
                }
            }
        }
        let limit = try integer(parameters, "limit", default: FeedQuery.defaultLimit, in: 1...FeedQuery.maximumLimit)
        let offset = try integer(parameters, "offset", default: 0, in: 0...Int(Int32.max))
        return FeedQuery(statuses: statuses, limit: limit, offset: offset)
    }

    /// `?since=2026-11-24T22:00:00Z&rule=outages&limit=50`.
    static func alertQuery(_ parameters: FlatDictionary<Substring, Substring>) throws -> (
        since: Date?, rule: String?, limit: Int
    ) {
        try refuseUnknown(parameters, known: ["since", "rule", "limit"])
        var since: Date?
        if let text = parameters["since"].map(String.init), !text.isEmpty {
            guard let date = RFC3339Date.parse(text) else {
                throw BadRequest(
                    description:
                        "since=\(text): not an RFC 3339 time (example: 2026-11-24T22:00:00Z; write + as %2B in an offset)"
                )
            }
            since = date
        }
        let rule = parameters["rule"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let limit = try integer(parameters, "limit", default: defaultAlertLimit, in: 1...maximumAlertLimit)
        return (since, rule, limit)
    }

    private static func integer(
        _ parameters: FlatDictionary<Substring, Substring>, _ name: Substring, default value: Int,
        in range: ClosedRange<Int>
    ) throws -> Int {
        guard let text = parameters[name] else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw BadRequest(
                description: "\(name)=\(text): expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    private static func refuseUnknown(_ parameters: FlatDictionary<Substring, Substring>, known: [String]) throws {
        for (name, _) in parameters where !known.contains(String(name)) {
            throw BadRequest(
                description: "unknown parameter \"\(name)\" (this endpoint takes: \(known.joined(separator: ", ")))")
        }
    }
}

/// RFC 3339 times as `since=` takes them: `2026-11-24T22:00:00Z`, with or without fractional
/// seconds, `Z` or a numeric offset.
enum RFC3339Date {
    static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }

    static func string(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
