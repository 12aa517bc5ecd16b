import FeedwatchState
import Foundation
import PostgresNIO

// The statements of a recording, prepared once per connection: a recording is a handful of round
// trips (BEGIN, the lock, one read, one write, COMMIT) and each statement is parsed and planned
// once per connection instead of once per document. Lists travel as arrays, taken apart with
// `unnest`, so a document of any size is the same statements.

/// Takes the feed's advisory lock until the end of the transaction. A statement of its own: a
/// statement sees the data as of its start, so the reads that must see a concurrent recording of
/// the feed (committed while this waited) have to come after it, in a later statement.
struct LockFeed: PostgresPreparedStatement {
    typealias Row = Int32
    static let sql = "SELECT 1::int4 FROM pg_advisory_xact_lock(hashtextextended($1, 0))"

    var feed: String

    func makeBindings() throws -> PostgresBindings { try binds("feed:" + feed) }
    func decodeRow(_ row: PostgresRow) throws -> Int32 { try row.decode(Int32.self) }
}

/// Everything a recording reads, in one statement: the feed's row (created when `create` and
/// missing), which of the items are seen, and which (rule, item) and (rule, story key) pairs fired.
/// One row per fact, tagged by `kind`: `feed` (id, first poll done as 0/1), `seen` (key, last
/// seen), `fired` and `story` (rule, key).
struct ReadLedgerFacts: PostgresPreparedStatement {
    typealias Row = (kind: String, rule: String, high: Int64, low: Int64, value: Int64)
    static let sql = """
        WITH existing AS (SELECT id, first_poll_done FROM feed WHERE name = $1),
        created AS (
            INSERT INTO feed (name) SELECT $1 WHERE $2 AND NOT EXISTS (SELECT FROM existing)
            ON CONFLICT (name) DO NOTHING RETURNING id, first_poll_done),
        feed_row AS (SELECT id, first_poll_done FROM existing UNION ALL SELECT id, first_poll_done FROM created)
        SELECT 'feed', '', id, 0::int8, first_poll_done::int4::int8 FROM feed_row
        UNION ALL
        SELECT 'seen', '', s.key_high, s.key_low, s.last_seen FROM feed_row JOIN seen_item s ON s.feed_id = feed_row.id
        WHERE (s.key_high, s.key_low) IN (SELECT * FROM unnest($3::int8[], $4::int8[]))
        UNION ALL
        SELECT 'fired', f.rule, f.key_high, f.key_low, 0 FROM feed_row JOIN fired f ON f.feed_id = feed_row.id
        WHERE (f.rule, f.key_high, f.key_low) IN (SELECT * FROM unnest($5::text[], $6::int8[], $7::int8[]))
        UNION ALL
        SELECT 'story', s.rule, s.key_high, s.key_low, 0 FROM story s WHERE s.at >= $11
        AND (s.rule, s.key_high, s.key_low) IN (SELECT * FROM unnest($8::text[], $9::int8[], $10::int8[]))
        """

    var feed: String
    var create: Bool
    var items: [KeyHash]
    var fired: [RuleKey]
    var stories: [RuleKey]
    /// Story keys older than this (Unix seconds) no longer hold a story back.
    var since: Int64

    func makeBindings() throws -> PostgresBindings {
        try binds(
            feed, create, items.map(\.highBits), items.map(\.lowBits),
            fired.map(\.rule), fired.map(\.key.highBits), fired.map(\.key.lowBits),
            stories.map(\.rule), stories.map(\.key.highBits), stories.map(\.key.lowBits), since)
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (kind, rule, high, low, value) = try row.decode((String, String, Int64, Int64, Int64).self)
        return (kind, rule, high, low, value)
    }
}

/// The item half of a recording: the feed's first poll, the new items, the refreshed ones.
struct WriteItems: PostgresPreparedStatement {
    typealias Row = Int32
    static let itemCTEs = """
        first_poll AS (UPDATE feed SET first_poll_done = true WHERE id = $1 AND $2 AND NOT first_poll_done),
        inserted AS (
            INSERT INTO seen_item (feed_id, key_high, key_low, last_seen)
            SELECT $1, h, l, $3 FROM unnest($4::int8[], $5::int8[]) AS t(h, l)
            ON CONFLICT DO NOTHING),
        refreshed AS (
            UPDATE seen_item SET last_seen = $3 WHERE feed_id = $1
            AND (key_high, key_low) IN (SELECT * FROM unnest($6::int8[], $7::int8[])))
        """
    static let sql = "WITH \(itemCTEs) SELECT 1::int4"

    var feedID: Int64
    var markFirstPoll: Bool
    var nowSeconds: Int64
    var inserted: [KeyHash]
    var refreshed: [KeyHash]

    func makeBindings() throws -> PostgresBindings {
        try binds(
            feedID, markFirstPoll, nowSeconds, inserted.map(\.highBits), inserted.map(\.lowBits),
            refreshed.map(\.highBits), refreshed.map(\.lowBits))
    }

    func decodeRow(_ row: PostgresRow) throws -> Int32 { try row.decode(Int32.self) }
}

