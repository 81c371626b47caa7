//! The PostgreSQL ledger, for several relays sharing one ledger.
//!
//! Plain TCP or a unix socket, no TLS (keep it on loopback or a private
//! network). Deliveries are group-committed: a batch of them in one
//! transaction, pipelined ([`intake`]). Every other write is a transaction on
//! a connection of its own from a small pool (re-opened when one drops);
//! deciding whether a delivery repeats
//! a stored event takes a transaction-scoped advisory lock on its identity,
//! so relays deciding about the same event at once agree. Reads are
//! pipelined over a shared connection.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use tokio::sync::{Mutex, MutexGuard};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Config, NoTls, Row, Transaction};

use super::entitlements;
use super::health::HealthCell;
use super::identity;
use super::migrations::{ENTITLEMENTS_VERSION, POSTGRES, REKEY_VERSION, SCHEMA_VERSION};
use super::reconcile;
use super::rekey::rekey;
use super::signal::Signal;
use super::sql;
use super::{
    Access, Attempt, AttemptRecord, Claim, Claimed, DeliveryHour, Destination, DestinationChange,
    DestinationWrite, EventFilter, EventSearch, Ledger, LedgerError, LedgerHealth, LedgerStats,
    NewDestination, NewEvent, NewQuarantine, OpenOptions, OutboxFilter, OutboxMessage, OutboxStats,
    Page, PruneFilter, Pruned, QuarantineBudget, QuarantineFilter, QuarantinedDelivery, Recorded,
    Replay, StoredEvent, SyncBatch, SyncState, pages, timestamp,
};
use creator_core::repeat::Repeat;

mod intake;
mod outbox;
mod prepared;

use prepared::{Db, Prepared};

/// Serializes the migrations of relays starting together.
const MIGRATION_LOCK: i64 = 0x0063_7265_6174_6f72; // "creator"

type Arg = Box<dyn ToSql + Sync + Send>;
type PgResult<T> = Result<T, tokio_postgres::Error>;

/// The PostgreSQL backend of the ledger.
pub struct PostgresLedger {
    inner: Arc<Inner>,
    /// The intake's group commit (`None` when read-only).
    intake: Option<intake::Intake>,
}

/// Connections writes are spread over: each commit is a WAL flush, so a few
/// connections let PostgreSQL flush several commits at once.
const POOL: usize = 4;

struct Inner {
    config: Config,
    target: String,
    writers: Vec<Mutex<Option<Client>>>,
    /// The outbox worker's own connections (claims, and the attempts it
    /// records meanwhile), so the intake's writes never wait behind forwarding.
    forwarders: [Mutex<Option<Client>>; 2],
    next: AtomicUsize,
    reader: Mutex<Option<Arc<Client>>>,
    closed: AtomicBool,
    read_only: bool,
    health: HealthCell,
    budget: QuarantineBudget,
    changes: Signal,
    destination_changes: Signal,
}

impl fmt::Debug for PostgresLedger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresLedger")
            .field("target", &self.inner.target)
            .field("read_only", &self.inner.read_only)
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

