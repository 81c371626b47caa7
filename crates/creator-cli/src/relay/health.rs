//! `/healthz`: whether the relay can commit a delivery now, answered from
//! what the ledger's writer already knows (its last commit, its last
//! failure, free space, whether its file is still the one at its path),
//! without queueing anything behind deliveries or scanning a table. When
//! deliveries are quiet, a small probe write keeps that knowledge fresh.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::watch;

use super::App;
use super::rejection;
use crate::ledger::LedgerHealth;

/// When the ledger counts as healthy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthPolicy {
    /// A probe write is made when nothing was committed for this long (default 5 s).
    pub probe_every: Duration,
    /// Unhealthy when nothing was committed for this long (default 20 s).
    pub max_commit_age: Duration,
    /// Unhealthy with less free space than this on the ledger's filesystem
    /// (default 64 MiB).
    pub min_free_bytes: u64,
}

impl Default for HealthPolicy {
    fn default() -> Self {
        Self {
            probe_every: Duration::from_secs(5),
            max_commit_age: Duration::from_secs(20),
            min_free_bytes: 64 * 1024 * 1024,
        }
    }
}

/// What keeps the ledger from committing now, per `policy`, if anything.
pub(crate) fn problems(
    h: &LedgerHealth,
    policy: &HealthPolicy,
    now: OffsetDateTime,
) -> Vec<String> {
    let mut out = Vec::new();
    if h.closed {
        out.push("the ledger is closed (the relay is shutting down)".to_owned());
    }
    if let Some(problem) = &h.file_problem {
        out.push(format!("{problem}: restart the relay"));
    }
    if let Some(failure) = &h.failing {
        out.push(format!("the last write failed: {failure}"));
    }
    if let Some(free) = h.free_bytes
        && free < policy.min_free_bytes
    {
        out.push(format!(
            "only {free} bytes free on the ledger's filesystem (at least {} needed)",
            policy.min_free_bytes
        ));
    }
    let age = h
        .last_commit_at
        .as_deref()
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
        .map(|t| now - t);
    match age {
        Some(age) if age > policy.max_commit_age => out.push(format!(
            "nothing committed for {}s (the probe write is not getting through)",
            age.whole_seconds()
        )),
        None => out.push("the ledger has not committed anything yet".to_owned()),
        Some(_) => {}
    }
    out
}

/// `GET /healthz`.
pub(crate) async fn healthz(State(app): State<Arc<App>>) -> Response {
    let health = app.ledger.health();
    let found = problems(&health, &app.config.health, OffsetDateTime::now_utc());
    let mut names: Vec<_> = app.endpoints.keys().cloned().collect();
    names.sort();
    let body = json!({
        "status": if found.is_empty() { "ok" } else { "unavailable" },
        "problems": found,
        "ledger": app.ledger.backend(),
        "last_commit_at": health.last_commit_at,
        "free_bytes": health.free_bytes,
        "endpoints": names,
        "server": app.counters.snapshot(),
        "shed_rejections": app.shedder.shed.load(std::sync::atomic::Ordering::Relaxed),
    });
    let status = if found.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    rejection::json(status, body)
}

/// Writes a probe row whenever nothing was committed for a while, until shutdown.
pub(crate) async fn probe_when_quiet(app: Arc<App>, mut stop: watch::Receiver<bool>) {
    let every = app.config.health.probe_every;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        // Only when no write was tried for a while: deliveries keep the
        // health fresh themselves, and a probe must not queue before them.
        let quiet = app
            .ledger
            .health()
            .last_attempt_at
            .as_deref()
            .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
            .is_none_or(|t| OffsetDateTime::now_utc() - t >= every);
        if quiet {
            match tokio::time::timeout(app.config.store_timeout, app.ledger.probe()).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::error!("the ledger probe write failed: {e}"),
                Err(_) => tracing::error!(
                    "the ledger probe write did not finish within {:?}",
                    app.config.store_timeout
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> OffsetDateTime {
        time::macros::datetime!(2025-03-14 10:00:30 UTC)
    }

    #[test]
    fn a_recent_commit_with_room_is_healthy() {
        let h = LedgerHealth {
            last_commit_at: Some("2025-03-14T10:00:25.000000Z".into()),
            free_bytes: Some(1 << 30),
            ..LedgerHealth::default()
        };
        assert!(problems(&h, &HealthPolicy::default(), now()).is_empty());
    }

    #[test]
    fn failures_stale_commits_full_disks_and_moved_files_are_problems() {
        let policy = HealthPolicy::default();
        let base = LedgerHealth {
            last_commit_at: Some("2025-03-14T10:00:25.000000Z".into()),
            free_bytes: Some(1 << 30),
            ..LedgerHealth::default()
        };
        for (h, needle) in [
            (
                LedgerHealth {
                    failing: Some("the disk is full".into()),
                    ..base.clone()
                },
                "the disk is full",
            ),
            (
                LedgerHealth {
                    last_commit_at: Some("2025-03-14T09:59:00.000000Z".into()),
                    ..base.clone()
                },
                "nothing committed for 90s",
            ),
            (
                LedgerHealth {
                    free_bytes: Some(1024),
                    ..base.clone()
                },
                "only 1024 bytes free",
            ),
            (
                LedgerHealth {
                    file_problem: Some("creator.db was deleted".into()),
                    ..base.clone()
                },
                "deleted",
            ),
        ] {
            let found = problems(&h, &policy, now()).join("; ");
            assert!(found.contains(needle), "{needle} not in {found}");
        }
    }
}
