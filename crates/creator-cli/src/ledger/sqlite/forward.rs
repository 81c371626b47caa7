//! Forwarding's writes and reads on SQLite: destinations, claims, attempts,
//! replays (see [`crate::ledger::outbox`]).

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::ledger::outbox::{self, previous_secrets, previous_secrets_json, stored_status};
use crate::ledger::sql;
use crate::ledger::{
    Attempt, AttemptRecord, Destination, DestinationChange, DestinationWrite, NewDestination, Next,
    OutboxMessage, OutboxStats, Replay, ReplaySelection,
};

type R<T> = rusqlite::Result<T>;

/// Reads a row of [`sql::SELECT_DESTINATIONS`].
pub(crate) fn destination_row(r: &Row<'_>) -> R<Destination> {
    Ok(Destination {
        id: r.get(0)?,
        name: r.get(1)?,
        url: r.get(2)?,
        secret: creator_core::Secret::new(r.get::<_, String>(3)?),
        previous_secrets: previous_secrets(&r.get::<_, String>(4)?),
        provider: r.get(5)?,
        kind: r.get(6)?,
        enabled: r.get(7)?,
        disabled_reason: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
    })
}

pub(crate) fn destinations(conn: &Connection) -> R<Vec<Destination>> {
    conn.prepare_cached(sql::SELECT_DESTINATIONS)?
        .query_map([], destination_row)?
        .collect()
}

fn by_name(conn: &Connection, name: &str) -> R<Option<Destination>> {
    Ok(destinations(conn)?.into_iter().find(|d| d.name == name))
}

pub(crate) fn add_destination(conn: &Connection, d: &NewDestination) -> R<DestinationWrite> {
    let taken: bool = conn
        .prepare_cached(sql::DESTINATION_NAME_TAKEN)?
        .query_row(params![d.name], |r| r.get(0))?;
    if taken {
        return Ok(DestinationWrite::NameTaken);
    }
    conn.prepare_cached(sql::INSERT_DESTINATION)?.query_row(
        params![d.name, d.url, d.secret.expose(), d.provider, d.kind, d.now],
        |r| r.get::<_, i64>(0),
    )?;
    Ok(DestinationWrite::Done(
        by_name(conn, &d.name)?.map(Box::new),
    ))
}

