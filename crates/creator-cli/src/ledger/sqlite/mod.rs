//! The SQLite ledger: one file, WAL mode, `synchronous=FULL`.
//!
//! All writes go through one writer thread ([`writer`]) that groups whatever
//! is queued into one transaction (group commit), so many concurrent
//! deliveries cost one fsync instead of one each; every caller gets its
//! answer only after the commit. Reads run on read-only connections of their
//! own, kept open between reads (a few, [`READERS`]): opening one costs more
//! than an indexed lookup.

mod forward;
mod migrate;
mod ops;
mod read;
mod writer;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use async_trait::async_trait;
use futures::StreamExt;
use futures::stream::BoxStream;
use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use self::read::{EVENT_COLUMNS, QUARANTINE_COLUMNS, Select, event_row, quarantine_row};
use self::writer::{Call, Message, Writer};
use super::health::HealthCell;
use super::signal::Signal;
use super::{
    Access, Attempt, AttemptRecord, Claim, Claimed, DeliveryHour, Destination, DestinationChange,
    DestinationWrite, EventFilter, EventSearch, Ledger, LedgerError, LedgerHealth, LedgerStats,
    NewDestination, NewEvent, NewQuarantine, OpenOptions, OutboxFilter, OutboxMessage, OutboxStats,
    Page, PruneFilter, Pruned, QuarantineBudget, QuarantineFilter, QuarantinedDelivery, Recorded,
    Replay, StoredEvent, SyncBatch, SyncState, pages, reconcile,
};

#[cfg(test)]
use migrate::BUSY_TIMEOUT;

/// Queue length between the async callers and the writer thread.
const QUEUE: usize = 4096;
/// Rows buffered between a reader thread and the stream consumer.
const READ_BUFFER: usize = 256;
/// Read-only connections kept open for the next reads.
const READERS: usize = 4;

/// The SQLite backend of the ledger.
pub struct SqliteLedger {
    path: PathBuf,
    writer: Option<WriterHandle>,
    health: Arc<HealthCell>,
    budget: QuarantineBudget,
    changes: Signal,
    destination_changes: Signal,
    /// Idle read-only connections, reused by [`SqliteLedger::read`].
    readers: Arc<Mutex<Vec<Connection>>>,
}

struct WriterHandle {
    tx: mpsc::Sender<Message>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl fmt::Debug for SqliteLedger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteLedger")
            .field("path", &self.path)
            .field("read_only", &self.writer.is_none())
            .finish_non_exhaustive()
    }
}

