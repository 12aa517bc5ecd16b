import Foundation

/// Parsers for the response header values a poll keeps. All return nil on anything malformed.
public enum ResponseHeaderValues {
    /// The charset parameter of a Content-Type, unquoted: `text/xml; charset="ISO-8859-1"` → "ISO-8859-1".
    public static func charset(fromContentType contentType: String?) -> String? {
        guard let contentType else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "charset" else {
                continue
            }
            let value = pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(
                in: CharacterSet(charactersIn: "\"'"))
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// Retry-After as seconds after `now`: delta-seconds, or an HTTP date (never negative).
    public static func retryAfter(_ value: String?, now: Date) -> TimeInterval? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value) { return seconds >= 0 ? TimeInterval(seconds) : nil }
        guard let date = httpDate(value) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }

    /// Cache-Control max-age in seconds (s-maxage and others ignored).
    public static func maxAge(fromCacheControl value: String?) -> TimeInterval? {
        guard let value else { return nil }
        for directive in value.split(separator: ",") {
            let pair = directive.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "max-age" else {
                continue
            }
            let number = pair[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(
                in: CharacterSet(charactersIn: "\""))
            if let seconds = Int(number), seconds >= 0 { return TimeInterval(seconds) }
        }
        return nil
    }

    /// An HTTP date in any of the three formats RFC 9110 says a recipient must accept.
    public static func httpDate(_ value: String) -> Date? {
        let formats = ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"]
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in formats {
            formatter.dateFormat = format
            if let date = formatter.date(from: value) { return date }
        }
        return nil
    }
}
