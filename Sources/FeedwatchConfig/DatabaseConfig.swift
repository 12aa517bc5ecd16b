/// `database:` (SPEC §9): the PostgreSQL server that holds the state shared by several instances,
/// as a libpq connection URI (`postgres://user:password@host:5432/name?sslmode=require`).
///
/// The URI is a secret as a whole (it may hold the password): `description` and every message name
/// only the host, port and database.
public struct DatabaseConfig: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// One server of the URI (libpq accepts a comma-separated list, tried in turn).
    public struct Server: Sendable, Equatable {
        /// A host name or address (IPv6 without brackets); empty for libpq's default, the local socket.
        public var host: String
        public var port: Int

        public init(host: String, port: Int = DatabaseConfig.defaultPort) {
            self.host = host
            self.port = port
        }
    }

    /// The URI as written, `${VAR}`s expanded: what a PostgreSQL client connects with.
    public var uri: String
    /// At least one.
    public var servers: [Server]
    public var user: String?
    public var password: String?
    /// The database name.
    public var name: String
    /// The query parameters (`sslmode`, `connect_timeout`, `application_name`…), decoded.
    public var parameters: [String: String]

    /// How long an instance holds a feed's lease (and a delivery's claim) without renewing it: an
    /// instance that dies has its feeds and deliveries taken over by the others within this.
    public var leasePeriod: Double = 60

    public static let defaultPort = 5432

    public init(
        uri: String, servers: [Server], user: String? = nil, password: String? = nil, name: String,
        parameters: [String: String] = [:]
    ) {
        self.uri = uri
        self.servers = servers
        self.user = user
        self.password = password
        self.name = name
        self.parameters = parameters
    }

    /// The first server's host.
    public var host: String { servers[0].host }
    /// The first server's port.
    public var port: Int { servers[0].port }

    /// `db.example.org:5432/feedwatch`: where, never who or with what password.
    public var description: String {
        let servers = servers.map { server in
            let host =
                server.host.isEmpty ? "local socket" : server.host.contains(":") ? "[\(server.host)]" : server.host
            return "\(host):\(server.port)"
        }
        return servers.joined(separator: ",") + "/" + name
    }

    public var debugDescription: String { "DatabaseConfig(\(description))" }
}
