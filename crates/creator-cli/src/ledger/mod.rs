//! The durable event ledger: verified webhook events with their raw bodies,
//! quarantined deliveries, and data backfilled by `creator sync`.
//!
//! Two backends share one schema (versioned migrations, applied on open):
//! an SQLite file (the default, WAL mode, durable before the relay answers)
//! and PostgreSQL (feature `postgres`, for several relays sharing a ledger).
//!
//! ```no_run
//! # async fn run() -> Result<(), creator_cli::ledger::LedgerError> {
//! use creator_cli::ledger::{self, EventFilter};
//! use futures::TryStreamExt;
//!
//! let ledger = ledger::open("creator.db").await?;
//! let mut events = ledger.events(EventFilter::default());
//! while let Some(event) = events.try_next().await? {
//!     println!("{} {} {}", event.received_at, event.provider, event.dedup_key);
//! }
//! # Ok(()) }
//! ```

mod budget;
pub mod entitlements;
pub(crate) mod headers;
mod health;
pub mod identity;
mod migrations;
pub mod outbox;
pub mod pages;
#[cfg(feature = "postgres")]
mod postgres;
pub mod reconcile;
mod rekey;
mod signal;
mod sql;
mod sqlite;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::BoxStream;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

pub use budget::QuarantineBudget;
pub use health::LedgerHealth;
pub use migrations::SCHEMA_VERSION;
pub use outbox::{
    Attempt, AttemptRecord, Claim, Claimed, DeliveryStatus, Destination, DestinationChange,
    DestinationWrite, NewDestination, Next, OutboxFilter, OutboxMessage, OutboxStats,
    PreviousSecret, Replay, ReplaySelection,
};
pub use pages::{DeliveryHour, EventSearch, Page};
#[cfg(feature = "postgres")]
#[doc(hidden)]
pub use sql::CLAIM_POSTGRES;
pub use sqlite::SqliteLedger;

#[cfg(feature = "postgres")]
pub use postgres::PostgresLedger;

/// A ledger failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// The SQLite file could not be opened, migrated, read or written.
    #[error("SQLite ledger {path}: {message}")]
    Sqlite {
        /// The database file.
        path: String,
        /// What failed.
        message: String,
    },
    /// The PostgreSQL ledger could not be reached, migrated, read or written.
    #[error("PostgreSQL ledger {target}: {message}")]
    Postgres {
        /// Host and database (never the password).
        target: String,
        /// What failed.
        message: String,
    },
    /// The ledger was written by a newer `creator` than this one.
    #[error(
        "the ledger has schema version {found}, newer than this creator understands ({supported}): upgrade creator"
    )]
    TooNew {
        /// Version found in the ledger.
        found: i64,
        /// Newest version this build knows.
        supported: i64,
    },
    /// The ledger was written by an older `creator` and a read-only command
    /// will not migrate it.
    #[error(
        "the ledger has schema version {found}, older than this creator's ({supported}): start `creator relay` with this --db once to migrate it"
    )]
    TooOld {
        /// Version found in the ledger.
        found: i64,
        /// The version this build writes.
        supported: i64,
    },
    /// A write was asked of a ledger opened read-only.
    #[error("the ledger was opened read-only")]
    ReadOnly,
    /// The ledger has been closed (the relay is shutting down).
    #[error("the ledger is closed")]
    Closed,
    /// The `--db` value is not usable.
    #[error("{0}")]
    Config(String),
    /// Something asked for is not in the ledger (an unknown event cursor).
    #[error("{0}")]
    NotFound(String),
}

