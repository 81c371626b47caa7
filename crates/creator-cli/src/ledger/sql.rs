//! The statements both ledger backends run as written.
//!
//! They use PostgreSQL's `$n` placeholders, which SQLite reads as named
//! parameters numbered in the order they first appear; a test checks that
//! every statement's placeholders first appear as `$1, $2, …`, so both
//! backends bind the same arguments to the same places. What the dialects
//! spell differently (`MAX` / `GREATEST`, the schema, the migrations' data
//! steps) stays with its backend.

/// Inserts an event's occurrence; no row when its unique key exists.
pub(crate) const INSERT_EVENT: &str = "INSERT INTO events (dedup_key, identity, occurrence,
    fingerprint, endpoint, provider, kind, name, subject_id, occurred_at, test, verified,
    received_at, last_received_at, deliveries, content_type, headers, raw_body, event,
    field_errors, recovered_from)
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, 1, $14, $15, $16, $17,
    $18, $19)
 ON CONFLICT DO NOTHING
 RETURNING id";

/// The newest stored occurrence of an identity.
pub(crate) const NEWEST_OCCURRENCE: &str = "SELECT id, occurrence, last_received_at FROM events
 WHERE identity = $1 ORDER BY occurrence DESC LIMIT 1";

/// Whether another event about the same subject was stored after event `$3`.
pub(crate) const SUBJECT_MOVED_ON: &str = "SELECT EXISTS (SELECT 1 FROM events
 WHERE provider = $1 AND subject_id = $2 AND id > $3)";

/// Counts a delivery on an occurrence of an identity.
pub(crate) const COUNT_DELIVERY: &str = "UPDATE events SET deliveries = deliveries + 1
 WHERE identity = $1 AND occurrence = $2 RETURNING id, dedup_key";

/// Keeps a rejected delivery.
pub(crate) const INSERT_QUARANTINE: &str = "INSERT INTO quarantine (received_at, endpoint,
    reason, error, status, content_type, headers, body_size, body_truncated, raw_body,
    body_sha256, authenticated, verified, peer, stored_bytes)
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
 RETURNING id";

/// Adds an unauthenticated row to the quarantine's running totals.
pub(crate) const BUDGET_ADD: &str = "UPDATE quarantine_budget
 SET rows = rows + 1, bytes = bytes + $1 WHERE id = 1 RETURNING rows, bytes";

/// Removes the oldest `$1` unauthenticated quarantine rows.
pub(crate) const PRUNE_OLDEST_STRANGERS: &str = "DELETE FROM quarantine WHERE id IN (
    SELECT id FROM quarantine WHERE NOT authenticated ORDER BY id LIMIT $1)
 RETURNING stored_bytes";

/// Marks quarantined delivery `$2` as stored as event `$1`.
pub(crate) const MARK_REPLAYED: &str = "UPDATE quarantine SET replayed_as = $1 WHERE id = $2";

/// The probe row `/healthz` relies on when deliveries are quiet.
pub(crate) const PROBE: &str = "INSERT INTO settings (key, value) VALUES ('relay.probe', $1)
 ON CONFLICT (key) DO UPDATE SET value = excluded.value";

/// Stores a setting unless it has a value.
pub(crate) const INSERT_SETTING_IF_ABSENT: &str =
    "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";

/// Records an applied migration.
pub(crate) const RECORD_MIGRATION: &str =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)";

/// Upserts a sale read by `creator sync`.
pub(crate) const UPSERT_SYNCED_SALE: &str = "INSERT INTO synced_sales (provider, id, product_id,
    email, amount_minor, currency, created_at, refunded, test, record, synced_at)
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
 ON CONFLICT (provider, id) DO UPDATE SET product_id = excluded.product_id,
    email = excluded.email, amount_minor = excluded.amount_minor,
    currency = excluded.currency, created_at = excluded.created_at,
    refunded = excluded.refunded, test = excluded.test,
    record = excluded.record, synced_at = excluded.synced_at";