/// The advisory lock key of an identity: 64 bits of its SHA-256.
fn lock_key(identity: &str) -> i64 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(identity.as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
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

    /// A connection for one transaction, held until the guard drops.
    async fn writer(&self) -> Result<MutexGuard<'_, Option<Client>>, LedgerError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(LedgerError::Closed);
        }
        if self.read_only {
            return Err(LedgerError::ReadOnly);
        }
        let slot = self.next.fetch_add(1, Ordering::Relaxed) % self.writers.len().max(1);
        let Some(slot) = self.writers.get(slot) else {
            return Err(LedgerError::Closed);
        };
        self.connection(slot).await
    }

    /// One of the outbox worker's connections for one transaction (see [`Inner::forwarders`]).
    async fn forward_writer(&self) -> Result<MutexGuard<'_, Option<Client>>, LedgerError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(LedgerError::Closed);
        }
        if self.read_only {
            return Err(LedgerError::ReadOnly);
        }
        let slot = self.next.fetch_add(1, Ordering::Relaxed) % self.forwarders.len();
        self.connection(&self.forwarders[slot]).await
    }

    /// `slot`'s connection, opened again when it was closed.
    async fn connection<'a>(
        &'a self,
        slot: &'a Mutex<Option<Client>>,
    ) -> Result<MutexGuard<'a, Option<Client>>, LedgerError> {
        let mut guard = slot.lock().await;
        if guard.as_ref().is_none_or(Client::is_closed) {
            *guard = Some(self.open_connection().await?);
        }
        Ok(guard)
    }

    /// The shared connection reads are pipelined over.
    async fn reader(&self) -> Result<Arc<Client>, LedgerError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(LedgerError::Closed);
        }
        let mut guard = self.reader.lock().await;
        if let Some(c) = guard.as_ref()
            && !c.is_closed()
        {
            return Ok(c.clone());
        }
        let fresh = Arc::new(self.open_connection().await?);
        *guard = Some(fresh.clone());
        Ok(fresh)
    }

    /// Notes a write's outcome in the health the relay reports.
    fn track<T>(&self, result: PgResult<T>) -> Result<T, LedgerError> {
        match result {
            Ok(v) => {
                self.health.committed();
                Ok(v)
            }
            Err(e) => {
                let e = self.err(e);
                self.health.failed(e.to_string());
                Err(e)
            }
        }
    }

    async fn version(
        &self,
        client: &impl tokio_postgres::GenericClient,
    ) -> Result<i64, LedgerError> {
        let exists: bool = client
            .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])
            .await
            .map_err(|e| self.err(e))?
            .get(0);
        if !exists {
            return Ok(0);
        }
        Ok(client
            .query_one(
                "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations",
                &[],
            )
            .await
            .map_err(|e| self.err(e))?
            .get(0))
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
        let current = self.version(&tx).await?;
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
            if m.version == REKEY_VERSION {
                rekey_events(&tx)
                    .await
                    .map_err(|e| self.err(format!("migration {} failed: {e}", m.version)))?;
                redact_stored_headers(&tx)
                    .await
                    .map_err(|e| self.err(format!("migration {} failed: {e}", m.version)))?;
            }
            if m.version == ENTITLEMENTS_VERSION {
                rebuild_entitlements(&tx)
                    .await
                    .map_err(|e| self.err(format!("migration {} failed: {e}", m.version)))?;
            }
            tx.execute(
                sql::RECORD_MIGRATION,
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

/// Gives every stored event its identity (see [`super::rekey`]), in chunks.
async fn rekey_events(tx: &Transaction<'_>) -> PgResult<()> {
    let mut after = 0i64;
    loop {
        let rows = tx
            .query(
                "SELECT id, provider, content_type, raw_body FROM events
                 WHERE id > $1 ORDER BY id LIMIT 500",
                &[&after],
            )
            .await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.get(0);
        for row in &rows {
            let (id, provider, content_type, body): (i64, String, Option<String>, Vec<u8>) =
                (row.get(0), row.get(1), row.get(2), row.get(3));
            if let Some(k) = rekey(&provider, content_type.as_deref(), &body) {
                // The row keeps its `dedup_key` (what consumers deduplicated
                // on); the new identity extends the old key, so it cannot
                // collide, and the NOT EXISTS keeps the old one should it ever.
                tx.execute(
                    "UPDATE events SET identity = $1, fingerprint = $2
                     WHERE id = $3 AND NOT EXISTS (SELECT 1 FROM events WHERE identity = $1)",
                    &[&k.identity, &k.fingerprint, &id],
                )
                .await?;
            }
        }
    }
}

/// Redacts the headers stored before schema 3 with today's rules, in both tables.
async fn redact_stored_headers(tx: &Transaction<'_>) -> PgResult<()> {
    for table in ["events", "quarantine"] {
        let mut after = 0i64;
        loop {
            let rows = tx
                .query(
                    &format!("SELECT id, headers FROM {table} WHERE id > $1 ORDER BY id LIMIT 500"),
                    &[&after],
                )
                .await?;
            let Some(last) = rows.last() else {
                break;
            };
            after = last.get(0);
            for row in &rows {
                let (id, headers): (i64, String) = (row.get(0), row.get(1));
                let redacted = super::headers::redact_json(&headers);
                if redacted != headers {
                    tx.execute(
                        &format!("UPDATE {table} SET headers = $1 WHERE id = $2"),
                        &[&redacted, &id],
                    )
                    .await?;
                }
            }
        }
    }
    Ok(())
}

/// Stores an event once (see [`identity`]). The common case, an identity
/// never seen, is one insert; only when its first occurrence exists does the
/// rule run, under an advisory lock on the identity so relays deciding about
/// the same event at once agree.
async fn record_event(db: Db<'_>, ev: &NewEvent) -> PgResult<Recorded> {
    if reconcile::may_claim(ev)
        && let Some(row) = db
            .query_opt(
                reconcile::CLAIM,
                &[
                    &ev.identity,
                    &ev.fingerprint,
                    &ev.received_at,
                    &ev.provider,
                    &ev.subject_id,
                    &ev.kind,
                    &ev.test,
                ],
            )
            .await?
    {
        return Ok(Recorded::Duplicate {
            id: row.get(0),
            dedup_key: row.get(1),
        });
    }
    if let Some(stored) = insert(db, ev, 1).await? {
        return Ok(stored);
    }
    db.execute(
        "SELECT pg_advisory_xact_lock($1)",
        &[&lock_key(&ev.identity)],
    )
    .await?;
    let arrival = identity::arrival(ev);
    let newest = db
        .query_opt(sql::NEWEST_OCCURRENCE, &[&ev.identity])
        .await?;
    let Some(newest) = newest else {
        return match insert(db, ev, 1).await? {
            Some(stored) => Ok(stored),
            None => count_on(db, ev, 1).await,
        };
    };
    let (id, occurrence, last): (i64, i64, String) = (newest.get(0), newest.get(1), newest.get(2));
    let moved_on = arrival.needs_subject_history()
        && db
            .query_one(sql::SUBJECT_MOVED_ON, &[&ev.provider, &ev.subject_id, &id])
            .await?
            .get::<_, bool>(0);
    let newest = identity::stored(occurrence, &last, moved_on);
    match identity::decide(arrival, Some(&newest)) {
        Repeat::Same => {
            let row = db
                .query_one(
                    "UPDATE events SET deliveries = deliveries + 1,
                        last_received_at = GREATEST(last_received_at, $2)
                     WHERE id = $1 RETURNING dedup_key",
                    &[&id, &ev.received_at],
                )
                .await?;
            Ok(Recorded::Duplicate {
                id,
                dedup_key: row.get(0),
            })
        }
        Repeat::New { occurrence } => match insert(db, ev, occurrence).await? {
            Some(stored) => Ok(stored),
            // Under the lock nobody else stores this identity, so the row can
            // only exist if it was written by hand: count this delivery on it.
            None => count_on(db, ev, occurrence).await,
        },
    }
}

/// Counts a delivery on occurrence `occurrence` of its identity.
async fn count_on(db: Db<'_>, ev: &NewEvent, occurrence: u32) -> PgResult<Recorded> {
    let row = db
        .query_one(sql::COUNT_DELIVERY, &[&ev.identity, &i64::from(occurrence)])
        .await?;
    Ok(Recorded::Duplicate {
        id: row.get(0),
        dedup_key: row.get(1),
    })
}

/// Inserts occurrence `occurrence`, or nothing when its unique key exists.
async fn insert(db: Db<'_>, ev: &NewEvent, occurrence: u32) -> PgResult<Option<Recorded>> {
    let dedup_key = identity::dedup_key(&ev.identity, occurrence);
    let occurrence = i64::from(occurrence);
    let row = db
        .query_opt(
            sql::INSERT_EVENT,
            &[
                &dedup_key,
                &ev.identity,
                &occurrence,
                &ev.fingerprint,
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
                &ev.field_errors,
                &ev.recovered_from,
            ],
        )
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let id: i64 = row.get(0);
    // In the same transaction: a stored event is never without its messages.
    outbox::enqueue(db, id, ev).await?;
    // The entitlement view, in the same transaction too.
    apply_entitlements(db, &entitlements::Facts::from(ev), id).await?;
    Ok(Some(Recorded::Stored { id, dedup_key }))
}

/// The view's statements in PostgreSQL's dialect, rewritten once.
struct EntitlementSql {
    upsert: String,
    by_email: String,
    by_user: String,
    by_license: String,
    subscription: String,
}

fn entitlement_sql() -> &'static EntitlementSql {
    static SQL: std::sync::OnceLock<EntitlementSql> = std::sync::OnceLock::new();
    SQL.get_or_init(|| EntitlementSql {
        upsert: entitlements::postgres_sql(entitlements::UPSERT),
        by_email: entitlements::postgres_sql(entitlements::BY_EMAIL),
        by_user: entitlements::postgres_sql(entitlements::BY_USER),
        by_license: entitlements::postgres_sql(entitlements::BY_LICENSE),
        subscription: entitlements::postgres_sql(entitlements::SUBSCRIPTION),
    })
}

