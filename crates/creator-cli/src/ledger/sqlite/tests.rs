use std::time::Instant;

use bytes::Bytes;
use futures::TryStreamExt;
use rusqlite::params;

use super::*;
use crate::ledger::migrations::SQLITE;
use crate::ledger::{PruneFilter, QuarantineReason, timestamp};

fn temp_db(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "creator-cli-unit-{}-{}-{name}",
        std::process::id(),
        time::OffsetDateTime::now_utc().unix_timestamp_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("ledger.db")
}

fn at(seconds: i64) -> String {
    timestamp(time::macros::datetime!(2025-03-14 10:00:00 UTC) + time::Duration::seconds(seconds))
}

/// An event named by the platform (no fingerprint), like a Gank payment.
fn event(key: &str) -> NewEvent {
    NewEvent {
        identity: key.into(),
        fingerprint: None,
        retry: None,
        endpoint: "fake".into(),
        provider: "fake".into(),
        kind: "sale".into(),
        name: "sale".into(),
        subject_id: key.into(),
        occurred_at: None,
        test: false,
        verified: "signature".into(),
        received_at: timestamp(time::OffsetDateTime::now_utc()),
        content_type: Some("application/json".into()),
        headers: "{}".into(),
        raw_body: Bytes::from_static(b"{}"),
        event: "{}".into(),
        field_errors: "[]".into(),
        recovered_from: None,
    }
}

/// A Gumroad-like event identified by its content.
fn by_content(name: &str, subject: &str, fp: &str, received: i64, retry: Option<u32>) -> NewEvent {
    NewEvent {
        identity: format!("gumroad:{name}:{subject}:{fp}"),
        fingerprint: Some(fp.into()),
        retry,
        provider: "gumroad".into(),
        name: name.into(),
        subject_id: subject.into(),
        received_at: at(received),
        ..event("x")
    }
}

fn quarantine(authenticated: bool, body: &'static [u8]) -> NewQuarantine {
    NewQuarantine {
        received_at: timestamp(time::OffsetDateTime::now_utc()),
        endpoint: "gumroad".into(),
        reason: if authenticated {
            QuarantineReason::Parse
        } else {
            QuarantineReason::Verification
        },
        error: "e".into(),
        status: 401,
        content_type: None,
        headers: "{}".into(),
        body_size: body.len() as u64,
        body_truncated: false,
        raw_body: Bytes::from_static(body),
        body_sha256: None,
        authenticated,
        verified: None,
        peer: Some("127.0.0.1".into()),
    }
}

#[tokio::test]
async fn new_file_is_created_migrated_and_in_wal_mode() {
    let path = temp_db("wal");
    let ledger = SqliteLedger::open(&path).unwrap();
    ledger.close().await;
    let conn = Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(
        applied_versions(&conn),
        (1..=crate::ledger::SCHEMA_VERSION).collect::<Vec<_>>()
    );
    // Re-opening applies nothing twice.
    let again = SqliteLedger::open(&path).unwrap();
    again.close().await;
}

#[tokio::test]
async fn a_newer_schema_is_refused_with_a_clear_error() {
    let path = temp_db("newer");
    SqliteLedger::open(&path).unwrap().close().await;
    Connection::open(&path)
        .unwrap()
        .execute(
            "INSERT INTO schema_migrations VALUES (99, 'future', '2099-01-01')",
            [],
        )
        .unwrap();
    let e = SqliteLedger::open(&path).unwrap_err();
    assert!(matches!(e, LedgerError::TooNew { found: 99, .. }), "{e}");
}

#[tokio::test]
async fn concurrent_duplicates_are_stored_once_and_counted() {
    let path = temp_db("dups");
    let ledger = Arc::new(SqliteLedger::open(&path).unwrap());
    let mut tasks = Vec::new();
    for i in 0..200 {
        let l = ledger.clone();
        tasks.push(tokio::spawn(async move {
            l.record_event(event(&format!("k{}", i % 50))).await
        }));
    }
    let mut stored = 0;
    for t in tasks {
        if let Recorded::Stored { .. } = t.await.unwrap().unwrap() {
            stored += 1;
        }
    }
    assert_eq!(stored, 50);
    let stats = ledger.stats().await.unwrap();
    assert_eq!((stats.events, stats.deliveries), (50, 200));
    ledger.close().await;
    assert!(matches!(
        ledger.record_event(event("late")).await,
        Err(LedgerError::Closed)
    ));
}

