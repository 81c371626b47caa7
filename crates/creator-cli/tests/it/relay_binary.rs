//! `creator relay` and the quarantine commands as an operator meets them:
//! the real binary on loopback.

use std::time::Duration;

use creator_cli::ledger::{self, NewQuarantine, QuarantineReason};
use tokio::io::AsyncWriteExt;

use crate::support::*;

async fn post_form(base: &str, path: &str, body: Vec<u8>) -> reqwest::Result<u16> {
    reqwest::Client::new()
        .post(format!("{base}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map(|r| r.status().as_u16())
}

#[tokio::test]
async fn a_closed_stderr_neither_drops_deliveries_nor_fails_the_shutdown() {
    let dir = TempDir::new("closed-stderr");
    let secret = [("CREATOR_GUMROAD_SECRET", GUMROAD_SECRET)];
    let (relay, lines) = spawn_relay_keeping_stderr(dir.db().to_str().unwrap(), &secret, &[]).await;
    // The log reader dies.
    drop(lines);
    for name in ["sale.form", "refund.form", "dispute.form"] {
        let status = post_form(
            &relay.base,
            &format!("/webhooks/gumroad/{GUMROAD_SECRET}"),
            fixture(&format!("gumroad/webhooks/{name}")),
        )
        .await
        .expect("an answer, not a dropped connection");
        assert_eq!(status, 200, "{name}");
    }
    let status = sigterm_and_wait(relay).await;
    assert!(status.success(), "exit {status:?}");
    let ledger = ledger::open_read_only(dir.db().to_str().unwrap())
        .await
        .unwrap();
    assert_eq!(ledger.stats().await.unwrap().events, 3);
}

#[tokio::test]
async fn sigterm_does_not_wait_for_a_client_still_sending_its_head() {
    let dir = TempDir::new("sigterm-slow");
    let relay = spawn_relay(
        dir.db().to_str().unwrap(),
        &[("CREATOR_GUMROAD_SECRET", GUMROAD_SECRET)],
    )
    .await;
    let addr = relay.base.trim_start_matches("http://").to_owned();
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"POST /webhooks/gumroad HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let status = sigterm_and_wait(relay).await;
    assert!(status.success(), "exit {status:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn options_that_cannot_work_are_refused_at_start() {
    let dir = TempDir::new("refused-options");
    let db = dir.db();
    let db = db.to_str().unwrap();
    let cmd = relay_command(db, &["--max-body-bytes", "10000000"]);
    assert_one_line_error(&run(cmd).await, 2, "above what the webhook parsers accept");
    let mut cmd = creator();
    cmd.args(["relay", "--listen", "nowhere", "--db", db]);
    assert_one_line_error(&run(cmd).await, 2, "--listen `nowhere`");
    let cmd = relay_command(db, &["--gumroad-auth", "basic"]);
    assert_one_line_error(&run(cmd).await, 2, "CREATOR_GUMROAD_BASIC_USER");
}

#[tokio::test]
async fn listen_takes_a_host_name_and_warns_beyond_loopback() {
    let dir = TempDir::new("listen");
    let relay = spawn_relay_with(
        dir.db().to_str().unwrap(),
        &[],
        &["--listen", "localhost:0"],
    )
    .await;
    assert!(
        relay.base.starts_with("http://127.0.0.1:"),
        "{}",
        relay.base
    );
    assert!(!relay.banner.iter().any(|l| l.contains("warning")));
    assert!(sigterm_and_wait(relay).await.success());
    let relay = spawn_relay_with(dir.db().to_str().unwrap(), &[], &["--listen", "0.0.0.0:0"]).await;
    assert!(
        relay
            .banner
            .iter()
            .any(|l| l.contains("warning") && l.contains("TLS")),
        "{:?}",
        relay.banner
    );
    assert!(sigterm_and_wait(relay).await.success());
}

#[tokio::test]
async fn gumroad_http_basic_is_offered_next_to_the_url_secret() {
    let dir = TempDir::new("basic");
    let envs = [
        ("CREATOR_GUMROAD_BASIC_USER", "gumroad"),
        (
            "CREATOR_GUMROAD_BASIC_PASSWORD",
            "a-long-basic-password-0123",
        ),
    ];
    let relay = spawn_relay_with(
        dir.db().to_str().unwrap(),
        &envs,
        &["--gumroad-auth", "basic"],
    )
    .await;
    let body = fixture("gumroad/webhooks/sale.form");
    let client = reqwest::Client::new();
    let post = |auth: Option<(&str, &str)>| {
        let mut req = client
            .post(format!("{}/webhooks/gumroad", relay.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone());
        if let Some((u, p)) = auth {
            req = req.basic_auth(u, Some(p));
        }
        req.send()
    };
    let ok = post(Some(("gumroad", "a-long-basic-password-0123")))
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    assert_eq!(
        post(Some(("gumroad", "wrong")))
            .await
            .unwrap()
            .status()
            .as_u16(),
        401
    );
    assert_eq!(post(None).await.unwrap().status().as_u16(), 401);
    assert!(sigterm_and_wait(relay).await.success());
    let ledger = ledger::open_read_only(dir.db().to_str().unwrap())
        .await
        .unwrap();
    let events: Vec<_> = futures::TryStreamExt::try_collect(ledger.events(Default::default()))
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].verified, "basic_auth");
}

#[tokio::test]
async fn log_lines_escape_what_a_delivery_carries_and_name_the_sender() {
    let dir = TempDir::new("log-hygiene");
    let secret = [("CREATOR_GUMROAD_SECRET", GUMROAD_SECRET)];
    let (relay, mut lines) =
        spawn_relay_keeping_stderr(dir.db().to_str().unwrap(), &secret, &[]).await;
    let base = relay.base.clone();
    // An authentic delivery whose resource name carries a forged log line.
    let forged =
        b"resource_name=sale%0A2026-01-01T00:00:00Z%20INFO%20FORGED%20stored&id=1".to_vec();
    let status = post_form(
        &base,
        &format!("/webhooks/gumroad/{GUMROAD_SECRET}"),
        forged,
    )
    .await
    .unwrap();
    // An unknown resource: stored, and its key logged.
    assert_eq!(status, 200);
    let status = post_form(
        &base,
        "/webhooks/gumroad/wrong-secret-0000",
        b"x=1".to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(status, 401);
    // A browser, a link preview or an uptime probe fetching the URL, and a
    // URL whose endpoint name was left out: the secret is in neither log line.
    let get = reqwest::get(format!("{base}/webhooks/gumroad/{GUMROAD_SECRET}"))
        .await
        .unwrap();
    assert_eq!(get.status().as_u16(), 405);
    let status = post_form(
        &base,
        &format!("/webhooks/{GUMROAD_SECRET}"),
        b"x=1".to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(status, 404);
    let pid = relay.child.id().unwrap().to_string();
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status();
    let mut log = Vec::new();
    while let Ok(Ok(Some(line))) =
        tokio::time::timeout(Duration::from_secs(10), lines.next_line()).await
    {
        log.push(line);
    }
    let _ = sigterm_and_wait(relay).await;
    // No line of the log was written by the delivery: the forged one stays
    // inside the stored event's line, escaped.
    assert!(
        !log.iter().any(|l| l.starts_with("2026-01-01T00:00:00Z")),
        "{log:#?}"
    );
    assert!(log.iter().any(|l| l.contains("\\n2026-01-01")), "{log:#?}");
    let rejected = log
        .iter()
        .find(|l| l.contains("rejected (verification)"))
        .expect("a rejection line");
    assert!(rejected.contains("peer=127.0.0.1:"), "{rejected}");
    assert!(!log.iter().any(|l| l.contains(GUMROAD_SECRET)), "{log:#?}");
    let ledger = ledger::open_read_only(dir.db().to_str().unwrap())
        .await
        .unwrap();
    let rows: Vec<_> = futures::TryStreamExt::try_collect(ledger.quarantined(Default::default()))
        .await
        .unwrap();
    for row in rows {
        assert!(
            !row.endpoint.contains(GUMROAD_SECRET) && !row.error.contains(GUMROAD_SECRET),
            "{row:?}"
        );
    }
}

#[tokio::test]
async fn read_only_commands_never_migrate_an_older_ledger() {
    let dir = TempDir::new("no-migrate");
    let db = dir.db();
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
             INSERT INTO schema_migrations VALUES (1, 'events and quarantine', '2025-01-01'), (2, 'sync backfill', '2025-01-01');",
        )
        .unwrap();
    }
    for args in [vec!["events"], vec!["quarantine"]] {
        let mut cmd = creator();
        cmd.args(&args).args(["--db", db.to_str().unwrap()]);
        assert_one_line_error(
            &run(cmd).await,
            1,
            "start `creator relay` with this --db once to migrate it",
        );
    }
    let version: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT MAX(version) FROM schema_migrations", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(version, 2, "a reader migrated the ledger");
}

fn kept_delivery(authenticated: bool, body: Vec<u8>) -> NewQuarantine {
    NewQuarantine {
        received_at: "2025-03-14T10:21:09.000000Z".into(),
        endpoint: "gumroad".into(),
        reason: if authenticated {
            QuarantineReason::Parse
        } else {
            QuarantineReason::Verification
        },
        error: "a parser of an older creator could not read it".into(),
        status: if authenticated { 400 } else { 401 },
        content_type: Some("application/x-www-form-urlencoded".into()),
        headers: "{}".into(),
        body_size: body.len() as u64,
        body_truncated: false,
        raw_body: body.into(),
        body_sha256: None,
        authenticated,
        verified: authenticated.then(|| "url_token".to_owned()),
        peer: Some("127.0.0.1:5555".into()),
    }
}

#[tokio::test]
async fn quarantine_replay_stores_an_authentic_delivery_once_and_prune_removes_strangers() {
    let dir = TempDir::new("replay");
    let db = dir.db();
    let db = db.to_str().unwrap();
    let ledger = ledger::open(db).await.unwrap();
    let authentic = ledger
        .quarantine(kept_delivery(true, fixture("gumroad/webhooks/sale.form")))
        .await
        .unwrap();
    let stranger = ledger
        .quarantine(kept_delivery(false, b"x".to_vec()))
        .await
        .unwrap();
    ledger.close().await;

    let replay = |id: i64| {
        let mut cmd = creator();
        cmd.args(["quarantine", "replay", "--db", db, &id.to_string()]);
        cmd
    };
    let out = run(replay(authentic)).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("as event 1"), "{}", stdout(&out));
    assert_one_line_error(
        &run(replay(authentic)).await,
        2,
        "already replayed as event 1",
    );
    assert_one_line_error(&run(replay(stranger)).await, 2, "not authenticated");
    assert_one_line_error(&run(replay(999)).await, 2, "no quarantined delivery #999");

    let mut cmd = creator();
    cmd.args(["events", "--db", db, "--format", "jsonl"]);
    let out = run(cmd).await;
    let event: serde_json::Value =
        serde_json::from_str(stdout(&out).lines().next().unwrap()).unwrap();
    assert_eq!(event["verified"], "url_token");
    assert_eq!(event["received_at"], "2025-03-14T10:21:09.000000Z");

    let mut cmd = creator();
    cmd.args(["quarantine", "prune", "--db", db]);
    let out = run(cmd).await;
    assert!(
        stdout(&out).contains("pruned 1 quarantined deliveries"),
        "{}",
        stdout(&out)
    );
    let mut cmd = creator();
    cmd.args(["quarantine", "--db", db, "--format", "jsonl"]);
    let out = run(cmd).await;
    let rows: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 1, "the authentic one stays");
    assert_eq!(rows[0]["replayed_as"], 1);
}