/// Upserts a subscriber read by `creator sync`.
pub(crate) const UPSERT_SYNCED_SUBSCRIBER: &str = "INSERT INTO synced_subscribers (provider, id,
    product_id, email, status, started_at, ends_at, record, synced_at)
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
 ON CONFLICT (provider, id) DO UPDATE SET product_id = excluded.product_id,
    email = excluded.email, status = excluded.status,
    started_at = excluded.started_at, ends_at = excluded.ends_at,
    record = excluded.record, synced_at = excluded.synced_at";

/// Ends the subscribers of provider `$2` that a full sync did not list
/// (not synced since `$3`), stamping them `$1`.
pub(crate) const END_UNLISTED_SUBSCRIBERS: &str = "UPDATE synced_subscribers
 SET status = 'ended', synced_at = $1
 WHERE provider = $2 AND synced_at < $3 AND status NOT IN ('ended', 'cancelled')
 RETURNING provider, record";

/// Upserts the cursor of a `creator sync` resource.
pub(crate) const UPSERT_SYNC_STATE: &str = "INSERT INTO sync_state (provider, resource, status,
    after_day, resume_before, newest_day, items, started_at, updated_at)
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
 ON CONFLICT (provider, resource) DO UPDATE SET status = excluded.status,
    after_day = excluded.after_day, resume_before = excluded.resume_before,
    newest_day = excluded.newest_day, items = excluded.items,
    started_at = excluded.started_at, updated_at = excluded.updated_at";

/// Queues a message for a new event (`$1`, subject `$2`, stored at `$3`,
/// provider `$4`, kind `$5`, name `$6`) to every enabled destination whose
/// filters match: in the transaction that stores the event.
pub(crate) const ENQUEUE_EVENT: &str = "INSERT INTO outbox (event_id, destination_id, subject,
    status, attempts, created_at, next_attempt_at)
 SELECT CAST($1 AS BIGINT), id, CAST($2 AS TEXT), 'pending', 0, CAST($3 AS TEXT), CAST($3 AS TEXT)
 FROM destinations
 WHERE removed_at IS NULL AND enabled AND (provider IS NULL OR provider = $4)
    AND (kind IS NULL OR kind = $5 OR kind = $6)";

/// What `creator events replay` queues, at `$1`, to destination `$2` (or,
/// when `$2` is NULL, to every enabled destination whose filters match);
/// followed by the selection of events.
macro_rules! replay_head {
    () => {
        "INSERT INTO outbox (event_id, destination_id, subject, status,
    attempts, created_at, next_attempt_at, replay)
 SELECT e.id, d.id, e.provider || ':' || e.subject_id, 'pending', 0, CAST($1 AS TEXT),
    CAST($1 AS TEXT), TRUE
 FROM events e CROSS JOIN destinations d
 WHERE d.removed_at IS NULL AND d.enabled
    AND (d.name = CAST($2 AS TEXT) OR (CAST($2 AS TEXT) IS NULL
        AND (d.provider IS NULL OR d.provider = e.provider)
        AND (d.kind IS NULL OR d.kind = e.kind OR d.kind = e.name)))"
    };
}

/// A replay of event `$3`.
pub(crate) const REPLAY_EVENT: &str = concat!(replay_head!(), " AND e.id = $3");

/// A replay of the events received since `$3`.
pub(crate) const REPLAY_SINCE: &str = concat!(replay_head!(), " AND e.received_at >= $3");

/// The destinations in use, by name.
pub(crate) const SELECT_DESTINATIONS: &str = "SELECT id, name, url, secret, previous_secrets,
    provider, kind, enabled, disabled_reason, created_at, updated_at
 FROM destinations WHERE removed_at IS NULL ORDER BY name";

/// Whether a destination in use has the name `$1`.
pub(crate) const DESTINATION_NAME_TAKEN: &str = "SELECT EXISTS (SELECT 1 FROM destinations
 WHERE name = $1 AND removed_at IS NULL)";

/// Adds a destination.
pub(crate) const INSERT_DESTINATION: &str = "INSERT INTO destinations (name, url, secret,
    previous_secrets, provider, kind, enabled, created_at, updated_at)
 VALUES ($1, $2, $3, '[]', $4, $5, TRUE, $6, $6) RETURNING id";

