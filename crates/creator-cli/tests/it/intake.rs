//! The intake's promises, on deliveries shaped as the platforms send them:
//! no real event is taken for a redelivery, no redelivery is stored twice,
//! and a stranger can neither fill the ledger nor hold the relay.
//!
//! The Gumroad bodies are the fixtures generated from Gumroad's own payload
//! code (`fixtures/gumroad/webhooks/generate.py`); a retry is the same body
//! with `retry_count` added, as `PostToIndividualPingEndpointWorker` does.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use creator_cli::relay::{ConnectionLimits, RelayConfig, ShedPolicy};
use creator_core::ManualClock;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::*;

/// A relay whose clock the test moves (Gumroad's retries come minutes
/// later, a second partial refund days later).
async fn relay_with_clock(dir: &TempDir) -> (TestRelay, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_741_946_400),
    ));
    let config = RelayConfig {
        clock: clock.clone(),
        ..config()
    };
    let relay = TestRelay::start_with(dir.db().to_str().unwrap(), endpoints(), config).await;
    (relay, clock)
}

fn retried(body: &[u8], n: u32) -> Vec<u8> {
    let mut b = body.to_vec();
    b.extend(format!("&retry_count={n}").bytes());
    b
}

async fn post(relay: &TestRelay, fixture_name: &str) -> serde_json::Value {
    post_body(relay, fixture(&format!("gumroad/webhooks/{fixture_name}"))).await
}

async fn post_body(relay: &TestRelay, body: Vec<u8>) -> serde_json::Value {
    let (status, answer) = relay.post_gumroad_form(body).await;
    assert_eq!(status, 200, "{answer}");
    answer
}

#[tokio::test]
async fn every_distinct_event_about_one_subject_is_kept() {
    let dir = TempDir::new("distinct");
    let (relay, clock) = relay_with_clock(&dir).await;
    let minute = Duration::from_secs(60);

    // An upgrade, later a downgrade, of one subscription.
    assert_eq!(
        post(&relay, "subscription_updated.form").await["status"],
        "stored"
    );
    clock.advance(30 * minute);
    assert_eq!(
        post(&relay, "subscription_updated_downgrade.form").await["status"],
        "stored"
    );

    // cancellation -> subscription_restarted -> cancellation (identical bodies).
    clock.advance(minute);
    let first = post(&relay, "cancellation.form").await;
    assert_eq!(first["status"], "stored");
    assert_eq!(
        post(&relay, "subscription_restarted.form").await["status"],
        "stored"
    );
    let second = post(&relay, "cancellation.form").await;
    assert_eq!(second["status"], "stored", "{second}");
    assert_eq!(
        second["dedup_key"].as_str().unwrap(),
        format!("{}#2", first["dedup_key"].as_str().unwrap())
    );

    // Two partial refunds of one sale, a day apart: Gumroad sends the same body.
    clock.advance(minute);
    let refund1 = post(&relay, "refund_partial.form").await;
    clock.advance(24 * 60 * minute);
    let refund2 = post(&relay, "refund_partial.form").await;
    assert_eq!(
        (refund1["status"].as_str(), refund2["status"].as_str()),
        (Some("stored"), Some("stored"))
    );
    // ... and a retry of the second one, a minute later, is the second one again.
    clock.advance(minute);
    let retry = post_body(
        &relay,
        retried(&fixture("gumroad/webhooks/refund_partial.form"), 1),
    )
    .await;
    assert_eq!(retry["status"], "duplicate");
    assert_eq!(retry["id"], refund2["id"]);

    // A "Send test ping" of the latest sale, landing before the live sale.
    let ping = post(&relay, "ping.form").await;
    let sale = post(&relay, "sale.form").await;
    assert_eq!(
        (ping["status"].as_str(), sale["status"].as_str()),
        (Some("stored"), Some("stored"))
    );

    let events = relay.events().await;
    let kinds: Vec<(&str, bool)> = events.iter().map(|e| (e.name.as_str(), e.test)).collect();
    assert_eq!(
        kinds,
        [
            ("subscription_updated", false),
            ("subscription_updated", false),
            ("cancellation", false),
            ("subscription_restarted", false),
            ("cancellation", false),
            ("refund", false),
            ("refund", false),
            ("sale", true),
            ("sale", false),
        ]
    );
    let live = &events[8];
    assert!(!live.test, "the live sale is not marked as the test ping");
    assert_eq!(
        events[6].deliveries, 2,
        "the retry was counted on the second refund"
    );
    relay.stop().await;
}

