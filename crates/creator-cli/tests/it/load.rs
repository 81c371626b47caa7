//! Loopback load test of the relay (ignored by default; it takes a while):
//!
//! ```sh
//! cargo test -p creator-cli --release --test it -- --ignored load --nocapture
//! ```
//!
//! Starts the real `creator relay` binary on a loopback port with a fresh
//! SQLite ledger (or the PostgreSQL URL in `CREATOR_LOAD_DB`), posts
//! `CREATOR_LOAD_DELIVERIES` (20,000) Gumroad sale Pings, 10% of them
//! redeliveries of earlier sales, from `CREATOR_LOAD_CLIENTS` (32)
//! concurrent clients, and reports deliveries per second and latency
//! percentiles. It asserts every delivery was answered 200, the p99 stays
//! well under Gumroad's 5-second timeout, and the ledger holds exactly the
//! unique events.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use creator_cli::ledger;

use crate::support::*;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small deterministic shuffle (no rand dependency).
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    for i in (1..items.len()).rev() {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let j = (seed >> 33) as usize % (i + 1);
        items.swap(i, j);
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// One POST of a load run: when it started, how long the answer took, and
/// the answer (status and body) or why there was none.
struct Sent {
    started: Instant,
    latency: Duration,
    answer: Result<(u16, String), String>,
}

/// Posts each of `bodies` once to `url` as Gumroad form Pings, from
/// `clients` concurrent senders on keep-alive connections; returns the
/// posts (in no order) and how long they all took.
async fn post_all(url: &str, bodies: Arc<Vec<Vec<u8>>>, clients: usize) -> (Vec<Sent>, Duration) {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..clients {
        let (http, url, bodies, next) =
            (http.clone(), url.to_owned(), bodies.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut sent = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = bodies.get(i) else { break };
                let t = Instant::now();
                let result = http
                    .post(&url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body.clone())
                    .send()
                    .await;
                let answer = match result {
                    Ok(resp) => {
                        let status = resp.status().as_u16();
                        Ok((status, resp.text().await.unwrap_or_default()))
                    }
                    Err(e) => Err(e.to_string()),
                };
                sent.push(Sent {
                    started: t,
                    latency: t.elapsed(),
                    answer,
                });
            }
            sent
        }));
    }
    let mut all = Vec::with_capacity(bodies.len());
    for w in workers {
        all.extend(w.await.unwrap());
    }
    (all, started.elapsed())
}

/// The ledgers of a load run, each fresh: an SQLite file in `dir` (unless
/// `CREATOR_LOAD_DB` names another ledger), then, when a PostgreSQL server is
/// known (`CREATOR_LOAD_DB=postgres://…`, else `CREATOR_TEST_POSTGRES_URL` at
/// run or build time), a schema of its own on it, so both backends are
/// measured in one run. The schemas are dropped by [`drop_schemas`].
async fn ledgers(dir: &TempDir, name: &str) -> Vec<String> {
    let load_db = std::env::var("CREATOR_LOAD_DB")
        .ok()
        .filter(|v| !v.is_empty());
    let mut dbs = Vec::new();
    match &load_db {
        Some(db) if !ledger::is_postgres_url(db) => dbs.push(db.clone()),
        _ => dbs.push(dir.path().join(name).to_string_lossy().into_owned()),
    }
    let server = load_db
        .filter(|db| ledger::is_postgres_url(db))
        .or_else(|| {
            std::env::var("CREATOR_TEST_POSTGRES_URL")
                .ok()
                .or_else(|| option_env!("CREATOR_TEST_POSTGRES_URL").map(str::to_owned))
                .filter(|v| !v.is_empty())
        });
    if let Some(base) = server {
        dbs.push(crate::postgres::fresh_schema_url(&base, name.trim_end_matches(".db")).await);
    }
    dbs
}

/// Drops the PostgreSQL schemas [`ledgers`] made.
async fn drop_schemas(dbs: &[String]) {
    for db in dbs.iter().filter(|db| ledger::is_postgres_url(db)) {
        crate::postgres::drop_schema_url(db).await;
    }
}

fn backend(db: &str) -> &'static str {
    if ledger::is_postgres_url(db) {
        "postgres"
    } else {
        "sqlite"
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "load test: run with --release -- --ignored load --nocapture"]
async fn load_20000_sale_pings_with_10_percent_redeliveries_from_32_clients() {
    let dir = TempDir::new("load");
    let dbs = ledgers(&dir, "load.db").await;
    for db in &dbs {
        load_run(db).await;
    }
    drop_schemas(&dbs).await;
}