/// Enables destination `$2` at `$1`.
pub(crate) const ENABLE_DESTINATION: &str = "UPDATE destinations
 SET enabled = TRUE, disabled_reason = NULL, updated_at = $1
 WHERE name = $2 AND removed_at IS NULL RETURNING id";

/// Disables destination `$3` for reason `$1` at `$2`.
pub(crate) const DISABLE_DESTINATION: &str = "UPDATE destinations
 SET enabled = FALSE, disabled_reason = $1, updated_at = $2
 WHERE name = $3 AND removed_at IS NULL RETURNING id";

/// Disables destination id `$3` (a `410 Gone`) for reason `$1` at `$2`.
pub(crate) const DISABLE_GONE: &str = "UPDATE destinations
 SET enabled = FALSE, disabled_reason = $1, updated_at = $2 WHERE id = $3";

/// The secrets of destination `$1`.
pub(crate) const DESTINATION_SECRETS: &str = "SELECT id, secret, previous_secrets
 FROM destinations WHERE name = $1 AND removed_at IS NULL";

/// Sets the secret `$1` and previous secrets `$2` of destination id `$4` at `$3`.
pub(crate) const SET_SECRETS: &str = "UPDATE destinations
 SET secret = $1, previous_secrets = $2, updated_at = $3 WHERE id = $4";

/// Removes destination `$2` at `$1`.
pub(crate) const REMOVE_DESTINATION: &str = "UPDATE destinations
 SET removed_at = $1, enabled = FALSE, updated_at = $1
 WHERE name = $2 AND removed_at IS NULL RETURNING id";

/// Dead-letters the undelivered messages of removed destination `$1`.
pub(crate) const KILL_MESSAGES_OF_REMOVED: &str = "UPDATE outbox
 SET status = 'dead', next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL,
    last_error = 'the destination was removed'
 WHERE destination_id = $1 AND status IN ('pending', 'failed')";

/// The messages of destination `$3` that an attempt may take now (`$4`):
/// due, not leased, of a destination still enabled (a `410` or
/// `creator destinations disable` stops it at once), and first of their subject among the undelivered ones
/// (so one subject's messages go out one at a time, in order); at most `$5`.
/// "First of its subject" is asked as "the subject's lowest undelivered id"
/// rather than "no lower one exists": PostgreSQL turned the latter into an
/// anti-join that, on a table grown since its last `ANALYZE`, compared every
/// pending message with every other (over a second per claim at 3,000).
/// Together with `outbox_pending` (schema 8) every plan reads a few rows.
macro_rules! claimable {
    () => {
        "SELECT o.id FROM outbox o
 WHERE o.destination_id = $3 AND o.status IN ('pending', 'failed')
    AND o.next_attempt_at <= $4 AND (o.lease_until IS NULL OR o.lease_until < $4)
    AND EXISTS (SELECT 1 FROM destinations d WHERE d.id = o.destination_id AND d.enabled)
    AND o.id = (SELECT p.id FROM outbox p WHERE p.destination_id = o.destination_id
        AND p.subject = o.subject AND p.status IN ('pending', 'failed') ORDER BY p.id LIMIT 1)
 ORDER BY o.id LIMIT $5"
    };
}

/// SQLite: leases the claimable messages to `$1` until `$2` (the one writer
/// makes the claim atomic).
pub(crate) const CLAIM_SQLITE: &str = concat!(
    "UPDATE outbox SET lease_owner = $1, lease_until = $2 WHERE id IN (",
    claimable!(),
    ") RETURNING id, event_id, attempts"
);

/// PostgreSQL: the same, skipping the rows another relay is claiming at
/// this moment, so several relays never take one message at once.
#[cfg(feature = "postgres")]
#[doc(hidden)]
pub const CLAIM_POSTGRES: &str = concat!(
    "WITH due AS (",
    claimable!(),
    " FOR UPDATE OF o SKIP LOCKED)
 UPDATE outbox SET lease_owner = $1, lease_until = $2 FROM due WHERE outbox.id = due.id
 RETURNING outbox.id, outbox.event_id, outbox.attempts"
);

