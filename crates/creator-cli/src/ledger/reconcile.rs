//! The ledger's side of `creator reconcile`: events recovered from a
//! platform's API, the cursor of the last complete run, and the lease that
//! lets one relay of several run it at a time.
//!
//! A recovered event is stored by the intake's own path
//! ([`Ledger::record_event`](super::Ledger::record_event): outbox rows and
//! the entitlement view in its transaction) with `recovered_from` holding
//! the API object it was read from. Its identity is the intake's for the
//! same event ([`creator_core::WebhookEvent::identity`]) without a content
//! fingerprint: where the platform names each event (Gank's `human_id`) it
//! is the real delivery's identity; where the identity is made of a
//! delivery's content (Gumroad), the API cannot rebuild those bytes, so the
//! first real delivery of the same event (provider, kind, subject, test)
//! *claims* the recovered row: it is counted as a redelivery of it and the
//! row takes the delivery's identity, so its retries repeat it as usual.

use serde::Serialize;

use super::NewEvent;

/// The migration (one text for both backends).
pub(crate) const SQL: &str = r#"
ALTER TABLE events ADD COLUMN recovered_from TEXT;
CREATE INDEX events_recovered ON events (provider, subject_id)
    WHERE recovered_from IS NOT NULL AND fingerprint IS NULL;
CREATE TABLE reconcile_state (
    provider TEXT PRIMARY KEY,
    cursor TEXT,
    completed_at TEXT,
    runs BIGINT NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until TEXT
);
"#;

/// A by-content delivery claims the oldest unclaimed recovered event of
/// its provider, subject, kind and test flag, unless its identity is stored
/// already: `$1` identity, `$2` fingerprint, `$3` received at, `$4`
/// provider, `$5` subject, `$6` kind, `$7` test.
#[doc(hidden)]
pub const CLAIM: &str = "UPDATE events SET identity = $1, fingerprint = $2,
    deliveries = deliveries + 1, last_received_at = $3
 WHERE id = (SELECT id FROM events WHERE provider = $4 AND subject_id = $5 AND kind = $6
        AND test = $7 AND recovered_from IS NOT NULL AND fingerprint IS NULL
        ORDER BY id LIMIT 1)
   AND NOT EXISTS (SELECT 1 FROM events WHERE identity = $1)
 RETURNING id, dedup_key";

/// Whether an event of provider `$1`, subject `$2` and kind `$3` is stored.
pub(crate) const REPORTED: &str = "SELECT EXISTS (SELECT 1 FROM events
 WHERE provider = $1 AND subject_id = $2 AND kind = $3)";

/// Takes or renews the lease of provider `$1` for owner `$2` until `$3`,
/// when it is free, expired (before `$4`, now) or the owner's: a row back
/// means the lease is the owner's.
pub(crate) const TAKE_LEASE: &str =
    "INSERT INTO reconcile_state (provider, lease_owner, lease_until)
 VALUES ($1, $2, $3)
 ON CONFLICT (provider) DO UPDATE SET lease_owner = excluded.lease_owner,
    lease_until = excluded.lease_until
 WHERE reconcile_state.lease_owner IS NULL OR reconcile_state.lease_until < $4
    OR reconcile_state.lease_owner = $2
 RETURNING provider";

/// Ends owner `$4`'s run of provider `$3`: the cursor moves to `$1` (the
/// run's start) at `$2`, and the lease is given back.
pub(crate) const COMPLETE: &str = "UPDATE reconcile_state SET cursor = $1, completed_at = $2,
    runs = runs + 1, lease_owner = NULL, lease_until = NULL
 WHERE provider = $3 AND lease_owner = $4";

/// Gives owner `$2`'s lease of provider `$1` back without moving the cursor.
pub(crate) const RELEASE: &str = "UPDATE reconcile_state SET lease_owner = NULL, lease_until = NULL
 WHERE provider = $1 AND lease_owner = $2";

/// The state of provider `$1`.
pub(crate) const STATE: &str = "SELECT provider, cursor, completed_at, runs, lease_owner,
    lease_until FROM reconcile_state WHERE provider = $1";

/// Where reconciling one provider stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReconcileState {
    /// The ledger's provider name (`gumroad`, `gank`).
    pub provider: String,
    /// The start of the last complete run ([`timestamp`](super::timestamp)
    /// format): the next run reads from here.
    pub cursor: Option<String>,
    /// When the last complete run ended.
    pub completed_at: Option<String>,
    /// Complete runs so far.
    pub runs: i64,
    /// Who holds the lease (a relay's or command's id), when someone does.
    pub lease_owner: Option<String>,
    /// Until when the lease holds.
    pub lease_until: Option<String>,
}

/// A request for the reconcile lease of one provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The ledger's provider name.
    pub provider: String,
    /// The run's owner id.
    pub owner: String,
    /// Now ([`timestamp`](super::timestamp) format): an older lease has expired.
    pub now: String,
    /// Until when the lease is to hold.
    pub until: String,
}

/// How a run ends: with its cursor (complete) or without (given up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunEnd {
    /// The ledger's provider name.
    pub provider: String,
    /// The run's owner id (the lease's).
    pub owner: String,
    /// `Some(start of the run)` when the run was complete; `None` leaves the cursor.
    pub cursor: Option<String>,
    /// Now ([`timestamp`](super::timestamp) format).
    pub now: String,
}

/// Whether a delivery may claim a recovered event: a real delivery whose
/// identity carries a content fingerprint (see the module docs).
pub(crate) fn may_claim(ev: &NewEvent) -> bool {
    ev.fingerprint.is_some() && ev.recovered_from.is_none()
}