#[tokio::test]
async fn a_delivery_and_its_three_retries_are_one_event_with_four_deliveries() {
    let dir = TempDir::new("retries");
    let (relay, clock) = relay_with_clock(&dir).await;
    let body = fixture("gumroad/webhooks/sale.form");
    let first = post_body(&relay, body.clone()).await;
    // Gumroad retries after 1, 3 and 10 minutes (when our 200 was lost).
    for (n, wait) in [(1, 1), (2, 3), (3, 10)] {
        clock.advance(Duration::from_secs(wait * 60));
        let again = post_body(&relay, retried(&body, n)).await;
        assert_eq!(again["status"], "duplicate", "retry {n}");
        assert_eq!(again["id"], first["id"]);
    }
    let stats = relay.stats().await;
    assert_eq!((stats.events, stats.deliveries), (1, 4));
    relay.stop().await;
}

#[tokio::test]
async fn fifty_concurrent_copies_of_one_delivery_are_stored_once() {
    let dir = TempDir::new("fifty");
    let relay = Arc::new(TestRelay::start(dir.db().to_str().unwrap()).await);
    let body = fixture("gumroad/webhooks/sale.form");
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let relay = relay.clone();
            let body = body.clone();
            tokio::spawn(async move { relay.post_gumroad_form(body).await })
        })
        .collect();
    let mut stored = 0;
    for t in tasks {
        let (status, answer) = t.await.unwrap();
        assert_eq!(status, 200, "{answer}");
        stored += usize::from(answer["status"] == "stored");
    }
    assert_eq!(stored, 1);
    let stats = relay.stats().await;
    assert_eq!((stats.events, stats.deliveries), (1, 50));
}

#[tokio::test]
async fn strangers_keep_only_bounded_metadata_within_the_budget_and_are_shed() {
    let config = RelayConfig {
        shed: ShedPolicy {
            per_minute: 1,
            burst: 20,
        },
        ..config()
    };
    let (_dir, relay) = TestRelay::fresh_with("strangers", config).await;
    let junk = vec![b'q'; 60 * 1024];
    let mut answered = std::collections::BTreeMap::new();
    for i in 0..100 {
        let (status, _) = relay
            .post(
                &format!("/webhooks/gumroad/wrong-secret-{i:04}"),
                "application/x-www-form-urlencoded",
                junk.clone(),
                &[],
            )
            .await;
        *answered.entry(status).or_insert(0) += 1;
    }
    // Each rejection is answered; past the burst, they are shed, not kept.
    assert_eq!(answered.get(&401), Some(&20), "{answered:?}");
    assert_eq!(answered.get(&429), Some(&80), "{answered:?}");
    // A real delivery from the same address is still stored while it sheds.
    let (status, answer) = relay
        .post_gumroad_form(fixture("gumroad/webhooks/sale.form"))
        .await;
    assert_eq!((status, answer["status"].as_str()), (200, Some("stored")));
    let stats = relay.stats().await;
    assert_eq!(stats.quarantined, 20);
    // 20 rejected 60 KiB posts took a few KiB: headers, a prefix and a hash each.
    assert!(
        stats.quarantine_bytes < 20 * 2_048,
        "{} bytes",
        stats.quarantine_bytes
    );
    let q = relay.quarantined().await;
    assert!(
        q.iter()
            .all(|r| r.body_size == junk.len() as u64 && r.raw_body.len() <= 256)
    );
    relay.stop().await;
}

