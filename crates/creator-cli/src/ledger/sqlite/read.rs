//! Streaming reads, each on a read-only connection of its own (WAL lets
//! them run beside the writer, and beside other relays on the same file).

use std::path::Path;

use bytes::Bytes;
use rusqlite::{Connection, Row, ToSql};

use super::err;
use crate::ledger::{LedgerError, OutboxFilter, Page, QuarantinedDelivery, StoredEvent};

/// The columns [`event_row`] reads, in order.
pub(crate) const EVENT_COLUMNS: &str = "id, received_at, last_received_at, deliveries, endpoint,
    provider, kind, name, subject_id, occurred_at, test, verified, dedup_key, identity,
    occurrence, content_type, headers, field_errors, event, raw_body, recovered_from";

/// The columns [`quarantine_row`] reads, in order.
pub(crate) const QUARANTINE_COLUMNS: &str = "id, received_at, endpoint, reason, error, status,
    content_type, headers, body_size, body_truncated, body_sha256, authenticated, verified,
    peer, replayed_as, raw_body";

fn json_column(text: String) -> serde_json::Value {
    serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
}

pub(crate) fn event_row(r: &Row<'_>) -> rusqlite::Result<StoredEvent> {
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
        identity: r.get(13)?,
        occurrence: r.get(14)?,
        content_type: r.get(15)?,
        headers: json_column(r.get(16)?),
        field_errors: json_column(r.get(17)?),
        event: json_column(r.get(18)?),
        raw_body: Bytes::from(r.get::<_, Vec<u8>>(19)?),
        recovered_from: r.get::<_, Option<String>>(20)?.map(json_column),
    })
}

pub(crate) fn quarantine_row(r: &Row<'_>) -> rusqlite::Result<QuarantinedDelivery> {
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
        body_sha256: r.get(10)?,
        authenticated: r.get(11)?,
        verified: r.get(12)?,
        peer: r.get(13)?,
        replayed_as: r.get(14)?,
        raw_body: Bytes::from(r.get::<_, Vec<u8>>(15)?),
    })
}

/// A `SELECT … WHERE 1 = 1` grown by optional filters with numbered
/// parameters, read in id order and streamed row by row into a sink.
pub(crate) struct Select {
    sql: String,
    args: Vec<Box<dyn ToSql + Send>>,
}

impl Select {
    /// `SELECT <columns> FROM <table> WHERE 1 = 1`.
    pub fn new(columns: &str, table: &str) -> Self {
        Self {
            sql: format!("SELECT {columns} FROM {table} WHERE 1 = 1"),
            args: Vec::new(),
        }
    }

    /// Adds `clause` (with `{n}` standing for the new parameter's number) when `value` is set.
    pub fn and_opt<V: ToSql + Send + 'static>(&mut self, clause: &str, value: Option<V>) {
        if let Some(v) = value {
            self.args.push(Box::new(v));
            self.sql
                .push_str(&clause.replace("{n}", &self.args.len().to_string()));
        }
    }

    /// The filters of event listings: provider, kind (or platform name), since.
    pub fn event_filters(
        &mut self,
        provider: Option<String>,
        kind: Option<String>,
        since: Option<String>,
    ) {
        self.and_opt(" AND provider = ?{n}", provider);
        self.and_opt(" AND (kind = ?{n} OR name = ?{n})", kind);
        self.and_opt(" AND received_at >= ?{n}", since);
    }

    /// The filters of outbox listings: destination and status.
    pub fn outbox_filters(&mut self, filter: &OutboxFilter) {
        self.and_opt(" AND destination = ?{n}", filter.destination.clone());
        self.and_opt(" AND status = ?{n}", filter.status.map(|s| s.as_str()));
    }

    /// Runs the query in id order, at most `limit` rows, until `sink` says stop.
    pub fn run<T>(
        mut self,
        conn: &Connection,
        path: &Path,
        limit: Option<u64>,
        row: fn(&Row<'_>) -> rusqlite::Result<T>,
        sink: &mut dyn FnMut(T) -> bool,
    ) -> Result<(), LedgerError> {
        self.sql.push_str(" ORDER BY id");
        self.limit(limit);
        self.execute(conn, path, row, sink)
    }

    /// Runs the query as the keyset `page`: ids below its cursor, newest first.
    pub fn run_page<T>(
        mut self,
        conn: &Connection,
        path: &Path,
        page: Page,
        row: fn(&Row<'_>) -> rusqlite::Result<T>,
        sink: &mut dyn FnMut(T) -> bool,
    ) -> Result<(), LedgerError> {
        self.keyset(page);
        self.execute(conn, path, row, sink)
    }

    /// SQLite's plan of the query as the keyset `page`, one line per step.
    #[cfg(test)]
    pub fn page_plan(mut self, conn: &Connection, page: Page) -> Vec<String> {
        self.keyset(page);
        let mut st = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {}", self.sql))
            .unwrap();
        let params: Vec<&dyn ToSql> = self.args.iter().map(|b| b.as_ref() as &dyn ToSql).collect();
        st.query_map(&params[..], |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    fn keyset(&mut self, page: Page) {
        self.and_opt(" AND id < ?{n}", page.before);
        self.sql.push_str(" ORDER BY id DESC");
        self.limit(Some(page.limit));
    }

    fn limit(&mut self, limit: Option<u64>) {
        if let Some(l) = limit {
            self.args
                .push(Box::new(i64::try_from(l).unwrap_or(i64::MAX)));
            self.sql.push_str(&format!(" LIMIT ?{}", self.args.len()));
        }
    }

    fn execute<T>(
        self,
        conn: &Connection,
        path: &Path,
        row: fn(&Row<'_>) -> rusqlite::Result<T>,
        sink: &mut dyn FnMut(T) -> bool,
    ) -> Result<(), LedgerError> {
        let mut st = conn.prepare(&self.sql).map_err(|e| err(path, e))?;
        let params: Vec<&dyn ToSql> = self.args.iter().map(|b| b.as_ref() as &dyn ToSql).collect();
        let rows = st.query_map(&params[..], row).map_err(|e| err(path, e))?;
        for item in rows {
            if !sink(item.map_err(|e| err(path, e))?) {
                break;
            }
        }
        Ok(())
    }
}
