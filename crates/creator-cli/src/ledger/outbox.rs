//! What the ledger keeps for forwarding: destinations (where events go, with
//! their signing secrets), the outbox (one message per event and
//! destination, written in the transaction that stores the event), and every
//! delivery attempt.
//!
//! A message is `pending` until its first attempt, `failed` while a retry is
//! scheduled, then `delivered` or, after the last attempt, `dead`. Nothing
//! here is ever deleted: a dead message stays until a replay sends its event
//! again (as a new message).

use std::fmt;

use creator_core::Secret;
use serde::Serialize;

use super::StoredEvent;

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Not tried yet.
    Pending,
    /// Tried and failed; a retry is scheduled.
    Failed,
    /// A 2xx answer arrived in time.
    Delivered,
    /// Every attempt failed (or its destination was removed): kept, never
    /// deleted; `creator events replay` sends the event again.
    Dead,
}

impl DeliveryStatus {
    /// The name stored in the ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Dead => "dead",
        }
    }
}

impl fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A signing secret still accepted for a while after a rotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PreviousSecret {
    /// The old `whsec_…` secret.
    #[serde(serialize_with = "expose")]
    pub secret: Secret,
    /// Until when requests are also signed with it ([`super::timestamp`] format).
    pub expires_at: String,
}

fn expose<S: serde::Serializer>(secret: &Secret, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(secret.expose())
}

/// Parses the `previous_secrets` column (a JSON array); an unreadable one
/// is empty (only the current secret signs then).
pub(crate) fn previous_secrets(json: &str) -> Vec<PreviousSecret> {
    serde_json::from_str(json).unwrap_or_default()
}

/// Writes the `previous_secrets` column.
pub(crate) fn previous_secrets_json(list: &[PreviousSecret]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

/// A destination: an application endpoint that receives every matching event.
#[derive(Debug, Clone, Serialize)]
pub struct Destination {
    /// Row id.
    pub id: i64,
    /// Its unique name.
    pub name: String,
    /// The URL events are POSTed to.
    pub url: String,
    /// The current `whsec_…` signing secret (never serialized).
    #[serde(skip)]
    pub secret: Secret,
    /// Older secrets still signing until they expire (never serialized).
    #[serde(skip)]
    pub previous_secrets: Vec<PreviousSecret>,
    /// Only events of this provider (`None`: all).
    pub provider: Option<String>,
    /// Only events of this kind or platform event name (`None`: all).
    pub kind: Option<String>,
    /// Disabled destinations get no new messages; their queued ones wait.
    pub enabled: bool,
    /// Why it was disabled (by hand, or a `410 Gone`).
    pub disabled_reason: Option<String>,
    /// When it was added.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
}

impl Destination {
    /// The secrets requests are signed with at `now`: the current one, then
    /// each previous one that has not expired.
    pub fn signing_secrets(&self, now: &str) -> Vec<&Secret> {
        std::iter::once(&self.secret)
            .chain(
                self.previous_secrets
                    .iter()
                    .filter(|p| p.expires_at.as_str() > now)
                    .map(|p| &p.secret),
            )
            .collect()
    }
}

/// A destination to add.
#[derive(Debug, Clone)]
pub struct NewDestination {
    /// Unique name.
    pub name: String,
    /// The URL (checked by the caller).
    pub url: String,
    /// The `whsec_…` secret (checked by the caller).
    pub secret: Secret,
    /// Only events of this provider.
    pub provider: Option<String>,
    /// Only events of this kind or platform event name.
    pub kind: Option<String>,
    /// Now ([`super::timestamp`] format).
    pub now: String,
}

/// A change to a destination.
#[derive(Debug, Clone)]
pub enum DestinationChange {
    /// Enable it again (its waiting messages are retried at once).
    Enable,
    /// Disable it, with the reason shown by `creator destinations list`.
    Disable {
        /// Why.
        reason: String,
    },
    /// A new secret; the current one keeps signing until `old_expires_at`.
    RotateSecret {
        /// The new `whsec_…` secret.
        secret: Secret,
        /// Until when the old one still signs ([`super::timestamp`] format).
        old_expires_at: String,
    },
    /// Remove it: it is no longer listed, and its undelivered messages
    /// become `dead` (kept, replayable to another destination).
    Remove,
}

/// What `add_destination` or `change_destination` did.
#[derive(Debug, Clone)]
pub enum DestinationWrite {
    /// Written; the destination as it is now (`None` after a removal).
    Done(Option<Box<Destination>>),
    /// No destination with that name.
    NotFound,
    /// A destination with that name exists already.
    NameTaken,
}

/// Which messages one claim may take: per destination, at most so many.
#[derive(Debug, Clone)]
pub struct Claim {
    /// Who claims (a relay's id: host, process and a random part).
    pub owner: String,
    /// Now ([`super::timestamp`] format): messages due by now are taken.
    pub now: String,
    /// Until when the claimed messages are this relay's (longer than a request may take).
    pub lease_until: String,
    /// `(destination id, most messages)` for each destination with free slots.
    pub slots: Vec<(i64, usize)>,
}

/// A message claimed for one attempt.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// The outbox row.
    pub message_id: i64,
    /// Its destination.
    pub destination_id: i64,
    /// The number of this attempt (1 for the first).
    pub attempt: u32,
    /// The event to send.
    pub event: StoredEvent,
    /// Its destination as the claim found it (a secret rotated or a URL
    /// changed a moment ago counts).
    pub destination: Destination,
}

