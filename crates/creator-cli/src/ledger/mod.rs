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

mod migrations;
#[cfg(feature = "postgres")]
mod postgres;
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

pub use migrations::SCHEMA_VERSION;
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
    /// The ledger has been closed (the relay is shutting down).
    #[error("the ledger is closed")]
    Closed,
    /// The `--db` value is not usable.
    #[error("{0}")]
    Config(String),
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
    /// `WebhookEvent::dedup_key()`: the same for every redelivery.
    pub dedup_key: String,
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
}

impl fmt::Debug for NewEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewEvent")
            .field("dedup_key", &self.dedup_key)
            .field("endpoint", &self.endpoint)
            .field("body_len", &self.raw_body.len())
            .finish_non_exhaustive()
    }
}

/// What storing an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Recorded {
    /// A new event; its row id.
    Stored {
        /// Row id.
        id: i64,
    },
    /// Already in the ledger (a redelivery); its delivery count was bumped.
    Duplicate {
        /// Row id of the first delivery.
        id: i64,
    },
}

/// A delivery that was not stored as an event, kept with its raw body.
#[derive(Clone)]
pub struct NewQuarantine {
    /// When it arrived ([`timestamp`] format).
    pub received_at: String,
    /// The endpoint name from the URL (`gumroad`, `gank`, or what was asked for).
    pub endpoint: String,
    /// `verification`, `parse`, `too_large`, `unknown_endpoint`, `not_configured`, `incomplete`.
    pub reason: String,
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
}

impl fmt::Debug for NewQuarantine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewQuarantine")
            .field("endpoint", &self.endpoint)
            .field("reason", &self.reason)
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
    /// The dedup key.
    pub dedup_key: String,
    /// The request's content type.
    pub content_type: Option<String>,
    /// The request headers (credentials redacted).
    pub headers: serde_json::Value,
    /// The normalized event.
    pub event: serde_json::Value,
    /// The raw body.
    #[serde(skip)]
    pub raw_body: Bytes,
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
    /// The body (or its first bytes).
    #[serde(skip)]
    pub raw_body: Bytes,
}

/// Filters for reading quarantined deliveries.
#[derive(Debug, Clone, Default)]
pub struct QuarantineFilter {
    /// Only deliveries received at or after this time ([`timestamp`] format).
    pub since: Option<String>,
    /// Only this reason.
    pub reason: Option<String>,
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

    /// Keeps a rejected delivery; returns its row id.
    ///
    /// # Errors
    /// When the backend fails.
    async fn quarantine(&self, delivery: NewQuarantine) -> Result<i64, LedgerError>;

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

    /// Row counts (also a cheap liveness check).
    ///
    /// # Errors
    /// When the backend fails.
    async fn stats(&self) -> Result<LedgerStats, LedgerError>;

    /// Finishes queued writes and closes the ledger. Later writes fail with
    /// [`LedgerError::Closed`].
    async fn close(&self);
}

/// Opens (creating and migrating on first use) the ledger named by `--db`:
/// a file path for SQLite, or a `postgres://` / `postgresql://` URL.
///
/// # Errors
/// When the ledger cannot be opened or migrated, or when a PostgreSQL URL is
/// given to a build without the `postgres` feature.
pub async fn open(db: &str) -> Result<Arc<dyn Ledger>, LedgerError> {
    if is_postgres_url(db) {
        #[cfg(feature = "postgres")]
        {
            return Ok(Arc::new(PostgresLedger::connect(db).await?));
        }
        #[cfg(not(feature = "postgres"))]
        {
            return Err(LedgerError::Config(
                "this creator was built without PostgreSQL support: rebuild with `--features postgres`, or give --db a file path for SQLite".into(),
            ));
        }
    }
    let path = db.strip_prefix("sqlite://").unwrap_or(db).to_owned();
    let ledger = tokio::task::spawn_blocking(move || SqliteLedger::open(&path))
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