/// A flood is not logged line by line, but it is logged: one warning per
/// interval counts the connections refused and the ones that ended in an
/// error, and `--quiet` keeps it.
#[tokio::test]
async fn refused_and_broken_connections_are_counted_in_a_periodic_warning() {
    let dir = TempDir::new("summary");
    let secret = [("CREATOR_GUMROAD_SECRET", GUMROAD_SECRET)];
    let (relay, mut lines) = spawn_relay_keeping_stderr(
        dir.db().to_str().unwrap(),
        &secret,
        &[
            "--quiet",
            "--summary-interval",
            "1",
            "--max-connections-per-peer",
            "1",
        ],
    )
    .await;
    let addr = relay.base.trim_start_matches("http://").to_owned();
    // Garbage instead of a request: that connection ends in an error.
    let mut garbage = tokio::net::TcpStream::connect(&addr).await.unwrap();
    garbage
        .write_all(b"\x16\x03\x01 not http\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(
        Duration::from_secs(5),
        tokio::io::AsyncReadExt::read_to_end(&mut garbage, &mut buf),
    )
    .await;
    // One connection held open; the next three from this address are refused.
    // The garbage connection's place is given back a moment after it is
    // closed: hold a connection only once the relay keeps it (one refused in
    // the meantime is closed at once, and counted as refused).
    let mut early_refusals = 0;
    let _held = loop {
        let mut held = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let mut byte = [0u8; 1];
        let read = tokio::io::AsyncReadExt::read(&mut held, &mut byte);
        match tokio::time::timeout(Duration::from_millis(300), read).await {
            Err(_) => break held,
            Ok(_) => {
                early_refusals += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    for _ in 0..3 {
        let mut refused = tokio::net::TcpStream::connect(&addr).await.unwrap();
        let mut buf = [0u8; 1];
        let _ = tokio::time::timeout(
            Duration::from_secs(5),
            tokio::io::AsyncReadExt::read(&mut refused, &mut buf),
        )
        .await;
    }
    // The counts may fall into more than one interval: add up the lines.
    let count = |line: &str, what: &str| -> u64 {
        line.split(", ")
            .find_map(|part| part.rsplit(": ").next()?.strip_suffix(what))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0)
    };
    let (mut refused, mut broken, mut summaries) = (0, 0, Vec::new());
    let wait = async {
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains("turned away since the last summary") {
                assert!(line.contains("WARN"), "{line}");
                refused += count(&line, "connection(s) refused at a limit");
                broken += count(&line, "connection(s) ended by an error");
                summaries.push(line);
                if refused >= 3 + early_refusals && broken >= 1 {
                    break;
                }
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(15), wait).await;
    let _ = sigterm_and_wait(relay).await;
    assert_eq!((refused, broken), (3 + early_refusals, 1), "{summaries:#?}");
}

/// The Gank endpoint is an `AllOf` of what is configured: with a URL secret
/// and a signature both must pass (and the event is stored as signed); with
/// the URL secret alone, it is what authenticates.
#[tokio::test]
async fn gank_url_secret_and_signature_are_each_required_when_configured() {
    const GANK_SECRET: &str = "gank-url-secret-0123456789";
    let body = fixture("gank/webhook_user_membership.json");
    let sig = gank_verifier().sign(&body);
    let post = |base: String, path: String, signature: Option<String>| {
        let body = body.clone();
        async move {
            let mut req = reqwest::Client::new()
                .post(format!("{base}{path}"))
                .header("content-type", "application/json")
                .body(body);
            if let Some(s) = signature {
                req = req.header(GANK_HEADER, s);
            }
            req.send().await.unwrap().status().as_u16()
        }
    };
    let stored = |dir: &TempDir| {
        let db = dir.db().to_str().unwrap().to_owned();
        async move {
            let ledger = ledger::open_read_only(&db).await.unwrap();
            let events: Vec<_> =
                futures::TryStreamExt::try_collect(ledger.events(Default::default()))
                    .await
                    .unwrap();
            events
                .iter()
                .map(|e| (e.provider.clone(), e.verified.clone()))
                .collect::<Vec<_>>()
        }
    };

    let dir = TempDir::new("gank-both");
    let envs = [
        ("CREATOR_GANK_SECRET", GANK_SECRET),
        ("GANK_WEBHOOK_KEY", GANK_KEY),
        ("GANK_SIGNATURE_HEADER", GANK_HEADER),
    ];
    let relay = spawn_relay_with(dir.db().to_str().unwrap(), &envs, &[]).await;
    assert!(
        relay.banner.iter().any(|l| l.contains(
            "/webhooks/gank/<CREATOR_GANK_SECRET> (URL secret, then Sha256 HMAC in `x-gank-signature`)"
        )),
        "{:?}",
        relay.banner
    );
    let base = relay.base.clone();
    let with_secret = format!("/webhooks/gank/{GANK_SECRET}");
    let bad_sig = Some("00".repeat(32));
    assert_eq!(post(base.clone(), with_secret.clone(), bad_sig).await, 401);
    assert_eq!(post(base.clone(), with_secret.clone(), None).await, 401);
    let wrong_secret = "/webhooks/gank/not-the-secret-0123456789".to_owned();
    assert_eq!(
        post(base.clone(), wrong_secret, Some(sig.clone())).await,
        401
    );
    let no_secret = "/webhooks/gank".to_owned();
    assert_eq!(post(base.clone(), no_secret, Some(sig.clone())).await, 401);
    assert_eq!(post(base, with_secret, Some(sig.clone())).await, 200);
    assert!(sigterm_and_wait(relay).await.success());
    assert_eq!(
        stored(&dir).await,
        [("gank".to_owned(), "signature".to_owned())]
    );

    let dir = TempDir::new("gank-url-only");
    let envs = [("CREATOR_GANK_SECRET", GANK_SECRET)];
    let relay = spawn_relay_with(dir.db().to_str().unwrap(), &envs, &[]).await;
    assert!(
        relay
            .banner
            .iter()
            .any(|l| l.contains("/webhooks/gank/<CREATOR_GANK_SECRET> (URL secret)")),
        "{:?}",
        relay.banner
    );
    let base = relay.base.clone();
    let wrong_secret = "/webhooks/gank/not-the-secret-0123456789".to_owned();
    assert_eq!(post(base.clone(), wrong_secret, None).await, 401);
    let with_secret = format!("/webhooks/gank/{GANK_SECRET}");
    assert_eq!(post(base, with_secret, None).await, 200);
    assert!(sigterm_and_wait(relay).await.success());
    assert_eq!(
        stored(&dir).await,
        [("gank".to_owned(), "url_token".to_owned())]
    );
}
