//! What a ledger knows of its own ability to commit, kept by its writer and
//! read by `/healthz` without any database work.

use std::sync::Mutex;

use serde::Serialize;

/// A snapshot of the ledger's write health.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LedgerHealth {
    /// When the last commit succeeded ([`super::timestamp`] format).
    pub last_commit_at: Option<String>,
    /// The last write failure, when it came after the last success.
    pub failing: Option<String>,
    /// When that failure happened.
    pub failing_since: Option<String>,
    /// Free bytes on the ledger's filesystem (SQLite), when known.
    pub free_bytes: Option<u64>,
    /// Why the ledger's path no longer names the open file (deleted or
    /// replaced under the running relay), when that happened.
    pub file_problem: Option<String>,
    /// The ledger was closed: it takes no more writes.
    pub closed: bool,
    /// When the last write was tried, successfully or not.
    pub last_attempt_at: Option<String>,
}

/// The shared, mutable health a writer updates.
#[derive(Debug, Default)]
pub(crate) struct HealthCell(Mutex<LedgerHealth>);

impl HealthCell {
    /// A copy of the current health.
    pub fn snapshot(&self) -> LedgerHealth {
        self.0.lock().map(|h| h.clone()).unwrap_or_default()
    }

    /// Records a successful commit.
    pub fn committed(&self) {
        if let Ok(mut h) = self.0.lock() {
            let now = super::timestamp(time::OffsetDateTime::now_utc());
            h.last_attempt_at = Some(now.clone());
            h.last_commit_at = Some(now);
            h.failing = None;
            h.failing_since = None;
        }
    }

    /// Records a failed write.
    pub fn failed(&self, message: impl Into<String>) {
        if let Ok(mut h) = self.0.lock() {
            let now = super::timestamp(time::OffsetDateTime::now_utc());
            if h.failing.is_none() {
                h.failing_since = Some(now.clone());
            }
            h.last_attempt_at = Some(now);
            h.failing = Some(message.into());
        }
    }

    /// Records that the ledger was closed: nothing can be written any more.
    pub fn closed(&self) {
        if let Ok(mut h) = self.0.lock() {
            h.closed = true;
        }
    }

    /// Records the free space, when measured.
    pub fn free_bytes(&self, free: Option<u64>) {
        if let Ok(mut h) = self.0.lock() {
            h.free_bytes = free;
        }
    }

    /// Records that the ledger's file is no longer the one open (or that it is again).
    pub fn file_problem(&self, problem: Option<String>) {
        if let Ok(mut h) = self.0.lock() {
            h.file_problem = problem;
        }
    }
}