/// Records an attempt.
pub(crate) const INSERT_ATTEMPT: &str = "INSERT INTO delivery_attempts (outbox_id, attempt,
    started_at, status_code, latency_ms, error, next_attempt_at, relay)
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// Marks message `$5` delivered by attempt `$1` at `$2` (status `$3`,
/// latency `$4`), whoever holds its lease.
pub(crate) const MARK_DELIVERED: &str = "UPDATE outbox SET status = 'delivered', attempts = $1,
    delivered_at = $2, next_attempt_at = NULL, last_status = $3, last_latency_ms = $4,
    last_error = NULL, lease_owner = NULL, lease_until = NULL
 WHERE id = $5 AND status IN ('pending', 'failed')";

/// Records failed attempt `$2` of message `$7`: state `$1`, next attempt
/// `$3`, status `$4`, latency `$5`, error `$6`; only while relay `$8`
/// still holds its lease (else another relay has taken it over).
pub(crate) const MARK_FAILED: &str = "UPDATE outbox SET status = $1, attempts = $2,
    next_attempt_at = $3, last_status = $4, last_latency_ms = $5, last_error = $6,
    lease_owner = NULL, lease_until = NULL
 WHERE id = $7 AND status IN ('pending', 'failed') AND lease_owner = $8";

/// Messages with their event and destination, for `creator deliveries`
/// (a subquery, so the readers' filters and `ORDER BY id` apply to it).
pub(crate) const OUTBOX_VIEW: &str = "(SELECT o.id AS id, o.event_id AS event_id,
    e.dedup_key AS dedup_key, e.kind AS kind, d.name AS destination, o.status AS status,
    o.attempts AS attempts, o.created_at AS created_at, o.next_attempt_at AS next_attempt_at,
    o.delivered_at AS delivered_at, o.last_status AS last_status,
    o.last_latency_ms AS last_latency_ms, o.last_error AS last_error, o.replay AS replay
 FROM outbox o JOIN events e ON e.id = o.event_id
    JOIN destinations d ON d.id = o.destination_id) AS m";

/// The columns read from [`OUTBOX_VIEW`], in order.
pub(crate) const OUTBOX_COLUMNS: &str = "id, event_id, dedup_key, kind, destination, status,
    attempts, created_at, next_attempt_at, delivered_at, last_status, last_latency_ms,
    last_error, replay";

/// Attempts with their message and destination, for `creator deliveries --attempts`.
pub(crate) const ATTEMPTS_VIEW: &str = "(SELECT a.id AS id, a.outbox_id AS message_id,
    o.event_id AS event_id, d.name AS destination, o.status AS status,
    a.attempt AS attempt, a.started_at AS started_at, a.status_code AS status_code,
    a.latency_ms AS latency_ms, a.error AS error, a.next_attempt_at AS next_attempt_at,
    a.relay AS relay
 FROM delivery_attempts a JOIN outbox o ON o.id = a.outbox_id
    JOIN destinations d ON d.id = o.destination_id) AS m";

/// The columns read from [`ATTEMPTS_VIEW`], in order.
pub(crate) const ATTEMPT_COLUMNS: &str = "message_id, event_id, destination, attempt,
    started_at, status_code, latency_ms, error, next_attempt_at, relay";

/// Message counts by state and the attempts made.
pub(crate) const OUTBOX_STATS: &str = "SELECT
    CAST((SELECT COUNT(*) FROM outbox WHERE status = 'pending') AS BIGINT),
    CAST((SELECT COUNT(*) FROM outbox WHERE status = 'failed') AS BIGINT),
    CAST((SELECT COUNT(*) FROM outbox WHERE status = 'delivered') AS BIGINT),
    CAST((SELECT COUNT(*) FROM outbox WHERE status = 'dead') AS BIGINT),
    CAST((SELECT COUNT(*) FROM delivery_attempts) AS BIGINT)";

/// The text an event page's text filter searches, with `{p}` standing for
/// the pattern parameter (see `pages::contains_pattern`).
pub(crate) const EVENT_TEXT_MATCH: &str =
    "lower(dedup_key || ' ' || subject_id || ' ' || name || ' ' || event) LIKE {p} ESCAPE '\\'";

