//! Versioned schema migrations. Each backend has the same versions; a
//! migration is applied once, in a transaction, and recorded in
//! `schema_migrations`. Never edit a released migration: add a new one.

/// The newest schema version this build knows.
pub const SCHEMA_VERSION: i64 = CLAIM_INDEX_VERSION;

/// The version that adds `creator reconcile`'s column and table (see
/// [`super::reconcile`]): change it here alone if another migration takes its number.
pub(crate) const RECONCILE_VERSION: i64 = 6;

/// The version that indexes events by `(provider, id)`, so the console's
/// provider filter is a keyset read newest first, not a sort of the
/// provider's events (change it here alone if another migration takes its number).
pub(crate) const PROVIDER_PAGE_VERSION: i64 = 7;

/// The SQL of [`PROVIDER_PAGE_VERSION`], the same on both backends.
const PROVIDER_PAGE_SQL: &str = "CREATE INDEX events_provider_id ON events (provider, id);";

/// The version that indexes the two claims in the order they take rows, so
/// that any plan PostgreSQL makes for them reads a few rows (change it here
/// alone if another migration takes its number):
/// - recovered, unclaimed events, which every delivery may claim (see
///   [`super::reconcile::CLAIM`]), replacing version 6's `events_recovered`:
///   with only `(provider, subject_id)` indexed, the generic plan of that
///   prepared statement walked `events_provider_id`, all of a provider's
///   events, for every delivery;
/// - a destination's undelivered messages by id, which the forwarder claims
///   oldest first (see `claimable!` in `sql.rs`).
///
/// Both partial: they hold only the rows a claim may take.
pub(crate) const CLAIM_INDEX_VERSION: i64 = 8;

/// The SQL of [`CLAIM_INDEX_VERSION`], the same on both backends.
const CLAIM_INDEX_SQL: &str = "DROP INDEX events_recovered;
CREATE INDEX events_unclaimed ON events (provider, subject_id, kind, test, id)
    WHERE recovered_from IS NOT NULL AND fingerprint IS NULL;
CREATE INDEX outbox_pending ON outbox (destination_id, id) WHERE status IN ('pending', 'failed');";

/// One migration: version, name, SQL. A migration may also need a data
/// step written in Rust (version 3 recomputes event identities from the
/// stored bodies: see [`super::rekey`]); each backend runs it right after
/// the SQL, in the same transaction.
pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// The version whose data step recomputes event identities.
pub(crate) const REKEY_VERSION: i64 = 3;
/// The version that adds the entitlement view: migrating to it also fills
/// the view from the events and synced records already stored (a ledger
/// upgraded to the view answers for its past, not only for what comes next).
pub(crate) const ENTITLEMENTS_VERSION: i64 = 5;

