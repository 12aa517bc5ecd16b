import GRDB

/// Multi-row statements for the recorder's hot path. One statement per row costs a bind-step-reset
/// round trip through GRDB each; one per batch amortises it. Batches come in a few fixed sizes so
/// that the statement cache holds a handful of statements, not one per document length.
enum BatchedStatements {
    /// The largest batch: 64 rows of an insert, 512 keys of an `IN` list.
    static let maxInsertRows = 64
    static let maxInKeys = 512

    /// Splits `count` rows into batches of `maxInsertRows`, then powers of two: at most 7 sizes.
    static func insertBatchSizes(_ count: Int) -> [Int] {
        var sizes: [Int] = []
        var remaining = count
        while remaining >= maxInsertRows {
            sizes.append(maxInsertRows)
            remaining -= maxInsertRows
        }
        var size = maxInsertRows / 2
        while remaining > 0 {
            if remaining >= size {
                sizes.append(size)
                remaining -= size
            }
            size /= 2
        }
        return sizes
    }

    /// The power of two at or above `count` (at most `maxInKeys`): an `IN` list is padded to it by
    /// repeating its last key, which changes no answer.
    static func inListSize(_ count: Int) -> Int {
        var size = 1
        while size < count { size *= 2 }
        return size
    }

    /// `?first, ?first+1, …` — `count` numbered parameters.
    static func numbered(from first: Int, count: Int) -> String {
        (first..<(first + count)).map { "?\($0)" }.joined(separator: ",")
    }

    /// `INSERT INTO seen_item … VALUES (?1, ?3, ?2), (?1, ?4, ?2), …` for `rows` rows: the feed id
    /// and the time are bound once.
    static func insertSeen(rows: Int) -> String {
        "INSERT INTO seen_item (feed_id, key_hash, last_seen) VALUES "
            + (0..<rows).map { "(?1,?\($0 + 3),?2)" }.joined(separator: ",")
    }

    /// The seen keys among `keys` keys of a feed (?1), with their last-seen time.
    static func selectSeen(keys: Int) -> String {
        "SELECT key_hash, last_seen FROM seen_item WHERE feed_id = ?1 AND key_hash IN (\(numbered(from: 2, count: keys)))"
    }

    /// The seen keys among `keys` keys of the feed named ?1, with their last-seen time.
    static func selectSeenByFeedName(keys: Int) -> String {
        "SELECT key_hash, last_seen FROM seen_item WHERE feed_id = (SELECT id FROM feed WHERE name = ?1) "
            + "AND key_hash IN (\(numbered(from: 2, count: keys)))"
    }

    /// Sets last_seen (?1) of `keys` keys of a feed (?2).
    static func refreshSeen(keys: Int) -> String {
        "UPDATE seen_item SET last_seen = ?1 WHERE feed_id = ?2 AND key_hash IN (\(numbered(from: 3, count: keys)))"
    }
}
