import GRDB

/// The versioned schema. Migrations are append-only: a released one is never edited, a change is a
/// new migration, so that every older database upgrades in place and a newer one is recognised.
enum Schema {
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-initial") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2-outbox-delivery-record") { db in
            try db.execute(sql: v2)
        }
        migrator.registerMigration("v3-feed-configured-url") { db in
            try db.execute(sql: v3)
        }
        migrator.registerMigration("v4-outbox-retry-window") { db in
            try db.execute(sql: v4)
        }
        migrator.registerMigration("v5-outbox-shaping") { db in
            try db.execute(sql: v5)
        }
        migrator.registerMigration("v6-alert-history") { db in
            try db.execute(sql: v6)
        }
        migrator.registerMigration("v7-feed-health") { db in
            try db.execute(sql: v7)
        }
        migrator.registerMigration("v8-outbox-due-by-target") { db in
            try db.execute(sql: v8)
        }
        migrator.registerMigration("v9-status-queries") { db in
            try db.execute(sql: v9)
        }
        migrator.registerMigration("v10-feed-schedule") { db in
            try db.execute(sql: v10)
        }
        return migrator
    }()

    /// Feeds are referred to by a small integer so that the million-row tables do not repeat names.
    /// Item keys and story keys are stored as 16-byte SHA-256 prefixes: keys can be long URLs, and
    /// only equality is ever asked of them. Times in the big tables are whole Unix seconds.
    static let v1 = """
        CREATE TABLE feed (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            url TEXT,
            etag TEXT,
            last_modified TEXT,
            last_poll REAL,
            last_status TEXT,
            consecutive_errors INTEGER NOT NULL DEFAULT 0,
            next_due REAL,
            gone INTEGER NOT NULL DEFAULT 0,
            first_poll_done INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE seen_item (
            feed_id INTEGER NOT NULL,
            key_hash BLOB NOT NULL,
            last_seen INTEGER NOT NULL,
            PRIMARY KEY (feed_id, key_hash)
        ) WITHOUT ROWID;
        CREATE INDEX seen_item_by_last_seen ON seen_item(last_seen);
        CREATE TABLE fired (
            rule TEXT NOT NULL,
            feed_id INTEGER NOT NULL,
            key_hash BLOB NOT NULL,
            alert_id TEXT NOT NULL,
            link_key BLOB,
            title_key BLOB,
            at INTEGER NOT NULL,
            PRIMARY KEY (rule, feed_id, key_hash)
        ) WITHOUT ROWID;
        CREATE INDEX fired_by_link ON fired(rule, link_key, at) WHERE link_key IS NOT NULL;
        CREATE INDEX fired_by_title ON fired(rule, title_key, at) WHERE title_key IS NOT NULL;
        CREATE INDEX fired_by_at ON fired(at);
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            alert_id TEXT NOT NULL,
            target TEXT NOT NULL,
            payload BLOB NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt REAL NOT NULL,
            last_error TEXT,
            created_at REAL NOT NULL,
            UNIQUE (alert_id, target)
        );
        CREATE INDEX outbox_by_status ON outbox(status, next_attempt);
        """

    /// v2 records when and how a delivery succeeded, so that delivered rows are pruned a week after
    /// delivery (not after creation) and `outbox` can show the receiver's status.
    static let v2 = """
        ALTER TABLE outbox ADD COLUMN delivered_at REAL;
        ALTER TABLE outbox ADD COLUMN http_status INTEGER;
        CREATE INDEX outbox_by_delivered_at ON outbox(delivered_at) WHERE delivered_at IS NOT NULL;
        """

    /// The URL the configuration gave when the state was saved: when the user changes it, the
    /// validators, the remembered redirect and a 410 stop belong to the old URL and are dropped.
    static let v3 = """
        ALTER TABLE feed ADD COLUMN configured_url TEXT;
        """

    /// When a delivery's retry window began: NULL for its creation, else the moment `outbox retry`
    /// put a dead letter back, so that a retried delivery gets a whole `retry_for` again.
    static let v4 = """
        ALTER TABLE outbox ADD COLUMN retry_from REAL;
        """

    /// Shaping (SPEC §5): a row is `shaped` once the delivery stage has decided when it goes and with
    /// which others (`group_key`: the rows of one group, digest or quiet period go as one message;
    /// `hold`: why it waits). Rows queued before this version are already shaped: each goes alone.
    static let v5 = """
        ALTER TABLE outbox ADD COLUMN group_key TEXT;
        ALTER TABLE outbox ADD COLUMN hold TEXT;
        ALTER TABLE outbox ADD COLUMN shaped INTEGER NOT NULL DEFAULT 1;
        CREATE INDEX outbox_unshaped ON outbox(id) WHERE shaped = 0;
        CREATE INDEX outbox_by_group ON outbox(group_key) WHERE group_key IS NOT NULL;
        """

    /// `feedwatch alerts` lists the outbox by the time alerts were raised.
    static let v6 = """
        CREATE INDEX outbox_by_created ON outbox(created_at);
        """

    /// Feed health (SPEC §7): since when a feed has been failing, and when it last brought news.
    static let v7 = """
        ALTER TABLE feed ADD COLUMN failing_since REAL;
        ALTER TABLE feed ADD COLUMN last_new_item REAL;
        """

    /// The delivery stage claims each destination's due rows in turn: an index per destination keeps
    /// that a lookup, however many rows other destinations have waiting.
    static let v8 = """
        CREATE INDEX outbox_due_by_target ON outbox(target, next_attempt) WHERE status = 'pending' AND shaped = 1;
        """

    /// The HTTP listener's questions (SPEC §8), answered without reading every row: the feeds in
    /// trouble (failing, gone, silent — a few among 100,000) and one rule's latest alerts. The
    /// failing and gone indexes are partial: they hold only the feeds in trouble.
    static let v9 = """
        CREATE INDEX feed_failing ON feed(failing_since) WHERE failing_since IS NOT NULL;
        CREATE INDEX feed_gone ON feed(name) WHERE gone = 1;
        CREATE INDEX feed_by_last_new_item ON feed(last_new_item);
        CREATE INDEX fired_by_rule_at ON fired(rule, at);
        """

    /// A feed's last and next poll times change at every poll, the rest of its row seldom (a 304
    /// changes nothing else). Kept in a narrow table of their own, a poll rewrites a row of 20 bytes
    /// instead of one of a few hundred: at 100,000 feeds polled every minute, the table the saves
    /// touch is ~2 MB instead of ~20 MB, and a save of 3,000 states writes a few hundred pages
    /// instead of thousands. The wide row is rewritten only when something in it changed.
    static let v10 = """
        CREATE TABLE feed_schedule (
            feed_id INTEGER PRIMARY KEY,
            last_poll REAL,
            next_due REAL
        );
        INSERT INTO feed_schedule (feed_id, last_poll, next_due)
            SELECT id, last_poll, next_due FROM feed WHERE last_poll IS NOT NULL OR next_due IS NOT NULL;
        ALTER TABLE feed DROP COLUMN last_poll;
        ALTER TABLE feed DROP COLUMN next_due;
        """
}