/// The canonical timestamp format of the ledger: UTC, microseconds, `Z`.
/// Fixed width, so text order is time order in both backends.
pub const TIMESTAMP_FORMAT: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// Formats a timestamp the way the ledger stores it.
pub fn timestamp(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(TIMESTAMP_FORMAT)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// A verified, parsed delivery to store.
#[derive(Clone)]
pub struct NewEvent {
    /// [`WebhookEvent::identity`](creator_core::WebhookEvent::identity).
    pub identity: String,
    /// The content fingerprint in the identity, for platforms that send no
    /// event id: identical bodies can then be two events (see [`identity`]).
    pub fingerprint: Option<String>,
    /// The platform's retry number for this delivery, when it says.
    pub retry: Option<u32>,
    /// The relay endpoint that received it (`gumroad`, `gank`).
    pub endpoint: String,
    /// `gumroad`, `gank`, …
    pub provider: String,
    /// Normalized kind (`sale`, `refund`, … or `unknown`).
    pub kind: String,
    /// The platform's event name.
    pub name: String,
    /// The event's subject id.
    pub subject_id: String,
    /// When the platform says it happened ([`timestamp`] format).
    pub occurred_at: Option<String>,
    /// A test event.
    pub test: bool,
    /// How the delivery was verified (`url_token`, `signature`, …).
    pub verified: String,
    /// When the relay received it ([`timestamp`] format).
    pub received_at: String,
    /// The request's `Content-Type`.
    pub content_type: Option<String>,
    /// The request headers as a JSON object (credentials redacted).
    pub headers: String,
    /// The body, byte for byte.
    pub raw_body: Bytes,
    /// The normalized event as JSON.
    pub event: String,
    /// Fields that could not be read, as a JSON array (`[]` when none).
    pub field_errors: String,
    /// For an event `creator reconcile` recovered from the platform's API
    /// instead of a delivery: the API object it came from, as JSON.
    pub recovered_from: Option<String>,
}

impl NewEvent {
    /// The row for `event`, received at `received_at` on `endpoint` and
    /// verified as `verified`, with the request's headers and raw body.
    pub fn from_event(
        event: &creator_core::WebhookEvent,
        endpoint: &str,
        verified: &str,
        received_at: &str,
        content_type: Option<String>,
        headers: String,
        raw_body: Bytes,
    ) -> Self {
        Self {
            identity: event.identity(),
            fingerprint: event.fingerprint.clone(),
            retry: event.retry,
            endpoint: endpoint.to_owned(),
            provider: event.provider.as_str().to_owned(),
            kind: kind_name(&event.kind),
            name: event.name.clone(),
            subject_id: event.subject_id.clone(),
            occurred_at: event.occurred_at.map(timestamp),
            test: event.test,
            verified: verified.to_owned(),
            received_at: received_at.to_owned(),
            content_type,
            headers,
            raw_body,
            event: serde_json::to_string(event).unwrap_or_else(|_| "null".into()),
            field_errors: serde_json::to_string(&event.field_errors)
                .unwrap_or_else(|_| "[]".into()),
            recovered_from: None,
        }
    }
}

impl fmt::Debug for NewEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewEvent")
            .field("identity", &self.identity)
            .field("retry", &self.retry)
            .field("endpoint", &self.endpoint)
            .field("body_len", &self.raw_body.len())
            .finish_non_exhaustive()
    }
}

/// What storing an event did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Recorded {
    /// A new event: its row id and unique key.
    Stored {
        /// Row id.
        id: i64,
        /// The event's unique key: its identity, `#n` for the n-th event with it.
        dedup_key: String,
    },
    /// A redelivery of a stored event; its delivery count was bumped.
    Duplicate {
        /// Row id of the stored event.
        id: i64,
        /// Its unique key.
        dedup_key: String,
    },
}

impl Recorded {
    /// The row id.
    pub fn id(&self) -> i64 {
        match self {
            Recorded::Stored { id, .. } | Recorded::Duplicate { id, .. } => *id,
        }
    }

    /// The unique key.
    pub fn dedup_key(&self) -> &str {
        match self {
            Recorded::Stored { dedup_key, .. } | Recorded::Duplicate { dedup_key, .. } => dedup_key,
        }
    }
}