/// One load run on the fresh ledger `db`: reports and asserts.
async fn load_run(db: &str) {
    let total = env_usize("CREATOR_LOAD_DELIVERIES", 20_000);
    let clients = env_usize("CREATOR_LOAD_CLIENTS", 32);
    let duplicates = total / 10;
    let unique = total - duplicates;

    let relay = spawn_relay_with(
        db,
        &[("CREATOR_GUMROAD_SECRET", GUMROAD_SECRET)],
        &["--quiet"],
    )
    .await;
    let url = format!("{}/webhooks/gumroad/{GUMROAD_SECRET}", relay.base);

    // Bodies: the quick-start Ping with a distinct sale_id per sale; every
    // tenth delivery repeats an earlier sale, as Gumroad's retries do.
    let template = String::from_utf8(fixture("cli/gumroad_sale_ping.form")).unwrap();
    let body = |i: usize| {
        template
            .replace(
                "sale_id=QuickStartSale0000000w%3D%3D",
                &format!("sale_id=LoadSale{i:08}%3D%3D"),
            )
            .into_bytes()
    };
    let mut plan: Vec<usize> = (0..unique).collect();
    plan.extend((0..duplicates).map(|k| (k * 7919) % unique));
    shuffle(&mut plan, 0x5eed);
    let bodies: Arc<Vec<Vec<u8>>> = Arc::new(plan.iter().map(|&i| body(i)).collect());

    let (sent, elapsed) = post_all(&url, bodies, clients).await;
    let mut latencies = Vec::with_capacity(total);
    let mut stored = 0;
    let mut failures = Vec::new();
    for one in sent {
        match one.answer {
            Ok((status, text)) => {
                latencies.push(one.latency);
                if status != 200 {
                    failures.push(format!("{status} {text}"));
                } else if text.contains("\"stored\"") {
                    stored += 1;
                }
            }
            Err(e) => failures.push(e),
        }
    }
    let status = sigterm_and_wait(relay).await;
    assert!(status.success(), "relay exit: {status:?}");

    latencies.sort();
    let rate = total as f64 / elapsed.as_secs_f64();
    let (p50, p90, p99, max) = (
        percentile(&latencies, 50.0),
        percentile(&latencies, 90.0),
        percentile(&latencies, 99.0),
        latencies.last().copied().unwrap_or_default(),
    );
    let ledger = ledger::open(db).await.unwrap();
    let stats = ledger.stats().await.unwrap();
    ledger.close().await;
    eprintln!(
        "creator relay load test: {total} deliveries ({unique} unique, {duplicates} redeliveries), {clients} clients, ledger {}\n  \
         elapsed {:.2} s, {rate:.0} deliveries/s\n  \
         latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms\n  \
         answers: {} ok, {stored} stored, {} failed\n  \
         ledger: {} events, {} deliveries counted, {} quarantined",
        backend(db),
        elapsed.as_secs_f64(),
        p50.as_secs_f64() * 1e3,
        p90.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3,
        latencies.len() - failures.len(),
        failures.len(),
        stats.events,
        stats.deliveries,
        stats.quarantined,
    );
    assert!(
        failures.is_empty(),
        "{} failures, first: {:?}",
        failures.len(),
        failures.first()
    );
    assert_eq!(
        stored, unique,
        "each unique sale answered `stored` exactly once"
    );
    assert_eq!(
        stats.events, unique as i64,
        "the ledger holds exactly the unique events"
    );
    assert_eq!(stats.deliveries, total as i64);
    assert_eq!(stats.quarantined, 0);
    assert!(
        p99 < Duration::from_secs(1),
        "p99 {p99:?} is not well under 5 s"
    );
}

/// A destination for the forwarding benchmark: answers 200 at once and
/// stamps when each `webhook-id` first arrived.
struct Stamps {
    first: std::sync::Mutex<std::collections::HashMap<String, Instant>>,
    requests: AtomicUsize,
}

async fn stamp(
    axum::extract::State(stamps): axum::extract::State<Arc<Stamps>>,
    headers: axum::http::HeaderMap,
) -> axum::http::StatusCode {
    let now = Instant::now();
    stamps.requests.fetch_add(1, Ordering::Relaxed);
    if let Some(id) = headers.get("webhook-id").and_then(|v| v.to_str().ok()) {
        stamps
            .first
            .lock()
            .unwrap()
            .entry(id.to_owned())
            .or_insert(now);
    }
    axum::http::StatusCode::OK
}

/// One run of the forwarding benchmark.
struct ForwardRun {
    intake: Vec<Duration>,
    end_to_end: Vec<Duration>,
    posting: Duration,
    forwarded_in: Duration,
    requests: usize,
}

