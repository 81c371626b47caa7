//! The SQLite ledger: one file, WAL mode, `synchronous=FULL`.
//!
//! All writes go through one writer thread that groups whatever is queued
//! into one transaction (group commit), so many concurrent deliveries cost one
//! fsync instead of one each; every caller gets its answer only after the
//! commit. Reads open their own connections (WAL lets them run beside the
//! writer, and beside other relays on the same file).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, ToSql, params};
use tokio::sync::{mpsc, oneshot};

use super::migrations::{Migration, SCHEMA_VERSION, SQLITE};
use super::{
    EventFilter, Ledger, LedgerError, LedgerStats, NewEvent, NewQuarantine, QuarantineFilter,
    QuarantinedDelivery, Recorded, StoredEvent, SyncBatch, SyncState, timestamp,
};

/// Most operations grouped into one transaction.
const MAX_BATCH: usize = 512;
/// Queue length between the async callers and the writer thread.
const QUEUE: usize = 4096;
/// How long a connection waits for a lock held by another process.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Rows buffered between a reader thread and the stream consumer.
const READ_BUFFER: usize = 256;

enum Op {
    Event(NewEvent),
    Quarantine(NewQuarantine),
    SyncBatch(SyncBatch),
    SyncState(String, String),
    Setting(String),
    SettingOrInsert(String, String),
    Stats,
}

enum Reply {
    Recorded(Recorded),
    Id(i64),
    Unit,
    SyncState(Option<SyncState>),
    Setting(Option<String>),
    Stats(LedgerStats),
}

enum Job {
    Op(Box<Op>, oneshot::Sender<Result<Reply, LedgerError>>),
    Close(oneshot::Sender<()>),
}

/// The SQLite backend of the ledger.
pub struct SqliteLedger {
    path: PathBuf,
    tx: mpsc::Sender<Job>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl fmt::Debug for SqliteLedger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteLedger")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn err(path: &Path, e: impl fmt::Display) -> LedgerError {
    LedgerError::Sqlite {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

impl SqliteLedger {
    /// Opens the file (creating it and its schema on first use), switches it
    /// to WAL mode and starts the writer thread. Blocking: call it from a
    /// blocking context (see [`super::open`]).
    ///
    /// # Errors
    /// When the file cannot be created or opened, is not an SQLite database,
    /// or has a newer schema than this build.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, LedgerError> {
        let path = path.as_ref().to_path_buf();
        if path.as_os_str().is_empty() {
            return Err(LedgerError::Config(
                "--db is empty: give a file path such as creator.db".into(),
            ));
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
        let mut conn = connect(&path, false)?;
        migrate(&mut conn, &path)?;
        let (tx, rx) = mpsc::channel(QUEUE);
        let thread_path = path.clone();
        let writer = std::thread::Builder::new()
            .name("creator-ledger".into())
            .spawn(move || writer_loop(conn, rx, &thread_path))
            .map_err(|e| err(&path, format!("could not start the writer thread: {e}")))?;
        Ok(Self {
            path,
            tx,
            writer: Mutex::new(Some(writer)),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn call(&self, op: Op) -> Result<Reply, LedgerError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job::Op(Box::new(op), reply))
            .await
            .map_err(|_| LedgerError::Closed)?;
        answer.await.map_err(|_| LedgerError::Closed)?
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
            let result = connect(&path, true).and_then(|conn| {
                let mut sink = |item: T| tx.blocking_send(Ok(item)).is_ok();
                build(&conn, &mut sink)
            });
            if let Err(e) = result {
                let _ = tx.blocking_send(Err(e));
            }
        });
        tokio_stream(rx).boxed()
    }
}

fn tokio_stream<T: Send + 'static>(
    rx: mpsc::Receiver<T>,
) -> impl futures::Stream<Item = T> + Send + 'static {
    futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|v| (v, rx)) })
}