/// Why the relay kept a delivery in the quarantine instead of storing it as
/// an event: the values of the ledger's `quarantine.reason` column (and of
/// `creator quarantine --reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum QuarantineReason {
    /// A bad URL secret, signature or credentials (answered 401).
    Verification,
    /// A body that could not be parsed into an event (answered 400).
    Parse,
    /// A body over `--max-body-bytes` (answered 413).
    TooLarge,
    /// A path under `/webhooks/` that no endpoint serves (answered 404).
    UnknownEndpoint,
    /// An endpoint whose verification is not configured (answered 503).
    NotConfigured,
    /// A body that broke off or did not arrive in time (answered 400).
    Incomplete,
}

impl QuarantineReason {
    /// The name stored in the ledger (`too_large`).
    pub fn as_str(self) -> &'static str {
        match self {
            QuarantineReason::Verification => "verification",
            QuarantineReason::Parse => "parse",
            QuarantineReason::TooLarge => "too_large",
            QuarantineReason::UnknownEndpoint => "unknown_endpoint",
            QuarantineReason::NotConfigured => "not_configured",
            QuarantineReason::Incomplete => "incomplete",
        }
    }
}

impl fmt::Display for QuarantineReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A delivery that was not stored as an event.
///
/// Authentic deliveries (verified, then unreadable) are kept whole, so
/// `creator quarantine replay` can store them once the parser can read them.
/// Everything else (failed verification, unknown endpoint, oversized, …)
/// keeps only bounded metadata: size, hash, a short prefix and the reason,
/// within the ledger's [`QuarantineBudget`].
#[derive(Clone)]
pub struct NewQuarantine {
    /// When it arrived ([`timestamp`] format).
    pub received_at: String,
    /// The endpoint name from the URL (`gumroad`, `gank`, or what was asked for).
    pub endpoint: String,
    /// Why it was not stored as an event.
    pub reason: QuarantineReason,
    /// The error, one line, without secrets.
    pub error: String,
    /// The HTTP status the relay answered.
    pub status: u16,
    /// The request's `Content-Type`.
    pub content_type: Option<String>,
    /// The request headers as a JSON object (credentials redacted).
    pub headers: String,
    /// Bytes received in total (may exceed `raw_body.len()` when truncated).
    pub body_size: u64,
    /// True when `raw_body` holds only the first bytes.
    pub body_truncated: bool,
    /// The body (or its first bytes).
    pub raw_body: Bytes,
    /// SHA-256 of what was received, hex (of the first bytes when truncated).
    pub body_sha256: Option<String>,
    /// The delivery passed verification (so it is kept whole and replayable).
    pub authenticated: bool,
    /// How it was verified, when it was.
    pub verified: Option<String>,
    /// The sender's address.
    pub peer: Option<String>,
}

impl NewQuarantine {
    /// Bytes the row takes, for the [`QuarantineBudget`].
    pub fn stored_bytes(&self) -> u64 {
        (self.raw_body.len() + self.headers.len() + self.error.len()) as u64
    }
}

impl fmt::Debug for NewQuarantine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewQuarantine")
            .field("endpoint", &self.endpoint)
            .field("reason", &self.reason)
            .field("authenticated", &self.authenticated)
            .field("body_size", &self.body_size)
            .finish_non_exhaustive()
    }
}

/// Filters for reading events.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Only this provider (`gumroad`, `gank`).
    pub provider: Option<String>,
    /// Only this normalized kind or platform event name.
    pub kind: Option<String>,
    /// Only events received at or after this time ([`timestamp`] format).
    pub since: Option<String>,
    /// At most this many (oldest first).
    pub limit: Option<u64>,
}

