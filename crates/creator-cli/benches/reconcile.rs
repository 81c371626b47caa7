//! `creator reconcile` over a window of N sales (default 10,000) on the
//! local stand-in of Gumroad's `GET /v2/sales`
//! (`creator_testkit::sales_standin`: ten sales a page, each the shape of
//! the recorded `fixtures/gumroad/sale.json`). Not a test; figures go into
//! docs/performance.md.
//!
//! `cargo bench -p creator-cli --bench reconcile -- [--sales N]
//! [--latency-ms L] [--cap C]`, on an SQLite ledger in the temp directory:
//! - `empty`: nothing was delivered, so every sale is recovered (stored
//!   through the intake's path, with its outbox row for one destination);
//! - `stored`: the same window again, everything found stored;
//! - `windowed`: `empty` with `--concurrency 4` (four day windows in flight).
//!
//! Each prints the requests the stand-in answered (and refused with 429
//! above `--cap` a second), the wall time and the events recovered.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use creator_cli::commands::reconcile::{ReconcileOptions, Source, reconcile};
use creator_cli::ledger::{self, Ledger, NewDestination, timestamp};
use creator_core::window::Windowing;
use creator_core::{Provider, Secret};
use creator_testkit::sales_standin::SalesStandIn;
use time::macros::datetime;
use wiremock::MockServer;

struct Settings {
    sales: usize,
    latency: Duration,
    cap: Option<usize>,
}

fn settings() -> Settings {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    Settings {
        sales: value("--sales").map_or(10_000, |n| n as usize),
        latency: Duration::from_millis(value("--latency-ms").unwrap_or(0)),
        cap: value("--cap").map(|n| n as usize),
    }
}

async fn ledger_in(dir: &std::path::Path, name: &str) -> Arc<dyn Ledger> {
    let ledger = ledger::open(dir.join(name).to_str().unwrap())
        .await
        .unwrap();
    ledger
        .add_destination(NewDestination {
            name: "app".into(),
            url: "http://127.0.0.1:9/hooks".into(),
            secret: Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            provider: None,
            kind: None,
            now: timestamp(time::OffsetDateTime::now_utc()),
        })
        .await
        .unwrap();
    ledger
}

async fn phase(
    name: &str,
    s: &Settings,
    ledger: &dyn Ledger,
    windows: Option<Windowing>,
    standin: Option<(MockServer, Arc<SalesStandIn>)>,
) -> (MockServer, Arc<SalesStandIn>) {
    let (server, standin) = match standin {
        Some(pair) => pair,
        None => {
            let server = MockServer::start().await;
            let mut standin = SalesStandIn::year(s.sales).latency(s.latency);
            if let Some(cap) = s.cap {
                standin = standin.cap(cap);
            }
            let standin = standin.mount(&server).await;
            (server, standin)
        }
    };
    let (served0, refused0) = (
        standin.served.load(Ordering::Relaxed),
        standin.refused.load(Ordering::Relaxed),
    );
    let client = Arc::new(
        gumroad_api::GumroadClient::builder(Secret::new("bench-token"))
            .base_url(server.uri())
            .build()
            .unwrap(),
    );
    let source = Source {
        provider: Provider::Gumroad,
        sales: client,
        subscribers: None,
    };
    let mut options = ReconcileOptions::new(format!("bench-{name}"));
    options.since = Some(datetime!(2025-01-01 00:00 UTC));
    options.windows = windows;
    let started = Instant::now();
    let report = reconcile(ledger, &source, &options).await.unwrap();
    let took = started.elapsed();
    let seen: u64 = report.kinds.iter().map(|k| k.seen).sum();
    println!(
        "{name:<9} sales={} latency_ms={} cap={} requests={} refused_429={} seconds={:.2} seen={seen} recovered={} per_sale_us={:.0}",
        s.sales,
        s.latency.as_millis(),
        s.cap.map_or("none".into(), |c| c.to_string()),
        standin.served.load(Ordering::Relaxed) - served0,
        standin.refused.load(Ordering::Relaxed) - refused0,
        took.as_secs_f64(),
        report.missing(),
        took.as_secs_f64() * 1e6 / s.sales.max(1) as f64,
    );
    (server, standin)
}

#[tokio::main]
async fn main() {
    let s = settings();
    let dir = std::env::temp_dir().join(format!("creator-bench-reconcile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    let one = ledger_in(&dir, "sequential.db").await;
    let standin = phase("empty", &s, &*one, None, None).await;
    phase("stored", &s, &*one, None, Some(standin)).await;
    one.close().await;

    let four = ledger_in(&dir, "windowed.db").await;
    phase(
        "windowed",
        &s,
        &*four,
        Some(Windowing::default().concurrency(4)),
        None,
    )
    .await;
    four.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
