import FeedwatchConfig
import FeedwatchPostgres
import FeedwatchState
import Foundation
import Logging

/// Opens the state the configuration names: the SQLite file in `state_dir`, or the PostgreSQL
/// database of `database:` shared by several instances (SPEC §9). The one place that chooses.
enum StoreOpener {
    /// - Parameter mode: `.readWrite` for the daemon and `once`, `.readOnly` for commands that
    ///   only look, `.maintenance` for short writes beside a running daemon (`outbox retry`).
    static func open(_ config: Config, mode: SQLiteStateStore.Mode, logger: Logger) async throws -> any StateStore {
        guard let database = config.database else {
            return try SQLiteStateStore(directory: config.stateDirectory, mode: mode)
        }
        return try await PostgresStateStore.connect(settings(database), readOnly: mode == .readOnly, logger: logger)
    }

    /// What `database:` says, as the PostgreSQL client takes it. No host, or a `host=` parameter
    /// that is a folder, is a Unix socket there (libpq's default folder, /run/postgresql, on
    /// Debian); a missing user is the one running feedwatch, as with psql.
    static func settings(_ database: DatabaseConfig) -> PostgresSettings {
        let socketFolder =
            database.host.hasPrefix("/") ? database.host : database.host.isEmpty ? "/run/postgresql" : nil
        return PostgresSettings(
            host: database.host.isEmpty ? "localhost" : database.host, port: database.port,
            user: database.user ?? ProcessInfo.processInfo.userName, password: database.password,
            database: database.name, tls: .init(sslmode: database.parameters["sslmode"]),
            connectTimeout: database.parameters["connect_timeout"].flatMap(TimeInterval.init).map { max(1, $0) } ?? 10,
            leasePeriod: database.leasePeriod, location: database.description,
            socketPath: socketFolder.map { "\($0)/.s.PGSQL.\(database.port)" })
    }
}
