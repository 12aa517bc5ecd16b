import FeedwatchState
import Foundation
import Logging
import PostgresNIO

/// The versioned schema, like the SQLite one: migrations are append-only, applied in one
/// transaction under an advisory lock (two instances starting together migrate once), and a
/// database that has migrations this build does not know is refused.
///
/// The tables mirror SQLite's. Item and story keys are the same 16-byte hashes, held as two
/// `bigint`s (compact, and compared without a byte array); times are Unix seconds. What sharing
/// adds: `story` (one row per rule and story key, so the database itself lets one instance fire a
/// story), `feed_lease` and `instance` (who polls what), and the claim columns of `outbox`.
enum PostgresSchema {
    static let migrations: [(id: String, sql: String)] = [("v1-initial", v1)]

    /// Any constant: the advisory lock that serialises migrations across instances.
    static let migrationLock: Int64 = 0x6665_6564_7761_7401

    static func prepare(_ client: PostgresClient, readOnly: Bool, location: String, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { connection in
            if !readOnly {
                try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
                try await connection.query(
                    "CREATE TABLE IF NOT EXISTS feedwatch_migration (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                    logger: logger)
            }
            var applied = Set<String>()
            let exists = try await connection.query(
                "SELECT to_regclass('feedwatch_migration') IS NOT NULL", logger: logger
            ).collect().first?.decode(Bool.self) ?? false
            if exists {
                for try await id in try await connection.query("SELECT id FROM feedwatch_migration", logger: logger)
                    .decode(String.self)
                {
                    applied.insert(id)
                }
            }
            let known = Set(migrations.map(\.id))
            let unknown = applied.subtracting(known)
            if !unknown.isEmpty {
                throw StateError.newerSchema(path: location, unknownMigrations: unknown.sorted())
            }
            let missing = migrations.filter { !applied.contains($0.id) }
            if readOnly {
                if !missing.isEmpty {
                    throw StateError.database(
                        path: location, message: "no state yet, or written by an older feedwatch: run `feedwatch run` once")
                }
                return
            }
            for migration in missing {
                // One statement a query: the extended protocol takes no more.
                for statement in migration.sql.split(separator: ";") where !statement.allSatisfy(\.isWhitespace) {
                    try await connection.query(PostgresQuery(unsafeSQL: String(statement)), logger: logger)
                }
                try await connection.query("INSERT INTO feedwatch_migration (id) VALUES (\(migration.id))", logger: logger)
            }
        }
    }

    static let v1 = """
        CREATE TABLE feed (
            id bigserial PRIMARY KEY,
            name text NOT NULL UNIQUE,
            url text,
            configured_url text,
            etag text,
            last_modified text,
            last_poll double precision,
            last_status text,
            consecutive_errors integer NOT NULL DEFAULT 0,
            next_due double precision,
            gone boolean NOT NULL DEFAULT false,
            first_poll_done boolean NOT NULL DEFAULT false,
            failing_since double precision,
            last_new_item double precision
        );
        CREATE INDEX feed_failing ON feed (failing_since) WHERE failing_since IS NOT NULL;
        CREATE INDEX feed_gone ON feed (name) WHERE gone;
        CREATE INDEX feed_by_last_new_item ON feed (last_new_item);

        CREATE TABLE seen_item (
            feed_id bigint NOT NULL,
            key_high bigint NOT NULL,
            key_low bigint NOT NULL,
            last_seen bigint NOT NULL,
            PRIMARY KEY (feed_id, key_high, key_low)
        );
        CREATE INDEX seen_item_by_last_seen ON seen_item (last_seen);

        CREATE TABLE fired (
            rule text NOT NULL,
            feed_id bigint NOT NULL,
            key_high bigint NOT NULL,
            key_low bigint NOT NULL,
            alert_id text NOT NULL,
            at bigint NOT NULL,
            PRIMARY KEY (rule, feed_id, key_high, key_low)
        );
        CREATE INDEX fired_by_at ON fired (at);
        CREATE INDEX fired_by_rule_at ON fired (rule, at);

        CREATE TABLE story (
            rule text NOT NULL,
            key_high bigint NOT NULL,
            key_low bigint NOT NULL,
            at bigint NOT NULL,
            PRIMARY KEY (rule, key_high, key_low)
        );
        CREATE INDEX story_by_at ON story (at);

        CREATE TABLE outbox (
            id bigserial PRIMARY KEY,
            alert_id text NOT NULL,
            target text NOT NULL,
            payload bytea NOT NULL,
            status text NOT NULL,
            attempts integer NOT NULL DEFAULT 0,
            next_attempt double precision NOT NULL,
            last_error text,
            created_at double precision NOT NULL,
            delivered_at double precision,
            http_status integer,
            retry_from double precision,
            group_key text,
            hold text,
            shaped boolean NOT NULL DEFAULT false,
            claimed_by text,
            claimed_until double precision,
            UNIQUE (alert_id, target)
        );
        CREATE INDEX outbox_due ON outbox (target, next_attempt) WHERE status IN ('pending', 'inflight') AND shaped;
        CREATE INDEX outbox_unshaped ON outbox (id) WHERE NOT shaped;
        CREATE INDEX outbox_by_status ON outbox (status, next_attempt);
        CREATE INDEX outbox_by_group ON outbox (group_key) WHERE group_key IS NOT NULL;
        CREATE INDEX outbox_by_created ON outbox (created_at);
        CREATE INDEX outbox_by_delivered_at ON outbox (delivered_at) WHERE delivered_at IS NOT NULL;

        CREATE TABLE feed_lease (
            feed text PRIMARY KEY,
            holder text NOT NULL DEFAULT '',
            expires_at double precision NOT NULL DEFAULT 0
        );
        CREATE INDEX feed_lease_by_expiry ON feed_lease (expires_at);
        CREATE INDEX feed_lease_by_holder ON feed_lease (holder);

        CREATE TABLE instance (
            id text PRIMARY KEY,
            seen_at double precision NOT NULL
        );
        """
}