fn connect(path: &Path, read_only: bool) -> Result<Connection, LedgerError> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let conn = Connection::open_with_flags(path, flags).map_err(|e| {
        if read_only && !path.exists() {
            err(
                path,
                "no ledger here yet: start `creator relay` (or `creator sync`) with this --db first",
            )
        } else {
            err(path, e)
        }
    })?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| err(path, e))?;
    if !read_only {
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(|e| err(path, format!("not a usable SQLite database: {e}")))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(err(
                path,
                format!("could not switch to WAL mode (got {mode})"),
            ));
        }
        // FULL: a delivery is acknowledged only once it survives a power cut.
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(|e| err(path, e))?;
    }
    Ok(conn)
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<(), LedgerError> {
    let e = |x: rusqlite::Error| err(path, format!("migration failed: {x}"));
    // IMMEDIATE: two relays starting on a new file do not both migrate.
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(e)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )",
    )
    .map_err(e)?;
    let current: i64 = tx
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )
        .map_err(e)?;
    if current > SCHEMA_VERSION {
        return Err(LedgerError::TooNew {
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    for Migration { version, name, sql } in SQLITE.iter().filter(|m| m.version > current) {
        tx.execute_batch(sql).map_err(e)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            params![version, name, timestamp(time::OffsetDateTime::now_utc())],
        )
        .map_err(e)?;
    }
    tx.commit().map_err(e)
}

fn writer_loop(mut conn: Connection, mut rx: mpsc::Receiver<Job>, path: &Path) {
    let mut closing: Vec<oneshot::Sender<()>> = Vec::new();
    while let Some(first) = rx.blocking_recv() {
        let mut ops = Vec::new();
        let mut push = |job: Job, ops: &mut Vec<_>| match job {
            Job::Op(op, reply) => ops.push((op, reply)),
            Job::Close(done) => closing.push(done),
        };
        push(first, &mut ops);
        while ops.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => push(job, &mut ops),
                Err(_) => break,
            }
        }
        if !ops.is_empty() {
            run_batch(&mut conn, ops, path);
        }
        if !closing.is_empty() {
            rx.close();
            // Finish what was queued before the close request.
            let mut rest = Vec::new();
            while let Ok(job) = rx.try_recv() {
                if let Job::Op(op, reply) = job {
                    rest.push((op, reply));
                }
            }
            if !rest.is_empty() {
                run_batch(&mut conn, rest, path);
            }
            break;
        }
    }
    // Best effort: fold the WAL back into the main file on a clean shutdown.
    let _ = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
    drop(conn);
    for done in closing {
        let _ = done.send(());
    }
}

type Pending = (Box<Op>, oneshot::Sender<Result<Reply, LedgerError>>);

fn run_batch(conn: &mut Connection, ops: Vec<Pending>, path: &Path) {
    // One transaction for the whole group; if anything in it fails, each
    // operation is retried alone so one bad write cannot fail the others.
    let grouped = (|| {
        let tx = conn.transaction().map_err(|e| err(path, e))?;
        let mut replies = Vec::with_capacity(ops.len());
        for (op, _) in &ops {
            replies.push(apply(&tx, op, path)?);
        }
        tx.commit().map_err(|e| err(path, e))?;
        Ok::<_, LedgerError>(replies)
    })();
    match grouped {
        Ok(replies) => {
            for ((_, reply), answer) in ops.into_iter().zip(replies) {
                let _ = reply.send(Ok(answer));
            }
        }
        Err(_) if ops.len() > 1 => {
            for (op, reply) in ops {
                let one = (|| {
                    let tx = conn.transaction().map_err(|e| err(path, e))?;
                    let answer = apply(&tx, &op, path)?;
                    tx.commit().map_err(|e| err(path, e))?;
                    Ok(answer)
                })();
                let _ = reply.send(one);
            }
        }
        Err(e) => {
            for (_, reply) in ops {
                let _ = reply.send(Err(LedgerError::Sqlite {
                    path: path.display().to_string(),
                    message: e.to_string(),
                }));
            }
        }
    }
}

