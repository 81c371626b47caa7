//! The web console on a big ledger: does a page of a million events open
//! as fast as a page of an empty ledger? Not a test; figures go into
//! docs/performance.md.
//!
//! `cargo bench -p creator-cli --bench console` (`CONSOLE_BENCH_EVENTS`
//! changes the million) starts a relay with `--console` on an SQLite ledger
//! in the temp directory, signs in over HTTP as a browser would, and times
//! whole console pages (`GET` to the last byte, rendered HTML) on the empty
//! ledger, then again after storing the events through `Ledger::record_event`
//! (256 at a time, so the writer's group commit applies): the first page,
//! a page deep in the middle (by the id cursor), the provider and kind
//! filters, one event, and a text search (which reads rows newest first
//! until a page is full, so a text that matches nothing reads them all).
//!
//! The events have the shape the relay stores for a Gumroad sale ping and a
//! Gank payment (`fixtures/…/sale.form` and `webhook_digital_goods.json` as
//! raw bodies), alternating, with their ids varied per event.

use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use creator_cli::ledger::{self, NewEvent};
use creator_cli::relay::console::ConsoleConfig;
use creator_cli::relay::{Relay, RelayConfig};
use creator_core::Secret;
use futures::future::join_all;

const TOKEN: &str = "console-bench-token-0123456789";
const BATCH: usize = 256;
const RUNS: usize = 20;

fn fixture(rel: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The doctor page's checks of a relay taking both providers' deliveries.
fn doctor_setup() -> creator_cli::relay::console::checkup::DoctorSetup {
    let mut setup = creator_cli::relay::console::checkup::DoctorSetup::default();
    setup.doctor.expected_providers = vec!["gumroad".into(), "gank".into()];
    setup
}

fn event(i: usize, gumroad: &[u8], gank: &[u8]) -> NewEvent {
    let (provider, kind, name, content_type, body) = if i.is_multiple_of(2) {
        let body = String::from_utf8_lossy(gumroad).replace("sale_id=", &format!("sale_id=b{i}x"));
        (
            "gumroad",
            if i.is_multiple_of(10) {
                "refund"
            } else {
                "sale"
            },
            "sale",
            "application/x-www-form-urlencoded",
            body.into_bytes(),
        )
    } else {
        let body = String::from_utf8_lossy(gank).replace("DG-260227-", &format!("DG-{i}-"));
        (
            "gank",
            "sale",
            "DIGITAL_GOODS.TX_SUCCEED",
            "application/json",
            body.into_bytes(),
        )
    };
    let subject = format!("bench-{i}");
    let json = serde_json::json!({
        "provider": provider, "kind": kind, "name": name, "subject_id": subject,
        "sale": {"id": subject, "product_id": "prod_bench",
                 "customer": {"email": format!("buyer{i}@example.com")}},
    });
    NewEvent {
        identity: format!("{provider}:{kind}:{subject}"),
        fingerprint: None,
        retry: None,
        endpoint: provider.into(),
        provider: provider.into(),
        kind: kind.into(),
        name: name.into(),
        subject_id: subject,
        occurred_at: None,
        test: false,
        verified: "signature".into(),
        received_at: ledger::timestamp(time::OffsetDateTime::now_utc()),
        content_type: Some(content_type.into()),
        headers: "{}".into(),
        raw_body: Bytes::from(body),
        event: json.to_string(),
        field_errors: "[]".into(),
        recovered_from: None,
    }
}

/// Median and slowest of `RUNS` fetches of `path`, milliseconds.
async fn time_page(
    http: &reqwest::Client,
    base: &str,
    cookie: &str,
    path: &str,
) -> (f64, f64, usize) {
    let mut times = Vec::with_capacity(RUNS);
    let mut size = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let response = http
            .get(format!("{base}{path}"))
            .header("cookie", cookie)
            .send()
            .await
            .expect("page");
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        size = response.bytes().await.expect("body").len();
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    (times[RUNS / 2], times[RUNS - 1], size)
}

async fn report(
    label: &str,
    http: &reqwest::Client,
    base: &str,
    cookie: &str,
    pages: &[(&str, String)],
) {
    println!("{label}");
    for (name, path) in pages {
        let (median, max, size) = time_page(http, base, cookie, path).await;
        println!("  {name:<34} median {median:8.2} ms   slowest {max:8.2} ms   {size:6} bytes");
    }
}

#[tokio::main]
async fn main() {
    let events: usize = std::env::var("CONSOLE_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = std::env::temp_dir().join(format!("creator-bench-console-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = dir.join("bench.db");
    let ledger = ledger::open(db.to_str().expect("utf-8"))
        .await
        .expect("ledger");
    let relay = Relay::start(
        RelayConfig {
            listen: "127.0.0.1:0".parse().expect("addr"),
            forward: None,
            console: Some(ConsoleConfig {
                token: Secret::new(TOKEN),
                doctor: doctor_setup(),
            }),
            ..RelayConfig::default()
        },
        Vec::new(),
        Arc::clone(&ledger),
    )
    .await
    .expect("relay");
    let base = format!("http://{}", relay.local_addr());
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let login = http
        .post(format!("{base}/console/login"))
        .form(&[("token", TOKEN)])
        .send()
        .await
        .expect("login");
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_owned();

    let first = |extra: &str| format!("/console/events{extra}");
    let empty_pages = [
        ("events, first page", first("")),
        ("events, provider=gank", first("?provider=gank")),
        (
            "events, text that matches nothing",
            first("?q=no-such-text"),
        ),
        ("doctor page", "/console/doctor".to_owned()),
    ];
    report("empty ledger", &http, &base, &cookie, &empty_pages).await;

    let gumroad = fixture("gumroad/webhooks/sale.form");
    let gank = fixture("gank/webhook_digital_goods.json");
    let start = Instant::now();
    for chunk in (0..events).collect::<Vec<_>>().chunks(BATCH) {
        let writes = chunk
            .iter()
            .map(|i| ledger.record_event(event(*i, &gumroad, &gank)));
        for r in join_all(writes).await {
            r.expect("stored");
        }
    }
    let fill = start.elapsed().as_secs_f64();
    println!(
        "stored {events} events in {fill:.0} s ({:.1} µs/event); ledger file {} MiB",
        fill * 1e6 / events as f64,
        std::fs::metadata(&db)
            .map(|m| m.len() / (1024 * 1024))
            .unwrap_or(0)
    );
    let middle = events / 2;
    let full_pages = [
        ("events, first page", first("")),
        (
            "events, page at the middle (cursor)",
            first(&format!("?before={middle}")),
        ),
        ("events, provider=gank", first("?provider=gank")),
        ("events, kind=refund (1 in 10)", first("?kind=refund")),
        ("one event", format!("/console/events/{middle}")),
        ("quarantine, first page", "/console/quarantine".to_owned()),
        (
            "events, text in the newest page",
            first(&format!("?q=buyer{}%40", events - 1)),
        ),
        (
            "events, text that matches nothing",
            first("?q=no-such-text"),
        ),
        ("doctor page", "/console/doctor".to_owned()),
    ];
    report(
        &format!("{events} events"),
        &http,
        &base,
        &cookie,
        &full_pages,
    )
    .await;
    relay.shutdown().await.expect("shutdown");
    let _ = std::fs::remove_dir_all(&dir);
}
