//! The ledger's writes, each a function over the writer's open transaction.

use rusqlite::{Connection, OptionalExtension, params};

use creator_core::repeat::Repeat;

use crate::ledger::entitlements;
use crate::ledger::identity;
use crate::ledger::reconcile;
use crate::ledger::sql;
use crate::ledger::{
    LedgerStats, NewEvent, NewQuarantine, PruneFilter, Pruned, QuarantineBudget, Recorded,
    SyncBatch, SyncState, timestamp,
};

type R<T> = rusqlite::Result<T>;

/// Stores an event once (see [`identity`] for what repeats a stored one).
///
/// The common case, an identity never seen, is one statement: the insert of
/// its first occurrence. Only when that row exists does the rule run.
pub(crate) fn record_event(conn: &Connection, ev: &NewEvent) -> R<Recorded> {
    if reconcile::may_claim(ev)
        && let Some((id, dedup_key)) = conn
            .prepare_cached(reconcile::CLAIM)?
            .query_row(
                params![
                    ev.identity,
                    ev.fingerprint,
                    ev.received_at,
                    ev.provider,
                    ev.subject_id,
                    ev.kind,
                    ev.test
                ],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
    {
        return Ok(Recorded::Duplicate { id, dedup_key });
    }
    if let Some(stored) = insert(conn, ev, 1)? {
        return Ok(stored);
    }
    let arrival = identity::arrival(ev);
    let newest: Option<(i64, i64, String)> = conn
        .prepare_cached(sql::NEWEST_OCCURRENCE)?
        .query_row(params![ev.identity], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let Some((id, occurrence, last)) = newest else {
        // Nothing to repeat (the first occurrence is gone): store it again.
        return insert(conn, ev, 1)?.map_or_else(|| count_on(conn, ev, 1), Ok);
    };
    let moved_on = arrival.needs_subject_history()
        && conn
            .prepare_cached(sql::SUBJECT_MOVED_ON)?
            .query_row(params![ev.provider, ev.subject_id, id], |r| r.get(0))?;
    let newest = identity::stored(occurrence, &last, moved_on);
    match identity::decide(arrival, Some(&newest)) {
        Repeat::Same => {
            let dedup_key: String = conn
                .prepare_cached(
                    "UPDATE events SET deliveries = deliveries + 1,
                        last_received_at = MAX(last_received_at, ?2)
                     WHERE id = ?1 RETURNING dedup_key",
                )?
                .query_row(params![id, ev.received_at], |r| r.get(0))?;
            Ok(Recorded::Duplicate { id, dedup_key })
        }
        Repeat::New { occurrence } => match insert(conn, ev, occurrence)? {
            Some(stored) => Ok(stored),
            // The writer is alone, so the row can only exist if it was
            // written by hand: count this delivery on it.
            None => count_on(conn, ev, occurrence),
        },
    }
}

/// Counts a delivery on occurrence `occurrence` of its identity.
fn count_on(conn: &Connection, ev: &NewEvent, occurrence: u32) -> R<Recorded> {
    let (id, dedup_key): (i64, String) = conn
        .prepare_cached(sql::COUNT_DELIVERY)?
        .query_row(params![ev.identity, occurrence], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    Ok(Recorded::Duplicate { id, dedup_key })
}

/// Inserts occurrence `occurrence` of the event, or nothing when its unique
/// key exists already.
fn insert(conn: &Connection, ev: &NewEvent, occurrence: u32) -> R<Option<Recorded>> {
    let dedup_key = identity::dedup_key(&ev.identity, occurrence);
    let id: Option<i64> = conn
        .prepare_cached(sql::INSERT_EVENT)?
        .query_row(
            params![
                dedup_key,
                ev.identity,
                occurrence,
                ev.fingerprint,
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
                ev.field_errors,
                ev.recovered_from,
            ],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = id {
        // In the same transaction: a stored event is never without its messages.
        super::forward::enqueue(conn, id, ev)?;
        // The entitlement view, in the same transaction too.
        apply_entitlements(conn, &entitlements::Facts::from(ev), id)?;
    }
    Ok(id.map(|id| Recorded::Stored { id, dedup_key }))
}

/// Updates the entitlement view from an event (stored now or before, or a
/// synced record, `event_id` 0), in the caller's transaction.
pub(crate) fn apply_entitlements(
    conn: &Connection,
    ev: &entitlements::Facts<'_>,
    event_id: i64,
) -> R<()> {
    let changes = entitlements::changes(ev);
    if changes.is_empty() {
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(entitlements::UPSERT)?;
    let now = entitlements::now_stamp();
    for c in changes {
        stmt.execute(params![
            c.provider,
            c.object,
            c.product_id,
            c.email,
            c.user_id,
            c.license_hash,
            c.subscription_id,
            i64::from(c.purchased),
            i64::from(c.refunded),
            i64::from(c.chargedback),
            i64::from(c.disputed),
            i64::from(c.dispute_won),
            c.sub_state,
            c.state_at,
            c.until_at,
            c.since,
            event_id,
            now,
            i64::from(c.partially_refunded),
        ])?;
    }
    Ok(())
}

fn entitlement_row(r: &rusqlite::Row<'_>) -> R<entitlements::Row> {
    Ok(entitlements::Row {
        provider: r.get(0)?,
        object: r.get(1)?,
        product_id: r.get(2)?,
        subscription_id: r.get(3)?,
        purchased: r.get::<_, i64>(4)? != 0,
        refunded: r.get::<_, i64>(5)? != 0,
        chargedback: r.get::<_, i64>(6)? != 0,
        disputed: r.get::<_, i64>(7)? != 0,
        dispute_won: r.get::<_, i64>(8)? != 0,
        sub_state: r.get(9)?,
        until_at: r.get(10)?,
        since: r.get(11)?,
        partially_refunded: r.get::<_, i64>(12)? != 0,
    })
}

/// Answers an entitlement lookup from the view.
pub(crate) fn access(
    conn: &Connection,
    lookup: &entitlements::Lookup,
    now: time::OffsetDateTime,
) -> R<creator_core::AccessVerdict> {
    let (sql, args) = lookup.statement();
    let rows: Vec<entitlements::Row> = conn
        .prepare_cached(sql)?
        .query_map(rusqlite::params_from_iter(args.iter()), entitlement_row)?
        .collect::<R<_>>()?;
    let mut extra = Vec::new();
    for (provider, key) in entitlements::missing_subscriptions(&rows) {
        if let Some(row) = conn
            .prepare_cached(entitlements::SUBSCRIPTION)?
            .query_row(params![provider, key], entitlement_row)
            .optional()?
        {
            extra.push(row);
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

/// Keeps a rejected delivery, then prunes unauthenticated rows beyond `budget`.
pub(crate) fn quarantine(
    conn: &Connection,
    q: &NewQuarantine,
    budget: &QuarantineBudget,
) -> R<i64> {
    let id: i64 = conn.prepare_cached(sql::INSERT_QUARANTINE)?.query_row(
        params![
            q.received_at,
            q.endpoint,
            q.reason.as_str(),
            q.error,
            q.status,
            q.content_type,
            q.headers,
            i64::try_from(q.body_size).unwrap_or(i64::MAX),
            q.body_truncated,
            &q.raw_body[..],
            q.body_sha256,
            q.authenticated,
            q.verified,
            q.peer,
            i64::try_from(q.stored_bytes()).unwrap_or(i64::MAX),
        ],
        |r| r.get(0),
    )?;
    if !q.authenticated {
        let (rows, bytes): (i64, i64) = conn.prepare_cached(sql::BUDGET_ADD)?.query_row(
            params![i64::try_from(q.stored_bytes()).unwrap_or(i64::MAX)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let excess = budget.excess(to_u64(rows), to_u64(bytes));
        if excess > 0 {
            let freed = delete_returning_bytes(
                conn,
                sql::PRUNE_OLDEST_STRANGERS,
                params![i64::try_from(excess).unwrap_or(i64::MAX)],
            )?;
            forget(conn, freed)?;
        }
    }
    Ok(id)
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Runs a `DELETE … RETURNING stored_bytes` and sums what it removed.
fn delete_returning_bytes(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> R<Pruned> {
    let mut st = conn.prepare(sql)?;
    let mut rows = st.query(args)?;
    let mut pruned = Pruned::default();
    while let Some(row) = rows.next()? {
        pruned.rows += 1;
        pruned.bytes += to_u64(row.get(0)?);
    }
    Ok(pruned)
}

/// Takes pruned unauthenticated rows off the budget's running totals.
fn forget(conn: &Connection, pruned: Pruned) -> R<()> {
    conn.prepare_cached(
        "UPDATE quarantine_budget SET rows = MAX(rows - ?1, 0), bytes = MAX(bytes - ?2, 0)
         WHERE id = 1",
    )?
    .execute(params![
        i64::try_from(pruned.rows).unwrap_or(i64::MAX),
        i64::try_from(pruned.bytes).unwrap_or(i64::MAX)
    ])?;
    Ok(())
}

/// `creator quarantine prune`.
pub(crate) fn prune(conn: &Connection, filter: &PruneFilter) -> R<Pruned> {
    let mut sql = String::from("DELETE FROM quarantine WHERE 1 = 1");
    let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
    if let Some(before) = &filter.before {
        args.push(Box::new(before.clone()));
        sql.push_str(&format!(" AND received_at < ?{}", args.len()));
    }
    if let Some(reason) = filter.reason {
        args.push(Box::new(reason.as_str()));
        sql.push_str(&format!(" AND reason = ?{}", args.len()));
    }
    if !filter.include_authenticated {
        sql.push_str(" AND authenticated = 0");
    }
    sql.push_str(" RETURNING stored_bytes, authenticated");
    let mut st = conn.prepare(&sql)?;
    let refs: Vec<&dyn rusqlite::ToSql> = args.iter().map(|a| a.as_ref()).collect();
    let mut rows = st.query(&refs[..])?;
    let (mut all, mut strangers) = (Pruned::default(), Pruned::default());
    while let Some(row) = rows.next()? {
        let bytes = to_u64(row.get(0)?);
        all.rows += 1;
        all.bytes += bytes;
        if !row.get::<_, bool>(1)? {
            strangers.rows += 1;
            strangers.bytes += bytes;
        }
    }
    drop(rows);
    forget(conn, strangers)?;
    Ok(all)
}

/// Stores an event parsed again from quarantined delivery `id` and marks it replayed.
pub(crate) fn replay(conn: &Connection, id: i64, ev: &NewEvent) -> R<Recorded> {
    let recorded = record_event(conn, ev)?;
    conn.prepare_cached(sql::MARK_REPLAYED)?
        .execute(params![recorded.id(), id])?;
    Ok(recorded)
}

/// The probe row `/healthz` relies on when deliveries are quiet.
pub(crate) fn probe(conn: &Connection) -> R<()> {
    conn.prepare_cached(sql::PROBE)?
        .execute(params![timestamp(time::OffsetDateTime::now_utc())])?;
    Ok(())
}

/// Writes a `creator sync` batch and its cursor.
pub(crate) fn sync_batch(conn: &Connection, batch: &SyncBatch) -> R<()> {
    let now = timestamp(time::OffsetDateTime::now_utc());
    for s in &batch.sales {
        conn.prepare_cached(sql::UPSERT_SYNCED_SALE)?
            .execute(params![
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
            ])?;
    }
    for s in &batch.subscribers {
        conn.prepare_cached(sql::UPSERT_SYNCED_SUBSCRIBER)?
            .execute(params![
                s.provider,
                s.id,
                s.product_id,
                s.email,
                s.status,
                s.started_at,
                s.ends_at,
                s.record,
                now
            ])?;
    }
    apply_synced(conn, batch, &now)?;
    if let Some(end) = &batch.end_unseen {
        let ended = conn
            .prepare_cached(sql::END_UNLISTED_SUBSCRIBERS)?
            .query_map(params![now, end.provider, end.not_synced_since], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?
            .collect::<R<Vec<_>>>()?;
        // Their access ends in the view too, in the same transaction.
        for (provider, record) in ended {
            let synced = entitlements::Synced::subscriber(&provider, "ended", &record);
            apply_entitlements(conn, &synced.facts(&now), 0)?;
        }
    }
    if let Some(state) = &batch.state {
        conn.prepare_cached(sql::UPSERT_SYNC_STATE)?
            .execute(params![
                state.provider,
                state.resource,
                state.status,
                state.after,
                state.resume_before,
                state.newest_day,
                state.items,
                state.started_at,
                state.updated_at
            ])?;
    }
    Ok(())
}

/// Enters a sync batch's sales and subscribers in the entitlement view, as
/// the intake enters events.
fn apply_synced(conn: &Connection, batch: &SyncBatch, now: &str) -> R<()> {
    for synced in entitlements::synced(batch) {
        apply_entitlements(conn, &synced.facts(now), 0)?;
    }
    Ok(())
}

/// Fills the entitlement view anew from every stored event and synced
/// record, in the caller's transaction; returns the rows it holds then.
pub(crate) fn rebuild_entitlements(conn: &Connection) -> R<u64> {
    conn.execute(entitlements::CLEAR, [])?;
    let mut after = 0i64;
    loop {
        let mut stmt = conn.prepare_cached(entitlements::REBUILD_EVENTS)?;
        let rows = stmt
            .query_map(params![after], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, bool>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, Vec<u8>>(7)?,
                ))
            })?
            .collect::<R<Vec<_>>>()?;
        drop(stmt);
        let Some(last) = rows.last() else {
            break;
        };
        after = last.0;
        for (id, provider, kind, test, received_at, occurred_at, event, body) in &rows {
            let facts = entitlements::Facts {
                provider,
                kind,
                test: *test,
                received_at,
                occurred_at: occurred_at.as_deref(),
                event,
                raw_body: body,
            };
            apply_entitlements(conn, &facts, *id)?;
        }
    }
    let now = timestamp(time::OffsetDateTime::now_utc());
    let mut sales = conn.prepare(entitlements::REBUILD_SALES)?;
    for row in sales.query_map([], |r| {
        Ok(entitlements::Synced::sale(
            &r.get::<_, String>(0)?,
            r.get(1)?,
            &r.get::<_, String>(2)?,
        ))
    })? {
        apply_entitlements(conn, &row?.facts(&now), 0)?;
    }
    let mut subscribers = conn.prepare(entitlements::REBUILD_SUBSCRIBERS)?;
    for row in subscribers.query_map([], |r| {
        Ok(entitlements::Synced::subscriber(
            &r.get::<_, String>(0)?,
            &r.get::<_, String>(1)?,
            &r.get::<_, String>(2)?,
        ))
    })? {
        apply_entitlements(conn, &row?.facts(&now), 0)?;
    }
    conn.query_row("SELECT COUNT(*) FROM entitlements", [], |r| {
        r.get::<_, i64>(0)
    })
    .map(|n| u64::try_from(n).unwrap_or(0))
}

/// The saved state of a sync.
pub(crate) fn sync_state(
    conn: &Connection,
    provider: &str,
    resource: &str,
) -> R<Option<SyncState>> {
    conn.query_row(
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
}

/// A value of the settings table.
pub(crate) fn setting(conn: &Connection, key: &str) -> R<Option<String>> {
    conn.query_row(
        "SELECT value FROM settings WHERE key = ?1",
        params![key],
        |r| r.get(0),
    )
    .optional()
}

/// Stores a setting unless it has a value; returns the value stored.
pub(crate) fn setting_or_insert(conn: &Connection, key: &str, value: &str) -> R<String> {
    conn.execute(sql::INSERT_SETTING_IF_ABSENT, params![key, value])?;
    conn.query_row(
        "SELECT value FROM settings WHERE key = ?1",
        params![key],
        |r| r.get(0),
    )
}

/// Row counts.
pub(crate) fn stats(conn: &Connection) -> R<LedgerStats> {
    conn.query_row(
        "SELECT (SELECT COUNT(*) FROM events),
                (SELECT COALESCE(SUM(deliveries), 0) FROM events),
                (SELECT COUNT(*) FROM quarantine),
                (SELECT COALESCE(SUM(stored_bytes), 0) FROM quarantine),
                (SELECT COUNT(*) FROM synced_sales),
                (SELECT COUNT(*) FROM synced_subscribers)",
        [],
        |r| {
            Ok(LedgerStats {
                events: r.get(0)?,
                deliveries: r.get(1)?,
                quarantined: r.get(2)?,
                quarantine_bytes: r.get(3)?,
                synced_sales: r.get(4)?,
                synced_subscribers: r.get(5)?,
            })
        },
    )
}

/// Whether events of `provider` and `kind` about each of `subjects` are stored.
pub(crate) fn reported(
    conn: &Connection,
    provider: &str,
    kind: &str,
    subjects: &[String],
) -> R<Vec<bool>> {
    let mut stmt = conn.prepare_cached(reconcile::REPORTED)?;
    subjects
        .iter()
        .map(|s| stmt.query_row(params![provider, s, kind], |r| r.get(0)))
        .collect()
}

/// The reconcile state of `provider`.
pub(crate) fn reconcile_state(
    conn: &Connection,
    provider: &str,
) -> R<Option<reconcile::ReconcileState>> {
    conn.prepare_cached(reconcile::STATE)?
        .query_row(params![provider], |r| {
            Ok(reconcile::ReconcileState {
                provider: r.get(0)?,
                cursor: r.get(1)?,
                completed_at: r.get(2)?,
                runs: r.get(3)?,
                lease_owner: r.get(4)?,
                lease_until: r.get(5)?,
            })
        })
        .optional()
}

/// Takes or renews the reconcile lease.
pub(crate) fn reconcile_lease(conn: &Connection, l: &reconcile::Lease) -> R<bool> {
    Ok(conn
        .prepare_cached(reconcile::TAKE_LEASE)?
        .query_row(params![l.provider, l.owner, l.until, l.now], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Ends a reconcile run.
pub(crate) fn reconcile_end(conn: &Connection, end: &reconcile::RunEnd) -> R<()> {
    match &end.cursor {
        Some(cursor) => conn.execute(
            reconcile::COMPLETE,
            params![cursor, end.now, end.provider, end.owner],
        )?,
        None => conn.execute(reconcile::RELEASE, params![end.provider, end.owner])?,
    };
    Ok(())
}
