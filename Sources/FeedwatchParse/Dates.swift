// Feed dates as they are found in the wild, read by a hand-written scanner (a DateFormatter per
// item costs more than the rest of the parse): RFC 822/1123/850 with or without weekday and
// seconds, two-digit years, zone names or offsets; RFC 3339 / ISO 8601 with or without zone.
import Foundation

enum Dates {
    /// The date in `text`, in UTC, or nil when it cannot be read.
    static func parse(_ text: String) -> Date? {
        var text = text
        // Read in place, as bytes: no array, no String per word (a date per item adds up).
        return text.withUTF8 { all -> Date? in
            var end = all.count
            while end > 0, all[end - 1] <= 0x20 { end -= 1 }
            var start = 0
            while start < end, all[start] <= 0x20 { start += 1 }
            guard start < end else { return nil }
            let trimmed = UnsafeBufferPointer(rebasing: all[start..<end])
            let fields = isISO8601(trimmed) ? iso8601(trimmed) : rfc822(trimmed)
            guard let fields else { return nil }
            return fields.date
        }
    }

    /// RFC 3339 in UTC, whole seconds: "2019-03-14T09:05:00Z".
    static func rfc3339(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = seconds - days * 86400
        let (y, m, d) = civil(fromDays: days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var year = String(y)
        while year.count < 4 { year = "0" + year }
        return
            "\(year)-\(two(m))-\(two(d))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))Z"
    }

    private struct Fields {
        var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0
        var fraction = 0.0
        var offsetSeconds = 0

        var date: Date? {
            guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), (0...24).contains(hour),
                (0...59).contains(minute), (0...60).contains(second), year >= 1, year <= 9999
            else { return nil }
            if hour == 24 && (minute != 0 || second != 0) { return nil }
            let days = Dates.days(fromCivil: Int64(year), Int64(month), Int64(day))
            let seconds = days * 86400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(offsetSeconds)
            return Date(timeIntervalSince1970: Double(seconds) + fraction)
        }
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
    }

    private typealias Bytes = UnsafeBufferPointer<UInt8>

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    private static func isISO8601(_ s: Bytes) -> Bool {
        s.count >= 8 && s[0..<4].allSatisfy(isDigit) && (s[4] == UInt8(ascii: "-") || isDigit(s[4]))
    }

    /// Reads `count` digits at `i` (fewer when the text has fewer), advancing `i`.
    private static func number(_ s: Bytes, _ i: inout Int, max count: Int) -> Int? {
        var value = 0
        let start = i
        while i < s.count, i - start < count, isDigit(s[i]) {
            value = value * 10 + Int(s[i] - 0x30)
            i += 1
        }
        return i > start ? value : nil
    }

