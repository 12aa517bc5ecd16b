/// Reads a libpq connection URI (`postgres[ql]://[user[:password]@][host][:port][,…][/name][?param=value&…]`)
/// into a `DatabaseConfig`. The URI may hold a password: no message quotes any part of it.
enum DatabaseURI {
    struct Problem: Error {
        var message: String
    }

    static let schemes = ["postgresql://", "postgres://"]
    /// libpq's connection parameters (PostgreSQL 16), which the query may set.
    static let parameters = [
        "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "require_auth", "channel_binding",
        "connect_timeout", "client_encoding", "options", "application_name", "fallback_application_name",
        "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
        "replication", "gssencmode", "sslmode", "requiressl", "sslcompression", "sslcert", "sslkey", "sslpassword",
        "sslcertmode", "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer", "ssl_min_protocol_version",
        "ssl_max_protocol_version", "krbsrvname", "gsslib", "gssdelegation", "service", "target_session_attrs",
        "load_balance_hosts",
    ]
    static let sslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
    static let example = "postgres://feedwatch@db.example.org/feedwatch"

    static func parse(_ uri: String) -> Result<DatabaseConfig, Problem> {
        do {
            return .success(try read(uri))
        } catch {
            return .failure(error)
        }
    }

    private static func read(_ uri: String) throws(Problem) -> DatabaseConfig {
        guard let scheme = schemes.first(where: { uri.hasPrefix($0) }) else {
            throw Problem(message: "not a PostgreSQL URI: it starts with postgres:// or postgresql:// (\(example))")
        }
        var rest = Substring(uri.dropFirst(scheme.count))
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        let slash = rest.firstIndex(of: "/")
        let authority = rest[..<(slash ?? rest.endIndex)]
        let path = slash.map { rest[rest.index(after: $0)...] } ?? ""

        var user: String?
        var password: String?
        var hostList = authority
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostList = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                user = try decoded(userInfo[..<colon], "the user")
                password = try decoded(userInfo[userInfo.index(after: colon)...], "the password")
            } else {
                user = try decoded(userInfo, "the user")
            }
        }
        var servers = try hostList.split(separator: ",", omittingEmptySubsequences: false).map(server)
        var name = try decoded(path, "the database name")
        var parameters: [String: String] = [:]
        for (index, pair) in query.split(separator: "&").enumerated() {
            guard let equals = pair.firstIndex(of: "=") else {
                throw Problem(message: "query parameter \(index + 1) has no value (write NAME=VALUE)")
            }
            let key = try decoded(pair[..<equals], "a query parameter")
            guard Self.parameters.contains(key) else {
                let hint = KeySuggestion.nearest(to: key, in: Self.parameters).map { " (did you mean \($0)?)" } ?? ""
                throw Problem(message: "query parameter \(index + 1) is not a libpq parameter\(hint)")
            }
            parameters[key] = try decoded(pair[pair.index(after: equals)...], "the value of \(key)")
        }
        // Parameters in the query win over the parts of the URI, as with libpq.
        if let value = parameters["dbname"] { name = value }
        if let value = parameters["user"] { user = value }
        if let value = parameters["password"] { password = value }
        if let value = parameters["host"] { servers = [.init(host: value, port: servers[0].port)] }
        if let value = parameters["port"] { servers[0].port = try port(Substring(value)) }
        if let mode = parameters["sslmode"], !sslModes.contains(mode) {
            throw Problem(message: "sslmode must be one of \(sslModes.joined(separator: ", "))")
        }
        guard !name.isEmpty else {
            throw Problem(message: "the database name is missing: end the URI with /NAME, as in \(example)")
        }
        return DatabaseConfig(
            uri: uri, servers: servers, user: user.flatMap { $0.isEmpty ? nil : $0 }, password: password, name: name,
            parameters: parameters)
    }

    /// `host`, `host:port`, `[IPv6]:port`, or nothing (the local socket).
    private static func server(_ text: Substring) throws(Problem) -> DatabaseConfig.Server {
        var host = text
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw Problem(message: "an IPv6 address has no closing ]")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw Problem(message: "] must be followed by :PORT or nothing") }
                portText = after.dropFirst()
            }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        let port = try portText.map(port) ?? DatabaseConfig.defaultPort
        return DatabaseConfig.Server(host: try decoded(host, "the host"), port: port)
    }

    private static func port(_ text: Substring) throws(Problem) -> Int {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(text),
            (1...65535).contains(port)
        else { throw Problem(message: "the port must be a number from 1 to 65535") }
        return port
    }

    /// `%XX` escapes decoded (a password may hold any character).
    private static func decoded(_ text: Substring, _ what: String) throws(Problem) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let first = utf8.index(after: index)
                guard first < utf8.endIndex, utf8.index(after: first) < utf8.endIndex,
                    let high = hexValue(utf8[first]), let low = hexValue(utf8[utf8.index(after: first)])
                else {
                    throw Problem(message: "\(what) holds a % that is not followed by two hex digits (write % as %25)")
                }
                bytes.append(high << 4 | low)
                index = utf8.index(first, offsetBy: 2)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        guard let value = String(validating: bytes, as: UTF8.self) else {
            throw Problem(message: "\(what) is not UTF-8 once its %-escapes are decoded")
        }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