/// An event as stored.
#[derive(Debug, Clone, Serialize)]
pub struct StoredEvent {
    /// Row id (increasing in arrival order per backend).
    pub id: i64,
    /// When the first delivery arrived.
    pub received_at: String,
    /// When the latest delivery arrived.
    pub last_received_at: String,
    /// How many deliveries carried this event (1 + redeliveries).
    pub deliveries: i64,
    /// The relay endpoint.
    pub endpoint: String,
    /// Provider name.
    pub provider: String,
    /// Normalized kind.
    pub kind: String,
    /// Platform event name.
    pub name: String,
    /// Subject id.
    pub subject_id: String,
    /// When it happened, per the platform.
    pub occurred_at: Option<String>,
    /// A test event.
    pub test: bool,
    /// How it was verified.
    pub verified: String,
    /// The unique key: the identity, then `#n` for the n-th event with it.
    pub dedup_key: String,
    /// The event's identity (see [`identity`]).
    pub identity: String,
    /// 1 for the first event with this identity, 2 for the next, ….
    pub occurrence: i64,
    /// The request's content type.
    pub content_type: Option<String>,
    /// The request headers (credentials redacted).
    pub headers: serde_json::Value,
    /// Fields of the delivery that could not be read (`[]` when none).
    pub field_errors: serde_json::Value,
    /// The normalized event.
    pub event: serde_json::Value,
    /// The raw body.
    #[serde(skip)]
    pub raw_body: Bytes,
    /// For an event `creator reconcile` recovered from the platform's API:
    /// the API object it came from (absent for deliveries).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovered_from: Option<serde_json::Value>,
}

/// A quarantined delivery as stored.
#[derive(Debug, Clone, Serialize)]
pub struct QuarantinedDelivery {
    /// Row id.
    pub id: i64,
    /// When it arrived.
    pub received_at: String,
    /// Endpoint name from the URL.
    pub endpoint: String,
    /// Why it was not stored as an event.
    pub reason: String,
    /// The error.
    pub error: String,
    /// The HTTP status answered.
    pub status: u16,
    /// The request's content type.
    pub content_type: Option<String>,
    /// The request headers (credentials redacted).
    pub headers: serde_json::Value,
    /// Bytes received in total.
    pub body_size: u64,
    /// True when only the first bytes were kept.
    pub body_truncated: bool,
    /// SHA-256 of what was received, hex.
    pub body_sha256: Option<String>,
    /// The delivery passed verification (kept whole, replayable).
    pub authenticated: bool,
    /// How it was verified, when it was.
    pub verified: Option<String>,
    /// The sender's address.
    pub peer: Option<String>,
    /// The event a `creator quarantine replay` stored from it.
    pub replayed_as: Option<i64>,
    /// The body (or its first bytes).
    #[serde(skip)]
    pub raw_body: Bytes,
}

/// Filters for reading quarantined deliveries.
#[derive(Debug, Clone, Default)]
pub struct QuarantineFilter {
    /// Only the delivery with this row id.
    pub id: Option<i64>,
    /// Only deliveries received at or after this time ([`timestamp`] format).
    pub since: Option<String>,
    /// Only this reason.
    pub reason: Option<QuarantineReason>,
    /// At most this many (oldest first).
    pub limit: Option<u64>,
}

/// A sale backfilled by `creator sync`.
#[derive(Debug, Clone)]
pub struct SyncedSale {
    /// Provider name.
    pub provider: String,
    /// The platform's sale id.
    pub id: String,
    /// Product id.
    pub product_id: Option<String>,
    /// Buyer email.
    pub email: Option<String>,
    /// Amount in minor units.
    pub amount_minor: Option<i64>,
    /// ISO currency code.
    pub currency: Option<String>,
    /// When it happened ([`timestamp`] format).
    pub created_at: Option<String>,
    /// Refunded.
    pub refunded: bool,
    /// Test purchase.
    pub test: bool,
    /// The normalized sale as JSON.
    pub record: String,
}

/// A subscriber backfilled by `creator sync`.
#[derive(Debug, Clone)]
pub struct SyncedSubscriber {
    /// Provider name.
    pub provider: String,
    /// The subscription id.
    pub id: String,
    /// Product or tier id.
    pub product_id: Option<String>,
    /// Subscriber email.
    pub email: Option<String>,
    /// Normalized status.
    pub status: String,
    /// Start ([`timestamp`] format).
    pub started_at: Option<String>,
    /// End ([`timestamp`] format).
    pub ends_at: Option<String>,
    /// The normalized subscriber as JSON.
    pub record: String,
}