pub(crate) fn err(path: &Path, e: impl fmt::Display) -> LedgerError {
    LedgerError::Sqlite {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

impl SqliteLedger {
    /// Opens the file read-write (creating it and its schema on first use,
    /// migrating an older one), proves it can commit, and starts the writer
    /// thread. Blocking: call it from a blocking context (see [`super::open`]).
    ///
    /// # Errors
    /// When the file cannot be created, opened or written, is not an SQLite
    /// database, or has a newer schema than this build.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, LedgerError> {
        Self::open_with(path, OpenOptions::default())
    }

    /// [`SqliteLedger::open`] with options; [`Access::ReadOnly`] never creates,
    /// migrates or writes the file.
    ///
    /// # Errors
    /// As [`SqliteLedger::open`]; read-only: also a missing file or another schema version.
    pub fn open_with(path: impl AsRef<Path>, options: OpenOptions) -> Result<Self, LedgerError> {
        let path = path.as_ref().to_path_buf();
        if path.as_os_str().is_empty() {
            return Err(LedgerError::Config(
                "--db is empty: give a file path such as creator.db".into(),
            ));
        }
        let health = Arc::new(HealthCell::default());
        if options.access == Access::ReadOnly {
            let conn = migrate::connect(&path, true)?;
            migrate::check_version(&conn, &path)?;
            return Ok(Self {
                path,
                writer: None,
                health,
                budget: options.quarantine_budget,
                changes: Signal::default(),
                destination_changes: Signal::default(),
                readers: Arc::default(),
            });
        }
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
            && !parent.is_dir()
        {
            return Err(err(
                &path,
                format!(
                    "the directory {} does not exist: create it or choose another --db",
                    parent.display()
                ),
            ));
        }
        let mut conn = migrate::connect(&path, false)?;
        migrate::migrate(&mut conn, &path)?;
        // Refuse a ledger that cannot commit now, rather than answering 503 to
        // every delivery later.
        ops::probe(&conn).map_err(|e| {
            err(
                &path,
                format!("the ledger cannot be written ({e}): check the file's permissions and the free space"),
            )
        })?;
        health.committed();
        let (tx, rx) = mpsc::channel(QUEUE);
        let writer = Writer::new(conn, &path, health.clone());
        let thread = std::thread::Builder::new()
            .name("creator-ledger".into())
            .spawn(move || writer.run(rx))
            .map_err(|e| err(&path, format!("could not start the writer thread: {e}")))?;
        Ok(Self {
            path,
            writer: Some(WriterHandle {
                tx,
                thread: Mutex::new(Some(thread)),
            }),
            health,
            budget: options.quarantine_budget,
            changes: Signal::default(),
            destination_changes: Signal::default(),
            readers: Arc::default(),
        })
    }

    /// Tells the subscribers something was committed.
    fn changed(&self) {
        self.changes.notify();
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` on the writer thread, inside its next group transaction,
    /// and returns its result once that transaction has committed.
    async fn call<T, F>(&self, work: F) -> Result<T, LedgerError>
    where
        T: Send + 'static,
        F: FnMut(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let Some(writer) = &self.writer else {
            return Err(LedgerError::ReadOnly);
        };
        let (reply, answer) = oneshot::channel();
        writer
            .tx
            .send(Message::Job(Box::new(Call::new(work, reply))))
            .await
            .map_err(|_| LedgerError::Closed)?;
        answer.await.map_err(|_| LedgerError::Closed)?
    }

    /// Runs a read on a read-only connection of its own (no queueing behind
    /// writes): an idle one kept from an earlier read, else a new one, kept
    /// afterwards unless the read failed or [`READERS`] are idle already.
    async fn read<T, F>(&self, work: F) -> Result<T, LedgerError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let path = self.path.clone();
        let readers = self.readers.clone();
        tokio::task::spawn_blocking(move || {
            let idle = readers.lock().ok().and_then(|mut idle| idle.pop());
            let conn = match idle {
                Some(conn) => conn,
                None => migrate::connect(&path, true)?,
            };
            let result = work(&conn).map_err(|e| err(&path, e));
            if result.is_ok()
                && let Ok(mut idle) = readers.lock()
                && idle.len() < READERS
            {
                idle.push(conn);
            }
            result
        })
        .await
        .map_err(|e| err(&self.path, format!("a read failed: {e}")))?
    }

    fn read_stream<T, F>(&self, build: F) -> BoxStream<'static, Result<T, LedgerError>>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut dyn FnMut(T) -> bool) -> Result<(), LedgerError>
            + Send
            + 'static,
    {
        let (tx, rx) = mpsc::channel::<Result<T, LedgerError>>(READ_BUFFER);
        let path = self.path.clone();
        std::thread::spawn(move || {
            let result = migrate::connect(&path, true).and_then(|conn| {
                let mut sink = |item: T| tx.blocking_send(Ok(item)).is_ok();
                build(&conn, &mut sink)
            });
            if let Err(e) = result {
                let _ = tx.blocking_send(Err(e));
            }
        });
        futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|v| (v, rx)) })
            .boxed()
    }
}

/// The query of the console's events page: its filters (the provider's
/// read on the `(provider, id)` index, newest first), paged by the caller.
fn event_search(search: EventSearch) -> Select {
    let mut select = Select::new(EVENT_COLUMNS, "events");
    select.event_filters(search.provider, search.kind, search.since);
    select.and_opt(" AND received_at < ?{n}", search.until);
    select.and_opt(
        &format!(
            " AND {}",
            super::sql::EVENT_TEXT_MATCH.replace("{p}", "?{n}")
        ),
        search.text.as_deref().map(pages::contains_pattern),
    );
    select
}

#[async_trait]
impl Ledger for SqliteLedger {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn record_event(&self, event: NewEvent) -> Result<Recorded, LedgerError> {
        let recorded = self
            .call(move |conn| ops::record_event(conn, &event))
            .await?;
        if matches!(recorded, Recorded::Stored { .. }) {
            self.changed();
        }
        Ok(recorded)
    }

    async fn quarantine(&self, delivery: NewQuarantine) -> Result<i64, LedgerError> {
        let budget = self.budget;
        self.call(move |conn| ops::quarantine(conn, &delivery, &budget))
            .await
    }

    async fn replay_quarantined(&self, id: i64, event: NewEvent) -> Result<Recorded, LedgerError> {
        let recorded = self.call(move |conn| ops::replay(conn, id, &event)).await?;
        self.changed();
        Ok(recorded)
    }

    async fn prune_quarantine(&self, filter: PruneFilter) -> Result<Pruned, LedgerError> {
        self.call(move |conn| ops::prune(conn, &filter)).await
    }

    async fn probe(&self) -> Result<(), LedgerError> {
        self.call(ops::probe).await
    }

    fn health(&self) -> LedgerHealth {
        self.health.snapshot()
    }

    fn events(&self, filter: EventFilter) -> BoxStream<'static, Result<StoredEvent, LedgerError>> {
        let path = self.path.clone();
        self.read_stream(move |conn, sink| {
            let mut select = Select::new(EVENT_COLUMNS, "events");
            select.event_filters(filter.provider, filter.kind, filter.since);
            select.run(conn, &path, filter.limit, event_row, sink)
        })
    }

    fn quarantined(
        &self,
        filter: QuarantineFilter,
    ) -> BoxStream<'static, Result<QuarantinedDelivery, LedgerError>> {
        let path = self.path.clone();
        self.read_stream(move |conn, sink| {
            let mut select = Select::new(QUARANTINE_COLUMNS, "quarantine");
            select.and_opt(" AND id = ?{n}", filter.id);
            select.and_opt(" AND received_at >= ?{n}", filter.since);
            select.and_opt(" AND reason = ?{n}", filter.reason.map(|r| r.as_str()));
            select.run(conn, &path, filter.limit, quarantine_row, sink)
        })
    }

    async fn write_sync_batch(&self, batch: SyncBatch) -> Result<(), LedgerError> {
        self.call(move |conn| ops::sync_batch(conn, &batch)).await
    }

    async fn sync_state(
        &self,
        provider: &str,
        resource: &str,
    ) -> Result<Option<SyncState>, LedgerError> {
        let (provider, resource) = (provider.to_owned(), resource.to_owned());
        self.read(move |conn| ops::sync_state(conn, &provider, &resource))
            .await
    }

    async fn setting(&self, key: &str) -> Result<Option<String>, LedgerError> {
        let key = key.to_owned();
        self.read(move |conn| ops::setting(conn, &key)).await
    }

    async fn setting_or_insert(&self, key: &str, value: &str) -> Result<String, LedgerError> {
        let (key, value) = (key.to_owned(), value.to_owned());
        self.call(move |conn| ops::setting_or_insert(conn, &key, &value))
            .await
    }

    async fn stats(&self) -> Result<LedgerStats, LedgerError> {
        self.read(ops::stats).await
    }

    async fn reported(
        &self,
        provider: &str,
        kind: &str,
        subjects: Vec<String>,
    ) -> Result<Vec<bool>, LedgerError> {
        let (provider, kind) = (provider.to_owned(), kind.to_owned());
        self.read(move |conn| ops::reported(conn, &provider, &kind, &subjects))
            .await
    }

    async fn reconcile_state(
        &self,
        provider: &str,
    ) -> Result<Option<reconcile::ReconcileState>, LedgerError> {
        let provider = provider.to_owned();
        self.read(move |conn| ops::reconcile_state(conn, &provider))
            .await
    }

    async fn reconcile_lease(&self, lease: reconcile::Lease) -> Result<bool, LedgerError> {
        self.call(move |conn| ops::reconcile_lease(conn, &lease))
            .await
    }

    async fn reconcile_end(&self, end: reconcile::RunEnd) -> Result<(), LedgerError> {
        self.call(move |conn| ops::reconcile_end(conn, &end)).await
    }

    async fn destinations(&self) -> Result<Vec<Destination>, LedgerError> {
        self.read(forward::destinations).await
    }

    async fn add_destination(
        &self,
        destination: NewDestination,
    ) -> Result<DestinationWrite, LedgerError> {
        let written = self
            .call(move |conn| forward::add_destination(conn, &destination))
            .await?;
        self.destination_changes.notify();
        Ok(written)
    }

    async fn change_destination(
        &self,
        name: &str,
        change: DestinationChange,
        now: &str,
    ) -> Result<DestinationWrite, LedgerError> {
        let (name, now) = (name.to_owned(), now.to_owned());
        let written = self
            .call(move |conn| forward::change_destination(conn, &name, &change, &now))
            .await?;
        self.changed();
        self.destination_changes.notify();
        Ok(written)
    }

    async fn claim(&self, claim: Claim) -> Result<Vec<Claimed>, LedgerError> {
        let Claim {
            owner,
            now,
            lease_until,
            slots,
        } = claim;
        let rows = self
            .call(move |conn| {
                let mut all = Vec::new();
                for (destination, limit) in &slots {
                    for (message, event, attempts) in
                        forward::claim(conn, &owner, &lease_until, *destination, &now, *limit)?
                    {
                        all.push((message, *destination, event, attempts));
                    }
                }
                Ok(all)
            })
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        // The events are read beside the writer, not on it.
        let ids: Vec<i64> = rows.iter().map(|r| r.2).collect();
        let (events, destinations) = self
            .read(move |conn| {
                let list = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());
                let events = conn
                    .prepare(&format!(
                        "SELECT {EVENT_COLUMNS} FROM events WHERE id IN (SELECT value FROM json_each(?1))"
                    ))?
                    .query_map(rusqlite::params![list], event_row)?
                    .collect::<rusqlite::Result<Vec<StoredEvent>>>()?;
                Ok((events, forward::destinations(conn)?))
            })
            .await?;
        let by_id: std::collections::HashMap<i64, StoredEvent> =
            events.into_iter().map(|e| (e.id, e)).collect();
        let destinations: std::collections::HashMap<i64, Destination> =
            destinations.into_iter().map(|d| (d.id, d)).collect();
        Ok(rows
            .into_iter()
            .filter_map(|(message_id, destination_id, event, attempts)| {
                Some(Claimed {
                    message_id,
                    destination_id,
                    attempt: u32::try_from(attempts + 1).unwrap_or(u32::MAX),
                    event: by_id.get(&event)?.clone(),
                    destination: destinations.get(&destination_id)?.clone(),
                })
            })
            .collect())
    }

    async fn finish(&self, attempts: Vec<Attempt>) -> Result<(), LedgerError> {
        self.call(move |conn| forward::finish(conn, &attempts))
            .await
    }

    async fn replay(&self, replay: Replay) -> Result<u64, LedgerError> {
        let queued = self
            .call(move |conn| forward::replay(conn, &replay))
            .await?;
        self.changed();
        Ok(queued)
    }

    fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    fn subscribe_destinations(&self) -> tokio::sync::watch::Receiver<u64> {
        self.destination_changes.subscribe()
    }

    fn messages(
        &self,
        filter: OutboxFilter,
    ) -> BoxStream<'static, Result<OutboxMessage, LedgerError>> {
        let path = self.path.clone();
        self.read_stream(move |conn, sink| {
            let mut select = Select::new(super::sql::OUTBOX_COLUMNS, super::sql::OUTBOX_VIEW);
            select.outbox_filters(&filter);
            select.run(conn, &path, filter.limit, forward::message_row, sink)
        })
    }

    fn attempts(
        &self,
        filter: OutboxFilter,
    ) -> BoxStream<'static, Result<AttemptRecord, LedgerError>> {
        let path = self.path.clone();
        self.read_stream(move |conn, sink| {
            let mut select = Select::new(super::sql::ATTEMPT_COLUMNS, super::sql::ATTEMPTS_VIEW);
            select.outbox_filters(&filter);
            select.run(conn, &path, filter.limit, forward::attempt_row, sink)
        })
    }

    async fn outbox_stats(&self) -> Result<OutboxStats, LedgerError> {
        self.read(forward::outbox_stats).await
    }

    fn event_page(
        &self,
        search: EventSearch,
    ) -> BoxStream<'static, Result<StoredEvent, LedgerError>> {
        let path = self.path.clone();
        self.read_stream(move |conn, sink| {
            let page = search.page;
            event_search(search).run_page(conn, &path, page, event_row, sink)
        })
    }

    fn quarantine_page(
        &self,
        page: Page,
    ) -> BoxStream<'static, Result<QuarantinedDelivery, LedgerError>> {
        let path = self.path.clone();
        self.read_stream(move |conn, sink| {
            Select::new(QUARANTINE_COLUMNS, "quarantine").run_page(
                conn,
                &path,
                page,
                quarantine_row,
                sink,
            )
        })
    }

    fn message_page(
        &self,
        filter: OutboxFilter,
        page: Page,
    ) -> BoxStream<'static, Result<OutboxMessage, LedgerError>> {
        let path = self.path.clone();
        self.read_stream(move |conn, sink| {
            let mut select = Select::new(super::sql::OUTBOX_COLUMNS, super::sql::OUTBOX_VIEW);
            select.outbox_filters(&filter);
            select.run_page(conn, &path, page, forward::message_row, sink)
        })
    }

    async fn delivery_hours(&self, since: &str) -> Result<Vec<DeliveryHour>, LedgerError> {
        let since = since.to_owned();
        self.read(move |conn| {
            conn.prepare_cached(super::sql::DELIVERY_HOURS)?
                .query_map([since], |r| {
                    Ok(DeliveryHour {
                        hour: r.get(0)?,
                        provider: r.get(1)?,
                        attempts: r.get(2)?,
                        delivered: r.get(3)?,
                        mean_latency_ms: r.get(4)?,
                        max_latency_ms: r.get(5)?,
                    })
                })?
                .collect()
        })
        .await
    }

    async fn last_received(&self, provider: &str) -> Result<Option<String>, LedgerError> {
        let provider = provider.to_owned();
        self.read(move |conn| {
            conn.prepare_cached(super::sql::LAST_RECEIVED)?
                .query_row([provider], |r| r.get(0))
        })
        .await
    }

    async fn events_after(&self, after: i64, limit: u64) -> Result<Vec<StoredEvent>, LedgerError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(move |conn| {
            conn.prepare_cached(&format!(
                "SELECT {EVENT_COLUMNS} FROM events WHERE id > ?1 ORDER BY id LIMIT ?2"
            ))?
            .query_map(rusqlite::params![after, limit], event_row)?
            .collect()
        })
        .await
    }

    async fn access(
        &self,
        lookup: crate::ledger::entitlements::Lookup,
        now: time::OffsetDateTime,
    ) -> Result<creator_core::AccessVerdict, LedgerError> {
        self.read(move |conn| ops::access(conn, &lookup, now)).await
    }

    async fn rebuild_entitlements(&self) -> Result<u64, LedgerError> {
        self.call(ops::rebuild_entitlements).await
    }

    async fn close(&self) {
        self.health.closed();
        if let Ok(mut idle) = self.readers.lock() {
            idle.clear();
        }
        let Some(writer) = &self.writer else {
            return;
        };
        let (done, wait) = oneshot::channel();
        if writer.tx.send(Message::Close(done)).await.is_ok() {
            let _ = wait.await;
        }
        let handle = writer.thread.lock().ok().and_then(|mut h| h.take());
        if let Some(handle) = handle {
            let _ = tokio::task::spawn_blocking(move || handle.join()).await;
        }
    }
}

#[cfg(test)]
mod tests;