#[tokio::test]
async fn identical_bodies_are_told_apart_by_retry_count_and_arrival() {
    let ledger = SqliteLedger::open(temp_db("identity")).unwrap();
    let status = |r: Recorded| match r {
        Recorded::Stored { dedup_key, .. } => format!("stored {dedup_key}"),
        Recorded::Duplicate { dedup_key, .. } => format!("duplicate {dedup_key}"),
    };
    let mut seen = Vec::new();
    for ev in [
        // A first attempt, its retries 1..3 (a lost 200), and a copy seconds later.
        by_content("refund", "S", "f", 0, None),
        by_content("refund", "S", "f", 60, Some(1)),
        by_content("refund", "S", "f", 240, Some(2)),
        by_content("refund", "S", "f", 840, Some(3)),
        // The second partial refund of the same sale, a day later: same body.
        by_content("refund", "S", "f", 86_400, None),
        // ... and its retry.
        by_content("refund", "S", "f", 86_460, Some(1)),
        // A third identical refund whose first attempt failed (a 503): its
        // first retry, half an hour later, is a new event, not the second one.
        by_content("refund", "S", "f", 86_460 + 1_800, Some(1)),
        // cancellation -> restarted -> cancellation, seconds apart.
        by_content("cancellation", "U", "c", 0, None),
        by_content("subscription_restarted", "U", "r", 5, None),
        by_content("cancellation", "U", "c", 10, None),
        // The same on another subscription, the second cancellation's first
        // attempt lost: its retry comes after the restart, and is kept.
        by_content("cancellation", "V", "c", 0, None),
        by_content("subscription_restarted", "V", "r", 5, None),
        by_content("cancellation", "V", "c", 70, Some(1)),
    ] {
        seen.push(status(ledger.record_event(ev).await.unwrap()));
    }
    assert_eq!(
        seen,
        [
            "stored gumroad:refund:S:f",
            "duplicate gumroad:refund:S:f",
            "duplicate gumroad:refund:S:f",
            "duplicate gumroad:refund:S:f",
            "stored gumroad:refund:S:f#2",
            "duplicate gumroad:refund:S:f#2",
            "stored gumroad:refund:S:f#3",
            "stored gumroad:cancellation:U:c",
            "stored gumroad:subscription_restarted:U:r",
            "stored gumroad:cancellation:U:c#2",
            "stored gumroad:cancellation:V:c",
            "stored gumroad:subscription_restarted:V:r",
            "stored gumroad:cancellation:V:c#2",
        ]
    );
    let events: Vec<StoredEvent> = ledger
        .events(EventFilter::default())
        .try_collect()
        .await
        .unwrap();
    let counts: Vec<(String, i64, i64)> = events
        .iter()
        .map(|e| (e.dedup_key.clone(), e.occurrence, e.deliveries))
        .collect();
    assert_eq!(counts[0], ("gumroad:refund:S:f".into(), 1, 4));
    assert_eq!(counts[1], ("gumroad:refund:S:f#2".into(), 2, 2));
    ledger.close().await;
}

#[tokio::test]
async fn fifty_concurrent_copies_of_one_delivery_are_one_event() {
    let ledger = Arc::new(SqliteLedger::open(temp_db("fifty")).unwrap());
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let l = ledger.clone();
            tokio::spawn(async move { l.record_event(by_content("sale", "S", "f", 0, None)).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let stats = ledger.stats().await.unwrap();
    assert_eq!((stats.events, stats.deliveries), (1, 50));
    ledger.close().await;
}

/// The schema versions recorded in `schema_migrations`, in order.
fn applied_versions(conn: &Connection) -> Vec<i64> {
    conn.prepare("SELECT version FROM schema_migrations ORDER BY version")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// A ledger as the previous release wrote it (schema 2), with rows in it.
fn schema_2_ledger(path: &Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .unwrap();
    for m in &SQLITE[..2] {
        conn.execute_batch(m.sql).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations VALUES (?1, ?2, '2025-01-01')",
            params![m.version, m.name],
        )
        .unwrap();
    }
    let sale = creator_testkit::fixture_bytes("gumroad/webhooks/sale.form");
    let gank = br#"{"event":"DIGITAL_GOODS.TX_SUCCEED","data":{"human_id":"DG-1"}}"#;
    for (key, provider, name, subject, ct, body) in [
        (
            "gumroad:sale:FO8TXN-dvxYabdavG97Y-Q==",
            "gumroad",
            "sale",
            "FO8TXN-dvxYabdavG97Y-Q==",
            "application/x-www-form-urlencoded",
            sale,
        ),
        (
            "gank:DIGITAL_GOODS.TX_SUCCEED:DG-1",
            "gank",
            "DIGITAL_GOODS.TX_SUCCEED",
            "DG-1",
            "application/json",
            gank.to_vec(),
        ),
        (
            "fake:sale:F-1",
            "fake",
            "sale",
            "F-1",
            "application/json",
            b"{}".to_vec(),
        ),
    ] {
        conn.execute(
            "INSERT INTO events (dedup_key, endpoint, provider, kind, name, subject_id, test,
                verified, received_at, last_received_at, deliveries, content_type, headers,
                raw_body, event)
             VALUES (?1, ?2, ?2, 'sale', ?3, ?4, 0, 'url_token', ?5, ?5, 2, ?6, '{}', ?7, '{}')",
            params![key, provider, name, subject, at(0), ct, body],
        )
        .unwrap();
    }
    // A stranger's post kept whole by the old relay, with a signature header
    // it stored in clear.
    conn.execute(
        "INSERT INTO quarantine (received_at, endpoint, reason, error, status, headers,
            body_size, body_truncated, raw_body)
         VALUES (?1, 'gank', 'verification', 'bad signature', 401,
            '{\"x-gank-signature\":\"deadbeef\"}', 4096, 0, ?2)",
        params![at(0), vec![b'j'; 4096]],
    )
    .unwrap();
}

