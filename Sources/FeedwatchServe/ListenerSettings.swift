/// Where the operator's HTTP listener listens and what it asks of a client (SPEC §8, `http:`).
public struct ListenerSettings: Sendable, Equatable {
    /// The address to bind: `127.0.0.1`, `::1`, `0.0.0.0`, or a host name.
    public var host: String
    /// The TCP port; 0 lets the kernel choose one (`makeListener`'s `onBound` receives it).
    public var port: Int
    /// With a token, every request must carry `Authorization: Bearer TOKEN`; nil serves anyone who
    /// can connect (the configuration allows that only on a loopback address).
    public var token: String?

    public init(host: String, port: Int, token: String?) {
        self.host = host
        self.port = port
        self.token = token
    }
}