pub(crate) fn change_destination(
    conn: &Connection,
    name: &str,
    change: &DestinationChange,
    now: &str,
) -> R<DestinationWrite> {
    let found: Option<i64> = match change {
        DestinationChange::Enable => conn
            .prepare_cached(sql::ENABLE_DESTINATION)?
            .query_row(params![now, name], |r| r.get(0))
            .optional()?,
        DestinationChange::Disable { reason } => conn
            .prepare_cached(sql::DISABLE_DESTINATION)?
            .query_row(params![reason, now, name], |r| r.get(0))
            .optional()?,
        DestinationChange::RotateSecret {
            secret,
            old_expires_at,
        } => {
            let row: Option<(i64, String, String)> = conn
                .prepare_cached(sql::DESTINATION_SECRETS)?
                .query_row(params![name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            match row {
                Some((id, current, previous)) => {
                    let list = outbox::rotated(&current, &previous, old_expires_at, now);
                    conn.prepare_cached(sql::SET_SECRETS)?.execute(params![
                        secret.expose(),
                        previous_secrets_json(&list),
                        now,
                        id
                    ])?;
                    Some(id)
                }
                None => None,
            }
        }
        DestinationChange::Remove => {
            let id: Option<i64> = conn
                .prepare_cached(sql::REMOVE_DESTINATION)?
                .query_row(params![now, name], |r| r.get(0))
                .optional()?;
            if let Some(id) = id {
                conn.prepare_cached(sql::KILL_MESSAGES_OF_REMOVED)?
                    .execute(params![id])?;
                return Ok(DestinationWrite::Done(None));
            }
            None
        }
    };
    Ok(match found {
        Some(_) => DestinationWrite::Done(by_name(conn, name)?.map(Box::new)),
        None => DestinationWrite::NotFound,
    })
}

/// One claimed row: message, event, attempts made so far.
pub(crate) type ClaimedRow = (i64, i64, i64);

/// Leases the claimable messages of one destination.
pub(crate) fn claim(
    conn: &Connection,
    owner: &str,
    lease_until: &str,
    destination: i64,
    now: &str,
    limit: usize,
) -> R<Vec<ClaimedRow>> {
    conn.prepare_cached(sql::CLAIM_SQLITE)?
        .query_map(
            params![
                owner,
                lease_until,
                destination,
                now,
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?
        .collect()
}

/// Records finished attempts.
pub(crate) fn finish(conn: &Connection, attempts: &[Attempt]) -> R<()> {
    for a in attempts {
        let next_at = match &a.next {
            Next::RetryAt(at) => Some(at.as_str()),
            Next::Gone(_) => Some(a.started_at.as_str()),
            Next::Delivered | Next::Dead => None,
        };
        let status_code = a.status_code.map(i64::from);
        let latency = i64::try_from(a.latency_ms).unwrap_or(i64::MAX);
        conn.prepare_cached(sql::INSERT_ATTEMPT)?.execute(params![
            a.message_id,
            a.attempt,
            a.started_at,
            status_code,
            latency,
            a.error,
            next_at,
            a.owner
        ])?;
        match &a.next {
            Next::Delivered => {
                conn.prepare_cached(sql::MARK_DELIVERED)?.execute(params![
                    a.attempt,
                    a.started_at,
                    status_code,
                    latency,
                    a.message_id
                ])?;
            }
            next => {
                if let Next::Gone(reason) = next {
                    conn.prepare_cached(sql::DISABLE_GONE)?.execute(params![
                        reason,
                        a.started_at,
                        a.destination_id
                    ])?;
                }
                conn.prepare_cached(sql::MARK_FAILED)?.execute(params![
                    stored_status(next).as_str(),
                    a.attempt,
                    next_at,
                    status_code,
                    latency,
                    a.error,
                    a.message_id,
                    a.owner
                ])?;
            }
        }
    }
    Ok(())
}

/// Queues a replay; returns the messages queued.
pub(crate) fn replay(conn: &Connection, replay: &Replay) -> R<u64> {
    let mut queued = 0;
    match &replay.events {
        ReplaySelection::Ids(ids) => {
            for id in ids {
                queued += conn.prepare_cached(sql::REPLAY_EVENT)?.execute(params![
                    replay.now,
                    replay.destination,
                    id
                ])?;
            }
        }
        ReplaySelection::Since(since) => {
            queued += conn.prepare_cached(sql::REPLAY_SINCE)?.execute(params![
                replay.now,
                replay.destination,
                since
            ])?;
        }
    }
    Ok(queued as u64)
}

pub(crate) fn message_row(r: &Row<'_>) -> R<OutboxMessage> {
    Ok(OutboxMessage {
        id: r.get(0)?,
        event_id: r.get(1)?,
        dedup_key: r.get(2)?,
        kind: r.get(3)?,
        destination: r.get(4)?,
        status: r.get(5)?,
        attempts: r.get(6)?,
        created_at: r.get(7)?,
        next_attempt_at: r.get(8)?,
        delivered_at: r.get(9)?,
        last_status: r.get(10)?,
        last_latency_ms: r.get(11)?,
        last_error: r.get(12)?,
        replay: r.get(13)?,
    })
}

pub(crate) fn attempt_row(r: &Row<'_>) -> R<AttemptRecord> {
    Ok(AttemptRecord {
        message_id: r.get(0)?,
        event_id: r.get(1)?,
        destination: r.get(2)?,
        attempt: r.get(3)?,
        started_at: r.get(4)?,
        status_code: r.get(5)?,
        latency_ms: r.get(6)?,
        error: r.get(7)?,
        next_attempt_at: r.get(8)?,
        relay: r.get(9)?,
    })
}

pub(crate) fn outbox_stats(conn: &Connection) -> R<OutboxStats> {
    conn.query_row(sql::OUTBOX_STATS, [], |r| {
        Ok(OutboxStats {
            pending: r.get(0)?,
            failed: r.get(1)?,
            delivered: r.get(2)?,
            dead: r.get(3)?,
            attempts: r.get(4)?,
        })
    })
}

/// Queues the new event `id` for the destinations whose filters match.
pub(crate) fn enqueue(conn: &Connection, id: i64, ev: &crate::ledger::NewEvent) -> R<()> {
    conn.prepare_cached(sql::ENQUEUE_EVENT)?.execute(params![
        id,
        outbox::subject(&ev.provider, &ev.subject_id),
        ev.received_at,
        ev.provider,
        ev.kind,
        ev.name
    ])?;
    Ok(())
}