/// Where a `creator sync` of one provider and resource stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncState {
    /// Provider name.
    pub provider: String,
    /// `sales` or `subscribers`.
    pub resource: String,
    /// `running` (interrupted or in progress) or `complete`.
    pub status: String,
    /// Lower bound (inclusive day, `YYYY-MM-DD`) of the run, if any.
    pub after: Option<String>,
    /// The resume cursor: the run still has to read items before this day
    /// (exclusive, `YYYY-MM-DD`). `None`: from the newest.
    pub resume_before: Option<String>,
    /// The newest item day seen by the last complete run (the next run's `after`).
    pub newest_day: Option<String>,
    /// Items written by this run so far.
    pub items: i64,
    /// When the run started ([`timestamp`] format).
    pub started_at: String,
    /// When the state was last written ([`timestamp`] format).
    pub updated_at: String,
}

/// A batch written by `creator sync` in one transaction, together with its cursor.
#[derive(Debug, Clone, Default)]
pub struct SyncBatch {
    /// Sales to insert or update.
    pub sales: Vec<SyncedSale>,
    /// Subscribers to insert or update.
    pub subscribers: Vec<SyncedSubscriber>,
    /// The state to save with them.
    pub state: Option<SyncState>,
    /// After writing: mark this provider's synced subscribers that this run
    /// did not see (last synced before the given time) as `ended`, for
    /// platforms whose list shows only active subscriptions (Gumroad).
    pub end_unseen: Option<EndUnseen>,
}

/// Subscribers that left a platform's active list since a run started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndUnseen {
    /// The provider of the rows (`gumroad`).
    pub provider: String,
    /// The run's start ([`timestamp`] format): rows synced before it were not seen.
    pub not_synced_since: String,
}

/// What pruning the quarantine removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Pruned {
    /// Rows deleted.
    pub rows: u64,
    /// Bytes those rows took.
    pub bytes: u64,
}

/// Which quarantined deliveries `creator quarantine prune` removes.
#[derive(Debug, Clone, Default)]
pub struct PruneFilter {
    /// Only deliveries received before this time ([`timestamp`] format).
    pub before: Option<String>,
    /// Only this reason.
    pub reason: Option<QuarantineReason>,
    /// Also authentic deliveries (kept by default: they are replayable events).
    pub include_authenticated: bool,
}

/// Row counts, for `/healthz`, tests and reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LedgerStats {
    /// Stored events.
    pub events: i64,
    /// Deliveries counted over all events (events + redeliveries).
    pub deliveries: i64,
    /// Quarantined deliveries.
    pub quarantined: i64,
    /// Bytes the quarantined deliveries take (bodies, headers, errors).
    pub quarantine_bytes: i64,
    /// Backfilled sales.
    pub synced_sales: i64,
    /// Backfilled subscribers.
    pub synced_subscribers: i64,
}

/// A ledger backend. Object-safe, so the relay holds an `Arc<dyn Ledger>`.
#[async_trait]
pub trait Ledger: Send + Sync + fmt::Debug {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// Stores a verified event once; a redelivery only bumps its counter.
    ///
    /// Returns after the write is durable.
    ///
    /// # Errors
    /// When the backend fails.
    async fn record_event(&self, event: NewEvent) -> Result<Recorded, LedgerError>;

    /// Keeps a rejected delivery; returns its row id. Unauthenticated rows
    /// beyond the [`QuarantineBudget`] are pruned, oldest first.
    ///
    /// # Errors
    /// When the backend fails.
    async fn quarantine(&self, delivery: NewQuarantine) -> Result<i64, LedgerError>;

    /// Stores `event`, parsed anew from the quarantined delivery `id`, and
    /// marks that delivery as replayed, in one transaction.
    ///
    /// # Errors
    /// When the backend fails.
    async fn replay_quarantined(&self, id: i64, event: NewEvent) -> Result<Recorded, LedgerError>;

