import Foundation

/// The SQLite store is one process's: the state directory's lock keeps a second daemon out, so
/// every feed is this process's to poll and nothing is shared.
extension SQLiteStateStore: StateStore {
    public var location: String { databasePath }
    public var isShared: Bool { false }
    public var leasePeriod: TimeInterval { .infinity }

    public func registerFeeds(_ names: [String]) throws {}

    public func balanceLeases(feedCount: Int) throws -> FeedLeaseChange { FeedLeaseChange(held: feedCount) }

    public func releaseAllLeases() throws {}
}