#[tokio::test]
async fn a_trailing_slash_is_accepted_and_other_shapes_are_quarantined_as_unknown() {
    let (_dir, relay) = TestRelay::fresh("paths").await;
    let body = fixture("gumroad/webhooks/sale.form");
    let (status, answer) = relay
        .post(
            &format!("/webhooks/gumroad/{GUMROAD_SECRET}/"),
            "application/x-www-form-urlencoded",
            body.clone(),
            &[],
        )
        .await;
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("stored")),
        "{answer}"
    );
    for path in [
        format!("/webhooks/gumroad/{GUMROAD_SECRET}/extra"),
        format!("/webhooks//gumroad/{GUMROAD_SECRET}"),
        format!("/webhooks/gumroad//{GUMROAD_SECRET}"),
        "/webhooks/".to_owned(),
        "/webhooks".to_owned(),
    ] {
        let (status, answer) = relay
            .post(
                &path,
                "application/x-www-form-urlencoded",
                body.clone(),
                &[],
            )
            .await;
        assert_eq!(status, 404, "{path}: {answer}");
        assert_eq!(answer["reason"], "unknown_endpoint", "{path}");
        let error = answer["error"].as_str().unwrap();
        assert!(!error.contains(GUMROAD_SECRET), "{path}: {error}");
    }
    assert_eq!(relay.quarantined().await.len(), 5);
    relay.stop().await;
}

/// Opens a raw TCP connection to the relay.
async fn connect(relay: &TestRelay) -> tokio::net::TcpStream {
    tokio::net::TcpStream::connect(relay.relay.local_addr())
        .await
        .expect("connect")
}