    /// 2019-03-14T09:05:00Z, 2019-03-14T09:05:00.123+01:00, 2019-03-14 09:05, 2019-03-14, 20190314T090500Z.
    private static func iso8601(_ s: Bytes) -> Fields? {
        var f = Fields()
        var i = 0
        let dash = UInt8(ascii: "-")
        let colon = UInt8(ascii: ":")
        guard let year = number(s, &i, max: 4), i == 4 else { return nil }
        f.year = year
        let extended = i < s.count && s[i] == dash
        if extended { i += 1 }
        guard let month = number(s, &i, max: 2) else { return nil }
        f.month = month
        if extended {
            guard i < s.count, s[i] == dash else { return nil }
            i += 1
        }
        guard let day = number(s, &i, max: 2) else { return nil }
        f.day = day
        guard i < s.count else { return f }
        guard s[i] == UInt8(ascii: "T") || s[i] == UInt8(ascii: "t") || s[i] == 0x20 else { return nil }
        i += 1
        while i < s.count, s[i] == 0x20 { i += 1 }
        guard let hour = number(s, &i, max: 2) else { return i >= s.count ? f : nil }
        f.hour = hour
        if i < s.count, s[i] == colon { i += 1 }
        guard let minute = number(s, &i, max: 2) else { return nil }
        f.minute = minute
        if i < s.count, s[i] == colon { i += 1 }
        if let second = number(s, &i, max: 2) { f.second = second }
        if i < s.count, s[i] == UInt8(ascii: ".") || s[i] == UInt8(ascii: ",") {
            i += 1
            var scale = 0.1
            while i < s.count, isDigit(s[i]) {
                f.fraction += Double(s[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
        }
        while i < s.count, s[i] == 0x20 { i += 1 }
        guard i < s.count else { return f }  // no zone: read as UTC
        guard let offset = zone(s, &i) else { return nil }
        f.offsetSeconds = offset
        return i == s.count ? f : nil
    }

    private static let zoneNames: [String: Int] = [
        "GMT": 0, "UT": 0, "UTC": 0, "Z": 0, "WET": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7,
        "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "CET": 1, "CEST": 2, "MET": 1,
        "MEST": 2, "BST": 1, "WEST": 1, "EET": 2, "EEST": 3, "MSK": 3, "JST": 9, "KST": 9, "AEST": 10,
        "AEDT": 11, "ACST": 9, "NZST": 12, "NZDT": 13, "IST": 0,
    ]

    /// Zone names packed upper-case into 8 bytes (`packedWord`), with their offset in hours.
    private static let zoneOffsets: [(key: UInt64, hours: Int)] = zoneNames.map { name, hours in
        (Array(name.utf8).withUnsafeBufferPointer { packedWord($0, 0, $0.count) }, hours)
    }

    /// The ASCII letters s[start..<end] upper-cased and packed little-endian into 8 bytes (0 when longer).
    private static func packedWord(_ s: Bytes, _ start: Int, _ end: Int) -> UInt64 {
        guard end - start <= 8 else { return 0 }
        var key: UInt64 = 0
        for index in start..<end { key |= UInt64(s[index] & ~0x20) << (UInt64(index - start) * 8) }
        return key
    }

    private static func zoneHours(_ key: UInt64) -> Int? {
        guard key != 0 else { return nil }
        for zone in zoneOffsets where zone.key == key { return zone.hours }
        return nil
    }

    /// A zone at `i`: Z, a name, ±HHMM, ±HH:MM, ±HH, or GMT±HH[:MM]. Returns its offset east of UTC.
    private static func zone(_ s: Bytes, _ i: inout Int) -> Int? {
        guard i < s.count else { return 0 }
        if s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") {
            let sign = s[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            let start = i
            guard let hours = number(s, &i, max: 2) else { return nil }
            var minutes = 0
            if i - start == 2 {
                if i < s.count, s[i] == UInt8(ascii: ":") { i += 1 }
                minutes = number(s, &i, max: 2) ?? 0
            }
            guard hours <= 14, minutes < 60 else { return nil }
            return sign * (hours * 3600 + minutes * 60)
        }
        let start = i
        while i < s.count, (s[i] | 0x20) >= 0x61, (s[i] | 0x20) <= 0x7A { i += 1 }
        guard i > start else { return nil }
        var offset: Int
        if let hours = zoneHours(packedWord(s, start, i)) {
            offset = hours * 3600
        } else if i - start == 1 {
            offset = 0  // military letters other than Z: RFC 2822 reads them as -0000
        } else {
            return nil
        }
        if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") {  // GMT+0100
            guard let extra = zone(s, &i) else { return nil }
            offset += extra
        }
        return offset
    }

    private static let am: UInt64 = 0x4D41  // "AM"
    private static let pm: UInt64 = 0x4D50  // "PM"
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    private static let packedMonths: [UInt64] = months.map {
        Array($0.utf8).withUnsafeBufferPointer { packedWord($0, 0, 3) }
    }

    /// The month whose English name starts the letters s[start..<end] (three letters at least).
    private static func month(_ s: Bytes, _ start: Int, _ end: Int) -> Int? {
        guard end - start >= 3 else { return nil }
        let key = packedWord(s, start, start + 3)
        return packedMonths.firstIndex(of: key).map { $0 + 1 }
    }

    /// Wed, 02 Oct 2002 08:00:00 EST · 2 Oct 2002 8:00 +0200 · Wednesday, 02-Oct-02 08:00:00 GMT ·
    /// Oct 2, 2002 08:00 PM PDT · Tue, 10 Jun 2003 04:00:00 +02:00.
    private static func rfc822(_ s: Bytes) -> Fields? {
        var f = Fields()
        var i = 0
        // Day and year: the first two numbers that are not the time; a third makes the date unreadable.
        var first = (value: 0, digits: 0)
        var second = (value: 0, digits: 0)
        var numberCount = 0
        var gotMonth = false
        var gotTime = false
        var gotZone = false
        var pm: Bool? = nil
        while i < s.count {
            let b = s[i]
            if b == 0x20 || b == UInt8(ascii: ",") || b == 0x09 || b == UInt8(ascii: ".") {
                i += 1
            } else if b == UInt8(ascii: "-") && !gotTime {
                i += 1  // RFC 850 "02-Oct-02"
            } else if isDigit(b) {
                let start = i
                guard let value = number(s, &i, max: 4) else { return nil }
                if i < s.count, s[i] == UInt8(ascii: ":") {
                    guard !gotTime else { return nil }
                    gotTime = true
                    f.hour = value
                    i += 1
                    guard let minute = number(s, &i, max: 2) else { return nil }
                    f.minute = minute
                    if i < s.count, s[i] == UInt8(ascii: ":") {
                        i += 1
                        guard let second = number(s, &i, max: 2) else { return nil }
                        f.second = second
                    }
                    if i < s.count, s[i] == UInt8(ascii: ".") {  // fractional seconds
                        i += 1
                        _ = number(s, &i, max: 9)
                    }
                } else {
                    if numberCount == 0 {
                        first = (value, i - start)
                    } else if numberCount == 1 {
                        second = (value, i - start)
                    }
                    numberCount += 1
                }
            } else if (b == UInt8(ascii: "+") || b == UInt8(ascii: "-")) && gotTime && !gotZone {
                guard let offset = zone(s, &i) else { return nil }
                f.offsetSeconds = offset
                gotZone = true
            } else if (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A {
                let start = i
                while i < s.count, (s[i] | 0x20) >= 0x61, (s[i] | 0x20) <= 0x7A { i += 1 }
                let upper = packedWord(s, start, i)
                if !gotMonth, let m = month(s, start, i), zoneHours(upper) == nil {
                    f.month = m
                    gotMonth = true
                } else if upper == Self.am || upper == Self.pm {
                    pm = upper == Self.pm
                } else if gotTime && !gotZone {
                    i = start
                    guard let offset = zone(s, &i) else { return nil }
                    f.offsetSeconds = offset
                    gotZone = true
                } else if !gotMonth || gotTime {
                    continue  // a weekday name, or a trailing comment such as "(PST)"
                } else {
                    return nil
                }
            } else if b == UInt8(ascii: "(") {
                while i < s.count, s[i] != UInt8(ascii: ")") { i += 1 }
                i += 1
            } else {
                return nil
            }
        }
        guard gotMonth, numberCount == 2 else { return nil }
        // Day and year in either order: the 4-digit one, or the one after the month name, is the year.
        var day = first
        var year = second
        if day.digits == 4 || (day.value > 31 && year.value <= 31) { swap(&day, &year) }
        guard day.digits <= 2 else { return nil }
        f.day = day.value
        f.year = year.value
        if year.digits <= 2 { f.year += year.value < 50 ? 2000 : 1900 } else if year.digits == 3 { f.year += 1900 }
        if let pm {
            guard f.hour >= 1, f.hour <= 12 else { return nil }
            f.hour = f.hour % 12 + (pm ? 12 : 0)
        }
        return f
    }
}