/// Updates the entitlement view from an event (stored now or before, or a
/// synced record, `event_id` 0), in the caller's transaction.
async fn apply_entitlements(
    db: Db<'_>,
    ev: &entitlements::Facts<'_>,
    event_id: i64,
) -> PgResult<()> {
    let changes = entitlements::changes(ev);
    if changes.is_empty() {
        return Ok(());
    }
    let now = entitlements::now_stamp();
    for c in changes {
        let flags = [
            i64::from(c.purchased),
            i64::from(c.refunded),
            i64::from(c.chargedback),
            i64::from(c.disputed),
            i64::from(c.dispute_won),
            i64::from(c.partially_refunded),
        ];
        db.execute(
            entitlement_sql().upsert.as_str(),
            &[
                &c.provider,
                &c.object,
                &c.product_id,
                &c.email,
                &c.user_id,
                &c.license_hash,
                &c.subscription_id,
                &flags[0],
                &flags[1],
                &flags[2],
                &flags[3],
                &flags[4],
                &c.sub_state,
                &c.state_at,
                &c.until_at,
                &c.since,
                &event_id,
                &now,
                &flags[5],
            ],
        )
        .await?;
    }
    Ok(())
}

fn entitlement_row(r: &Row) -> entitlements::Row {
    entitlements::Row {
        provider: r.get(0),
        object: r.get(1),
        product_id: r.get(2),
        subscription_id: r.get(3),
        purchased: r.get::<_, i64>(4) != 0,
        refunded: r.get::<_, i64>(5) != 0,
        chargedback: r.get::<_, i64>(6) != 0,
        disputed: r.get::<_, i64>(7) != 0,
        dispute_won: r.get::<_, i64>(8) != 0,
        sub_state: r.get(9),
        until_at: r.get(10),
        since: r.get(11),
        partially_refunded: r.get::<_, i64>(12) != 0,
    }
}

/// Answers an entitlement lookup from the view.
async fn access(
    client: &Client,
    lookup: &entitlements::Lookup,
    now: time::OffsetDateTime,
) -> PgResult<creator_core::AccessVerdict> {
    let (sqlite, args) = lookup.statement();
    let sql = entitlement_sql();
    let statement = if sqlite == entitlements::BY_EMAIL {
        &sql.by_email
    } else if sqlite == entitlements::BY_USER {
        &sql.by_user
    } else {
        &sql.by_license
    };
    let params: Vec<&(dyn ToSql + Sync)> = args.iter().map(|a| a as &(dyn ToSql + Sync)).collect();
    let rows: Vec<entitlements::Row> = client
        .query(statement.as_str(), &params)
        .await?
        .iter()
        .map(entitlement_row)
        .collect();
    let mut extra = Vec::new();
    for (provider, key) in entitlements::missing_subscriptions(&rows) {
        if let Some(r) = client
            .query_opt(sql.subscription.as_str(), &[&provider, &key])
            .await?
        {
            extra.push(entitlement_row(&r));
        }
    }
    Ok(entitlements::verdict(
        &rows,
        &lookup.product_id,
        now,
        |p, k| {
            extra
                .iter()
                .find(|r| r.provider == p && r.object == k)
                .cloned()
        },
    ))
}