fn apply(conn: &Connection, op: &Op, path: &Path) -> Result<Reply, LedgerError> {
    let e = |x: rusqlite::Error| err(path, x);
    match op {
        Op::Event(ev) => {
            let inserted = conn
                .prepare_cached(
                    "INSERT INTO events (dedup_key, endpoint, provider, kind, name, subject_id,
                        occurred_at, test, verified, received_at, last_received_at, deliveries,
                        content_type, headers, raw_body, event)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, 1, ?11, ?12, ?13, ?14)
                     ON CONFLICT (dedup_key) DO NOTHING",
                )
                .and_then(|mut st| {
                    st.execute(params![
                        ev.dedup_key,
                        ev.endpoint,
                        ev.provider,
                        ev.kind,
                        ev.name,
                        ev.subject_id,
                        ev.occurred_at,
                        ev.test,
                        ev.verified,
                        ev.received_at,
                        ev.content_type,
                        ev.headers,
                        &ev.raw_body[..],
                        ev.event,
                    ])
                })
                .map_err(e)?;
            if inserted == 1 {
                return Ok(Reply::Recorded(Recorded::Stored {
                    id: conn.last_insert_rowid(),
                }));
            }
            let id: i64 = conn
                .prepare_cached(
                    "UPDATE events SET deliveries = deliveries + 1,
                        last_received_at = MAX(last_received_at, ?2)
                     WHERE dedup_key = ?1 RETURNING id",
                )
                .and_then(|mut st| {
                    st.query_row(params![ev.dedup_key, ev.received_at], |r| r.get(0))
                })
                .map_err(e)?;
            Ok(Reply::Recorded(Recorded::Duplicate { id }))
        }
        Op::Quarantine(q) => {
            conn.prepare_cached(
                "INSERT INTO quarantine (received_at, endpoint, reason, error, status,
                    content_type, headers, body_size, body_truncated, raw_body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    q.received_at,
                    q.endpoint,
                    q.reason,
                    q.error,
                    q.status,
                    q.content_type,
                    q.headers,
                    i64::try_from(q.body_size).unwrap_or(i64::MAX),
                    q.body_truncated,
                    &q.raw_body[..],
                ])
            })
            .map_err(e)?;
            Ok(Reply::Id(conn.last_insert_rowid()))
        }
        Op::SyncBatch(batch) => {
            let now = timestamp(time::OffsetDateTime::now_utc());
            for s in &batch.sales {
                conn.prepare_cached(
                    "INSERT INTO synced_sales (provider, id, product_id, email, amount_minor,
                        currency, created_at, refunded, test, record, synced_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                     ON CONFLICT (provider, id) DO UPDATE SET product_id = excluded.product_id,
                        email = excluded.email, amount_minor = excluded.amount_minor,
                        currency = excluded.currency, created_at = excluded.created_at,
                        refunded = excluded.refunded, test = excluded.test,
                        record = excluded.record, synced_at = excluded.synced_at",
                )
                .and_then(|mut st| {
                    st.execute(params![
                        s.provider,
                        s.id,
                        s.product_id,
                        s.email,
                        s.amount_minor,
                        s.currency,
                        s.created_at,
                        s.refunded,
                        s.test,
                        s.record,
                        now
                    ])
                })
                .map_err(e)?;
            }
            for s in &batch.subscribers {
                conn.prepare_cached(
                    "INSERT INTO synced_subscribers (provider, id, product_id, email, status,
                        started_at, ends_at, record, synced_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                     ON CONFLICT (provider, id) DO UPDATE SET product_id = excluded.product_id,
                        email = excluded.email, status = excluded.status,
                        started_at = excluded.started_at, ends_at = excluded.ends_at,
                        record = excluded.record, synced_at = excluded.synced_at",
                )
                .and_then(|mut st| {
                    st.execute(params![
                        s.provider,
                        s.id,
                        s.product_id,
                        s.email,
                        s.status,
                        s.started_at,
                        s.ends_at,
                        s.record,
                        now
                    ])
                })
                .map_err(e)?;
            }
            if let Some(state) = &batch.state {
                conn.prepare_cached(
                    "INSERT INTO sync_state (provider, resource, status, after_day, resume_before,
                        newest_day, items, started_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                     ON CONFLICT (provider, resource) DO UPDATE SET status = excluded.status,
                        after_day = excluded.after_day, resume_before = excluded.resume_before,
                        newest_day = excluded.newest_day, items = excluded.items,
                        started_at = excluded.started_at, updated_at = excluded.updated_at",
                )
                .and_then(|mut st| {
                    st.execute(params![
                        state.provider,
                        state.resource,
                        state.status,
                        state.after,
                        state.resume_before,
                        state.newest_day,
                        state.items,
                        state.started_at,
                        state.updated_at
                    ])
                })
                .map_err(e)?;
            }
            Ok(Reply::Unit)
        }
        Op::SyncState(provider, resource) => conn
            .query_row(
                "SELECT provider, resource, status, after_day, resume_before, newest_day, items,
                    started_at, updated_at
                 FROM sync_state WHERE provider = ?1 AND resource = ?2",
                params![provider, resource],
                |r| {
                    Ok(SyncState {
                        provider: r.get(0)?,
                        resource: r.get(1)?,
                        status: r.get(2)?,
                        after: r.get(3)?,
                        resume_before: r.get(4)?,
                        newest_day: r.get(5)?,
                        items: r.get(6)?,
                        started_at: r.get(7)?,
                        updated_at: r.get(8)?,
                    })
                },
            )
            .optional()
            .map(Reply::SyncState)
            .map_err(e),
        Op::Setting(key) => conn
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                params![key],
                |r| r.get(0),
            )
            .optional()
            .map(Reply::Setting)
            .map_err(e),
        Op::SettingOrInsert(key, value) => {
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
                params![key, value],
            )
            .map_err(e)?;
            conn.query_row(
                "SELECT value FROM settings WHERE key = ?1",
                params![key],
                |r| r.get(0),
            )
            .map(|v| Reply::Setting(Some(v)))
            .map_err(e)
        }
        Op::Stats => conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM events),
                        (SELECT COALESCE(SUM(deliveries), 0) FROM events),
                        (SELECT COUNT(*) FROM quarantine),
                        (SELECT COUNT(*) FROM synced_sales),
                        (SELECT COUNT(*) FROM synced_subscribers)",
                [],
                |r| {
                    Ok(LedgerStats {
                        events: r.get(0)?,
                        deliveries: r.get(1)?,
                        quarantined: r.get(2)?,
                        synced_sales: r.get(3)?,
                        synced_subscribers: r.get(4)?,
                    })
                },
            )
            .map(Reply::Stats)
            .map_err(e),
    }
}