pub(crate) const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "events and quarantine",
        sql: r#"
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    dedup_key TEXT NOT NULL UNIQUE,
    endpoint TEXT NOT NULL,
    provider TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    occurred_at TEXT,
    test INTEGER NOT NULL,
    verified TEXT NOT NULL,
    received_at TEXT NOT NULL,
    last_received_at TEXT NOT NULL,
    deliveries INTEGER NOT NULL DEFAULT 1,
    content_type TEXT,
    headers TEXT NOT NULL,
    raw_body BLOB NOT NULL,
    event TEXT NOT NULL
);
CREATE INDEX events_received_at ON events (received_at);
CREATE INDEX events_provider_kind ON events (provider, kind);
CREATE TABLE quarantine (
    id INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    reason TEXT NOT NULL,
    error TEXT NOT NULL,
    status INTEGER NOT NULL,
    content_type TEXT,
    headers TEXT NOT NULL,
    body_size INTEGER NOT NULL,
    body_truncated INTEGER NOT NULL,
    raw_body BLOB NOT NULL
);
CREATE INDEX quarantine_received_at ON quarantine (received_at);
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#,
    },
    Migration {
        version: 2,
        name: "sync backfill",
        sql: r#"
CREATE TABLE synced_sales (
    provider TEXT NOT NULL,
    id TEXT NOT NULL,
    product_id TEXT,
    email TEXT,
    amount_minor INTEGER,
    currency TEXT,
    created_at TEXT,
    refunded INTEGER NOT NULL,
    test INTEGER NOT NULL,
    record TEXT NOT NULL,
    synced_at TEXT NOT NULL,
    PRIMARY KEY (provider, id)
);
CREATE TABLE synced_subscribers (
    provider TEXT NOT NULL,
    id TEXT NOT NULL,
    product_id TEXT,
    email TEXT,
    status TEXT NOT NULL,
    started_at TEXT,
    ends_at TEXT,
    record TEXT NOT NULL,
    synced_at TEXT NOT NULL,
    PRIMARY KEY (provider, id)
);
CREATE TABLE sync_state (
    provider TEXT NOT NULL,
    resource TEXT NOT NULL,
    status TEXT NOT NULL,
    after_day TEXT,
    resume_before TEXT,
    newest_day TEXT,
    items INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (provider, resource)
);
"#,
    },
    Migration {
        version: 3,
        name: "event identity, bounded quarantine",
        sql: r#"
ALTER TABLE events ADD COLUMN identity TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN occurrence INTEGER NOT NULL DEFAULT 1;
ALTER TABLE events ADD COLUMN fingerprint TEXT;
ALTER TABLE events ADD COLUMN field_errors TEXT NOT NULL DEFAULT '[]';
UPDATE events SET identity = dedup_key;
CREATE UNIQUE INDEX events_identity ON events (identity, occurrence);
CREATE INDEX events_subject ON events (provider, subject_id, id);
ALTER TABLE quarantine ADD COLUMN body_sha256 TEXT;
ALTER TABLE quarantine ADD COLUMN authenticated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE quarantine ADD COLUMN verified TEXT;
ALTER TABLE quarantine ADD COLUMN peer TEXT;
ALTER TABLE quarantine ADD COLUMN replayed_as INTEGER;
ALTER TABLE quarantine ADD COLUMN stored_bytes INTEGER NOT NULL DEFAULT 0;
-- Before schema 3 a delivery reached `parse` only after it verified.
UPDATE quarantine SET authenticated = CASE WHEN reason = 'parse' THEN 1 ELSE 0 END;
-- Strangers' bodies are kept as their first bytes only, like new ones.
UPDATE quarantine SET raw_body = substr(raw_body, 1, 256), body_truncated = 1
    WHERE authenticated = 0 AND length(raw_body) > 256;
UPDATE quarantine SET stored_bytes = length(raw_body) + length(headers) + length(error);
CREATE INDEX quarantine_unauthenticated ON quarantine (authenticated, id);
CREATE TABLE quarantine_budget (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    rows INTEGER NOT NULL,
    bytes INTEGER NOT NULL
);
INSERT INTO quarantine_budget (id, rows, bytes)
    SELECT 1, COUNT(*), COALESCE(SUM(stored_bytes), 0) FROM quarantine WHERE authenticated = 0;
"#,
    },
    Migration {
        version: 4,
        name: "forwarding: destinations, outbox, delivery attempts",
        sql: r#"
CREATE TABLE destinations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    previous_secrets TEXT NOT NULL DEFAULT '[]',
    provider TEXT,
    kind TEXT,
    enabled INTEGER NOT NULL DEFAULT 1,
    disabled_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    removed_at TEXT
);
CREATE UNIQUE INDEX destinations_name ON destinations (name) WHERE removed_at IS NULL;
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events (id),
    destination_id INTEGER NOT NULL REFERENCES destinations (id),
    subject TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    next_attempt_at TEXT,
    delivered_at TEXT,
    last_status INTEGER,
    last_latency_ms INTEGER,
    last_error TEXT,
    lease_owner TEXT,
    lease_until TEXT,
    replay INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_due ON outbox (destination_id, next_attempt_at) WHERE status IN ('pending', 'failed');
