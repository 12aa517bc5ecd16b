import Foundation

/// The SQLite store is one process's: the state directory's lock keeps a second daemon out, so
/// every feed is this process's to poll and nothing is shared.
extension SQLiteStateStore: StateStore {
    public var location: String { databasePath }
    public var isShared: Bool { false }

    public func balanceLeases(candidates: [String], feedCount: Int, now: Date) throws -> FeedLeaseChange {
        FeedLeaseChange(gained: candidates, held: candidates.count)
    }

    public func releaseAllLeases() throws {}
}