/// Posts `total` distinct sale Pings from `clients` senders to a fresh relay
/// on `db`, forwarding to a loopback destination when `forward` is set.
async fn forward_run(db: &str, total: usize, clients: usize, forward: bool) -> ForwardRun {
    let stamps = Arc::new(Stamps {
        first: Default::default(),
        requests: AtomicUsize::new(0),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dest = format!("http://{}/hooks", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .fallback(stamp)
        .with_state(stamps.clone());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let concurrency =
        std::env::var("CREATOR_LOAD_FORWARD_CONCURRENCY").unwrap_or_else(|_| "16".into());
    let mut args = vec!["--quiet"];
    if forward {
        args.extend(["--forward", &dest, "--forward-concurrency", &concurrency]);
    }
    let relay = spawn_relay_with(db, &[("CREATOR_GUMROAD_SECRET", GUMROAD_SECRET)], &args).await;
    let url = format!("{}/webhooks/gumroad/{GUMROAD_SECRET}", relay.base);
    let template = String::from_utf8(fixture("cli/gumroad_sale_ping.form")).unwrap();
    let run_tag = time::OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000;
    let bodies: Arc<Vec<Vec<u8>>> = Arc::new(
        (0..total)
            .map(|i| {
                template
                    .replace(
                        "sale_id=QuickStartSale0000000w%3D%3D",
                        &format!("sale_id=Fwd{run_tag}x{i:08}%3D%3D"),
                    )
                    .into_bytes()
            })
            .collect(),
    );
    let started = Instant::now();
    let (posts, posting) = post_all(&url, bodies, clients).await;
    let sent: Vec<(i64, Instant, Duration)> = posts
        .into_iter()
        .map(|one| {
            let (status, text) = one.answer.expect("an answer");
            assert_eq!(status, 200, "{text}");
            let answer: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(answer["status"], "stored", "{answer}");
            (answer["id"].as_i64().unwrap(), one.started, one.latency)
        })
        .collect();
    let mut end_to_end = Vec::new();
    if forward {
        let deadline = Instant::now() + Duration::from_secs(300);
        while stamps.first.lock().unwrap().len() < total {
            assert!(
                Instant::now() < deadline,
                "only {} of {total} forwarded",
                stamps.first.lock().unwrap().len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let first = stamps.first.lock().unwrap();
        for (id, t, _) in &sent {
            end_to_end.push(first[&format!("evt_{id}")] - *t);
        }
    }
    let forwarded_in = started.elapsed();
    let status = sigterm_and_wait(relay).await;
    assert!(status.success(), "relay exit: {status:?}");
    server.abort();
    let mut intake: Vec<Duration> = sent.iter().map(|(_, _, d)| *d).collect();
    intake.sort();
    end_to_end.sort();
    ForwardRun {
        intake,
        end_to_end,
        posting,
        forwarded_in,
        requests: stamps.requests.load(Ordering::Relaxed),
    }
}

/// The forwarding benchmark (ignored by default):
///
/// ```sh
/// cargo test -p creator-cli --release --test it -- --ignored load_forwarding --nocapture
/// ```
///
/// On a fresh ledger (SQLite, or `CREATOR_LOAD_DB=postgres://…` with
/// `--features postgres`; use an empty database), `CREATOR_LOAD_CLIENTS`
/// (32) senders post `CREATOR_LOAD_FORWARD_DELIVERIES` (5,000) distinct
/// Gumroad sale Pings twice: first with no destination (forwarding off),
/// then to a relay forwarding to a loopback destination that answers 200 at
/// once, with `CREATOR_LOAD_FORWARD_CONCURRENCY` (16, the default of
/// `--forward-concurrency`) requests in flight. It reports the intake's latency both ways, the end-to-end latency
/// from the start of the platform's POST to the destination's receipt, and
/// the forwarding throughput; it asserts every event arrived.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: run with --release -- --ignored load_forwarding --nocapture"]
async fn load_forwarding_end_to_end_latency_and_throughput_from_32_senders() {
    let total = env_usize("CREATOR_LOAD_FORWARD_DELIVERIES", 5_000);
    let clients = env_usize("CREATOR_LOAD_CLIENTS", 32);
    let dir = TempDir::new("load-forward");
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let offs = ledgers(&dir, "off.db").await;
    let ons = ledgers(&dir, "on.db").await;
    for (off_db, on_db) in offs.iter().zip(&ons) {
        let off = forward_run(off_db, total, clients, false).await;
        let on = forward_run(on_db, total, clients, true).await;
        eprintln!(
            "creator relay forwarding benchmark: {total} distinct sale Pings, {clients} senders, ledger {}, forward concurrency {}\n  \
             forwarding off: intake {:.0}/s, p50 {:.1} ms, p99 {:.1} ms\n  \
             forwarding on:  intake {:.0}/s, p50 {:.1} ms, p99 {:.1} ms\n  \
             end to end (POST start to receipt): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms\n  \
             forwarded {total} events in {:.2} s: {:.0} events/s ({} requests at the destination)",
            backend(on_db),
            std::env::var("CREATOR_LOAD_FORWARD_CONCURRENCY").unwrap_or_else(|_| "16".into()),
            total as f64 / off.posting.as_secs_f64(),
            ms(percentile(&off.intake, 50.0)),
            ms(percentile(&off.intake, 99.0)),
            total as f64 / on.posting.as_secs_f64(),
            ms(percentile(&on.intake, 50.0)),
            ms(percentile(&on.intake, 99.0)),
            ms(percentile(&on.end_to_end, 50.0)),
            ms(percentile(&on.end_to_end, 99.0)),
            ms(on.end_to_end.last().copied().unwrap_or_default()),
            on.forwarded_in.as_secs_f64(),
            total as f64 / on.forwarded_in.as_secs_f64(),
            on.requests,
        );
        assert_eq!(on.end_to_end.len(), total);
        assert!(on.requests >= total);
    }
    drop_schemas(&offs).await;
    drop_schemas(&ons).await;
}