CREATE INDEX outbox_subject ON outbox (destination_id, subject, id) WHERE status IN ('pending', 'failed');
CREATE INDEX outbox_event ON outbox (event_id);
CREATE TABLE delivery_attempts (
    id INTEGER PRIMARY KEY,
    outbox_id INTEGER NOT NULL REFERENCES outbox (id),
    attempt INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    status_code INTEGER,
    latency_ms INTEGER NOT NULL,
    error TEXT,
    next_attempt_at TEXT,
    relay TEXT NOT NULL
);
CREATE INDEX delivery_attempts_outbox ON delivery_attempts (outbox_id, attempt);
"#,
    },
    Migration {
        version: 5,
        name: "entitlement view",
        sql: super::entitlements::SQL,
    },
    Migration {
        version: RECONCILE_VERSION,
        name: "reconcile: recovered events, cursor and lease",
        sql: super::reconcile::SQL,
    },
    Migration {
        version: PROVIDER_PAGE_VERSION,
        name: "events by provider, newest first",
        sql: PROVIDER_PAGE_SQL,
    },
    Migration {
        version: CLAIM_INDEX_VERSION,
        name: "what the intake and the forwarder claim, in claim order",
        sql: CLAIM_INDEX_SQL,
    },
];

#[cfg(feature = "postgres")]
pub(crate) const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        name: "events and quarantine",
        sql: r#"
CREATE TABLE events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dedup_key TEXT NOT NULL UNIQUE,
    endpoint TEXT NOT NULL,
    provider TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    occurred_at TEXT,
    test BOOLEAN NOT NULL,
    verified TEXT NOT NULL,
    received_at TEXT NOT NULL,
    last_received_at TEXT NOT NULL,
    deliveries BIGINT NOT NULL DEFAULT 1,
    content_type TEXT,
    headers TEXT NOT NULL,
    raw_body BYTEA NOT NULL,
    event TEXT NOT NULL
);
CREATE INDEX events_received_at ON events (received_at);
CREATE INDEX events_provider_kind ON events (provider, kind);
CREATE TABLE quarantine (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    reason TEXT NOT NULL,
    error TEXT NOT NULL,
    status INTEGER NOT NULL,
    content_type TEXT,
    headers TEXT NOT NULL,
    body_size BIGINT NOT NULL,
    body_truncated BOOLEAN NOT NULL,
    raw_body BYTEA NOT NULL
);
CREATE INDEX quarantine_received_at ON quarantine (received_at);
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#,
    },
    Migration {
        version: 2,
        name: "sync backfill",
        sql: r#"
CREATE TABLE synced_sales (
    provider TEXT NOT NULL,
    id TEXT NOT NULL,
    product_id TEXT,
    email TEXT,
    amount_minor BIGINT,
    currency TEXT,
    created_at TEXT,
    refunded BOOLEAN NOT NULL,
    test BOOLEAN NOT NULL,
    record TEXT NOT NULL,
    synced_at TEXT NOT NULL,
    PRIMARY KEY (provider, id)
);
CREATE TABLE synced_subscribers (
    provider TEXT NOT NULL,
    id TEXT NOT NULL,
    product_id TEXT,
    email TEXT,
    status TEXT NOT NULL,
    started_at TEXT,
    ends_at TEXT,
    record TEXT NOT NULL,
    synced_at TEXT NOT NULL,
    PRIMARY KEY (provider, id)
);
CREATE TABLE sync_state (
    provider TEXT NOT NULL,
    resource TEXT NOT NULL,
    status TEXT NOT NULL,
    after_day TEXT,
    resume_before TEXT,
    newest_day TEXT,
    items BIGINT NOT NULL,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (provider, resource)
);
"#,
    },
    Migration {
        version: 3,
        name: "event identity, bounded quarantine",
        sql: r#"
ALTER TABLE events ADD COLUMN identity TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN occurrence BIGINT NOT NULL DEFAULT 1;
ALTER TABLE events ADD COLUMN fingerprint TEXT;
ALTER TABLE events ADD COLUMN field_errors TEXT NOT NULL DEFAULT '[]';
UPDATE events SET identity = dedup_key;
CREATE UNIQUE INDEX events_identity ON events (identity, occurrence);
CREATE INDEX events_subject ON events (provider, subject_id, id);
ALTER TABLE quarantine ADD COLUMN body_sha256 TEXT;
ALTER TABLE quarantine ADD COLUMN authenticated BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE quarantine ADD COLUMN verified TEXT;
ALTER TABLE quarantine ADD COLUMN peer TEXT;
ALTER TABLE quarantine ADD COLUMN replayed_as BIGINT;
ALTER TABLE quarantine ADD COLUMN stored_bytes BIGINT NOT NULL DEFAULT 0;
-- Before schema 3 a delivery reached `parse` only after it verified.
UPDATE quarantine SET authenticated = (reason = 'parse');
-- Strangers' bodies are kept as their first bytes only, like new ones.
UPDATE quarantine SET raw_body = substring(raw_body FROM 1 FOR 256), body_truncated = TRUE
    WHERE NOT authenticated AND length(raw_body) > 256;
UPDATE quarantine SET stored_bytes = length(raw_body) + length(headers) + length(error);
CREATE INDEX quarantine_unauthenticated ON quarantine (authenticated, id);
CREATE TABLE quarantine_budget (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    rows BIGINT NOT NULL,
    bytes BIGINT NOT NULL
);
INSERT INTO quarantine_budget (id, rows, bytes)
    SELECT 1, COUNT(*), COALESCE(SUM(stored_bytes), 0) FROM quarantine WHERE NOT authenticated;
"#,
    },
    Migration {
        version: 4,
        name: "forwarding: destinations, outbox, delivery attempts",
        sql: r#"
-- The storing transaction of each event, for the feed's order (GET /v1/events,
-- `creator events --follow`): a row is served once every transaction up to
-- its own has ended, so none is ever stored behind a reader's cursor.
ALTER TABLE events ADD COLUMN tx BIGINT NOT NULL DEFAULT 0;
ALTER TABLE events ALTER COLUMN tx SET DEFAULT (pg_current_xact_id()::text::bigint);
CREATE INDEX events_feed ON events (tx, id);
CREATE TABLE destinations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    previous_secrets TEXT NOT NULL DEFAULT '[]',
    provider TEXT,
    kind TEXT,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    disabled_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    removed_at TEXT
);
CREATE UNIQUE INDEX destinations_name ON destinations (name) WHERE removed_at IS NULL;
CREATE TABLE outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events (id),
    destination_id BIGINT NOT NULL REFERENCES destinations (id),
    subject TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    next_attempt_at TEXT,
    delivered_at TEXT,
    last_status INTEGER,
    last_latency_ms BIGINT,
    last_error TEXT,
    lease_owner TEXT,
    lease_until TEXT,
    replay BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX outbox_due ON outbox (destination_id, next_attempt_at) WHERE status IN ('pending', 'failed');
