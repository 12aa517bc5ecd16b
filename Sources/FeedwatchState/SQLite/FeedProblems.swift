import Foundation
import GRDB

/// The feed states the status listener asks for (SPEC §8): a page of named feeds, and the feeds in
/// trouble. Both read only the rows they return, through indexes (schema v9), however many feeds
/// the store holds.
extension SQLiteStateStore {
    /// The states of the feeds named in `names` that the store knows, by name.
    public func feedStates(named names: [String]) throws -> [String: FeedState] {
        guard !names.isEmpty else { return [:] }
        return try read { db in
            var states: [String: FeedState] = [:]
            for chunk in names.chunked(by: 500) {
                let list = placeholders(chunk.count)
                let rows = try Row.fetchAll(
                    db, sql: "SELECT \(FeedState.columns) FROM \(FeedState.tables) WHERE name IN (\(list))",
                    arguments: StatementArguments(Array(chunk)))
                for row in rows {
                    let state = FeedState(row: row)
                    states[state.name] = state
                }
            }
            return states
        }
    }

    /// Every feed that answered 410 Gone, is failing, or (with `silentBefore`) has brought no new
    /// item since then, whether or not the configuration still lists it; by name.
    public func troubledFeedStates(silentBefore: Date?) throws -> [FeedState] {
        try read { db in
            // One indexed look per kind of trouble; a UNION would be planned as a walk of every feed
            // in name order, to merge them.
            var sql = """
                SELECT \(FeedState.columns) FROM \(FeedState.tables) WHERE gone = 1
                UNION ALL SELECT \(FeedState.columns) FROM \(FeedState.tables) WHERE failing_since IS NOT NULL
                """
            var arguments: StatementArguments = []
            if let silentBefore {
                sql += "\nUNION ALL SELECT \(FeedState.columns) FROM \(FeedState.tables) WHERE last_new_item < ?"
                arguments = [silentBefore.timeIntervalSince1970]
            }
            var byName: [String: FeedState] = [:]
            for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
                let state = FeedState(row: row)
                byName[state.name] = state
            }
            return byName.values.sorted { $0.name < $1.name }
        }
    }
}