/// What became of a message after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Delivered (a 2xx in time).
    Delivered,
    /// Failed; try again at this time.
    RetryAt(String),
    /// Failed for the last time: dead-lettered.
    Dead,
    /// `410 Gone`: the destination is disabled with this reason; the
    /// message waits for it to be enabled again.
    Gone(String),
}

/// One finished attempt, to record.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The outbox row.
    pub message_id: i64,
    /// Its destination.
    pub destination_id: i64,
    /// Who made it (the claim's owner).
    pub owner: String,
    /// The attempt's number (1 for the first).
    pub attempt: u32,
    /// When it started ([`super::timestamp`] format).
    pub started_at: String,
    /// The HTTP status, when an answer came.
    pub status_code: Option<u16>,
    /// Milliseconds from sending to the answer (or the failure).
    pub latency_ms: u64,
    /// What went wrong (a short line), when it did.
    pub error: Option<String>,
    /// What becomes of the message.
    pub next: Next,
}

/// Filters for `creator deliveries`.
#[derive(Debug, Clone, Default)]
pub struct OutboxFilter {
    /// Only messages to this destination (by name).
    pub destination: Option<String>,
    /// Only messages in this state.
    pub status: Option<DeliveryStatus>,
    /// At most this many (oldest first).
    pub limit: Option<u64>,
}

/// A message as `creator deliveries` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct OutboxMessage {
    /// Row id (`webhook-id` is `evt_<event id>`; this tells the messages of
    /// one event apart).
    pub id: i64,
    /// The event.
    pub event_id: i64,
    /// The event's unique key.
    pub dedup_key: String,
    /// Its normalized kind.
    pub kind: String,
    /// The destination's name.
    pub destination: String,
    /// Where the message stands.
    pub status: String,
    /// Attempts made.
    pub attempts: i64,
    /// When it was queued.
    pub created_at: String,
    /// When the next attempt is due (`None` once delivered or dead).
    pub next_attempt_at: Option<String>,
    /// When it was delivered.
    pub delivered_at: Option<String>,
    /// The last attempt's HTTP status.
    pub last_status: Option<i64>,
    /// The last attempt's latency in milliseconds.
    pub last_latency_ms: Option<i64>,
    /// The last attempt's error.
    pub last_error: Option<String>,
    /// Queued by `creator events replay`.
    pub replay: bool,
}