#[tokio::test]
async fn a_schema_2_ledger_is_migrated_and_its_events_keep_matching_their_retries() {
    let path = temp_db("migrate");
    schema_2_ledger(&path);
    // Read-only commands refuse to migrate it, and say how.
    let e = SqliteLedger::open_with(
        &path,
        OpenOptions {
            access: Access::ReadOnly,
            ..OpenOptions::default()
        },
    )
    .unwrap_err();
    assert!(matches!(e, LedgerError::TooOld { found: 2, .. }), "{e}");

    let ledger = SqliteLedger::open(&path).unwrap();
    assert_eq!(
        applied_versions(&Connection::open(&path).unwrap()),
        (1..=crate::ledger::SCHEMA_VERSION).collect::<Vec<_>>(),
        "migrated through forwarding (4) and the entitlement view (5)"
    );
    let events: Vec<StoredEvent> = ledger
        .events(EventFilter::default())
        .try_collect()
        .await
        .unwrap();
    let gumroad = &events[0];
    assert!(
        gumroad
            .identity
            .starts_with("gumroad:sale:FO8TXN-dvxYabdavG97Y-Q==:"),
        "{}",
        gumroad.identity
    );
    // What consumers deduplicated on stays as it was.
    assert_eq!(gumroad.dedup_key, "gumroad:sale:FO8TXN-dvxYabdavG97Y-Q==");
    assert_eq!(gumroad.deliveries, 2, "counts survive the migration");
    assert_eq!(events[1].identity, "gank:DIGITAL_GOODS.TX_SUCCEED:DG-1");
    assert_eq!(
        events[2].identity, "fake:sale:F-1",
        "unparsable rows keep their key"
    );

    // Gumroad's retry of the migrated sale, minutes later, is still the same event.
    let retry = creator_testkit::fixture_bytes("gumroad/webhooks/quirk_retry_count.form");
    let rekeyed =
        crate::ledger::rekey::rekey("gumroad", Some("application/x-www-form-urlencoded"), &retry)
            .unwrap();
    let mut ev = by_content("sale", "FO8TXN-dvxYabdavG97Y-Q==", "x", 300, Some(2));
    ev.identity = rekeyed.identity;
    ev.fingerprint = rekeyed.fingerprint;
    assert_eq!(
        ledger.record_event(ev).await.unwrap(),
        Recorded::Duplicate {
            id: gumroad.id,
            dedup_key: gumroad.dedup_key.clone()
        }
    );
    // The quarantine row was counted into the budget.
    let q: Vec<QuarantinedDelivery> = ledger
        .quarantined(QuarantineFilter::default())
        .try_collect()
        .await
        .unwrap();
    assert!(!q[0].authenticated);
    // Strangers' bodies are trimmed to their first bytes and their headers
    // redacted with today's rules.
    assert_eq!(q[0].raw_body.len(), crate::relay::PREFIX_BYTES);
    assert!(q[0].body_truncated);
    assert_eq!(q[0].body_size, 4096);
    let headers = q[0].headers.to_string();
    assert!(
        !headers.contains("deadbeef") && headers.contains("<redacted sha256:"),
        "{headers}"
    );
    ledger.close().await;
    let rows: i64 = Connection::open(&path)
        .unwrap()
        .query_row("SELECT rows FROM quarantine_budget", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 1);
}

#[tokio::test]
async fn read_only_opens_never_create_migrate_or_write() {
    let path = temp_db("readonly");
    let missing = SqliteLedger::open_with(
        &path,
        OpenOptions {
            access: Access::ReadOnly,
            ..OpenOptions::default()
        },
    );
    assert!(missing.is_err());
    assert!(!path.exists(), "a read-only open created the file");
    SqliteLedger::open(&path).unwrap().close().await;
    let reader = SqliteLedger::open_with(
        &path,
        OpenOptions {
            access: Access::ReadOnly,
            ..OpenOptions::default()
        },
    )
    .unwrap();
    assert!(matches!(
        reader.record_event(event("k")).await,
        Err(LedgerError::ReadOnly)
    ));
    assert_eq!(reader.stats().await.unwrap().events, 0);
}

