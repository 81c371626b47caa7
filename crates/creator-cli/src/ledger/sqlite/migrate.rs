//! Opening an SQLite ledger file: connection settings, schema migrations and
//! the schema check of read-only opens.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, params};

use super::err;
use crate::ledger::migrations::{
    ENTITLEMENTS_VERSION, Migration, REKEY_VERSION, SCHEMA_VERSION, SQLITE,
};
use crate::ledger::rekey::rekey;
use crate::ledger::{LedgerError, timestamp};

/// How long a connection waits for a lock held by another process: well
/// under the relay's store timeout, so a lock held elsewhere costs one retry
/// of a group commit and the platform still gets its answer in time.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_millis(500);

/// Opens a connection: read-write (WAL, `synchronous=FULL`) or read-only.
pub(crate) fn connect(path: &Path, read_only: bool) -> Result<Connection, LedgerError> {
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

/// The schema version of an open ledger (0 for a new file).
fn version(conn: &Connection, path: &Path) -> Result<i64, LedgerError> {
    let has_table: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')",
            [],
            |r| r.get(0),
        )
        .map_err(|e| err(path, format!("not a usable SQLite database: {e}")))?;
    if !has_table {
        return Ok(0);
    }
    conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )
    .map_err(|e| err(path, e))
}

/// Checks that a ledger opened read-only has exactly this build's schema.
pub(crate) fn check_version(conn: &Connection, path: &Path) -> Result<(), LedgerError> {
    match version(conn, path)? {
        v if v == SCHEMA_VERSION => Ok(()),
        v if v > SCHEMA_VERSION => Err(LedgerError::TooNew {
            found: v,
            supported: SCHEMA_VERSION,
        }),
        0 => Err(err(
            path,
            "this file has no ledger in it: start `creator relay` with this --db first",
        )),
        v => Err(LedgerError::TooOld {
            found: v,
            supported: SCHEMA_VERSION,
        }),
    }
}

/// Applies the migrations this file lacks, in one transaction.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), LedgerError> {
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
    let current = version(&tx, path)?;
    if current > SCHEMA_VERSION {
        return Err(LedgerError::TooNew {
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    for Migration { version, name, sql } in SQLITE.iter().filter(|m| m.version > current) {
        tx.execute_batch(sql).map_err(e)?;
        if *version == REKEY_VERSION {
            rekey_events(&tx).map_err(e)?;
            redact_stored_headers(&tx).map_err(e)?;
        }
        if *version == ENTITLEMENTS_VERSION {
            super::ops::rebuild_entitlements(&tx).map_err(e)?;
        }
        tx.execute(
            crate::ledger::sql::RECORD_MIGRATION,
            params![version, name, timestamp(time::OffsetDateTime::now_utc())],
        )
        .map_err(e)?;
    }
    tx.commit().map_err(e)
}

/// Redacts the headers stored before schema 3 with today's rules (by name
/// pattern, signatures as hashes), in both tables.
fn redact_stored_headers(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    for table in ["events", "quarantine"] {
        let mut after = 0i64;
        loop {
            let chunk: Vec<(i64, String)> = tx
                .prepare(&format!(
                    "SELECT id, headers FROM {table} WHERE id > ?1 ORDER BY id LIMIT 500"
                ))?
                .query_map(params![after], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let Some(last) = chunk.last() else {
                break;
            };
            after = last.0;
            for (id, headers) in chunk {
                let redacted = crate::ledger::headers::redact_json(&headers);
                if redacted != headers {
                    tx.execute(
                        &format!("UPDATE {table} SET headers = ?1 WHERE id = ?2"),
                        params![redacted, id],
                    )?;
                }
            }
        }
    }
    Ok(())
}

/// Gives every stored event its identity (see [`crate::ledger::rekey`]), in
/// chunks of rows so memory stays flat on a large ledger.
fn rekey_events(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let mut after = 0i64;
    loop {
        let chunk: Vec<(i64, String, Option<String>, Vec<u8>)> = tx
            .prepare(
                "SELECT id, provider, content_type, raw_body FROM events
                 WHERE id > ?1 ORDER BY id LIMIT 500",
            )?
            .query_map(params![after], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let Some(last) = chunk.last() else {
            return Ok(());
        };
        after = last.0;
        for (id, provider, content_type, body) in chunk {
            if let Some(k) = rekey(&provider, content_type.as_deref(), &body) {
                // The row keeps its `dedup_key` (what consumers deduplicated
                // on); the new identity extends the old key, so it cannot
                // collide, and OR IGNORE keeps the old one should it ever.
                tx.execute(
                    "UPDATE OR IGNORE events SET identity = ?1, fingerprint = ?2 WHERE id = ?3",
                    params![k.identity, k.fingerprint, id],
                )?;
            }
        }
    }
}