/// Attempts per hour and provider since `$1`, for the console's chart.
/// When the newest delivery of a provider arrived (a redelivery of an
/// older event counts): one aggregate over that provider's rows, read
/// through the `(provider, id)` index, instead of every row in Rust.
pub(crate) const LAST_RECEIVED: &str =
    "SELECT MAX(last_received_at) FROM events WHERE provider = $1";

pub(crate) const DELIVERY_HOURS: &str = "SELECT substr(a.started_at, 1, 13) AS hour,
    e.provider AS provider, CAST(count(*) AS BIGINT) AS attempts,
    CAST(sum(CASE WHEN a.status_code BETWEEN 200 AND 299 THEN 1 ELSE 0 END) AS BIGINT) AS delivered,
    CAST(avg(a.latency_ms) AS BIGINT) AS mean_latency_ms,
    CAST(max(a.latency_ms) AS BIGINT) AS max_latency_ms
 FROM delivery_attempts a JOIN outbox o ON o.id = a.outbox_id JOIN events e ON e.id = o.event_id
 WHERE a.started_at >= $1
 GROUP BY substr(a.started_at, 1, 13), e.provider
 ORDER BY hour, provider";

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &[&str] = &[
        INSERT_EVENT,
        NEWEST_OCCURRENCE,
        SUBJECT_MOVED_ON,
        COUNT_DELIVERY,
        INSERT_QUARANTINE,
        BUDGET_ADD,
        PRUNE_OLDEST_STRANGERS,
        MARK_REPLAYED,
        PROBE,
        INSERT_SETTING_IF_ABSENT,
        RECORD_MIGRATION,
        UPSERT_SYNCED_SALE,
        UPSERT_SYNCED_SUBSCRIBER,
        END_UNLISTED_SUBSCRIBERS,
        UPSERT_SYNC_STATE,
        ENQUEUE_EVENT,
        REPLAY_EVENT,
        REPLAY_SINCE,
        SELECT_DESTINATIONS,
        DESTINATION_NAME_TAKEN,
        INSERT_DESTINATION,
        ENABLE_DESTINATION,
        DISABLE_DESTINATION,
        DISABLE_GONE,
        DESTINATION_SECRETS,
        SET_SECRETS,
        REMOVE_DESTINATION,
        KILL_MESSAGES_OF_REMOVED,
        CLAIM_SQLITE,
        INSERT_ATTEMPT,
        MARK_DELIVERED,
        MARK_FAILED,
        OUTBOX_STATS,
        super::super::reconcile::CLAIM,
        super::super::reconcile::REPORTED,
        super::super::reconcile::TAKE_LEASE,
        super::super::reconcile::COMPLETE,
        super::super::reconcile::RELEASE,
        super::super::reconcile::STATE,
    ];

    /// The placeholders in the order they first appear.
    fn first_appearances(sql: &str) -> Vec<u32> {
        let mut seen = Vec::new();
        let mut rest = sql;
        while let Some(at) = rest.find('$') {
            rest = &rest[at + 1..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let n: u32 = digits.parse().expect("a number after $");
            if !seen.contains(&n) {
                seen.push(n);
            }
        }
        seen
    }

    /// SQLite numbers `$n` by first appearance, PostgreSQL by `n`: they
    /// agree only if the first appearances are 1, 2, 3, … in order.
    #[test]
    fn placeholders_first_appear_in_order_so_both_backends_bind_alike() {
        for sql in ALL {
            let order = first_appearances(sql);
            let expected: Vec<u32> = (1..=order.len() as u32).collect();
            assert_eq!(order, expected, "{sql}");
        }
        assert_eq!(first_appearances("SET a = $2 WHERE b = $1"), [2, 1]);
    }

    /// SQLite really does bind `$n` by first appearance (the premise above).
    #[test]
    fn sqlite_binds_dollar_placeholders_by_first_appearance() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let (a, b): (String, String) = conn
            .query_row("SELECT $1, $2", rusqlite::params!["one", "two"], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((a.as_str(), b.as_str()), ("one", "two"));
        let (a, b): (String, String) = conn
            .query_row("SELECT $2, $1", rusqlite::params!["one", "two"], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        // `$2` came first, so it took the first argument.
        assert_eq!((a.as_str(), b.as_str()), ("one", "two"));
    }
}