    /// Deletes quarantined deliveries matching `filter`.
    ///
    /// # Errors
    /// When the backend fails.
    async fn prune_quarantine(&self, filter: PruneFilter) -> Result<Pruned, LedgerError>;

    /// Writes and commits a small probe row, proving the ledger can commit
    /// now (the relay runs it when deliveries are quiet).
    ///
    /// # Errors
    /// When the write fails.
    async fn probe(&self) -> Result<(), LedgerError>;

    /// What the ledger last saw of its own writes, without touching the
    /// database (for `/healthz`).
    fn health(&self) -> LedgerHealth;

    /// Events, oldest first, streamed (constant memory).
    fn events(&self, filter: EventFilter) -> BoxStream<'static, Result<StoredEvent, LedgerError>>;

    /// Quarantined deliveries, oldest first, streamed.
    fn quarantined(
        &self,
        filter: QuarantineFilter,
    ) -> BoxStream<'static, Result<QuarantinedDelivery, LedgerError>>;

    /// Writes backfilled records and the sync cursor in one transaction.
    ///
    /// # Errors
    /// When the backend fails (nothing of the batch is written then).
    async fn write_sync_batch(&self, batch: SyncBatch) -> Result<(), LedgerError>;

    /// The saved state of a sync.
    ///
    /// # Errors
    /// When the backend fails.
    async fn sync_state(
        &self,
        provider: &str,
        resource: &str,
    ) -> Result<Option<SyncState>, LedgerError>;

    /// A value from the ledger's settings table.
    ///
    /// # Errors
    /// When the backend fails.
    async fn setting(&self, key: &str) -> Result<Option<String>, LedgerError>;

    /// Stores a value in the settings table unless the key already has one;
    /// returns the value now stored (so concurrent relays agree).
    ///
    /// # Errors
    /// When the backend fails.
    async fn setting_or_insert(&self, key: &str, value: &str) -> Result<String, LedgerError>;

    /// Row counts (a table scan: for reports and tests, not for health checks).
    ///
    /// # Errors
    /// When the backend fails.
    async fn stats(&self) -> Result<LedgerStats, LedgerError>;

    /// The destinations in use, by name.
    ///
    /// # Errors
    /// When the backend fails.
    async fn destinations(&self) -> Result<Vec<Destination>, LedgerError>;

    /// Adds a destination (events stored from now on are queued for it).
    ///
    /// # Errors
    /// When the backend fails.
    async fn add_destination(
        &self,
        destination: NewDestination,
    ) -> Result<DestinationWrite, LedgerError>;

    /// Enables, disables, re-keys or removes the destination `name` at `now`.
    ///
    /// # Errors
    /// When the backend fails.
    async fn change_destination(
        &self,
        name: &str,
        change: DestinationChange,
        now: &str,
    ) -> Result<DestinationWrite, LedgerError>;

    /// Leases the messages an attempt may take now (see [`Claim`]), with
    /// their events. On PostgreSQL, relays claiming at once never take the
    /// same message (`FOR UPDATE SKIP LOCKED`), and a lease keeps it theirs
    /// while the request runs.
    ///
    /// # Errors
    /// When the backend fails.
    async fn claim(&self, claim: Claim) -> Result<Vec<Claimed>, LedgerError>;

    /// Records finished attempts and what becomes of their messages, in one
    /// transaction.
    ///
    /// # Errors
    /// When the backend fails (nothing is recorded then).
    async fn finish(&self, attempts: Vec<Attempt>) -> Result<(), LedgerError>;

    /// Queues stored events again (`creator events replay`); returns the
    /// messages queued.
    ///
    /// # Errors
    /// When the backend fails.
    async fn replay(&self, replay: Replay) -> Result<u64, LedgerError>;

    /// Messages, oldest first, streamed.
    fn messages(
        &self,
        filter: OutboxFilter,
    ) -> BoxStream<'static, Result<OutboxMessage, LedgerError>>;

