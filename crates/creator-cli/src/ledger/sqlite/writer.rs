//! The one writer thread of an SQLite ledger.
//!
//! Every write is a job: a function over the open transaction with its own
//! reply channel (the way tokio-rusqlite's `call` works), so each caller gets
//! its own typed answer. The thread groups whatever jobs are queued into one
//! transaction (group commit: many deliveries, one fsync) and answers them
//! only after the commit, and only if the file it committed to is still the
//! ledger's file.
//!
//! When a group fails:
//! - on a lock held by another process (`SQLITE_BUSY`), the group is retried
//!   once, then every job gets the error: a lock costs one retry of the
//!   group, never one per job, so the relay still answers in time;
//! - on any other error, each job runs alone, so one bad write cannot fail
//!   the others.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::{Connection, ErrorCode, TransactionBehavior};
use tokio::sync::{mpsc, oneshot};

use super::err;
use crate::ledger::LedgerError;
use crate::ledger::health::HealthCell;

/// Most jobs grouped into one transaction.
const MAX_BATCH: usize = 512;
/// How often free space is measured at most.
const FREE_SPACE_EVERY: Duration = Duration::from_secs(1);

/// One write: run inside the group's transaction, answered after its commit.
pub(crate) trait Job: Send {
    /// Does the work in the open transaction, keeping the result until the
    /// commit. May run twice (when its group is retried or split).
    fn run(&mut self, conn: &Connection) -> rusqlite::Result<()>;
    /// Sends the kept result when `outcome` is `Ok`, else the error.
    fn answer(self: Box<Self>, outcome: Result<(), LedgerError>);
}

/// A [`Job`] from a function and the channel its result goes to.
pub(crate) struct Call<T, F> {
    work: F,
    result: Option<T>,
    reply: oneshot::Sender<Result<T, LedgerError>>,
}

impl<T, F> Call<T, F> {
    /// A job running `work`, answering on `reply`.
    pub fn new(work: F, reply: oneshot::Sender<Result<T, LedgerError>>) -> Self {
        Self {
            work,
            result: None,
            reply,
        }
    }
}

impl<T, F> Job for Call<T, F>
where
    T: Send,
    F: FnMut(&Connection) -> rusqlite::Result<T> + Send,
{
    fn run(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        self.result = Some((self.work)(conn)?);
        Ok(())
    }

    fn answer(self: Box<Self>, outcome: Result<(), LedgerError>) {
        let Call { result, reply, .. } = *self;
        let answer = outcome.and_then(|()| {
            result.ok_or_else(|| LedgerError::Sqlite {
                path: String::new(),
                message: "internal error: a job was answered without running".into(),
            })
        });
        let _ = reply.send(answer);
    }
}

/// What the writer thread receives.
pub(crate) enum Message {
    /// A write.
    Job(Box<dyn Job>),
    /// Finish what is queued, close the connection, then signal.
    Close(oneshot::Sender<()>),
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Message::Job(_) => "Job",
            Message::Close(_) => "Close",
        })
    }
}

/// The identity of the ledger's files when they were opened: if the path
/// stops naming them (deleted or replaced under the running relay), commits
/// go to a file that is gone after a restart, and nothing may be acknowledged.
struct FileId {
    db: PathBuf,
    wal: PathBuf,
    db_id: Option<(u64, u64)>,
    wal_id: Option<(u64, u64)>,
}

#[cfg(unix)]
fn file_id(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_id(path: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(path).ok().map(|_| (0, 0))
}

impl FileId {
    fn new(path: &Path) -> Self {
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let wal = PathBuf::from(wal);
        Self {
            db_id: file_id(path),
            wal_id: file_id(&wal),
            db: path.to_path_buf(),
            wal,
        }
    }

    /// `None` when the path still names the open files, else what changed
    /// (said without the path: `/healthz` answers anyone).
    fn problem(&mut self) -> Option<String> {
        let now = file_id(&self.db);
        if now.is_none() {
            return Some("the ledger file was deleted under the running relay".into());
        }
        if now != self.db_id {
            return Some("the ledger file was replaced under the running relay".into());
        }
        let wal = file_id(&self.wal);
        match (self.wal_id, wal) {
            (None, Some(id)) => self.wal_id = Some(id),
            (Some(_), None) => {
                return Some("the ledger's WAL file was deleted under the running relay".into());
            }
            (Some(was), Some(is)) if was != is => {
                return Some("the ledger's WAL file was replaced under the running relay".into());
            }
            _ => {}
        }
        None
    }
}

/// Free bytes for unprivileged users on the filesystem holding `path`.
fn free_bytes(path: &Path) -> Option<u64> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let stat = rustix::fs::statvfs(dir).ok()?;
    Some(stat.f_bavail.saturating_mul(stat.f_frsize))
}

