import FeedwatchAlert
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One alert e-mail as RFC 5322 bytes: the headers, and a multipart/alternative body of a text/plain
/// and a text/html part, UTF-8, quoted-printable.
///
/// The same message id gives the same `Message-ID` on every attempt, so a mail reader shows a
/// retried message once; only `Date` (the attempt's time) changes.
struct MIMEMessage {
    var from: EmailAddress
    var to: [EmailAddress]
    /// Any text: it is put on one line, cut and encoded here.
    var subject: String
    var date: Date
    /// The outbox message id (the alert id): the `Message-ID`'s left part.
    var id: String
    var text: String
    var html: String

    /// Characters of the Subject kept (before encoding); longer ones end in "…".
    static let subjectLimit = 250
    /// Begins with `=_`, which quoted-printable never leaves in a body (`=` is always encoded).
    static let boundary = "=_feedwatch_alternative"
    /// The right part of every `Message-ID`.
    static let messageIDDomain = "feedwatch"

    /// The message, lines ending in CRLF.
    func bytes() -> Data {
        var head = ""
        head += EncodedHeader.field("From", units: from.headerUnits)
        head += EncodedHeader.field("To", units: Self.listUnits(to))
        head += EncodedHeader.field(
            "Subject", units: EncodedHeader.textUnits(SafeText.cut(SafeText.oneLine(subject), to: Self.subjectLimit)))
        head += "Date: \(Self.dateText(date))\r\n"
        head += "Message-ID: <\(Self.idText(id))@\(Self.messageIDDomain)>\r\n"
        head += "MIME-Version: 1.0\r\n"
        head += "Content-Type: multipart/alternative; boundary=\"\(Self.boundary)\"\r\n"
        // RFC 3834: vacation responders and the like do not answer it.
        head += "Auto-Submitted: auto-generated\r\n"
        head += "X-Feedwatch-Alert-ID: \(Self.idText(id))\r\n"
        var message = head + "\r\n"
        for (type, body) in [("text/plain", text), ("text/html", html)] {
            message += "--\(Self.boundary)\r\n"
            message += "Content-Type: \(type); charset=utf-8\r\n"
            message += "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
            message += QuotedPrintable.encode(body) + "\r\n"
        }
        message += "--\(Self.boundary)--\r\n"
        return Data(message.utf8)
    }

    /// Addresses separated by commas, each a run of units.
    static func listUnits(_ addresses: [EmailAddress]) -> [String] {
        var units: [String] = []
        for (index, address) in addresses.enumerated() {
            var mailbox = address.headerUnits
            if index < addresses.count - 1, let last = mailbox.popLast() { mailbox.append(last + ",") }
            units += mailbox
        }
        return units
    }

    /// `id` made a valid `Message-ID` left part (dot-atom text): letters, digits, `-` and `_` stay;
    /// every other UTF-8 byte becomes `=XX`, so distinct ids stay distinct and an alert id (a UUID)
    /// is unchanged.
    static func idText(_ id: String) -> String {
        var result = ""
        for byte in id.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += String(format: "=%02X", byte)
            }
        }
        return result.isEmpty ? "empty" : result
    }

    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// RFC 5322 date-time in UTC: `Thu, 14 Mar 2019 09:05:00 +0000`.
    static func dateText(_ date: Date) -> String {
        // gmtime_r rather than a DateFormatter: no locale, no shared formatter (as RFC3339 does).
        var seconds = time_t(floor(date.timeIntervalSince1970))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let day = String(format: "%02d", Int(parts.tm_mday))
        let year = String(format: "%04d", Int(parts.tm_year) + 1900)
        let time = String(format: "%02d:%02d:%02d", Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        return "\(weekdays[Int(parts.tm_wday) % 7]), \(day) \(months[Int(parts.tm_mon) % 12]) \(year) \(time) +0000"
    }
}