    /// Attempts, in the order of their messages, streamed.
    fn attempts(
        &self,
        filter: OutboxFilter,
    ) -> BoxStream<'static, Result<AttemptRecord, LedgerError>>;

    /// Message counts by state.
    ///
    /// # Errors
    /// When the backend fails.
    async fn outbox_stats(&self) -> Result<OutboxStats, LedgerError>;

    /// A page of events, newest first (see [`pages`]).
    fn event_page(
        &self,
        search: EventSearch,
    ) -> BoxStream<'static, Result<StoredEvent, LedgerError>>;

    /// A page of quarantined deliveries, newest first.
    fn quarantine_page(
        &self,
        page: Page,
    ) -> BoxStream<'static, Result<QuarantinedDelivery, LedgerError>>;

    /// A page of messages matching `filter` (whose limit is ignored), newest first.
    fn message_page(
        &self,
        filter: OutboxFilter,
        page: Page,
    ) -> BoxStream<'static, Result<OutboxMessage, LedgerError>>;

    /// Delivery attempts per hour and provider started at or after `since`
    /// ([`timestamp`] format), oldest hour first.
    ///
    /// # Errors
    /// When the backend fails.
    async fn delivery_hours(&self, since: &str) -> Result<Vec<DeliveryHour>, LedgerError>;

    /// When the newest delivery of `provider` arrived ([`timestamp`]
    /// format; a redelivery of an older event counts), `None` when it has
    /// none (`creator doctor` and the console's doctor page).
    ///
    /// # Errors
    /// When the backend fails.
    async fn last_received(&self, provider: &str) -> Result<Option<String>, LedgerError>;

    /// Up to `limit` events after the event `after` (0: from the first) in
    /// the order they became visible: on SQLite the id order (one writer
    /// commits in that order); on PostgreSQL an event is returned only once
    /// every transaction that could store one before it has ended, so a
    /// reader that resumes from the last id it got never misses one.
    ///
    /// # Errors
    /// When the backend fails, or `after` names no stored event (PostgreSQL).
    async fn events_after(&self, after: i64, limit: u64) -> Result<Vec<StoredEvent>, LedgerError>;

    /// A counter bumped after every commit of this ledger handle that stores
    /// an event, queues messages or enables a destination: the forwarder and
    /// the event feed wait on it instead of polling (other processes'
    /// writes are not seen: they poll for those).
    fn subscribe(&self) -> tokio::sync::watch::Receiver<u64>;

    /// A counter bumped after every commit of this ledger handle that adds
    /// or changes a destination (the forwarder reads them again at once;
    /// other processes' changes are read within seconds).
    fn subscribe_destinations(&self) -> tokio::sync::watch::Receiver<u64>;

    /// Whether `lookup`'s person has access to its product at `now`, from the
    /// entitlement view (see [`entitlements`]); read-only, one indexed read.
    ///
    /// # Errors
    /// When the backend fails.
    async fn access(
        &self,
        lookup: entitlements::Lookup,
        now: OffsetDateTime,
    ) -> Result<creator_core::AccessVerdict, LedgerError>;

    /// Empties the entitlement view and fills it again from every stored
    /// event and synced record, in one transaction (`creator access
    /// rebuild`; migrating to the view does it too); returns the rows it
    /// holds then.
    ///
    /// # Errors
    /// When the backend fails (the view is left as it was then).
    async fn rebuild_entitlements(&self) -> Result<u64, LedgerError>;
    /// For each of `subjects`, whether an event of `provider` and `kind`
    /// about it is stored (delivered or recovered), in order.
    ///
    /// # Errors
    /// When the backend fails.
    async fn reported(
        &self,
        provider: &str,
        kind: &str,
        subjects: Vec<String>,
    ) -> Result<Vec<bool>, LedgerError> {
        let _ = (provider, kind, subjects);
        Err(no_reconcile(self.backend()))
    }