/// A whole recording with alerts: the items as `WriteItems`, then each planned alert, which fires
/// only if it takes every one of its story keys (inserts the key, or renews one older than the
/// story window: a concurrent transaction holding the key makes this wait for its outcome) and
/// then inserts its (rule, feed, item) row; a fired alert is queued once per target.
///
/// The rows returned: one per outbox entry written (`PostgresOutboxRow.columns`, then a null), and
/// one per alert that fired (nulls, then its alert id).
struct WriteItemsAndAlerts: PostgresPreparedStatement {
    typealias Row = (firedAlertID: String?, entry: OutboxEntry?)
    static let sql = """
        WITH \(WriteItems.itemCTEs),
        alert AS (
            SELECT * FROM unnest($8::text[], $9::int8[], $10::int8[], $11::text[])
            WITH ORDINALITY AS a(rule, h, l, alert_id, n)),
        story_key AS (
            SELECT k.n, alert.rule, k.h, k.l FROM unnest($12::int8[], $13::int8[], $14::int8[]) AS k(n, h, l)
            JOIN alert ON alert.n = k.n),
        claimed AS (
            INSERT INTO story AS s (rule, key_high, key_low, at) SELECT rule, h, l, $3 FROM story_key ORDER BY n
            ON CONFLICT (rule, key_high, key_low) DO UPDATE SET at = excluded.at WHERE s.at < $15
            RETURNING s.rule, s.key_high, s.key_low),
        fires AS (
            SELECT * FROM alert WHERE NOT EXISTS (
                SELECT FROM story_key k WHERE k.n = alert.n AND NOT EXISTS (
                    SELECT FROM claimed c WHERE c.rule = k.rule AND c.key_high = k.h AND c.key_low = k.l))),
        fired_now AS (
            INSERT INTO fired (rule, feed_id, key_high, key_low, alert_id, at)
            SELECT rule, $1, h, l, alert_id, $3 FROM fires ORDER BY n
            ON CONFLICT DO NOTHING RETURNING alert_id),
        queued AS (
            INSERT INTO outbox (alert_id, target, payload, status, attempts, next_attempt, created_at, shaped)
            SELECT alert.alert_id, t.target, t.payload, 'pending', 0, $19, $19, false
            FROM unnest($16::int8[], $17::text[], $18::bytea[]) WITH ORDINALITY AS t(n, target, payload, o)
            JOIN alert ON alert.n = t.n
            WHERE alert.alert_id IN (SELECT alert_id FROM fired_now)
            ORDER BY t.o
            ON CONFLICT (alert_id, target) DO NOTHING RETURNING \(PostgresOutboxRow.columns))
        SELECT \(PostgresOutboxRow.columns), NULL::text FROM queued
        UNION ALL
        SELECT \(PostgresOutboxRow.names.map { _ in "NULL" }.joined(separator: ", ")), alert_id FROM fired_now
        """

    var items: WriteItems
    var alerts: [PlannedAlert]
    var since: Int64
    var at: Double

    func makeBindings() throws -> PostgresBindings {
        var bindings = try items.makeBindings()
        let alertRules = alerts.map(\.candidate.rule)
        bindings.append(alertRules)
        bindings.append(alerts.map(\.item.highBits))
        bindings.append(alerts.map(\.item.lowBits))
        bindings.append(alerts.map(\.candidate.alertID))
        // Story keys and targets point at their alert by its position (1-based, as ORDINALITY).
        var keyAlert: [Int64] = []
        var keys: [KeyHash] = []
        var targetAlert: [Int64] = []
        var targets: [String] = []
        var payloads: [ByteBuffer] = []
        for (index, alert) in alerts.enumerated() {
            for key in Self.storyKeys(alert) {
                keyAlert.append(Int64(index + 1))
                keys.append(key)
            }
            let payload = ByteBuffer(bytes: alert.candidate.payload)
            for target in alert.candidate.targets {
                targetAlert.append(Int64(index + 1))
                targets.append(target)
                payloads.append(payload)
            }
        }
        bindings.append(keyAlert)
        bindings.append(keys.map(\.highBits))
        bindings.append(keys.map(\.lowBits))
        bindings.append(since)
        bindings.append(targetAlert)
        bindings.append(targets)
        bindings.append(payloads)
        bindings.append(at)
        return bindings
    }

    /// An alert's story keys, each once: a link key equal to the title key is one key to take.
    static func storyKeys(_ alert: PlannedAlert) -> [KeyHash] {
        var keys: [KeyHash] = []
        for key in [alert.linkKey, alert.titleKey].compactMap({ $0 }) where !keys.contains(key) { keys.append(key) }
        return keys
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let cells = row.makeRandomAccess()
        if let alertID = try cells[PostgresOutboxRow.names.count].decode(String?.self) { return (alertID, nil) }
        return (nil, try PostgresOutboxRow.entry(row))
    }
}

/// The keys among some of a feed's items that the feed has seen: one statement, the feed found by name.
struct SeenKeys: PostgresPreparedStatement {
    typealias Row = KeyHash
    static let sql = """
        SELECT s.key_high, s.key_low FROM feed f JOIN seen_item s ON s.feed_id = f.id WHERE f.name = $1
        AND (s.key_high, s.key_low) IN (SELECT * FROM unnest($2::int8[], $3::int8[]))
        """

    var feed: String
    var keys: [KeyHash]

    func makeBindings() throws -> PostgresBindings { try binds(feed, keys.map(\.highBits), keys.map(\.lowBits)) }

    func decodeRow(_ row: PostgresRow) throws -> KeyHash {
        let (high, low) = try row.decode((Int64, Int64).self)
        return KeyHash(highBits: high, lowBits: low)
    }
}