/// Fills the entitlement view anew from every stored event and synced
/// record, in `tx`; returns the rows it holds then.
async fn rebuild_entitlements(tx: &Transaction<'_>) -> PgResult<u64> {
    let prepared = Prepared::default();
    let db = Db::new(tx, &prepared);
    tx.execute(entitlements::CLEAR, &[]).await?;
    let events = entitlements::postgres_sql(entitlements::REBUILD_EVENTS);
    let mut after = 0i64;
    loop {
        let rows = tx.query(events.as_str(), &[&after]).await?;
        let Some(last) = rows.last() else {
            break;
        };
        after = last.try_get(0)?;
        for r in &rows {
            let (id, provider, kind, test, received_at, occurred_at, event, body): (
                i64,
                String,
                String,
                bool,
                String,
                Option<String>,
                String,
                Vec<u8>,
            ) = (
                r.try_get(0)?,
                r.try_get(1)?,
                r.try_get(2)?,
                r.try_get(3)?,
                r.try_get(4)?,
                r.try_get(5)?,
                r.try_get(6)?,
                r.try_get(7)?,
            );
            let facts = entitlements::Facts {
                provider: &provider,
                kind: &kind,
                test,
                received_at: &received_at,
                occurred_at: occurred_at.as_deref(),
                event: &event,
                raw_body: &body,
            };
            apply_entitlements(db, &facts, id).await?;
        }
    }
    let now = timestamp(time::OffsetDateTime::now_utc());
    for r in tx.query(entitlements::REBUILD_SALES, &[]).await? {
        let synced = entitlements::Synced::sale(
            &r.try_get::<_, String>(0)?,
            r.try_get(1)?,
            &r.try_get::<_, String>(2)?,
        );
        apply_entitlements(db, &synced.facts(&now), 0).await?;
    }
    for r in tx.query(entitlements::REBUILD_SUBSCRIBERS, &[]).await? {
        let synced = entitlements::Synced::subscriber(
            &r.try_get::<_, String>(0)?,
            &r.try_get::<_, String>(1)?,
            &r.try_get::<_, String>(2)?,
        );
        apply_entitlements(db, &synced.facts(&now), 0).await?;
    }
    let rows: i64 = tx
        .query_one("SELECT COUNT(*)::BIGINT FROM entitlements", &[])
        .await?
        .try_get(0)?;
    Ok(to_u64(rows))
}

/// Keeps a rejected delivery; prunes unauthenticated rows beyond `budget`.
async fn quarantine(
    tx: &Transaction<'_>,
    q: &NewQuarantine,
    budget: &QuarantineBudget,
) -> PgResult<i64> {
    let stored = to_i64(q.stored_bytes());
    let id: i64 = tx
        .query_one(
            sql::INSERT_QUARANTINE,
            &[
                &q.received_at,
                &q.endpoint,
                &q.reason.as_str(),
                &q.error,
                &i32::from(q.status),
                &q.content_type,
                &q.headers,
                &to_i64(q.body_size),
                &q.body_truncated,
                &&q.raw_body[..],
                &q.body_sha256,
                &q.authenticated,
                &q.verified,
                &q.peer,
                &stored,
            ],
        )
        .await?
        .get(0);
    if !q.authenticated {
        let row = tx.query_one(sql::BUDGET_ADD, &[&stored]).await?;
        let excess = budget.excess(to_u64(row.get(0)), to_u64(row.get(1)));
        if excess > 0 {
            let freed = tx
                .query(sql::PRUNE_OLDEST_STRANGERS, &[&to_i64(excess)])
                .await?;
            let bytes: i64 = freed.iter().map(|r| r.get::<_, i64>(0)).sum();
            forget(tx, to_i64(freed.len() as u64), bytes).await?;
        }
    }
    Ok(id)
}

/// Takes pruned unauthenticated rows off the budget's running totals.
async fn forget(tx: &Transaction<'_>, rows: i64, bytes: i64) -> PgResult<()> {
    tx.execute(
        "UPDATE quarantine_budget SET rows = GREATEST(rows - $1, 0),
            bytes = GREATEST(bytes - $2, 0) WHERE id = 1",
        &[&rows, &bytes],
    )
    .await?;
    Ok(())
}

async fn prune(tx: &Transaction<'_>, filter: &PruneFilter) -> PgResult<Pruned> {
    // The budget row first, as `quarantine` takes it: the same lock order
    // in both, so they never deadlock.
    tx.execute(
        "SELECT rows FROM quarantine_budget WHERE id = 1 FOR UPDATE",
        &[],
    )
    .await?;
    let mut sql = String::from("DELETE FROM quarantine WHERE TRUE");
    let mut args: Vec<Arg> = Vec::new();
    if let Some(before) = &filter.before {
        args.push(Box::new(before.clone()));
        sql.push_str(&format!(" AND received_at < ${}", args.len()));
    }
    if let Some(reason) = filter.reason {
        args.push(Box::new(reason.as_str()));
        sql.push_str(&format!(" AND reason = ${}", args.len()));
    }
    if !filter.include_authenticated {
        sql.push_str(" AND NOT authenticated");
    }
    sql.push_str(" RETURNING stored_bytes, authenticated");
    let refs: Vec<&(dyn ToSql + Sync)> = args
        .iter()
        .map(|a| a.as_ref() as &(dyn ToSql + Sync))
        .collect();
    let rows = tx.query(sql.as_str(), &refs).await?;
    let mut all = Pruned::default();
    let (mut stranger_rows, mut stranger_bytes) = (0i64, 0i64);
    for row in &rows {
        let bytes: i64 = row.get(0);
        all.rows += 1;
        all.bytes += to_u64(bytes);
        if !row.get::<_, bool>(1) {
            stranger_rows += 1;
            stranger_bytes += bytes;
        }
    }
    forget(tx, stranger_rows, stranger_bytes).await?;
    Ok(all)
}

async fn probe(client: &impl tokio_postgres::GenericClient) -> PgResult<()> {
    client
        .execute(sql::PROBE, &[&timestamp(time::OffsetDateTime::now_utc())])
        .await?;
    Ok(())
}