/// The writer thread's state.
pub(crate) struct Writer {
    conn: Connection,
    path: PathBuf,
    files: FileId,
    health: Arc<HealthCell>,
    measured_at: Option<Instant>,
}

impl Writer {
    /// A writer over `conn`, the open connection to `path`.
    pub fn new(conn: Connection, path: &Path, health: Arc<HealthCell>) -> Self {
        let writer = Self {
            conn,
            files: FileId::new(path),
            path: path.to_path_buf(),
            health,
            measured_at: None,
        };
        writer.health.free_bytes(free_bytes(path));
        writer
    }

    /// Runs until a close message or until every sender is gone.
    pub fn run(mut self, mut rx: mpsc::Receiver<Message>) {
        let mut closing: Vec<oneshot::Sender<()>> = Vec::new();
        while let Some(first) = rx.blocking_recv() {
            let mut jobs = Vec::new();
            let mut take = |m: Message, jobs: &mut Vec<Box<dyn Job>>| match m {
                Message::Job(job) => jobs.push(job),
                Message::Close(done) => closing.push(done),
            };
            take(first, &mut jobs);
            while jobs.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(m) => take(m, &mut jobs),
                    Err(_) => break,
                }
            }
            if !jobs.is_empty() {
                self.run_batch(jobs);
            }
            if !closing.is_empty() {
                rx.close();
                // Finish what was queued before the close request.
                let mut rest = Vec::new();
                while let Ok(m) = rx.try_recv() {
                    if let Message::Job(job) = m {
                        rest.push(job);
                    }
                }
                if !rest.is_empty() {
                    self.run_batch(rest);
                }
                break;
            }
        }
        // Best effort: fold the WAL back into the main file on a clean shutdown.
        let _ = self.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)");
        drop(self.conn);
        for done in closing {
            let _ = done.send(());
        }
    }

    fn run_batch(&mut self, mut jobs: Vec<Box<dyn Job>>) {
        let mut outcome = self.run_group(&mut jobs);
        if matches!(&outcome, Err(e) if is_busy(e)) {
            outcome = self.run_group(&mut jobs);
        }
        match outcome {
            Ok(()) => self.answer_committed(jobs),
            Err(e) if jobs.len() > 1 && !is_busy(&e) => self.run_alone(jobs),
            Err(e) => {
                let message = describe(&e);
                self.health.failed(message.clone());
                for job in jobs {
                    job.answer(Err(err(&self.path, &message)));
                }
            }
        }
    }

    /// Each job in its own transaction (after a group failed on one of them).
    fn run_alone(&mut self, jobs: Vec<Box<dyn Job>>) {
        let mut busy: Option<String> = None;
        for mut job in jobs {
            if let Some(message) = &busy {
                job.answer(Err(err(&self.path, message)));
                continue;
            }
            match self.run_group(std::slice::from_mut(&mut job)) {
                Ok(()) => self.answer_committed(vec![job]),
                Err(e) => {
                    let message = describe(&e);
                    // Every failed commit counts: `/healthz` must not say 200
                    // while deliveries are answered 503.
                    self.health.failed(message.clone());
                    if is_busy(&e) {
                        busy = Some(message.clone());
                    }
                    job.answer(Err(err(&self.path, &message)));
                }
            }
        }
    }

    fn run_group(&mut self, jobs: &mut [Box<dyn Job>]) -> rusqlite::Result<()> {
        // IMMEDIATE: take the write lock first, so a busy file fails the
        // group before any work, not at the commit.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for job in jobs.iter_mut() {
            job.run(&tx)?;
        }
        tx.commit()
    }

    /// Answers the jobs of a committed transaction, unless the commit went
    /// to a file the path no longer names.
    fn answer_committed(&mut self, jobs: Vec<Box<dyn Job>>) {
        match self.files.problem() {
            None => {
                self.health.committed();
                self.health.file_problem(None);
                for job in jobs {
                    job.answer(Ok(()));
                }
            }
            Some(problem) => {
                let message = format!("{problem}: not acknowledged (restart the relay)");
                self.health.failed(message.clone());
                self.health.file_problem(Some(problem));
                for job in jobs {
                    job.answer(Err(err(&self.path, &message)));
                }
            }
        }
        if self
            .measured_at
            .is_none_or(|at| at.elapsed() >= FREE_SPACE_EVERY)
        {
            self.measured_at = Some(Instant::now());
            self.health.free_bytes(free_bytes(&self.path));
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

/// A one-line description of a write failure, naming the usual causes.
fn describe(e: &rusqlite::Error) -> String {
    match e.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => format!("the disk is full: {e}"),
        Some(ErrorCode::ReadOnly) => format!("the ledger file is read-only: {e}"),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            format!("another process holds a lock on the ledger: {e}")
        }
        Some(ErrorCode::SystemIoFailure) => format!("the ledger cannot be written: {e}"),
        _ => e.to_string(),
    }
}
