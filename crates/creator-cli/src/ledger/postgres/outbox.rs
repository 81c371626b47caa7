//! Forwarding on PostgreSQL: destinations, claims (`FOR UPDATE SKIP
//! LOCKED`, then a lease), attempts, replays and the feed's order.

use tokio_postgres::{Row, Transaction};

use super::{EVENT_COLUMNS, PgResult, event_row};
use crate::ledger::outbox::{self, previous_secrets, previous_secrets_json, stored_status};
use crate::ledger::sql;
use crate::ledger::{
    Attempt, AttemptRecord, Destination, DestinationChange, DestinationWrite, NewDestination,
    NewEvent, Next, OutboxMessage, OutboxStats, Replay, ReplaySelection, StoredEvent,
};

pub(super) fn destination_row(r: &Row) -> PgResult<Destination> {
    Ok(Destination {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        url: r.try_get(2)?,
        secret: creator_core::Secret::new(r.try_get::<_, String>(3)?),
        previous_secrets: previous_secrets(r.try_get(4)?),
        provider: r.try_get(5)?,
        kind: r.try_get(6)?,
        enabled: r.try_get(7)?,
        disabled_reason: r.try_get(8)?,
        created_at: r.try_get(9)?,
        updated_at: r.try_get(10)?,
    })
}

pub(super) async fn destinations(
    client: &impl tokio_postgres::GenericClient,
) -> PgResult<Vec<Destination>> {
    client
        .query(sql::SELECT_DESTINATIONS, &[])
        .await?
        .iter()
        .map(destination_row)
        .collect()
}

async fn by_name(tx: &Transaction<'_>, name: &str) -> PgResult<Option<Destination>> {
    Ok(destinations(tx).await?.into_iter().find(|d| d.name == name))
}

pub(super) async fn add_destination(
    tx: &Transaction<'_>,
    d: &NewDestination,
) -> PgResult<DestinationWrite> {
    let taken: bool = tx
        .query_one(sql::DESTINATION_NAME_TAKEN, &[&d.name])
        .await?
        .get(0);
    if taken {
        return Ok(DestinationWrite::NameTaken);
    }
    tx.query_one(
        sql::INSERT_DESTINATION,
        &[
            &d.name,
            &d.url,
            &d.secret.expose(),
            &d.provider,
            &d.kind,
            &d.now,
        ],
    )
    .await?;
    Ok(DestinationWrite::Done(
        by_name(tx, &d.name).await?.map(Box::new),
    ))
}

pub(super) async fn change_destination(
    tx: &Transaction<'_>,
    name: &str,
    change: &DestinationChange,
    now: &str,
) -> PgResult<DestinationWrite> {
    let found: Option<i64> = match change {
        DestinationChange::Enable => tx
            .query_opt(sql::ENABLE_DESTINATION, &[&now, &name])
            .await?
            .map(|r| r.get(0)),
        DestinationChange::Disable { reason } => tx
            .query_opt(sql::DISABLE_DESTINATION, &[reason, &now, &name])
            .await?
            .map(|r| r.get(0)),
        DestinationChange::RotateSecret {
            secret,
            old_expires_at,
        } => match tx.query_opt(sql::DESTINATION_SECRETS, &[&name]).await? {
            Some(row) => {
                let (id, current, previous): (i64, String, String) =
                    (row.get(0), row.get(1), row.get(2));
                let list = outbox::rotated(&current, &previous, old_expires_at, now);
                tx.execute(
                    sql::SET_SECRETS,
                    &[&secret.expose(), &previous_secrets_json(&list), &now, &id],
                )
                .await?;
                Some(id)
            }
            None => None,
        },
        DestinationChange::Remove => {
            match tx
                .query_opt(sql::REMOVE_DESTINATION, &[&now, &name])
                .await?
            {
                Some(row) => {
                    let id: i64 = row.get(0);
                    tx.execute(sql::KILL_MESSAGES_OF_REMOVED, &[&id]).await?;
                    return Ok(DestinationWrite::Done(None));
                }
                None => None,
            }
        }
    };
    Ok(match found {
        Some(_) => DestinationWrite::Done(by_name(tx, name).await?.map(Box::new)),
        None => DestinationWrite::NotFound,
    })
}

