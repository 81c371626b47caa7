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
    field_errors)
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, 1, $14, $15, $16, $17,
    $18)
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
 WHERE provider = $2 AND synced_at < $3 AND status NOT IN ('ended', 'cancelled')";

/// Upserts the cursor of a `creator sync` resource.
pub(crate) const UPSERT_SYNC_STATE: &str = "INSERT INTO sync_state (provider, resource, status,
    after_day, resume_before, newest_day, items, started_at, updated_at)
 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
 ON CONFLICT (provider, resource) DO UPDATE SET status = excluded.status,
    after_day = excluded.after_day, resume_before = excluded.resume_before,
    newest_day = excluded.newest_day, items = excluded.items,
    started_at = excluded.started_at, updated_at = excluded.updated_at";

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
