//! Group commit of the intake on PostgreSQL, as the SQLite writer does it.
//!
//! Deliveries are queued to a few committer tasks, each with a connection of
//! its own. A committer takes whatever is queued (up to [`MAX_BATCH`]) into
//! one transaction: every delivery's statements are sent pipelined on that
//! connection (tokio-postgres pipelines the queries of futures polled
//! together), each statement prepared once per connection ([`Prepared`]),
//! then one `COMMIT`, one WAL flush for the batch. Each caller is
//! answered only after that commit. The store is [`super::record_event`], the
//! same as a single write: the identity rule under its advisory lock, the
//! outbox rows and the entitlement view, all in the batch's transaction.
//!
//! When a batch fails on a statement (a deadlock with another relay's batch,
//! one bad row), it is rolled back and each delivery runs again in a
//! transaction of its own, so one cannot fail the others. When the
//! connection or the commit fails, the outcome is unknown: every delivery of
//! the batch gets the error (the platform retries, and the identity rule
//! counts a retry of a committed one as a redelivery).

use std::sync::Arc;

use tokio::sync::{Mutex, mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_postgres::Client;

use super::{Db, Inner, PgResult, Prepared, record_event};
use crate::ledger::{LedgerError, NewEvent, Recorded};

/// Most deliveries in one transaction.
const MAX_BATCH: usize = 256;
/// Committer tasks (connections): while one commits, the next gathers a batch.
const COMMITTERS: usize = 3;
/// Deliveries queued for the committers at most.
const QUEUE: usize = 4096;

/// One delivery waiting for its commit.
struct Job {
    event: NewEvent,
    reply: oneshot::Sender<Result<Recorded, LedgerError>>,
}

/// The queue to the committers and their tasks.
pub(super) struct Intake {
    queue: std::sync::Mutex<Option<mpsc::Sender<Job>>>,
    tasks: std::sync::Mutex<Vec<JoinHandle<()>>>,
}

impl Intake {
    /// Starts the committers of `inner`'s ledger (inside a tokio runtime).
    pub(super) fn start(inner: &Arc<Inner>) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        let rx = Arc::new(Mutex::new(rx));
        let tasks = (0..COMMITTERS)
            .map(|_| tokio::spawn(committer(inner.clone(), rx.clone())))
            .collect();
        Self {
            queue: std::sync::Mutex::new(Some(tx)),
            tasks: std::sync::Mutex::new(tasks),
        }
    }

    /// Stores `event` in the next batch; answers after its commit.
    pub(super) async fn record(&self, event: NewEvent) -> Result<Recorded, LedgerError> {
        let queue = self
            .queue
            .lock()
            .ok()
            .and_then(|q| q.clone())
            .ok_or(LedgerError::Closed)?;
        let (reply, answer) = oneshot::channel();
        queue
            .send(Job { event, reply })
            .await
            .map_err(|_| LedgerError::Closed)?;
        answer.await.map_err(|_| LedgerError::Closed)?
    }

    /// Takes no more deliveries, and waits until the queued ones are answered.
    pub(super) async fn close(&self) {
        drop(self.queue.lock().ok().and_then(|mut q| q.take()));
        let tasks = self
            .tasks
            .lock()
            .map(|mut t| std::mem::take(&mut *t))
            .unwrap_or_default();
        for task in tasks {
            let _ = task.await;
        }
    }
}

/// A committer's connection and the statements prepared on it.
struct Session {
    client: Client,
    prepared: Prepared,
}

/// One committer: gathers what is queued, commits it, answers, again.
async fn committer(inner: Arc<Inner>, rx: Arc<Mutex<mpsc::Receiver<Job>>>) {
    let mut session: Option<Session> = None;
    loop {
        let jobs = {
            let mut rx = rx.lock().await;
            let Some(first) = rx.recv().await else {
                break;
            };
            let mut jobs = vec![first];
            while jobs.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            jobs
        };
        commit(&inner, &mut session, jobs).await;
    }
}

/// Why a transaction did not commit.
enum Failed {
    /// A statement failed and the transaction was rolled back: nothing of it
    /// was written, so its deliveries may run again.
    RolledBack(LedgerError),
    /// The connection or the commit failed: what was written is unknown.
    Unknown(LedgerError),
}

/// Commits `jobs` in one transaction and answers them; after a failed
/// statement, each in a transaction of its own.
async fn commit(inner: &Inner, session: &mut Option<Session>, mut jobs: Vec<Job>) {
    // The same order in every relay: two batches holding the same
    // identities take their locks in one order, which keeps deadlocks rare.
    jobs.sort_by(|a, b| a.event.identity.cmp(&b.event.identity));
    let events: Vec<&NewEvent> = jobs.iter().map(|j| &j.event).collect();
    match run(inner, session, &events).await {
        Ok(recorded) => {
            inner.health.committed();
            for (job, recorded) in jobs.into_iter().zip(recorded) {
                let _ = job.reply.send(Ok(recorded));
            }
        }
        Err(Failed::RolledBack(_)) if jobs.len() > 1 => {
            for job in jobs {
                let outcome = match run(inner, session, &[&job.event]).await {
                    Ok(mut recorded) => {
                        inner.health.committed();
                        recorded.pop().ok_or(LedgerError::Closed)
                    }
                    Err(Failed::RolledBack(e) | Failed::Unknown(e)) => {
                        inner.health.failed(e.to_string());
                        Err(e)
                    }
                };
                let _ = job.reply.send(outcome);
            }
        }
        Err(Failed::RolledBack(e) | Failed::Unknown(e)) => {
            inner.health.failed(e.to_string());
            let message = e.to_string();
            for job in jobs {
                let _ = job.reply.send(Err(inner.err(&message)));
            }
        }
    }
}

/// One transaction storing `events`, their statements pipelined.
async fn run(
    inner: &Inner,
    session: &mut Option<Session>,
    events: &[&NewEvent],
) -> Result<Vec<Recorded>, Failed> {
    if session.as_ref().is_none_or(|s| s.client.is_closed()) {
        // A new connection: the old one's statements are gone with it.
        let client = inner.open_connection().await.map_err(Failed::Unknown)?;
        *session = Some(Session {
            client,
            prepared: Prepared::default(),
        });
    }
    let Some(Session { client, prepared }) = session.as_mut() else {
        return Err(Failed::Unknown(LedgerError::Closed));
    };
    let unknown = |e: tokio_postgres::Error| Failed::Unknown(inner.err(e));
    let tx = client.transaction().await.map_err(unknown)?;
    let db = Db::new(&tx, prepared);
    let stored: PgResult<Vec<Recorded>> =
        futures::future::join_all(events.iter().map(|ev| record_event(db, ev)))
            .await
            .into_iter()
            .collect();
    match stored {
        Ok(recorded) => {
            tx.commit().await.map_err(unknown)?;
            Ok(recorded)
        }
        // A server's error on a statement: the transaction is rolled back
        // (when `tx` drops) and nothing of it is kept.
        Err(e) if e.as_db_error().is_some() => Err(Failed::RolledBack(inner.err(e))),
        Err(e) => Err(unknown(e)),
    }
}
