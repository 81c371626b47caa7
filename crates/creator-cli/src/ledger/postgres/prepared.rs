//! Statements parsed and planned once per connection.
//!
//! A statement sent as text is parsed, described and planned by the server
//! every time it runs; on the intake's hot path that cost was most of the
//! server's work per delivery. [`Prepared`] keeps each statement a connection
//! has prepared, by its SQL, for as long as the connection lives (a statement
//! belongs to the connection that prepared it, so a new connection starts
//! with an empty one). [`Db`] is a transaction with such a cache: the store's
//! functions run their statements through it.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio_postgres::types::ToSql;
use tokio_postgres::{Row, Statement, Transaction};

use super::PgResult;

/// The statements one connection has prepared, by their SQL.
#[derive(Default)]
pub(super) struct Prepared(Mutex<HashMap<&'static str, Statement>>);

impl Prepared {
    /// `sql`'s statement on `tx`'s connection, prepared on first use.
    async fn statement(&self, tx: &Transaction<'_>, sql: &'static str) -> PgResult<Statement> {
        if let Some(statement) = self.cached(sql) {
            return Ok(statement);
        }
        // Futures of one batch asking together may each prepare it; the
        // first kept wins and the others are closed when dropped.
        let statement = tx.prepare(sql).await?;
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        Ok(map.entry(sql).or_insert(statement).clone())
    }

    fn cached(&self, sql: &str) -> Option<Statement> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(sql).cloned()
    }
}

/// A transaction and its connection's prepared statements.
#[derive(Clone, Copy)]
pub(super) struct Db<'a> {
    tx: &'a Transaction<'a>,
    prepared: &'a Prepared,
}

type Params<'p> = &'p [&'p (dyn ToSql + Sync)];

impl<'a> Db<'a> {
    /// `tx`, running statements through `prepared` (which must belong to
    /// `tx`'s connection).
    pub(super) fn new(tx: &'a Transaction<'a>, prepared: &'a Prepared) -> Self {
        Self { tx, prepared }
    }

    /// Runs `sql` and returns the rows changed.
    pub(super) async fn execute(&self, sql: &'static str, params: Params<'_>) -> PgResult<u64> {
        let statement = self.prepared.statement(self.tx, sql).await?;
        self.tx.execute(&statement, params).await
    }

    /// Runs `sql` and returns its one row.
    pub(super) async fn query_one(&self, sql: &'static str, params: Params<'_>) -> PgResult<Row> {
        let statement = self.prepared.statement(self.tx, sql).await?;
        self.tx.query_one(&statement, params).await
    }

    /// Runs `sql` and returns its row, if any.
    pub(super) async fn query_opt(
        &self,
        sql: &'static str,
        params: Params<'_>,
    ) -> PgResult<Option<Row>> {
        let statement = self.prepared.statement(self.tx, sql).await?;
        self.tx.query_opt(&statement, params).await
    }
}