fn unexpected() -> LedgerError {
    LedgerError::Sqlite {
        path: String::new(),
        message: "internal error: unexpected reply from the writer".into(),
    }
}

fn json_column(text: String) -> serde_json::Value {
    serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
}

/// A `SELECT … WHERE 1 = 1` grown by optional filters with numbered
/// parameters, read in id order and streamed row by row into a sink.
struct Select {
    sql: String,
    args: Vec<Box<dyn ToSql>>,
}

impl Select {
    fn new(base: &str) -> Self {
        Self {
            sql: base.to_owned(),
            args: Vec::new(),
        }
    }

    /// Adds `clause` (with `{n}` standing for the new parameter's number) when `value` is set.
    fn and_opt<V: ToSql + 'static>(&mut self, clause: &str, value: Option<V>) {
        if let Some(v) = value {
            self.args.push(Box::new(v));
            self.sql
                .push_str(&clause.replace("{n}", &self.args.len().to_string()));
        }
    }

    fn run<T>(
        mut self,
        conn: &Connection,
        path: &Path,
        limit: Option<u64>,
        row: fn(&Row<'_>) -> rusqlite::Result<T>,
        sink: &mut dyn FnMut(T) -> bool,
    ) -> Result<(), LedgerError> {
        self.sql.push_str(" ORDER BY id");
        if let Some(l) = limit {
            self.args
                .push(Box::new(i64::try_from(l).unwrap_or(i64::MAX)));
            self.sql.push_str(&format!(" LIMIT ?{}", self.args.len()));
        }
        let mut st = conn.prepare(&self.sql).map_err(|e| err(path, e))?;
        let params: Vec<&dyn ToSql> = self.args.iter().map(|b| b.as_ref()).collect();
        let rows = st.query_map(&params[..], row).map_err(|e| err(path, e))?;
        for item in rows {
            if !sink(item.map_err(|e| err(path, e))?) {
                break;
            }
        }
        Ok(())
    }
}