/// One attempt as `creator deliveries --attempts` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptRecord {
    /// The message.
    pub message_id: i64,
    /// Its event.
    pub event_id: i64,
    /// The destination's name.
    pub destination: String,
    /// The attempt's number.
    pub attempt: i64,
    /// When it started.
    pub started_at: String,
    /// The HTTP status, when an answer came.
    pub status_code: Option<i64>,
    /// Milliseconds to the answer or failure.
    pub latency_ms: i64,
    /// What went wrong.
    pub error: Option<String>,
    /// When the attempt after it was scheduled (`None`: delivered, dead or disabled).
    pub next_attempt_at: Option<String>,
    /// The relay that made it.
    pub relay: String,
}

/// Which events `creator events replay` sends again.
#[derive(Debug, Clone)]
pub enum ReplaySelection {
    /// These event ids.
    Ids(Vec<i64>),
    /// Every event received at or after this time ([`super::timestamp`] format).
    Since(String),
}

/// A replay to queue.
#[derive(Debug, Clone)]
pub struct Replay {
    /// Which events.
    pub events: ReplaySelection,
    /// Only to this destination (whatever its filters); otherwise to every
    /// enabled destination whose filters match.
    pub destination: Option<String>,
    /// Now ([`super::timestamp`] format).
    pub now: String,
}

/// Message counts by state, for reports and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct OutboxStats {
    /// Not tried yet.
    pub pending: i64,
    /// Waiting for a retry.
    pub failed: i64,
    /// Delivered.
    pub delivered: i64,
    /// Dead-lettered.
    pub dead: i64,
    /// Attempts made over all messages.
    pub attempts: i64,
}

/// The outbox subject of an event: its provider and subject id. Messages
/// of one subject to one destination go out one at a time, in order.
pub(crate) fn subject(provider: &str, subject_id: &str) -> String {
    format!("{provider}:{subject_id}")
}

/// The status stored for a [`Next`].
pub(crate) fn stored_status(next: &Next) -> DeliveryStatus {
    match next {
        Next::Delivered => DeliveryStatus::Delivered,
        Next::RetryAt(_) | Next::Gone(_) => DeliveryStatus::Failed,
        Next::Dead => DeliveryStatus::Dead,
    }
}

/// The previous secrets after a rotation at `now`: the current secret until
/// `old_expires_at`, then the older ones that have not expired.
pub(crate) fn rotated(
    current: &str,
    previous: &str,
    old_expires_at: &str,
    now: &str,
) -> Vec<PreviousSecret> {
    let mut list = vec![PreviousSecret {
        secret: Secret::new(current),
        expires_at: old_expires_at.to_owned(),
    }];
    list.extend(
        previous_secrets(previous)
            .into_iter()
            .filter(|p| p.expires_at.as_str() > now),
    );
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    fn destination(previous: Vec<PreviousSecret>) -> Destination {
        Destination {
            id: 1,
            name: "app".into(),
            url: "http://127.0.0.1:1/".into(),
            secret: Secret::new("whsec_new"),
            previous_secrets: previous,
            provider: None,
            kind: None,
            enabled: true,
            disabled_reason: None,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn a_rotated_out_secret_signs_until_it_expires_then_never_again() {
        let t = |s: u32| format!("2025-03-14T10:00:{s:02}.000000Z");
        let list = rotated("whsec_old", "[]", &t(30), &t(0));
        let d = destination(list.clone());
        let shown = |now: &str| -> Vec<String> {
            d.signing_secrets(now)
                .iter()
                .map(|s| s.expose().to_owned())
                .collect()
        };
        assert_eq!(shown(&t(10)), ["whsec_new", "whsec_old"]);
        assert_eq!(shown(&t(30)), ["whsec_new"], "expired at its time");
        // A second rotation keeps the first old secret until its own expiry,
        // and drops the ones already expired.
        let json = previous_secrets_json(&list);
        let again = rotated("whsec_new", &json, &t(50), &t(20));
        let expires: Vec<&str> = again.iter().map(|p| p.expires_at.as_str()).collect();
        assert_eq!(expires, [t(50), t(30)]);
        assert!(rotated("whsec_new", &json, &t(50), &t(40)).len() == 1);
        // The column round-trips, and an unreadable one signs with the current secret only.
        assert_eq!(previous_secrets(&json), list);
        assert!(previous_secrets("not json").is_empty());
    }
}