#[tokio::test]
async fn strangers_are_kept_within_the_budget_oldest_first_and_authentic_rows_stay() {
    let path = temp_db("budget");
    let ledger = SqliteLedger::open_with(
        &path,
        OpenOptions {
            quarantine_budget: QuarantineBudget {
                max_rows: 20,
                max_bytes: 1 << 20,
            },
            ..OpenOptions::default()
        },
    )
    .unwrap();
    let authentic = ledger.quarantine(quarantine(true, b"kept")).await.unwrap();
    let mut last = 0;
    for _ in 0..100 {
        last = ledger.quarantine(quarantine(false, b"x")).await.unwrap();
    }
    let rows: Vec<QuarantinedDelivery> = ledger
        .quarantined(QuarantineFilter::default())
        .try_collect()
        .await
        .unwrap();
    let strangers = rows.iter().filter(|r| !r.authenticated).count();
    assert!((1..=20).contains(&strangers), "{strangers}");
    assert_eq!(rows[0].id, authentic, "authentic rows are never pruned");
    assert_eq!(rows.last().map(|r| r.id), Some(last), "the newest is kept");

    // `creator quarantine prune` leaves authentic rows unless told otherwise.
    let pruned = ledger
        .prune_quarantine(PruneFilter::default())
        .await
        .unwrap();
    assert_eq!(pruned.rows as usize, strangers);
    let pruned = ledger
        .prune_quarantine(PruneFilter {
            include_authenticated: true,
            ..PruneFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(pruned.rows, 1);
    ledger.close().await;
}

#[tokio::test]
async fn a_lock_held_by_another_process_costs_one_retry_of_the_group() {
    let path = temp_db("locked");
    let ledger = Arc::new(SqliteLedger::open(&path).unwrap());
    let other = Connection::open(&path).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let started = Instant::now();
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let l = ledger.clone();
            tokio::spawn(async move { l.record_event(event(&format!("k{i}"))).await })
        })
        .collect();
    let mut failed = 0;
    for t in tasks {
        if let Err(e) = t.await.unwrap() {
            assert!(e.to_string().contains("lock"), "{e}");
            failed += 1;
        }
    }
    let waited = started.elapsed();
    assert_eq!(failed, 50);
    // Two waits of the busy timeout per group (the try and its one retry),
    // for at most a few groups: far from 50 waits, one per write.
    assert!(
        waited < BUSY_TIMEOUT * 10,
        "50 writes behind a foreign lock took {waited:?}"
    );
    assert!(ledger.health().failing.is_some());
    other.execute_batch("ROLLBACK").unwrap();
    ledger.record_event(event("after")).await.unwrap();
    assert!(ledger.health().failing.is_none());
    ledger.close().await;
}

#[cfg(unix)]
#[tokio::test]
async fn a_ledger_deleted_under_the_writer_acknowledges_nothing() {
    let path = temp_db("deleted");
    let ledger = SqliteLedger::open(&path).unwrap();
    ledger.record_event(event("before")).await.unwrap();
    std::fs::remove_file(&path).unwrap();
    let e = ledger.record_event(event("after")).await.unwrap_err();
    assert!(e.to_string().contains("deleted"), "{e}");
    let health = ledger.health();
    assert!(health.file_problem.is_some() && health.failing.is_some());
    ledger.close().await;
}

#[tokio::test]
async fn the_probe_commits_and_health_reads_no_database() {
    let path = temp_db("probe");
    let ledger = SqliteLedger::open(&path).unwrap();
    let before = ledger.health().last_commit_at.clone();
    assert!(before.is_some(), "opening proves a commit");
    ledger.probe().await.unwrap();
    let after = ledger.health();
    assert!(after.last_commit_at >= before);
    assert!(after.free_bytes.is_some_and(|b| b > 0));
    ledger.close().await;
}

#[tokio::test]
async fn the_provider_filter_of_the_events_page_is_a_keyset_read() {
    let path = temp_db("provider-plan");
    SqliteLedger::open(&path).unwrap().close().await;
    let conn = Connection::open(&path).unwrap();
    for before in [None, Some(500_000)] {
        let search = EventSearch {
            provider: Some("gank".into()),
            page: crate::ledger::Page {
                before,
                ..crate::ledger::Page::default()
            },
            ..EventSearch::default()
        };
        let page = search.page;
        let plan = event_search(search).page_plan(&conn, page);
        assert!(
            plan.iter().any(|step| step.contains("events_provider_id")),
            "{plan:?}"
        );
        assert!(
            !plan.iter().any(|step| step.contains("TEMP B-TREE")),
            "sorted instead of read in order: {plan:?}"
        );
    }
}