fn event_row(r: &Row<'_>) -> rusqlite::Result<StoredEvent> {
    Ok(StoredEvent {
        id: r.get(0)?,
        received_at: r.get(1)?,
        last_received_at: r.get(2)?,
        deliveries: r.get(3)?,
        endpoint: r.get(4)?,
        provider: r.get(5)?,
        kind: r.get(6)?,
        name: r.get(7)?,
        subject_id: r.get(8)?,
        occurred_at: r.get(9)?,
        test: r.get(10)?,
        verified: r.get(11)?,
        dedup_key: r.get(12)?,
        content_type: r.get(13)?,
        headers: json_column(r.get(14)?),
        event: json_column(r.get(15)?),
        raw_body: Bytes::from(r.get::<_, Vec<u8>>(16)?),
    })
}

fn quarantine_row(r: &Row<'_>) -> rusqlite::Result<QuarantinedDelivery> {
    Ok(QuarantinedDelivery {
        id: r.get(0)?,
        received_at: r.get(1)?,
        endpoint: r.get(2)?,
        reason: r.get(3)?,
        error: r.get(4)?,
        status: r.get(5)?,
        content_type: r.get(6)?,
        headers: json_column(r.get(7)?),
        body_size: u64::try_from(r.get::<_, i64>(8)?).unwrap_or(0),
        body_truncated: r.get(9)?,
        raw_body: Bytes::from(r.get::<_, Vec<u8>>(10)?),
    })
}

#[async_trait]
impl Ledger for SqliteLedger {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn record_event(&self, event: NewEvent) -> Result<Recorded, LedgerError> {
        match self.call(Op::Event(event)).await? {
            Reply::Recorded(r) => Ok(r),
            _ => Err(unexpected()),
        }
    }

    async fn quarantine(&self, delivery: NewQuarantine) -> Result<i64, LedgerError> {
        match self.call(Op::Quarantine(delivery)).await? {
            Reply::Id(id) => Ok(id),
            _ => Err(unexpected()),
        }
    }