/// True when the server closed `stream` within `within`.
async fn closed_within(stream: &mut tokio::net::TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 512];
    loop {
        match tokio::time::timeout(within, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn slow_heads_idle_connections_and_connection_floods_are_bounded() {
    let config = RelayConfig {
        connections: ConnectionLimits {
            max_connections: 400,
            max_per_peer: 300,
            header_read_timeout: Duration::from_millis(400),
            ..ConnectionLimits::default()
        },
        ..config()
    };
    let (_dir, relay) = TestRelay::fresh_with("conns", config).await;
    // 300 idle connections and one slowloris sending half a head.
    let mut idle = Vec::new();
    for _ in 0..299 {
        idle.push(connect(&relay).await);
    }
    let mut slow = connect(&relay).await;
    slow.write_all(b"POST /webhooks/gumroad HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    // Over the per-peer limit: closed at once.
    let mut refused = connect(&relay).await;
    assert!(closed_within(&mut refused, Duration::from_secs(2)).await);
    // The relay still answers health checks and stores deliveries meanwhile
    // (the limit is per peer; this client is the same loopback address, so
    // let the timeout free room first).
    assert!(
        closed_within(&mut slow, Duration::from_secs(2)).await,
        "slow head closed"
    );
    for conn in &mut idle {
        assert!(
            closed_within(conn, Duration::from_secs(2)).await,
            "idle connection closed"
        );
    }
    let started = std::time::Instant::now();
    let resp = relay
        .http
        .get(format!("{}/healthz", relay.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert!(started.elapsed() < Duration::from_secs(1));
    let v: serde_json::Value = resp.json().await.unwrap();
    assert!(
        v["server"]["refused_connections"].as_u64().unwrap() >= 1,
        "{v}"
    );
    relay.stop().await;
}

#[tokio::test]
async fn shutdown_closes_connections_without_a_request_at_once() {
    let (_dir, relay) = TestRelay::fresh("shutdown-slow").await;
    let mut slow = connect(&relay).await;
    slow.write_all(b"POST /webhooks/gumroad HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut idle = connect(&relay).await;
    let started = std::time::Instant::now();
    relay.relay.shutdown().await.expect("clean shutdown");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "shutdown waited {:?} for connections without a request",
        started.elapsed()
    );
    assert!(closed_within(&mut slow, Duration::from_secs(1)).await);
    assert!(closed_within(&mut idle, Duration::from_secs(1)).await);
}

#[tokio::test]
async fn healthz_answers_from_the_writers_state_even_while_a_write_is_stuck() {
    let (dir, relay) = TestRelay::fresh("healthz-stuck").await;
    let other = rusqlite::Connection::open(dir.db()).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    // A delivery waits on the foreign lock (one retry of the group, then 503)...
    let relay = Arc::new(relay);
    let pending = {
        let relay = relay.clone();
        tokio::spawn(async move {
            relay
                .post_gumroad_form(fixture("gumroad/webhooks/sale.form"))
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    // ... while health answers without queueing behind it: before the
    // stuck delivery is answered.
    let resp = relay
        .http
        .get(format!("{}/healthz", relay.base))
        .send()
        .await
        .unwrap();
    assert!(
        !pending.is_finished(),
        "/healthz waited for the stuck write"
    );
    assert_eq!(resp.status().as_u16(), 200);
    let (status, _) = pending.await.unwrap();
    assert_eq!(status, 503, "the platform retries");
    let resp = relay
        .http
        .get(format!("{}/healthz", relay.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 503, "the failed commit is reported");
    let v: serde_json::Value = resp.json().await.unwrap();
    assert!(v["problems"][0].as_str().unwrap().contains("lock"), "{v}");
    other.execute_batch("ROLLBACK").unwrap();
    let (status, _) = relay
        .post_gumroad_form(fixture("gumroad/webhooks/sale.form"))
        .await;
    assert_eq!(status, 200);
    let resp = relay
        .http
        .get(format!("{}/healthz", relay.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200, "healthy again after a commit");
}

#[cfg(unix)]
#[tokio::test]
async fn a_ledger_deleted_under_the_relay_is_never_acknowledged_and_health_says_so() {
    let (dir, relay) = TestRelay::fresh("deleted").await;
    let (status, _) = relay
        .post_gumroad_form(fixture("gumroad/webhooks/sale.form"))
        .await;
    assert_eq!(status, 200);
    for suffix in ["", "-wal", "-shm"] {
        let mut p = dir.db().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    let (status, answer) = relay
        .post_gumroad_form(fixture("gumroad/webhooks/refund.form"))
        .await;
    assert_eq!(status, 503, "{answer}");
    let resp = relay
        .http
        .get(format!("{}/healthz", relay.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 503);
    let v: serde_json::Value = resp.json().await.unwrap();
    assert!(v["problems"].to_string().contains("deleted"), "{v}");
}

#[tokio::test]
async fn an_authentic_delivery_with_one_mistyped_field_is_stored_and_the_field_named() {
    let dir = TempDir::new("mistyped");
    let db = dir.db();
    let relay = TestRelay::start(db.to_str().unwrap()).await;
    // Gumroad: `order_number=12a`.
    let (status, answer) = relay
        .post_gumroad_form(fixture("gumroad/webhooks/quirk_bad_order_number.form"))
        .await;
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("stored")),
        "{answer}"
    );
    assert_eq!(answer["field_errors"], 1);
    // Gank: `billing_period: {"x": 1}`, signed.
    let body = fixture("gank/webhook_quirk_billing_period_object.json");
    let sig = gank_verifier().sign(&body);
    let (status, answer) = relay
        .post(
            "/webhooks/gank",
            "application/json",
            body,
            &[(GANK_HEADER, &sig)],
        )
        .await;
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("stored")),
        "{answer}"
    );
    relay.stop().await;

    let mut cmd = creator();
    cmd.args(["events", "--db", db.to_str().unwrap()]);
    let out = run(cmd).await;
    let table = stdout(&out);
    assert!(table.contains("unreadable_fields"), "{table}");
    assert!(table.contains("order_number"), "{table}");
    assert!(table.contains("billing_period"), "{table}");
    let mut cmd = creator();
    cmd.args(["events", "--db", db.to_str().unwrap(), "--format", "jsonl"]);
    let out = run(cmd).await;
    let first: serde_json::Value =
        serde_json::from_str(stdout(&out).lines().next().unwrap()).unwrap();
    assert_eq!(first["field_errors"][0]["field"], "order_number");
    assert!(
        first["event"]["sale"]["id"].is_string(),
        "the rest was read: {first}"
    );
}

#[tokio::test]
async fn at_the_connection_limit_idle_connections_make_room_for_deliveries() {
    let config = RelayConfig {
        connections: ConnectionLimits {
            max_connections: 20,
            max_per_peer: 100,
            header_read_timeout: Duration::from_secs(30),
            ..ConnectionLimits::default()
        },
        ..config()
    };
    let (_dir, relay) = TestRelay::fresh_with("evict", config).await;
    // Twenty connections that send nothing take every place.
    let mut idle = Vec::new();
    for _ in 0..20 {
        idle.push(connect(&relay).await);
    }
    // A real delivery still gets in: the oldest idle connection is closed for it.
    let (status, answer) = relay
        .post_gumroad_form(fixture("gumroad/webhooks/sale.form"))
        .await;
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("stored")),
        "{answer}"
    );
    assert!(
        closed_within(&mut idle[0], Duration::from_secs(2)).await,
        "the oldest went"
    );
    let v: serde_json::Value = relay
        .http
        .get(format!("{}/healthz", relay.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        v["server"]["evicted_connections"].as_u64().unwrap() >= 1,
        "{v}"
    );
    relay.stop().await;
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_is_the_sender() {
    let config = RelayConfig {
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        shed: ShedPolicy {
            per_minute: 1,
            burst: 3,
        },
        ..config()
    };
    let (_dir, relay) = TestRelay::fresh_with("proxy", config).await;
    let mut answers = Vec::new();
    for client in ["203.0.113.1", "203.0.113.2"] {
        for i in 0..5 {
            let (status, _) = relay
                .post(
                    &format!("/webhooks/gumroad/wrong-secret-{i:04}"),
                    "application/x-www-form-urlencoded",
                    "x=1",
                    &[("x-forwarded-for", client)],
                )
                .await;
            answers.push(status);
        }
    }
    // Each forwarded client has its own budget of kept rejections.
    assert_eq!(answers, [401, 401, 401, 429, 429, 401, 401, 401, 429, 429]);
    let q = relay.quarantined().await;
    let peer = q[0].peer.as_deref().unwrap();
    assert!(peer.starts_with("203.0.113.1 (via 127.0.0.1:"), "{peer}");
    relay.stop().await;
}

/// Bodies whose signature is still to be checked are read at most eight at
/// once per sender: the ninth is answered 503 with `Retry-After` at once
/// (the platform retries), counted in
/// `/healthz`, and a signed delivery goes through once the sender's bodies
/// are gone.
#[tokio::test]
async fn a_sender_reads_at_most_eight_bodies_to_authenticate_at_once() {
    let (_dir, relay) = TestRelay::fresh("stranger-slots").await;
    let head = |len: usize| {
        format!(
            "POST /webhooks/gank HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             {GANK_HEADER}: 00\r\nContent-Length: {len}\r\n\r\n{{\"a\":"
        )
    };
    // Eight bodies that start and never finish.
    let mut held = Vec::new();
    for _ in 0..8 {
        let mut conn = connect(&relay).await;
        conn.write_all(head(100_000).as_bytes()).await.unwrap();
        held.push(conn);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut ninth = connect(&relay).await;
    ninth.write_all(head(100_000).as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 2048];
    let n = tokio::time::timeout(Duration::from_secs(3), ninth.read(&mut answer))
        .await
        .expect("the ninth is answered without waiting for its body")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]).to_lowercase();
    assert!(answer.starts_with("http/1.1 503"), "{answer}");
    assert!(answer.contains("retry-after: 1"), "{answer}");
    assert!(answer.contains("\"busy\""), "{answer}");
    drop(held);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, stored) = relay
        .post_gank(fixture("gank/webhook_digital_goods.json"))
        .await;
    assert_eq!(status, 200, "{stored}");
    let health: serde_json::Value = relay
        .http
        .get(format!("{}/healthz", relay.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["server"]["busy_answers"], 1, "{health}");
    relay.stop().await;
}
