//! A ledger that cannot be written: read-only, full, locked. The rule is the
//! same each time: never a 200 without a row; 503 so the platform retries;
//! `/healthz` says so.

use std::time::{Duration, Instant};

use crate::harness::*;

/// Sends pings `from..from+count` once each, `concurrency` at a time (so
/// the relay commits them in groups); returns the statuses.
async fn send_concurrently(
    url: &str,
    from: usize,
    count: usize,
    concurrency: usize,
) -> Vec<(usize, Option<u16>)> {
    let c = client(None);
    let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(concurrency));
    let tasks: Vec<_> = (from..from + count)
        .map(|n| {
            let (c, url, gate) = (c.clone(), url.to_owned(), gate.clone());
            tokio::spawn(async move {
                let _turn = gate.acquire_owned().await;
                (n, post(&c, &url, ping(n)).await)
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("sender"));
    }
    out
}

/// Sends pings `from..from+count` once each; returns the statuses.
async fn send_once(url: &str, from: usize, count: usize) -> Vec<(usize, Option<u16>)> {
    let c = client(None);
    let mut out = Vec::new();
    for n in from..from + count {
        out.push((n, post(&c, url, ping(n)).await));
    }
    out
}

fn acked(statuses: &[(usize, Option<u16>)]) -> Vec<usize> {
    statuses
        .iter()
        .filter(|(_, s)| *s == Some(200))
        .map(|(n, _)| *n)
        .collect()
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_only_ledger_file_is_refused_at_start() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("readonly");
    let launch = Launch::new(&dir.db());
    let relay = Relay::start(&launch).await;
    assert!(relay.sigterm().await.success());
    std::fs::set_permissions(&launch.db, std::fs::Permissions::from_mode(0o444)).unwrap();
    // Root ignores file modes: run the relay as an ordinary user then.
    let running_as_root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let mut readonly = launch.clone();
    if running_as_root {
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        readonly.as_user = Some(65_534);
    }
    let started = Instant::now();
    let refused = match Relay::try_start(&readonly).await {
        Ok(relay) => {
            let _ = relay.sigterm().await;
            panic!("the relay started on a read-only ledger");
        }
        Err(refused) => refused,
    };
    let line = refused.log.join(" | ");
    report(&format!(
        "fault read-only ledger file: sent 0 acknowledged 0 stored 0 lost 0 doubled 0 (refused at start in {} ms, exit {:?}: {line})",
        started.elapsed().as_millis(),
        refused.status.code()
    ));
    assert!(!refused.status.success());
    assert!(
        line.contains("read-only")
            || line.contains("readonly")
            || line.contains("cannot be written"),
        "{line}"
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_answers_503_never_200_without_a_row() {
    let dir = TempDir::new("fulldisk");
    // A file-size limit for the relay process: writes past it fail like a
    // full disk (EFBIG), no privileges needed. SIGXFSZ is ignored so the
    // write fails instead of killing the process.
    let mut launch = Launch::new(&dir.db());
    launch.shell_prefix = Some("trap '' XFSZ; ulimit -f 1024".into());
    let relay = Relay::start(&launch).await;
    let url = relay.gumroad_url();
    let mut statuses = Vec::new();
    let mut first_failure = None;
    let mut n = 0;
    let started = Instant::now();
    let mut health_at_first_failure = None;
    while started.elapsed() < Duration::from_secs(60) {
        // Eight at a time: the relay commits them in groups.
        let batch = send_concurrently(&url, n, 50, 8).await;
        n += 50;
        let failed = batch.iter().any(|(_, s)| *s != Some(200));
        statuses.extend(batch);
        if failed && first_failure.is_none() {
            first_failure = Some(n);
            // Right away: health reflects the failed commits, not a later probe.
            health_at_first_failure = health(&relay.base).await;
        }
        if first_failure.is_some_and(|at| n >= at + 100) {
            break;
        }
    }
    let health_while_full = health(&relay.base).await;
    let other: Vec<_> = statuses
        .iter()
        .filter_map(|(_, s)| *s)
        .filter(|s| ![200, 503].contains(s))
        .collect();
    let _ = relay.sigterm().await;
    // Started again without the limit, the ledger holds every acknowledged sale.
    let relay = Relay::start(&Launch {
        shell_prefix: None,
        ..launch.clone()
    })
    .await;
    assert!(relay.sigterm().await.success());
    let stored = stored_sales(&launch.db).await;
    let acked = acked(&statuses);
    let counts = Counts::of(&acked, statuses.len(), &stored);
    let refused = statuses.iter().filter(|(_, s)| *s == Some(503)).count();
    report(&counts.line(
        "full disk (ulimit -f 512 KiB)",
        &format!(
            "(8 at a time; answered 503: {refused}, other statuses: {other:?}, /healthz at the first failure: {health_at_first_failure:?}, while full: {health_while_full:?})"
        ),
    ));
    assert!(first_failure.is_some(), "the limit was never reached");
    assert!(other.is_empty(), "only 200 or 503: {other:?}");
    assert_eq!(
        (counts.lost, counts.doubled),
        (0, 0),
        "never 200 without a row"
    );
    assert_eq!(health_at_first_failure, Some(503));
    assert_eq!(health_while_full, Some(503));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_sqlite_file_answers_503_in_time_and_recovers() {
    let dir = TempDir::new("locked");
    let launch = Launch::new(&dir.db());
    let relay = Relay::start(&launch).await;
    let url = relay.gumroad_url();
    let lock = rusqlite::Connection::open(&launch.db).unwrap();
    lock.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let c = client(None);
    let mut while_locked = Vec::new();
    let mut slowest = Duration::ZERO;
    for n in 0..5 {
        let started = Instant::now();
        while_locked.push((n, post(&c, &url, ping(n)).await));
        slowest = slowest.max(started.elapsed());
    }
    let health_locked = health(&relay.base).await;
    lock.execute_batch("ROLLBACK").unwrap();
    drop(lock);
    let after = send_once(&url, 0, 10).await;
    assert!(relay.sigterm().await.success());
    let stored = stored_sales(&launch.db).await;
    let mut acked = acked(&while_locked);
    acked.extend(self::acked(&after));
    let counts = Counts::of(&acked, 15, &stored);
    let refused = while_locked.iter().filter(|(_, s)| *s == Some(503)).count();
    report(&counts.line(
        "locked SQLite file",
        &format!(
            "(while locked: 503 x{refused}, slowest answer {} ms, /healthz {health_locked:?}; after: 200 x{})",
            slowest.as_millis(),
            self::acked(&after).len()
        ),
    ));
    assert_eq!(refused, 5, "{while_locked:?}");
    assert!(
        slowest < Duration::from_secs(5),
        "Gumroad waits 5 s: {slowest:?}"
    );
    assert_eq!(health_locked, Some(503));
    assert_eq!(self::acked(&after).len(), 10);
    assert_eq!((counts.lost, counts.doubled), (0, 0));
}
