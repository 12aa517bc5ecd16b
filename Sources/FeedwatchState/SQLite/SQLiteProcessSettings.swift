import CSQLite

/// SQLite's process-wide settings, applied once before the first connection opens.
enum SQLiteProcessSettings {
    /// Memory statistics off: with them on, every allocation and free SQLite makes takes a global
    /// mutex to count bytes, which the store never reads (about 2 % of `once`'s CPU went to it).
    /// SQLite accepts the setting only before it initialises; later calls change nothing.
    static let applied: Void = {
        _ = feedwatch_sqlite3_config_memstatus(0)
    }()
}