/// Leases the claimable messages of one destination: `(message, event,
/// attempts so far)`.
pub(super) async fn claim(
    tx: &Transaction<'_>,
    owner: &str,
    lease_until: &str,
    destination: i64,
    now: &str,
    limit: usize,
) -> PgResult<Vec<(i64, i64, i64)>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    Ok(tx
        .query(
            sql::CLAIM_POSTGRES,
            &[&owner, &lease_until, &destination, &now, &limit],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}

/// The events with these ids.
pub(super) async fn events_by_id(tx: &Transaction<'_>, ids: &[i64]) -> PgResult<Vec<StoredEvent>> {
    tx.query(
        &format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = ANY($1)"),
        &[&ids],
    )
    .await?
    .iter()
    .map(event_row)
    .collect()
}

pub(super) async fn finish(tx: &Transaction<'_>, attempts: &[Attempt]) -> PgResult<()> {
    for a in attempts {
        let next_at: Option<&str> = match &a.next {
            Next::RetryAt(at) => Some(at.as_str()),
            Next::Gone(_) => Some(a.started_at.as_str()),
            Next::Delivered | Next::Dead => None,
        };
        let status_code = a.status_code.map(i32::from);
        let latency = i64::try_from(a.latency_ms).unwrap_or(i64::MAX);
        let attempt = i64::from(a.attempt);
        tx.execute(
            sql::INSERT_ATTEMPT,
            &[
                &a.message_id,
                &attempt,
                &a.started_at,
                &status_code,
                &latency,
                &a.error,
                &next_at,
                &a.owner,
            ],
        )
        .await?;
        match &a.next {
            Next::Delivered => {
                tx.execute(
                    sql::MARK_DELIVERED,
                    &[
                        &attempt,
                        &a.started_at,
                        &status_code,
                        &latency,
                        &a.message_id,
                    ],
                )
                .await?;
            }
            next => {
                if let Next::Gone(reason) = next {
                    tx.execute(
                        sql::DISABLE_GONE,
                        &[reason, &a.started_at, &a.destination_id],
                    )
                    .await?;
                }
                tx.execute(
                    sql::MARK_FAILED,
                    &[
                        &stored_status(next).as_str(),
                        &attempt,
                        &next_at,
                        &status_code,
                        &latency,
                        &a.error,
                        &a.message_id,
                        &a.owner,
                    ],
                )
                .await?;
            }
        }
    }
    Ok(())
}

pub(super) async fn replay(tx: &Transaction<'_>, replay: &Replay) -> PgResult<u64> {
    let mut queued = 0;
    match &replay.events {
        ReplaySelection::Ids(ids) => {
            for id in ids {
                queued += tx
                    .execute(sql::REPLAY_EVENT, &[&replay.now, &replay.destination, id])
                    .await?;
            }
        }
        ReplaySelection::Since(since) => {
            queued += tx
                .execute(
                    sql::REPLAY_SINCE,
                    &[&replay.now, &replay.destination, since],
                )
                .await?;
        }
    }
    Ok(queued)
}

pub(super) fn message_row(r: &Row) -> PgResult<OutboxMessage> {
    Ok(OutboxMessage {
        id: r.try_get(0)?,
        event_id: r.try_get(1)?,
        dedup_key: r.try_get(2)?,
        kind: r.try_get(3)?,
        destination: r.try_get(4)?,
        status: r.try_get(5)?,
        attempts: r.try_get(6)?,
        created_at: r.try_get(7)?,
        next_attempt_at: r.try_get(8)?,
        delivered_at: r.try_get(9)?,
        last_status: r.try_get::<_, Option<i32>>(10)?.map(i64::from),
        last_latency_ms: r.try_get(11)?,
        last_error: r.try_get(12)?,
        replay: r.try_get(13)?,
    })
}

pub(super) fn attempt_row(r: &Row) -> PgResult<AttemptRecord> {
    Ok(AttemptRecord {
        message_id: r.try_get(0)?,
        event_id: r.try_get(1)?,
        destination: r.try_get(2)?,
        attempt: r.try_get(3)?,
        started_at: r.try_get(4)?,
        status_code: r.try_get::<_, Option<i32>>(5)?.map(i64::from),
        latency_ms: r.try_get(6)?,
        error: r.try_get(7)?,
        next_attempt_at: r.try_get(8)?,
        relay: r.try_get(9)?,
    })
}

pub(super) async fn outbox_stats(
    client: &impl tokio_postgres::GenericClient,
) -> PgResult<OutboxStats> {
    let r = client.query_one(sql::OUTBOX_STATS, &[]).await?;
    Ok(OutboxStats {
        pending: r.try_get(0)?,
        failed: r.try_get(1)?,
        delivered: r.try_get(2)?,
        dead: r.try_get(3)?,
        attempts: r.try_get(4)?,
    })
}

/// Queues the new event `id` for the destinations whose filters match.
pub(super) async fn enqueue(db: super::Db<'_>, id: i64, ev: &NewEvent) -> PgResult<()> {
    db.execute(
        sql::ENQUEUE_EVENT,
        &[
            &id,
            &outbox::subject(&ev.provider, &ev.subject_id),
            &ev.received_at,
            &ev.provider,
            &ev.kind,
            &ev.name,
        ],
    )
    .await?;
    Ok(())
}

/// The feed after event `after` in the order transactions ended: a row is
/// returned only once every transaction older than its own has ended
/// (`pg_snapshot_xmin`), and rows are ordered by (storing transaction, id),
/// so a row never appears behind a cursor already handed out. `None` when
/// `after` names no event.
pub(super) async fn events_after(
    client: &impl tokio_postgres::GenericClient,
    after: i64,
    limit: u64,
) -> PgResult<Option<Vec<StoredEvent>>> {
    let cursor_tx: i64 = if after <= 0 {
        -1
    } else {
        match client
            .query_opt("SELECT tx FROM events WHERE id = $1", &[&after])
            .await?
        {
            Some(row) => row.get(0),
            None => return Ok(None),
        }
    };
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = client
        .query(
            &format!(
                "SELECT {EVENT_COLUMNS} FROM events
                 WHERE (tx, id) > ($1, $2)
                    AND tx < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
                 ORDER BY tx, id LIMIT $3"
            ),
            &[&cursor_tx, &after.max(0), &limit],
        )
        .await?;
    rows.iter()
        .map(event_row)
        .collect::<PgResult<_>>()
        .map(Some)
}