CREATE INDEX outbox_subject ON outbox (destination_id, subject, id) WHERE status IN ('pending', 'failed');
CREATE INDEX outbox_event ON outbox (event_id);
CREATE TABLE delivery_attempts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outbox_id BIGINT NOT NULL REFERENCES outbox (id),
    attempt BIGINT NOT NULL,
    started_at TEXT NOT NULL,
    status_code INTEGER,
    latency_ms BIGINT NOT NULL,
    error TEXT,
    next_attempt_at TEXT,
    relay TEXT NOT NULL
);
CREATE INDEX delivery_attempts_outbox ON delivery_attempts (outbox_id, attempt);
"#,
    },
    Migration {
        version: 5,
        name: "entitlement view",
        sql: super::entitlements::SQL,
    },
    Migration {
        version: RECONCILE_VERSION,
        name: "reconcile: recovered events, cursor and lease",
        sql: super::reconcile::SQL,
    },
    Migration {
        version: PROVIDER_PAGE_VERSION,
        name: "events by provider, newest first",
        sql: PROVIDER_PAGE_SQL,
    },
    Migration {
        version: CLAIM_INDEX_VERSION,
        name: "what the intake and the forwarder claim, in claim order",
        sql: CLAIM_INDEX_SQL,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_consecutive_and_end_at_schema_version() {
        for (i, m) in SQLITE.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "{}", m.name);
        }
        assert_eq!(SQLITE.last().map(|m| m.version), Some(SCHEMA_VERSION));
        #[cfg(feature = "postgres")]
        {
            let pg: Vec<_> = POSTGRES.iter().map(|m| (m.version, m.name)).collect();
            let lite: Vec<_> = SQLITE.iter().map(|m| (m.version, m.name)).collect();
            assert_eq!(pg, lite);
        }
    }
}