/// Writes a `creator sync` batch and its cursor.
async fn sync_batch(tx: &Transaction<'_>, batch: &SyncBatch) -> PgResult<()> {
    let prepared = Prepared::default();
    let db = Db::new(tx, &prepared);
    let now = timestamp(time::OffsetDateTime::now_utc());
    for s in &batch.sales {
        db.execute(
            sql::UPSERT_SYNCED_SALE,
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
        .await?;
    }
    for s in &batch.subscribers {
        db.execute(
            sql::UPSERT_SYNCED_SUBSCRIBER,
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
        .await?;
    }
    if let Some(state) = &batch.state {
        db.execute(
            sql::UPSERT_SYNC_STATE,
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
        .await?;
    }
    // The view learns from synced records as from events.
    for synced in entitlements::synced(batch) {
        apply_entitlements(db, &synced.facts(&now), 0).await?;
    }
    if let Some(end) = &batch.end_unseen {
        let ended = tx
            .query(
                sql::END_UNLISTED_SUBSCRIBERS,
                &[&now, &end.provider, &end.not_synced_since],
            )
            .await?;
        // Their access ends in the view too, in the same transaction.
        for row in ended {
            let (provider, record): (String, String) = (row.try_get(0)?, row.try_get(1)?);
            let synced = entitlements::Synced::subscriber(&provider, "ended", &record);
            apply_entitlements(db, &synced.facts(&now), 0).await?;
        }
    }
    Ok(())
}

/// Runs one write transaction on a pooled connection and notes its outcome.
macro_rules! write_tx {
    ($inner:expr, |$tx:ident| $body:expr) => {
        write_tx!(@on writer, $inner, |$tx| $body)
    };
    // On the connection `Inner::$get` gives (`forward_writer` for the outbox worker).
    (@on $get:ident, $inner:expr, |$tx:ident| $body:expr) => {{
        let inner: &Inner = $inner;
        let mut guard = match inner.$get().await {
            Ok(guard) => guard,
            Err(e) => {
                // An unreachable server is a failed write too.
                inner.health.failed(e.to_string());
                return Err(e);
            }
        };
        let Some(client) = guard.as_mut() else {
            return Err(LedgerError::Closed);
        };
        let result: PgResult<_> = async {
            let $tx = client.transaction().await?;
            let value = $body;
            $tx.commit().await?;
            Ok(value)
        }
        .await;
        inner.track(result)
    }};
}

impl PostgresLedger {
    /// Connects, and creates or migrates the schema.
    ///
    /// # Errors
    /// When the URL is not valid, the server cannot be reached, or the schema
    /// is newer than this build.
    pub async fn connect(url: &str) -> Result<Self, LedgerError> {
        Self::connect_with(url, OpenOptions::default()).await
    }

    /// [`PostgresLedger::connect`] with options; [`Access::ReadOnly`] never
    /// creates, migrates or writes anything.
    ///
    /// # Errors
    /// As [`PostgresLedger::connect`]; read-only: also another schema version.
    pub async fn connect_with(url: &str, options: OpenOptions) -> Result<Self, LedgerError> {
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
        let read_only = options.access == Access::ReadOnly;
        let inner = Arc::new(Inner {
            config,
            target,
            writers: (0..POOL).map(|_| Mutex::new(None)).collect(),
            forwarders: [Mutex::new(None), Mutex::new(None)],
            next: AtomicUsize::new(0),
            reader: Mutex::new(None),
            closed: AtomicBool::new(false),
            read_only,
            health: HealthCell::default(),
            budget: options.quarantine_budget,
            changes: Signal::default(),
            destination_changes: Signal::default(),
        });
        let mut client = inner.open_connection().await?;
        if read_only {
            match inner.version(&client).await? {
                v if v == SCHEMA_VERSION => {}
                v if v > SCHEMA_VERSION => {
                    return Err(LedgerError::TooNew {
                        found: v,
                        supported: SCHEMA_VERSION,
                    });
                }
                v => {
                    return Err(LedgerError::TooOld {
                        found: v,
                        supported: SCHEMA_VERSION,
                    });
                }
            }
        } else {
            inner.migrate(&mut client).await?;
            probe(&client).await.map_err(|e| {
                inner.err(format!(
                    "the ledger cannot be written ({e}): check the role's privileges"
                ))
            })?;
            inner.health.committed();
        }
        *inner.reader.lock().await = Some(Arc::new(client));
        let intake = (!read_only).then(|| intake::Intake::start(&inner));
        Ok(Self { inner, intake })
    }

    /// Tells the subscribers something was committed.
    fn changed(&self) {
        self.inner.changes.notify();
    }

    async fn record(&self, ev: NewEvent) -> Result<Recorded, LedgerError> {
        if self.inner.closed.load(Ordering::Acquire) {
            return Err(LedgerError::Closed);
        }
        match &self.intake {
            Some(intake) => intake.record(ev).await,
            None => Err(LedgerError::ReadOnly),
        }
    }

    async fn replay_one(&self, id: i64, ev: NewEvent) -> Result<Recorded, LedgerError> {
        write_tx!(&self.inner, |tx| {
            let prepared = Prepared::default();
            let recorded = record_event(Db::new(&tx, &prepared), &ev).await?;
            tx.execute(sql::MARK_REPLAYED, &[&recorded.id(), &id])
                .await?;
            recorded
        })
    }

    async fn add(&self, destination: NewDestination) -> Result<DestinationWrite, LedgerError> {
        write_tx!(&self.inner, |tx| outbox::add_destination(&tx, &destination)
            .await?)
    }

    async fn change(
        &self,
        name: &str,
        change: DestinationChange,
        now: &str,
    ) -> Result<DestinationWrite, LedgerError> {
        write_tx!(&self.inner, |tx| outbox::change_destination(
            &tx, name, &change, now
        )
        .await?)
    }

    async fn queue_replay(&self, replay: Replay) -> Result<u64, LedgerError> {
        write_tx!(&self.inner, |tx| outbox::replay(&tx, &replay).await?)
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
            let client = inner.reader().await?;
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

/// The columns [`event_row`] reads, in order.
const EVENT_COLUMNS: &str = "id, received_at, last_received_at, deliveries, endpoint,
    provider, kind, name, subject_id, occurred_at, test, verified, dedup_key, identity,
    occurrence, content_type, headers, field_errors, event, raw_body, recovered_from";

/// The columns [`quarantine_row`] reads, in order.
const QUARANTINE_COLUMNS: &str = "id, received_at, endpoint, reason, error, status,
    content_type, headers, body_size, body_truncated, body_sha256, authenticated, verified,
    peer, replayed_as, raw_body";

fn event_row(r: &Row) -> PgResult<StoredEvent> {
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
        identity: r.try_get(13)?,
        occurrence: r.try_get(14)?,
        content_type: r.try_get(15)?,
        headers: json_column(r.try_get(16)?),
        field_errors: json_column(r.try_get(17)?),
        event: json_column(r.try_get(18)?),
        raw_body: Bytes::from(r.try_get::<_, Vec<u8>>(19)?),
        recovered_from: r.try_get::<_, Option<String>>(20)?.map(json_column),
    })
}

fn quarantine_row(r: &Row) -> PgResult<QuarantinedDelivery> {
    Ok(QuarantinedDelivery {
        id: r.try_get(0)?,
        received_at: r.try_get(1)?,
        endpoint: r.try_get(2)?,
        reason: r.try_get(3)?,
        error: r.try_get(4)?,
        status: u16::try_from(r.try_get::<_, i32>(5)?).unwrap_or(0),
        content_type: r.try_get(6)?,
        headers: json_column(r.try_get(7)?),
        body_size: to_u64(r.try_get::<_, i64>(8)?),
        body_truncated: r.try_get(9)?,
        body_sha256: r.try_get(10)?,
        authenticated: r.try_get(11)?,
        verified: r.try_get(12)?,
        peer: r.try_get(13)?,
        replayed_as: r.try_get(14)?,
        raw_body: Bytes::from(r.try_get::<_, Vec<u8>>(15)?),
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

    fn add<V: ToSql + Sync + Send + 'static>(&mut self, template: &str, value: Option<V>) {
        if let Some(v) = value {
            self.args.push(Box::new(v));
            let n = self.args.len();
            self.sql.push_str(&format!(
                " AND {}",
                template.replace("$N", &format!("${n}"))
            ));
        }
    }

    /// The filters of event listings: provider, kind (or platform name), since.
    fn event_filters(
        &mut self,
        provider: Option<String>,
        kind: Option<String>,
        since: Option<String>,
    ) {
        self.add("provider = $N", provider);
        self.add("(kind = $N OR name = $N)", kind);
        self.add("received_at >= $N", since);
    }

    /// The filters of outbox listings: destination and status.
    fn outbox_filters(&mut self, filter: &OutboxFilter) {
        self.add("destination = $N", filter.destination.clone());
        self.add("status = $N", filter.status.map(|s| s.as_str()));
    }

    /// The keyset `page`: ids below its cursor, newest first.
    fn finish_page(mut self, page: Page) -> (String, Vec<Arg>) {
        self.add("id < $N", page.before);
        self.args
            .push(Box::new(i64::try_from(page.limit).unwrap_or(i64::MAX)));
        self.sql
            .push_str(&format!(" ORDER BY id DESC LIMIT ${}", self.args.len()));
        (self.sql, self.args)
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
        let recorded = self.record(ev).await?;
        if matches!(recorded, Recorded::Stored { .. }) {
            self.changed();
        }
        Ok(recorded)
    }

    async fn quarantine(&self, q: NewQuarantine) -> Result<i64, LedgerError> {
        let budget = self.inner.budget;
        write_tx!(&self.inner, |tx| quarantine(&tx, &q, &budget).await?)
    }

    async fn replay_quarantined(&self, id: i64, ev: NewEvent) -> Result<Recorded, LedgerError> {
        let recorded = self.replay_one(id, ev).await?;
        self.changed();
        Ok(recorded)
    }

    async fn prune_quarantine(&self, filter: PruneFilter) -> Result<Pruned, LedgerError> {
        write_tx!(&self.inner, |tx| prune(&tx, &filter).await?)
    }

    async fn probe(&self) -> Result<(), LedgerError> {
        write_tx!(&self.inner, |tx| probe(&tx).await?)
    }

    fn health(&self) -> LedgerHealth {
        self.inner.health.snapshot()
    }

    fn events(&self, filter: EventFilter) -> BoxStream<'static, Result<StoredEvent, LedgerError>> {
        let mut w = Where::new(&format!("SELECT {EVENT_COLUMNS} FROM events"));
        w.event_filters(filter.provider, filter.kind, filter.since);
        let (sql, args) = w.finish(filter.limit);
        self.rows(sql, args, event_row)
    }

    fn quarantined(
        &self,
        filter: QuarantineFilter,
    ) -> BoxStream<'static, Result<QuarantinedDelivery, LedgerError>> {
        let mut w = Where::new(&format!("SELECT {QUARANTINE_COLUMNS} FROM quarantine"));
        w.add("id = $N", filter.id);
        w.add("received_at >= $N", filter.since);
        w.add("reason = $N", filter.reason.map(|r| r.as_str()));
        let (sql, args) = w.finish(filter.limit);
        self.rows(sql, args, quarantine_row)
    }

    async fn write_sync_batch(&self, batch: SyncBatch) -> Result<(), LedgerError> {
        write_tx!(&self.inner, |tx| sync_batch(&tx, &batch).await?)
    }

    async fn sync_state(
        &self,
        provider: &str,
        resource: &str,
    ) -> Result<Option<SyncState>, LedgerError> {
        let client = self.inner.reader().await?;
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

    async fn access(
        &self,
        lookup: entitlements::Lookup,
        now: time::OffsetDateTime,
    ) -> Result<creator_core::AccessVerdict, LedgerError> {
        let client = self.inner.reader().await?;
        access(&client, &lookup, now)
            .await
            .map_err(|e| self.inner.err(e))
    }

    async fn setting(&self, key: &str) -> Result<Option<String>, LedgerError> {
        let client = self.inner.reader().await?;
        let row = client
            .query_opt("SELECT value FROM settings WHERE key = $1", &[&key])
            .await
            .map_err(|e| self.inner.err(e))?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn setting_or_insert(&self, key: &str, value: &str) -> Result<String, LedgerError> {
        write_tx!(&self.inner, |tx| {
            tx.execute(sql::INSERT_SETTING_IF_ABSENT, &[&key, &value])
                .await?;
            tx.query_one("SELECT value FROM settings WHERE key = $1", &[&key])
                .await?
                .get::<_, String>(0)
        })
    }

    async fn reported(
        &self,
        provider: &str,
        kind: &str,
        subjects: Vec<String>,
    ) -> Result<Vec<bool>, LedgerError> {
        let client = self.inner.reader().await?;
        let stmt = client
            .prepare(reconcile::REPORTED)
            .await
            .map_err(|e| self.inner.err(e))?;
        let mut out = Vec::with_capacity(subjects.len());
        for s in &subjects {
            let row = client
                .query_one(&stmt, &[&provider, s, &kind])
                .await
                .map_err(|e| self.inner.err(e))?;
            out.push(row.get(0));
        }
        Ok(out)
    }

    async fn reconcile_state(
        &self,
        provider: &str,
    ) -> Result<Option<reconcile::ReconcileState>, LedgerError> {
        let client = self.inner.reader().await?;
        let row = client
            .query_opt(reconcile::STATE, &[&provider])
            .await
            .map_err(|e| self.inner.err(e))?;
        Ok(row.map(|r| reconcile::ReconcileState {
            provider: r.get(0),
            cursor: r.get(1),
            completed_at: r.get(2),
            runs: r.get(3),
            lease_owner: r.get(4),
            lease_until: r.get(5),
        }))
    }

    async fn reconcile_lease(&self, l: reconcile::Lease) -> Result<bool, LedgerError> {
        write_tx!(&self.inner, |tx| {
            tx.query_opt(
                reconcile::TAKE_LEASE,
                &[&l.provider, &l.owner, &l.until, &l.now],
            )
            .await?
            .is_some()
        })
    }

    async fn reconcile_end(&self, end: reconcile::RunEnd) -> Result<(), LedgerError> {
        write_tx!(&self.inner, |tx| {
            match &end.cursor {
                Some(cursor) => {
                    tx.execute(
                        reconcile::COMPLETE,
                        &[cursor, &end.now, &end.provider, &end.owner],
                    )
                    .await?
                }
                None => {
                    tx.execute(reconcile::RELEASE, &[&end.provider, &end.owner])
                        .await?
                }
            };
        })
    }

    async fn stats(&self) -> Result<LedgerStats, LedgerError> {
        let client = self.inner.reader().await?;
        let r = client
            .query_one(
                "SELECT (SELECT COUNT(*) FROM events)::BIGINT,
                        (SELECT COALESCE(SUM(deliveries), 0) FROM events)::BIGINT,
                        (SELECT COUNT(*) FROM quarantine)::BIGINT,
                        (SELECT COALESCE(SUM(stored_bytes), 0) FROM quarantine)::BIGINT,
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
            quarantine_bytes: r.get(3),
            synced_sales: r.get(4),
            synced_subscribers: r.get(5),
        })
    }

    async fn destinations(&self) -> Result<Vec<Destination>, LedgerError> {
        let client = self.inner.reader().await?;
        outbox::destinations(&*client)
            .await
            .map_err(|e| self.inner.err(e))
    }

    async fn add_destination(
        &self,
        destination: NewDestination,
    ) -> Result<DestinationWrite, LedgerError> {
        let written = self.add(destination).await?;
        self.inner.destination_changes.notify();
        Ok(written)
    }

    async fn change_destination(
        &self,
        name: &str,
        change: DestinationChange,
        now: &str,
    ) -> Result<DestinationWrite, LedgerError> {
        let written = self.change(name, change, now).await?;
        self.changed();
        self.inner.destination_changes.notify();
        Ok(written)
    }

    async fn claim(&self, claim: Claim) -> Result<Vec<Claimed>, LedgerError> {
        write_tx!(@on forward_writer, &self.inner, |tx| {
            let mut rows = Vec::new();
            for (destination, limit) in &claim.slots {
                for (message, event, attempts) in outbox::claim(
                    &tx,
                    &claim.owner,
                    &claim.lease_until,
                    *destination,
                    &claim.now,
                    *limit,
                )
                .await?
                {
                    rows.push((message, *destination, event, attempts));
                }
            }
            let ids: Vec<i64> = rows.iter().map(|r| r.2).collect();
            let events: std::collections::HashMap<i64, StoredEvent> = if ids.is_empty() {
                Default::default()
            } else {
                outbox::events_by_id(&tx, &ids)
                    .await?
                    .into_iter()
                    .map(|e| (e.id, e))
                    .collect()
            };
            let destinations: std::collections::HashMap<i64, Destination> =
                outbox::destinations(&tx)
                    .await?
                    .into_iter()
                    .map(|d| (d.id, d))
                    .collect();
            rows.into_iter()
                .filter_map(|(message_id, destination_id, event, attempts)| {
                    Some(Claimed {
                        message_id,
                        destination_id,
                        attempt: u32::try_from(attempts + 1).unwrap_or(u32::MAX),
                        event: events.get(&event)?.clone(),
                        destination: destinations.get(&destination_id)?.clone(),
                    })
                })
                .collect::<Vec<_>>()
        })
    }

    async fn finish(&self, attempts: Vec<Attempt>) -> Result<(), LedgerError> {
        write_tx!(@on forward_writer, &self.inner, |tx| outbox::finish(&tx, &attempts).await?)
    }

    async fn replay(&self, replay: Replay) -> Result<u64, LedgerError> {
        let queued = self.queue_replay(replay).await?;
        self.changed();
        Ok(queued)
    }

    fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.changes.subscribe()
    }

    fn subscribe_destinations(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.destination_changes.subscribe()
    }

    fn messages(
        &self,
        filter: OutboxFilter,
    ) -> BoxStream<'static, Result<OutboxMessage, LedgerError>> {
        let mut w = Where::new(&format!(
            "SELECT {} FROM {}",
            sql::OUTBOX_COLUMNS,
            sql::OUTBOX_VIEW
        ));
        w.outbox_filters(&filter);
        let (sql, args) = w.finish(filter.limit);
        self.rows(sql, args, outbox::message_row)
    }

    fn attempts(
        &self,
        filter: OutboxFilter,
    ) -> BoxStream<'static, Result<AttemptRecord, LedgerError>> {
        let mut w = Where::new(&format!(
            "SELECT {} FROM {}",
            sql::ATTEMPT_COLUMNS,
            sql::ATTEMPTS_VIEW
        ));
        w.outbox_filters(&filter);
        let (sql, args) = w.finish(filter.limit);
        self.rows(sql, args, outbox::attempt_row)
    }

    async fn outbox_stats(&self) -> Result<OutboxStats, LedgerError> {
        let client = self.inner.reader().await?;
        outbox::outbox_stats(&*client)
            .await
            .map_err(|e| self.inner.err(e))
    }

    fn event_page(
        &self,
        search: EventSearch,
    ) -> BoxStream<'static, Result<StoredEvent, LedgerError>> {
        let mut w = Where::new(&format!("SELECT {EVENT_COLUMNS} FROM events"));
        w.event_filters(search.provider, search.kind, search.since);
        w.add("received_at < $N", search.until);
        w.add(
            &sql::EVENT_TEXT_MATCH.replace("{p}", "$N"),
            search.text.as_deref().map(pages::contains_pattern),
        );
        let (sql, args) = w.finish_page(search.page);
        self.rows(sql, args, event_row)
    }

    fn quarantine_page(
        &self,
        page: Page,
    ) -> BoxStream<'static, Result<QuarantinedDelivery, LedgerError>> {
        let w = Where::new(&format!("SELECT {QUARANTINE_COLUMNS} FROM quarantine"));
        let (sql, args) = w.finish_page(page);
        self.rows(sql, args, quarantine_row)
    }

    fn message_page(
        &self,
        filter: OutboxFilter,
        page: Page,
    ) -> BoxStream<'static, Result<OutboxMessage, LedgerError>> {
        let mut w = Where::new(&format!(
            "SELECT {} FROM {}",
            sql::OUTBOX_COLUMNS,
            sql::OUTBOX_VIEW
        ));
        w.outbox_filters(&filter);
        let (sql, args) = w.finish_page(page);
        self.rows(sql, args, outbox::message_row)
    }

    async fn delivery_hours(&self, since: &str) -> Result<Vec<DeliveryHour>, LedgerError> {
        let client = self.inner.reader().await?;
        let rows = client
            .query(sql::DELIVERY_HOURS, &[&since])
            .await
            .map_err(|e| self.inner.err(e))?;
        rows.iter()
            .map(|r| {
                Ok(DeliveryHour {
                    hour: r.try_get(0)?,
                    provider: r.try_get(1)?,
                    attempts: r.try_get(2)?,
                    delivered: r.try_get(3)?,
                    mean_latency_ms: r.try_get(4)?,
                    max_latency_ms: r.try_get(5)?,
                })
            })
            .collect::<Result<_, tokio_postgres::Error>>()
            .map_err(|e| self.inner.err(e))
    }

    async fn last_received(&self, provider: &str) -> Result<Option<String>, LedgerError> {
        let client = self.inner.reader().await?;
        let row = client
            .query_one(sql::LAST_RECEIVED, &[&provider])
            .await
            .map_err(|e| self.inner.err(e))?;
        row.try_get(0).map_err(|e| self.inner.err(e))
    }

    async fn events_after(&self, after: i64, limit: u64) -> Result<Vec<StoredEvent>, LedgerError> {
        let client = self.inner.reader().await?;
        match outbox::events_after(&*client, after, limit).await {
            Ok(Some(events)) => Ok(events),
            Ok(None) => Err(LedgerError::NotFound(format!(
                "no event {after} in the ledger: resume from an id the feed returned"
            ))),
            Err(e) => Err(self.inner.err(e)),
        }
    }

    async fn rebuild_entitlements(&self) -> Result<u64, LedgerError> {
        write_tx!(&self.inner, |tx| rebuild_entitlements(&tx).await?)
    }

    async fn close(&self) {
        self.inner.closed.store(true, Ordering::Release);
        // The queued deliveries are committed and answered first.
        if let Some(intake) = &self.intake {
            intake.close().await;
        }
        self.inner.health.closed();
        // Every write awaits its commit, so dropping the clients loses
        // nothing; it ends the connection tasks.
        for slot in self.inner.writers.iter().chain(&self.inner.forwarders) {
            slot.lock().await.take();
        }
        self.inner.reader.lock().await.take();
    }
}
