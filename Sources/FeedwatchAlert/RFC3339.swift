import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// RFC 3339 timestamps in UTC with a `Z`, whole seconds: the form SPEC §3 and §5 use everywhere.
public enum RFC3339 {
    /// `date` as `2019-03-14T09:05:00Z`.
    public static func string(from date: Date) -> String {
        // gmtime_r rather than a DateFormatter: no shared mutable formatter, no locale surprises.
        var seconds = time_t(floor(date.timeIntervalSince1970))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}