    /// Where reconciling `provider` stands.
    ///
    /// # Errors
    /// When the backend fails.
    async fn reconcile_state(
        &self,
        provider: &str,
    ) -> Result<Option<reconcile::ReconcileState>, LedgerError> {
        let _ = provider;
        Err(no_reconcile(self.backend()))
    }

    /// Takes (or renews) the reconcile lease; `false` when another owner
    /// holds it unexpired (relays sharing a ledger run reconcile one at a time).
    ///
    /// # Errors
    /// When the backend fails.
    async fn reconcile_lease(&self, lease: reconcile::Lease) -> Result<bool, LedgerError> {
        let _ = lease;
        Err(no_reconcile(self.backend()))
    }

    /// Ends a run: moves the cursor when it was complete, and gives the lease back.
    ///
    /// # Errors
    /// When the backend fails.
    async fn reconcile_end(&self, end: reconcile::RunEnd) -> Result<(), LedgerError> {
        let _ = end;
        Err(no_reconcile(self.backend()))
    }

    /// Finishes queued writes and closes the ledger. Later writes fail with
    /// [`LedgerError::Closed`].
    async fn close(&self);
}

/// The error of a ledger without `creator reconcile`'s methods (a wrapper
/// that does not pass them on); both backends have them.
fn no_reconcile(backend: &str) -> LedgerError {
    LedgerError::Config(format!(
        "the {backend} ledger does not keep reconcile state"
    ))
}

/// How a command opens the ledger.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Access {
    /// Create and migrate it if needed, and write (`creator relay`, `creator sync`).
    #[default]
    ReadWrite,
    /// Read only: never create, migrate or write it (`creator events`,
    /// `creator quarantine`); an older schema is an error that says how to migrate.
    ReadOnly,
}

/// How to open the ledger.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Read-write (the default) or read-only.
    pub access: Access,
    /// Bounds on what unauthenticated deliveries may take.
    pub quarantine_budget: QuarantineBudget,
}

/// Opens (creating and migrating on first use) the ledger named by `--db`:
/// a file path for SQLite, or a `postgres://` / `postgresql://` URL.
///
/// # Errors
/// When the ledger cannot be opened or migrated, or when a PostgreSQL URL is
/// given to a build without the `postgres` feature.
pub async fn open(db: &str) -> Result<Arc<dyn Ledger>, LedgerError> {
    open_with(db, OpenOptions::default()).await
}

/// Opens the ledger for reading only: nothing is created, migrated or written.
///
/// # Errors
/// When the ledger does not exist, cannot be read, or has another schema version.
pub async fn open_read_only(db: &str) -> Result<Arc<dyn Ledger>, LedgerError> {
    open_with(
        db,
        OpenOptions {
            access: Access::ReadOnly,
            ..OpenOptions::default()
        },
    )
    .await
}

/// [`open`] with options.
///
/// # Errors
/// As [`open`].
pub async fn open_with(db: &str, options: OpenOptions) -> Result<Arc<dyn Ledger>, LedgerError> {
    if is_postgres_url(db) {
        #[cfg(feature = "postgres")]
        {
            return Ok(Arc::new(PostgresLedger::connect_with(db, options).await?));
        }
        #[cfg(not(feature = "postgres"))]
        {
            let _ = options;
            return Err(LedgerError::Config(
                "this creator was built without PostgreSQL support: rebuild with `--features postgres`, or give --db a file path for SQLite".into(),
            ));
        }
    }
    let path = db.strip_prefix("sqlite://").unwrap_or(db).to_owned();
    let ledger = tokio::task::spawn_blocking(move || SqliteLedger::open_with(&path, options))
        .await
        .map_err(|e| LedgerError::Config(format!("opening the ledger failed: {e}")))??;
    Ok(Arc::new(ledger))
}

/// True for `postgres://` and `postgresql://` URLs.
pub fn is_postgres_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// The normalized kind name stored for an event kind (`sale`, …, `unknown`).
pub fn kind_name(kind: &creator_core::EventKind) -> String {
    match serde_json::to_value(kind) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "unknown".to_owned(),
    }
}
