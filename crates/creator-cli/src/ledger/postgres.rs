//! The PostgreSQL ledger, for several relays sharing one ledger.
//!
//! Plain TCP or a unix socket, no TLS (keep it on loopback or a private
//! network). The relay's writes are single statements, pipelined over a
//! few shared connections (re-opened when they drop). Sync batches run their
//! transactions on a connection of their own.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use tokio::sync::Mutex;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Config, NoTls, Row};

use super::migrations::{POSTGRES, SCHEMA_VERSION};
use super::{
    EventFilter, Ledger, LedgerError, LedgerStats, NewEvent, NewQuarantine, QuarantineFilter,
    QuarantinedDelivery, Recorded, StoredEvent, SyncBatch, SyncState, timestamp,
};

/// Serializes the migrations of relays starting together.
const MIGRATION_LOCK: i64 = 0x0063_7265_6174_6f72; // "creator"

type Arg = Box<dyn ToSql + Sync + Send>;

/// The PostgreSQL backend of the ledger.
pub struct PostgresLedger {
    inner: Arc<Inner>,
}

/// Connections the relay's writes are spread over: each commit is a WAL
/// flush, so a few connections let PostgreSQL flush several commits at once.
const POOL: usize = 4;

struct Inner {
    config: Config,
    target: String,
    shared: Vec<Mutex<Option<Arc<Client>>>>,
    next: AtomicUsize,
    tx_conn: Mutex<Option<Client>>,
    closed: AtomicBool,
}

impl fmt::Debug for PostgresLedger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresLedger")
            .field("target", &self.inner.target)
            .finish_non_exhaustive()
    }
}

fn describe(config: &Config) -> String {
    use tokio_postgres::config::Host;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!("{host}:{port}/{}", config.get_dbname().unwrap_or(""))
}

impl Inner {
    fn err(&self, e: impl fmt::Display) -> LedgerError {
        LedgerError::Postgres {
            target: self.target.clone(),
            message: e.to_string(),
        }
    }

    async fn open_connection(&self) -> Result<Client, LedgerError> {
        let (client, connection) = self
            .config
            .connect(NoTls)
            .await
            .map_err(|e| self.err(format!("could not connect: {e}")))?;
        tokio::spawn(async move {
            // Ends when the client is dropped or the server goes away; the
            // next call sees `is_closed` and reconnects.
            let _ = connection.await;
        });
        Ok(client)
    }

    async fn client(&self) -> Result<Arc<Client>, LedgerError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(LedgerError::Closed);
        }
        let slot = self.next.fetch_add(1, Ordering::Relaxed) % self.shared.len().max(1);
        let Some(slot) = self.shared.get(slot) else {
            return Err(LedgerError::Closed);
        };
        let mut guard = slot.lock().await;
        if let Some(c) = guard.as_ref()
            && !c.is_closed()
        {
            return Ok(c.clone());
        }
        let fresh = Arc::new(self.open_connection().await?);
        *guard = Some(fresh.clone());
        Ok(fresh)
    }

    async fn migrate(&self, client: &mut Client) -> Result<(), LedgerError> {
        let tx = client.transaction().await.map_err(|e| self.err(e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(|e| self.err(e))?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )",
        )
        .await
        .map_err(|e| self.err(e))?;
        let current: i64 = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations",
                &[],
            )
            .await
            .map_err(|e| self.err(e))?
            .get(0);
        if current > SCHEMA_VERSION {
            return Err(LedgerError::TooNew {
                found: current,
                supported: SCHEMA_VERSION,
            });
        }
        for m in POSTGRES.iter().filter(|m| m.version > current) {
            tx.batch_execute(m.sql)
                .await
                .map_err(|e| self.err(format!("migration {} failed: {e}", m.version)))?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                &[
                    &m.version,
                    &m.name,
                    &timestamp(time::OffsetDateTime::now_utc()),
                ],
            )
            .await
            .map_err(|e| self.err(e))?;
        }
        tx.commit().await.map_err(|e| self.err(e))
    }
}

