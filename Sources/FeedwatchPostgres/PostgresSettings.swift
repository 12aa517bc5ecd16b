import Foundation
import PostgresNIO

/// Where the shared state is and how to reach it: what `database:` says, decoded.
public struct PostgresSettings: Sendable {
    /// libpq's `sslmode`, as far as a client without certificate files can honour it.
    public enum TLSMode: Sendable {
        /// `sslmode=disable`.
        case disable
        /// `allow`, `prefer` (libpq's default): TLS when the server offers it.
        case prefer
        /// `require`, `verify-ca`, `verify-full`: TLS or no connection, the certificate verified.
        case require

        public init(sslmode: String?) {
            switch sslmode {
            case "disable": self = .disable
            case "require", "verify-ca", "verify-full": self = .require
            default: self = .prefer
            }
        }

        /// For the single connection that checks the server at start.
        func connectionTLS() throws -> PostgresConnection.Configuration.TLS {
            switch self {
            case .disable: return .disable
            case .prefer: return .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: return .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        }

        var clientTLS: PostgresClient.Configuration.TLS {
            switch self {
            case .disable: return .disable
            case .prefer: return .prefer(.makeClientConfiguration())
            case .require: return .require(.makeClientConfiguration())
            }
        }
    }

    public var host: String
    public var port: Int
    /// A Unix socket to connect through instead of `host` (libpq's `host=/run/postgresql`, or no host).
    public var socketPath: String?
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// `connect_timeout` of the URI, 10 s by default.
    public var connectTimeout: TimeInterval
    /// `database.lease`.
    public var leasePeriod: TimeInterval
    /// Connections the daemon may hold: polls record in parallel, deliveries settle beside them.
    public var maximumConnections: Int
    /// `host:port/database`, for messages.
    public var location: String

    public init(
        host: String, port: Int, user: String, password: String?, database: String, tls: TLSMode = .prefer,
        connectTimeout: TimeInterval = 10, leasePeriod: TimeInterval = 60, maximumConnections: Int = 8,
        location: String? = nil, socketPath: String? = nil
    ) {
        self.socketPath = socketPath
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.leasePeriod = leasePeriod
        self.maximumConnections = maximumConnections
        self.location = location ?? "\(host):\(port)/\(database)"
    }
}
