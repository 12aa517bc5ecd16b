/// `http:` (SPEC §8): where the read-only HTTP listener listens and the token it requires.
public struct HTTPListenerConfig: Sendable, Equatable, CustomStringConvertible {
    /// An IPv4 or IPv6 address (without brackets) or a host name, as written; `127.0.0.1` when
    /// `listen:` gives only a port.
    public var host: String
    public var port: Int
    /// Every request must carry `Authorization: Bearer TOKEN` when set. A secret: never printed.
    public var token: String?
    /// The `${VAR}`s found unset in `token:` when loaded with `unsetDestinationSecrets: .allowed`
    /// (commands that only read the state); such a configuration must never be served with.
    public var unsetVariables: [String] = []

    public init(host: String, port: Int, token: String? = nil, unsetVariables: [String] = []) {
        self.host = host
        self.port = port
        self.token = token
        self.unsetVariables = unsetVariables
    }

    /// `127.0.0.1:9797`, `[::1]:9797`: the address as written in `listen:` and in messages.
    public var address: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Whether only this machine can connect: 127.0.0.0/8, ::1 (also as ::ffff:127.x.y.z) or `localhost`.
    public var isLoopback: Bool { ListenAddress.isLoopback(host) }

    /// The address and whether a token is required; never the token.
    public var description: String {
        "\(address), " + (token != nil || !unsetVariables.isEmpty ? "token required" : "no token")
    }
}