impl PostgresLedger {
    /// Connects, and creates or migrates the schema.
    ///
    /// # Errors
    /// When the URL is not valid, the server cannot be reached, or the schema
    /// is newer than this build.
    pub async fn connect(url: &str) -> Result<Self, LedgerError> {
        let mut config = Config::from_str(url).map_err(|e| {
            // The parser's message never echoes the password.
            LedgerError::Config(format!("--db is not a usable PostgreSQL URL: {e}"))
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        if config.get_application_name().is_none() {
            config.application_name("creator");
        }
        let target = describe(&config);
        let inner = Arc::new(Inner {
            config,
            target,
            shared: (0..POOL).map(|_| Mutex::new(None)).collect(),
            next: AtomicUsize::new(0),
            tx_conn: Mutex::new(None),
            closed: AtomicBool::new(false),
        });
        let mut client = inner.open_connection().await?;
        inner.migrate(&mut client).await?;
        *inner.tx_conn.lock().await = Some(client);
        Ok(Self { inner })
    }

    fn rows<T, F>(
        &self,
        sql: String,
        args: Vec<Arg>,
        map: F,
    ) -> BoxStream<'static, Result<T, LedgerError>>
    where
        T: Send + 'static,
        F: Fn(&Row) -> Result<T, tokio_postgres::Error> + Send + Sync + 'static,
    {
        let inner = self.inner.clone();
        let map_inner = self.inner.clone();
        stream::once(async move {
            let client = inner.client().await?;
            let rows = client
                .query_raw(
                    sql.as_str(),
                    args.iter().map(|a| a.as_ref() as &(dyn ToSql + Sync)),
                )
                .await
                .map_err(|e| inner.err(e))?;
            // Keep the client alive as long as the rows are read.
            Ok::<_, LedgerError>(
                Box::pin(rows)
                    .map(move |r| {
                        let _keep = &client;
                        r
                    })
                    .map_err(move |e| inner.err(e)),
            )
        })
        .try_flatten()
        .map(move |r| r.and_then(|row| map(&row).map_err(|e| map_inner.err(e))))
        .boxed()
    }
}

fn event_row(r: &Row) -> Result<StoredEvent, tokio_postgres::Error> {
    Ok(StoredEvent {
        id: r.try_get(0)?,
        received_at: r.try_get(1)?,
        last_received_at: r.try_get(2)?,
        deliveries: r.try_get(3)?,
        endpoint: r.try_get(4)?,
        provider: r.try_get(5)?,
        kind: r.try_get(6)?,
        name: r.try_get(7)?,
        subject_id: r.try_get(8)?,
        occurred_at: r.try_get(9)?,
        test: r.try_get(10)?,
        verified: r.try_get(11)?,
        dedup_key: r.try_get(12)?,
        content_type: r.try_get(13)?,
        headers: json_column(r.try_get(14)?),
        event: json_column(r.try_get(15)?),
        raw_body: Bytes::from(r.try_get::<_, Vec<u8>>(16)?),
    })
}

fn quarantine_row(r: &Row) -> Result<QuarantinedDelivery, tokio_postgres::Error> {
    Ok(QuarantinedDelivery {
        id: r.try_get(0)?,
        received_at: r.try_get(1)?,
        endpoint: r.try_get(2)?,
        reason: r.try_get(3)?,
        error: r.try_get(4)?,
        status: u16::try_from(r.try_get::<_, i32>(5)?).unwrap_or(0),
        content_type: r.try_get(6)?,
        headers: json_column(r.try_get(7)?),
        body_size: u64::try_from(r.try_get::<_, i64>(8)?).unwrap_or(0),
        body_truncated: r.try_get(9)?,
        raw_body: Bytes::from(r.try_get::<_, Vec<u8>>(10)?),
    })
}

fn json_column(text: String) -> serde_json::Value {
    serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
}

/// Appends `AND <column> <op> $n` for each present value.
struct Where {
    sql: String,
    args: Vec<Arg>,
}

impl Where {
    fn new(base: &str) -> Self {
        Self {
            sql: format!("{base} WHERE TRUE"),
            args: Vec::new(),
        }
    }

    fn add(&mut self, template: &str, value: Option<String>) {
        if let Some(v) = value {
            self.args.push(Box::new(v));
            let n = self.args.len();
            self.sql.push_str(&format!(
                " AND {}",
                template.replace("$N", &format!("${n}"))
            ));
        }
    }

    fn finish(mut self, limit: Option<u64>) -> (String, Vec<Arg>) {
        self.sql.push_str(" ORDER BY id");
        if let Some(l) = limit {
            self.args
                .push(Box::new(i64::try_from(l).unwrap_or(i64::MAX)));
            self.sql.push_str(&format!(" LIMIT ${}", self.args.len()));
        }
        (self.sql, self.args)
    }
}

#[async_trait]
impl Ledger for PostgresLedger {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn record_event(&self, ev: NewEvent) -> Result<Recorded, LedgerError> {
        let client = self.inner.client().await?;
        // `xmax = 0` only for a row this statement inserted.
        let row = client
            .query_one(
                "INSERT INTO events (dedup_key, endpoint, provider, kind, name, subject_id,
                    occurred_at, test, verified, received_at, last_received_at, deliveries,
                    content_type, headers, raw_body, event)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, 1, $11, $12, $13, $14)
                 ON CONFLICT (dedup_key) DO UPDATE SET deliveries = events.deliveries + 1,
                    last_received_at = GREATEST(events.last_received_at, EXCLUDED.last_received_at)
                 RETURNING id, (xmax = 0) AS inserted",
                &[
                    &ev.dedup_key,
                    &ev.endpoint,
                    &ev.provider,
                    &ev.kind,
                    &ev.name,
                    &ev.subject_id,
                    &ev.occurred_at,
                    &ev.test,
                    &ev.verified,
                    &ev.received_at,
                    &ev.content_type,
                    &ev.headers,
                    &&ev.raw_body[..],
                    &ev.event,
                ],
            )
            .await
            .map_err(|e| self.inner.err(e))?;
        let id: i64 = row.get(0);
        Ok(if row.get::<_, bool>(1) {
            Recorded::Stored { id }
        } else {
            Recorded::Duplicate { id }
        })
    }

