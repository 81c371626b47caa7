//! Wall time of a sales export against real latency: the sequential cursor
//! (`sales().list`) against day windows (`sales().list_windowed` at the
//! default settings), both served by a stand-in for `/v2/sales`
//! (`creator_testkit::sales_standin`: N sales over a year, ten per page, a fixed
//! latency per page, 429 with `Retry-After: 1` above a request-rate cap).
//!
//! `cargo bench -p gumroad-api --bench windowed_sales -- --sales 10000 --latency-ms 250 --cap 10`
//! runs one size; each mode runs in a child process (this binary with
//! `--mode`), so its peak resident set (`VmHWM`) is its own. Under
//! `cargo test` (no `--bench`) it runs a 300-sale smoke pass at 5 ms.
//!
//! Printed per mode: wall time, requests the server answered, 429s, peak
//! memory, and a digest of the sorted sale ids, so both modes are checked
//! to produce the same set.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use creator_core::window::{WindowOrder, Windowing};
use futures::TryStreamExt;
use gumroad_api::{GumroadClient, SalesQuery};
use time::macros::date;
use wiremock::MockServer;

use creator_testkit::sales_standin::SalesStandIn;

mod support;

fn run_mode(mode: &str, sales: usize, latency: Duration, cap: usize) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let server = MockServer::start().await;
        let stand = SalesStandIn::year(sales)
            .latency(latency)
            .cap(cap)
            .mount(&server)
            .await;
        let client = GumroadClient::builder("bench-token")
            .base_url(server.uri())
            .build()
            .expect("client");
        let query = SalesQuery::new()
            .after(date!(2025 - 01 - 01))
            .before(date!(2026 - 01 - 01));
        let started = Instant::now();
        let mut ids: Vec<String> = match mode {
            "sequential" => client.sales().list(&query).map_ok(|s| s.id).try_collect().await,
            "windowed" => {
                client
                    .sales()
                    .list_windowed(&query, &Windowing::default())
                    .map_ok(|s| s.id)
                    .try_collect()
                    .await
            }
            "windowed-as-completed" => {
                let windows = Windowing::default().order(WindowOrder::AsCompleted);
                client
                    .sales()
                    .list_windowed(&query, &windows)
                    .map_ok(|s| s.id)
                    .try_collect()
                    .await
            }
            other => panic!("unknown mode {other}"),
        }
        .expect("the listing succeeds");
        let secs = started.elapsed().as_secs_f64();
        let count = ids.len();
        let unique = {
            ids.sort_unstable();
            ids.dedup();
            ids.len()
        };
        let mut hasher = DefaultHasher::new();
        ids.hash(&mut hasher);
        let mut all: Vec<&str> = stand.ids().collect();
        all.sort_unstable();
        let complete = all == ids;
        println!(
            "RESULT mode={mode} sales={count} unique={unique} every_sale={complete} secs={secs:.1} requests={} refused_429={} peak_kib={} set={:016x}",
            stand.served.load(Ordering::Relaxed),
            stand.refused.load(Ordering::Relaxed),
            support::status_kib("VmHWM:"),
            hasher.finish(),
        );
    });
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| support::arg(&args, name);
    let full = args.iter().any(|a| a == "--bench");
    let sales: usize = arg("--sales")
        .and_then(|s| s.parse().ok())
        .unwrap_or(if full { 10_000 } else { 300 });
    let latency_ms: u64 = arg("--latency-ms")
        .and_then(|s| s.parse().ok())
        .unwrap_or(if full { 250 } else { 5 });
    let cap: usize = arg("--cap").and_then(|s| s.parse().ok()).unwrap_or(10);
    let latency = Duration::from_millis(latency_ms);
    if let Some(mode) = arg("--mode") {
        run_mode(&mode, sales, latency, cap);
        return;
    }
    let modes: Vec<String> = arg("--modes").map_or_else(
        || vec!["sequential".into(), "windowed".into()],
        |m| m.split(',').map(str::to_owned).collect(),
    );
    println!(
        "windowed_sales: {sales} sales over 2025, 10 per page, {latency_ms} ms per page, cap {cap} requests/s (429 above)"
    );
    let exe = std::env::current_exe().expect("current exe");
    for mode in &modes {
        let out = Command::new(&exe)
            .args(["--mode", mode, "--sales", &sales.to_string()])
            .args([
                "--latency-ms",
                &latency_ms.to_string(),
                "--cap",
                &cap.to_string(),
            ])
            .output()
            .expect("run mode");
        assert!(
            out.status.success(),
            "mode {mode} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            if line.starts_with("RESULT") {
                println!("{line}");
            }
        }
    }
}
