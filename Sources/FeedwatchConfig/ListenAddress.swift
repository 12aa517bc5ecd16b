import Foundation

/// `http.listen`: `HOST:PORT`, `[IPv6]:PORT`, or a port alone (`9797` or `:9797`), which means
/// 127.0.0.1: a listener is only reachable from elsewhere when an address says so.
enum ListenAddress {
    struct Problem: Error {
        var message: String
    }

    static let defaultHost = "127.0.0.1"
    static let examples = "examples: 127.0.0.1:9797, [::1]:9797, 0.0.0.0:9797, or 9797 alone for 127.0.0.1"

    static func parse(_ text: String) -> Result<(host: String, port: Int), Problem> {
        let quoted = ConfigNodeReader.quote(text)
        let host: Substring
        let port: Substring
        if text.allSatisfy(\.isASCIIDigit) {
            (host, port) = (Substring(defaultHost), Substring(text))
        } else if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return .failure(Problem(message: "\(quoted) is not [IPv6]:PORT (\(examples))"))
            }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
            guard isIPv6(String(host)) else {
                return .failure(Problem(message: "\(quoted): \"\(host)\" is not an IPv6 address"))
            }
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                return .failure(Problem(message: "\(quoted) has no port (\(examples))"))
            }
            host = colon == text.startIndex ? Substring(defaultHost) : text[..<colon]
            port = text[text.index(after: colon)...]
            if host.contains(":") {
                return .failure(Problem(message: "\(quoted): an IPv6 address is written in brackets, as in [::1]:9797"))
            }
            guard isIPv4(String(host)) || (!host.allSatisfy { $0.isASCIIDigit || $0 == "." } && isHostName(host))
            else {
                return .failure(Problem(message: "\(quoted): \"\(host)\" is not an IP address or a host name"))
            }
        }
        guard !port.isEmpty, port.allSatisfy(\.isASCIIDigit), let number = Int(port), (0...65535).contains(number)
        else {
            // 0 asks the system for a free port; the daemon logs which one it got.
            return .failure(Problem(message: "\(quoted): the port must be a number from 0 to 65535 (0: any free port)"))
        }
        return .success((String(host), number))
    }

    /// 127.0.0.0/8, ::1 (also as ::ffff:127.x.y.z) or `localhost`.
    static func isLoopback(_ host: String) -> Bool {
        let lowered = host.lowercased()
        if lowered == "localhost" || lowered == "localhost." { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, host, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }
        let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff
        return mapped && bytes[12] == 127
    }

    private static func isIPv4(_ host: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, host, &address) == 1
    }

    private static func isIPv6(_ host: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, host, &address) == 1
    }

    /// Labels of letters, digits and `-`, joined by dots.
    private static func isHostName(_ host: Substring) -> Bool {
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        return !host.isEmpty && host.utf8.count <= 253
            && labels.enumerated().allSatisfy { index, label in
                // A final dot (a fully qualified name) leaves one empty label at the end.
                (label.isEmpty && index == labels.count - 1 && index > 0)
                    || (!label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                        && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
            }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