    async fn quarantine(&self, q: NewQuarantine) -> Result<i64, LedgerError> {
        let client = self.inner.client().await?;
        let row = client
            .query_one(
                "INSERT INTO quarantine (received_at, endpoint, reason, error, status,
                    content_type, headers, body_size, body_truncated, raw_body)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                &[
                    &q.received_at,
                    &q.endpoint,
                    &q.reason,
                    &q.error,
                    &i32::from(q.status),
                    &q.content_type,
                    &q.headers,
                    &i64::try_from(q.body_size).unwrap_or(i64::MAX),
                    &q.body_truncated,
                    &&q.raw_body[..],
                ],
            )
            .await
            .map_err(|e| self.inner.err(e))?;
        Ok(row.get(0))
    }

    fn events(&self, filter: EventFilter) -> BoxStream<'static, Result<StoredEvent, LedgerError>> {
        let mut w = Where::new(
            "SELECT id, received_at, last_received_at, deliveries, endpoint, provider, kind,
                name, subject_id, occurred_at, test, verified, dedup_key, content_type,
                headers, event, raw_body
             FROM events",
        );
        w.add("provider = $N", filter.provider);
        w.add("(kind = $N OR name = $N)", filter.kind);
        w.add("received_at >= $N", filter.since);
        let (sql, args) = w.finish(filter.limit);
        self.rows(sql, args, event_row)
    }

    fn quarantined(
        &self,
        filter: QuarantineFilter,
    ) -> BoxStream<'static, Result<QuarantinedDelivery, LedgerError>> {
        let mut w = Where::new(
            "SELECT id, received_at, endpoint, reason, error, status, content_type, headers,
                body_size, body_truncated, raw_body
             FROM quarantine",
        );
        w.add("received_at >= $N", filter.since);
        w.add("reason = $N", filter.reason);
        let (sql, args) = w.finish(filter.limit);
        self.rows(sql, args, quarantine_row)
    }

    async fn write_sync_batch(&self, batch: SyncBatch) -> Result<(), LedgerError> {
        if self.inner.closed.load(Ordering::Acquire) {
            return Err(LedgerError::Closed);
        }
        let inner = &self.inner;
        let mut guard = inner.tx_conn.lock().await;
        if guard.as_ref().is_none_or(Client::is_closed) {
            *guard = Some(inner.open_connection().await?);
        }
        let Some(client) = guard.as_mut() else {
            return Err(LedgerError::Closed);
        };
        let now = timestamp(time::OffsetDateTime::now_utc());
        let tx = client.transaction().await.map_err(|e| inner.err(e))?;
        for s in &batch.sales {
            tx.execute(
                "INSERT INTO synced_sales (provider, id, product_id, email, amount_minor,
                    currency, created_at, refunded, test, record, synced_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 ON CONFLICT (provider, id) DO UPDATE SET product_id = EXCLUDED.product_id,
                    email = EXCLUDED.email, amount_minor = EXCLUDED.amount_minor,
                    currency = EXCLUDED.currency, created_at = EXCLUDED.created_at,
                    refunded = EXCLUDED.refunded, test = EXCLUDED.test,
                    record = EXCLUDED.record, synced_at = EXCLUDED.synced_at",
                &[
                    &s.provider,
                    &s.id,
                    &s.product_id,
                    &s.email,
                    &s.amount_minor,
                    &s.currency,
                    &s.created_at,
                    &s.refunded,
                    &s.test,
                    &s.record,
                    &now,
                ],
            )
            .await
            .map_err(|e| inner.err(e))?;
        }
        for s in &batch.subscribers {
            tx.execute(
                "INSERT INTO synced_subscribers (provider, id, product_id, email, status,
                    started_at, ends_at, record, synced_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (provider, id) DO UPDATE SET product_id = EXCLUDED.product_id,
                    email = EXCLUDED.email, status = EXCLUDED.status,
                    started_at = EXCLUDED.started_at, ends_at = EXCLUDED.ends_at,
                    record = EXCLUDED.record, synced_at = EXCLUDED.synced_at",
                &[
                    &s.provider,
                    &s.id,
                    &s.product_id,
                    &s.email,
                    &s.status,
                    &s.started_at,
                    &s.ends_at,
                    &s.record,
                    &now,
                ],
            )
            .await
            .map_err(|e| inner.err(e))?;
        }
        if let Some(state) = &batch.state {
            tx.execute(
                "INSERT INTO sync_state (provider, resource, status, after_day, resume_before,
                    newest_day, items, started_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (provider, resource) DO UPDATE SET status = EXCLUDED.status,
                    after_day = EXCLUDED.after_day, resume_before = EXCLUDED.resume_before,
                    newest_day = EXCLUDED.newest_day, items = EXCLUDED.items,
                    started_at = EXCLUDED.started_at, updated_at = EXCLUDED.updated_at",
                &[
                    &state.provider,
                    &state.resource,
                    &state.status,
                    &state.after,
                    &state.resume_before,
                    &state.newest_day,
                    &state.items,
                    &state.started_at,
                    &state.updated_at,
                ],
            )
            .await
            .map_err(|e| inner.err(e))?;
        }
        tx.commit().await.map_err(|e| inner.err(e))
    }

    async fn sync_state(
        &self,
        provider: &str,
        resource: &str,
    ) -> Result<Option<SyncState>, LedgerError> {
        let client = self.inner.client().await?;
        let row = client
            .query_opt(
                "SELECT provider, resource, status, after_day, resume_before, newest_day, items,
                    started_at, updated_at
                 FROM sync_state WHERE provider = $1 AND resource = $2",
                &[&provider, &resource],
            )
            .await
            .map_err(|e| self.inner.err(e))?;
        row.map(|r| {
            Ok(SyncState {
                provider: r.try_get(0)?,
                resource: r.try_get(1)?,
                status: r.try_get(2)?,
                after: r.try_get(3)?,
                resume_before: r.try_get(4)?,
                newest_day: r.try_get(5)?,
                items: r.try_get(6)?,
                started_at: r.try_get(7)?,
                updated_at: r.try_get(8)?,
            })
        })
        .transpose()
        .map_err(|e: tokio_postgres::Error| self.inner.err(e))
    }

    async fn setting(&self, key: &str) -> Result<Option<String>, LedgerError> {
        let client = self.inner.client().await?;
        let row = client
            .query_opt("SELECT value FROM settings WHERE key = $1", &[&key])
            .await
            .map_err(|e| self.inner.err(e))?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn setting_or_insert(&self, key: &str, value: &str) -> Result<String, LedgerError> {
        let client = self.inner.client().await?;
        client
            .execute(
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                &[&key, &value],
            )
            .await
            .map_err(|e| self.inner.err(e))?;
        let row = client
            .query_one("SELECT value FROM settings WHERE key = $1", &[&key])
            .await
            .map_err(|e| self.inner.err(e))?;
        Ok(row.get(0))
    }

    async fn stats(&self) -> Result<LedgerStats, LedgerError> {
        let client = self.inner.client().await?;
        let r = client
            .query_one(
                "SELECT (SELECT COUNT(*) FROM events)::BIGINT,
                        (SELECT COALESCE(SUM(deliveries), 0) FROM events)::BIGINT,
                        (SELECT COUNT(*) FROM quarantine)::BIGINT,
                        (SELECT COUNT(*) FROM synced_sales)::BIGINT,
                        (SELECT COUNT(*) FROM synced_subscribers)::BIGINT",
                &[],
            )
            .await
            .map_err(|e| self.inner.err(e))?;
        Ok(LedgerStats {
            events: r.get(0),
            deliveries: r.get(1),
            quarantined: r.get(2),
            synced_sales: r.get(3),
            synced_subscribers: r.get(4),
        })
    }

    async fn close(&self) {
        self.inner.closed.store(true, Ordering::Release);
        // Writes already sent have been answered (each call awaits its
        // statement); dropping the clients ends the connection tasks.
        for slot in &self.inner.shared {
            slot.lock().await.take();
        }
        self.inner.tx_conn.lock().await.take();
    }
}