    fn events(&self, filter: EventFilter) -> BoxStream<'static, Result<StoredEvent, LedgerError>> {
        let path = self.path.clone();
        self.read_stream(move |conn, sink| {
            let mut select = Select::new(
                "SELECT id, received_at, last_received_at, deliveries, endpoint, provider, kind,
                    name, subject_id, occurred_at, test, verified, dedup_key, content_type,
                    headers, event, raw_body
                 FROM events WHERE 1 = 1",
            );
            select.and_opt(" AND provider = ?{n}", filter.provider);
            select.and_opt(" AND (kind = ?{n} OR name = ?{n})", filter.kind);
            select.and_opt(" AND received_at >= ?{n}", filter.since);
            select.run(conn, &path, filter.limit, event_row, sink)
        })
    }

    fn quarantined(
        &self,
        filter: QuarantineFilter,
    ) -> BoxStream<'static, Result<QuarantinedDelivery, LedgerError>> {
        let path = self.path.clone();
        self.read_stream(move |conn, sink| {
            let mut select = Select::new(
                "SELECT id, received_at, endpoint, reason, error, status, content_type, headers,
                    body_size, body_truncated, raw_body
                 FROM quarantine WHERE 1 = 1",
            );
            select.and_opt(" AND received_at >= ?{n}", filter.since);
            select.and_opt(" AND reason = ?{n}", filter.reason);
            select.run(conn, &path, filter.limit, quarantine_row, sink)
        })
    }

    async fn write_sync_batch(&self, batch: SyncBatch) -> Result<(), LedgerError> {
        match self.call(Op::SyncBatch(batch)).await? {
            Reply::Unit => Ok(()),
            _ => Err(unexpected()),
        }
    }

    async fn sync_state(
        &self,
        provider: &str,
        resource: &str,
    ) -> Result<Option<SyncState>, LedgerError> {
        match self
            .call(Op::SyncState(provider.to_owned(), resource.to_owned()))
            .await?
        {
            Reply::SyncState(s) => Ok(s),
            _ => Err(unexpected()),
        }
    }

    async fn setting(&self, key: &str) -> Result<Option<String>, LedgerError> {
        match self.call(Op::Setting(key.to_owned())).await? {
            Reply::Setting(v) => Ok(v),
            _ => Err(unexpected()),
        }
    }

    async fn setting_or_insert(&self, key: &str, value: &str) -> Result<String, LedgerError> {
        match self
            .call(Op::SettingOrInsert(key.to_owned(), value.to_owned()))
            .await?
        {
            Reply::Setting(Some(v)) => Ok(v),
            _ => Err(unexpected()),
        }
    }

    async fn stats(&self) -> Result<LedgerStats, LedgerError> {
        match self.call(Op::Stats).await? {
            Reply::Stats(s) => Ok(s),
            _ => Err(unexpected()),
        }
    }

    async fn close(&self) {
        let (done, wait) = oneshot::channel();
        if self.tx.send(Job::Close(done)).await.is_ok() {
            let _ = wait.await;
        }
        let handle = self.writer.lock().ok().and_then(|mut h| h.take());
        if let Some(handle) = handle {
            let _ = tokio::task::spawn_blocking(move || handle.join()).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_db(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "creator-cli-unit-{}-{}-{name}",
            std::process::id(),
            time::OffsetDateTime::now_utc().unix_timestamp_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("ledger.db")
    }

    fn event(key: &str) -> NewEvent {
        NewEvent {
            dedup_key: key.into(),
            endpoint: "fake".into(),
            provider: "fake".into(),
            kind: "sale".into(),
            name: "sale".into(),
            subject_id: key.into(),
            occurred_at: None,
            test: false,
            verified: "signature".into(),
            received_at: timestamp(time::OffsetDateTime::now_utc()),
            content_type: Some("application/json".into()),
            headers: "{}".into(),
            raw_body: Bytes::from_static(b"{}"),
            event: "{}".into(),
        }
    }

    #[tokio::test]
    async fn new_file_is_created_migrated_and_in_wal_mode() {
        let path = temp_db("wal");
        let ledger = SqliteLedger::open(&path).unwrap();
        ledger.close().await;
        let conn = Connection::open(&path).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let versions: Vec<i64> = conn
            .prepare("SELECT version FROM schema_migrations ORDER BY version")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(versions, vec![1, 2]);
        // Re-opening applies nothing twice.
        let again = SqliteLedger::open(&path).unwrap();
        again.close().await;
    }

    #[tokio::test]
    async fn a_newer_schema_is_refused_with_a_clear_error() {
        let path = temp_db("newer");
        SqliteLedger::open(&path).unwrap().close().await;
        Connection::open(&path)
            .unwrap()
            .execute(
                "INSERT INTO schema_migrations VALUES (99, 'future', '2099-01-01')",
                [],
            )
            .unwrap();
        let e = SqliteLedger::open(&path).unwrap_err();
        assert!(matches!(e, LedgerError::TooNew { found: 99, .. }), "{e}");
    }

    #[tokio::test]
    async fn concurrent_duplicates_are_stored_once_and_counted() {
        let path = temp_db("dups");
        let ledger = std::sync::Arc::new(SqliteLedger::open(&path).unwrap());
        let mut tasks = Vec::new();
        for i in 0..200 {
            let l = ledger.clone();
            tasks.push(tokio::spawn(async move {
                l.record_event(event(&format!("k{}", i % 50))).await
            }));
        }
        let mut stored = 0;
        for t in tasks {
            if let Recorded::Stored { .. } = t.await.unwrap().unwrap() {
                stored += 1;
            }
        }
        assert_eq!(stored, 50);
        let stats = ledger.stats().await.unwrap();
        assert_eq!((stats.events, stats.deliveries), (50, 200));
        ledger.close().await;
        assert!(matches!(
            ledger.record_event(event("late")).await,
            Err(LedgerError::Closed)
        ));
    }

    #[tokio::test]
    async fn a_missing_directory_is_named_in_the_error() {
        let e = SqliteLedger::open("/nonexistent-dir-for-creator/x.db").unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
    }
}
