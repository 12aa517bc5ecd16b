import Yams

/// `http:` (SPEC §8) and `database:` (SPEC §9): what the daemon serves and where the state lives.
/// Both hold secrets (the token; the password in the URI): no message quotes them.
extension ConfigBuilder {
    static let httpKeys = ["listen", "token"]

    mutating func httpListener(_ entry: (key: Node, value: Node)?) -> HTTPListenerConfig? {
        guard let node = entry?.value, !ConfigNodeReader.isNull(node),
            let entries = reader.mapping(node, "http", known: Self.httpKeys)
        else { return nil }
        guard let listenNode = entries.value("listen") else {
            reader.report(node, "http", "missing listen: (for example listen: 127.0.0.1:9797)")
            return nil
        }
        guard let listen = reader.string(listenNode, "http.listen") else { return nil }
        let address: (host: String, port: Int)
        switch ListenAddress.parse(listen) {
        case .success(let value): address = value
        case .failure(let problem):
            reader.report(listenNode, "http.listen", problem.message)
            return nil
        }
        var token: String?
        var unset: [String] = []
        let tokenNode = entries.value("token").flatMap { ConfigNodeReader.isNull($0) ? nil : $0 }
        if let tokenNode {
            let skippedBefore = reader.skippedVariables.count
            token = reader.string(tokenNode, "http.token", secret: true)
            unset = Array(reader.skippedVariables[skippedBefore...])
            if token == "" {
                reader.report(tokenNode, "http.token", "is empty")
            } else if let value = token, value.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F })
            {
                reader.report(tokenNode, "http.token", "must be one word: no spaces, line breaks or control characters")
            }
        }
        let listener = HTTPListenerConfig(host: address.host, port: address.port, token: token, unsetVariables: unset)
        if tokenNode == nil && !listener.isLoopback {
            reader.report(
                listenNode, "http.listen",
                "\(ConfigNodeReader.quote(listen)) is reachable from other machines: set http.token too (requests then "
                    + "need Authorization: Bearer TOKEN), or listen on a loopback address (127.0.0.1, ::1, localhost)")
        }
        return listener
    }

    static let databaseKeys = ["url", "lease"]

    /// `database: URI`, or `database: {url: URI, lease: 60s}` to choose the lease period: how long a
    /// feed (or a claimed delivery) of an instance that died waits before another instance takes it.
    mutating func database(_ entry: (key: Node, value: Node)?) -> DatabaseConfig? {
        guard let node = entry?.value, !ConfigNodeReader.isNull(node) else { return nil }
        var uriNode = node
        var lease: Double?
        if case .mapping = node {
            guard let entries = reader.mapping(node, "database", known: Self.databaseKeys) else { return nil }
            guard let url = entries.value("url") else {
                reader.report(node, "database", "missing url: (for example url: postgres://feedwatch@db/feedwatch)")
                return nil
            }
            uriNode = url
            if let leaseNode = entries.value("lease") {
                guard let value = reader.duration(leaseNode, "database.lease", minimum: 1) else { return nil }
                lease = value
            }
        }
        guard let uri = reader.string(uriNode, "database", secret: true) else { return nil }
        switch DatabaseURI.parse(uri) {
        case .success(var database):
            if let lease { database.leasePeriod = lease }
            return database
        case .failure(let problem):
            reader.report(uriNode, "database", problem.message)
            return nil
        }
    }
}
