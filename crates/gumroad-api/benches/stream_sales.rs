//! Streams 100,000 sales (10 per page, as Gumroad serves them) from a tiny
//! in-process HTTP/1.1 server on 127.0.0.1 and reports pages per second and
//! memory, for `GumroadClient::sales().list(..)` and for bare
//! reqwest + serde_json baselines making the same requests:
//!
//! - `client`: the stream (`sales().list`), as users call it;
//! - `client-pages`: the same client paging by hand with `sales().page`;
//! - `bare-full-model`: reqwest + serde_json into the full `gumroad_api::Sale`;
//! - `bare-typed`: reqwest + serde_json into a 4-field struct (ad hoc code);
//! - `bare-value`: reqwest + serde_json into `serde_json::Value`.
//!
//! `cargo bench -p gumroad-api --bench stream_sales` runs the full size.
//! Under `cargo test` (no `--bench` argument) it runs a 20-page smoke pass.
//!
//! Each measurement runs in a fresh child process (this binary re-executed
//! with `--phase <name>`), so the peak resident set (`VmHWM`) of one phase
//! is not inflated by another. The server lives in the same process as the
//! client it serves; its footprint is included in every phase alike.

use std::io::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use gumroad_api::{GumroadClient, SalesQuery};
use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

mod support;

const PER_PAGE: usize = 10;

/// One sale as the server sends it, split around its id.
struct Template {
    before_id: String,
    after_id: String,
}

fn template() -> Template {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/gumroad/sale.json"
    );
    let raw = std::fs::read(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    let doc: serde_json::Value = serde_json::from_slice(&raw).expect("sale.json is JSON");
    let mut sale = doc["sale"].clone();
    sale["id"] = serde_json::Value::String("@@ID@@".into());
    let text = serde_json::to_string(&sale).expect("serializes");
    let (before_id, after_id) = text.split_once("@@ID@@").expect("placeholder present");
    Template {
        before_id: before_id.to_owned(),
        after_id: after_id.to_owned(),
    }
}

fn page_body(t: &Template, page: usize, pages: usize) -> Vec<u8> {
    let mut body = String::with_capacity(16 * 1024);
    body.push_str(r#"{"success":true,"sales":["#);
    for i in 0..PER_PAGE {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&t.before_id);
        body.push_str(&format!("sale-{page:06}-{i:02}=="));
        body.push_str(&t.after_id);
    }
    body.push(']');
    if page + 1 < pages {
        let next = page + 1;
        body.push_str(&format!(
            r#","next_page_key":"20250101000000000000-{next}","next_page_url":"/v2/sales?page_key=20250101000000000000-{next}""#
        ));
    }
    body.push('}');
    body.into_bytes()
}

/// A minimal keep-alive HTTP/1.1 responder for `GET /v2/sales?page_key=…`.
async fn serve(listener: TcpListener, pages: usize) {
    let t = std::sync::Arc::new(template());
    loop {
        let Ok((mut sock, _)) = listener.accept().await else {
            return;
        };
        let _ = sock.set_nodelay(true);
        let t = t.clone();
        tokio::spawn(async move {
            let mut buf = Vec::with_capacity(4096);
            let mut chunk = [0u8; 4096];
            loop {
                let head_end = loop {
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
                buf.drain(..head_end);
                let target = head.split_whitespace().nth(1).unwrap_or("/");
                let page = target
                    .split_once("page_key=")
                    .and_then(|(_, k)| k.split('&').next())
                    .and_then(|k| k.rsplit('-').next())
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(0);
                let body = page_body(&t, page, pages);
                let mut response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\n\r\n",
                    body.len()
                )
                .into_bytes();
                response.extend_from_slice(&body);
                if sock.write_all(&response).await.is_err() {
                    return;
                }
            }
        });
    }
}

/// Samples of resident memory while streaming (KiB), taken every `every` pages.
struct Probe {
    every: usize,
    samples: Vec<(usize, u64)>,
}

impl Probe {
    fn new(pages: usize) -> Self {
        Self {
            every: (pages / 10).max(1),
            samples: Vec::new(),
        }
    }

    fn page_done(&mut self, page: usize) {
        if page.is_multiple_of(self.every) {
            self.samples.push((page, support::status_kib("VmRSS:")));
        }
    }
}

#[derive(Deserialize)]
struct BareSale {
    id: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    price: Option<i64>,
    #[serde(default)]
    created_at: Option<String>,
}

#[derive(Deserialize)]
struct BarePage<T> {
    sales: Vec<T>,
    #[serde(default)]
    next_page_key: Option<String>,
}

async fn bare<T: serde::de::DeserializeOwned>(
    base: &str,
    probe: &mut Probe,
    count: impl Fn(&T) -> usize,
) -> usize {
    let http = reqwest::Client::new();
    let mut key: Option<String> = None;
    let mut sales = 0;
    let mut page = 0;
    loop {
        let mut req = http
            .get(format!("{base}/v2/sales"))
            .bearer_auth("bench-token");
        if let Some(k) = &key {
            req = req.query(&[("page_key", k)]);
        }
        let bytes = req
            .send()
            .await
            .expect("request")
            .bytes()
            .await
            .expect("body");
        let parsed: BarePage<T> = serde_json::from_slice(&bytes).expect("decode");
        sales += parsed.sales.iter().map(&count).sum::<usize>();
        page += 1;
        probe.page_done(page);
        match parsed.next_page_key {
            Some(k) => key = Some(k),
            None => return sales,
        }
    }
}

async fn client(base: &str, probe: &mut Probe) -> usize {
    let client = GumroadClient::builder("bench-token")
        .base_url(base)
        .build()
        .expect("client");
    let mut stream = client.sales().list(&SalesQuery::new());
    let mut sales: usize = 0;
    while let Some(sale) = stream.try_next().await.expect("stream") {
        std::hint::black_box(&sale);
        sales += 1;
        if sales.is_multiple_of(PER_PAGE) {
            probe.page_done(sales / PER_PAGE);
        }
    }
    sales
}

/// The same client, paging by hand with `sales().page(..)` instead of the
/// stream: isolates the stream's own cost (creator-core's `paginate` keeps
/// every cursor it has seen to detect loops).
async fn client_pages(base: &str, probe: &mut Probe) -> usize {
    let client = GumroadClient::builder("bench-token")
        .base_url(base)
        .build()
        .expect("client");
    let query = SalesQuery::new();
    let mut key: Option<String> = None;
    let mut sales = 0;
    let mut page = 0;
    loop {
        let p = client
            .sales()
            .page(&query, key.as_deref())
            .await
            .expect("page");
        sales += p.items.len();
        std::hint::black_box(&p.items);
        page += 1;
        probe.page_done(page);
        match p.next_page_key {
            Some(k) => key = Some(k),
            None => return sales,
        }
    }
}

/// Runs one phase in this process and prints one result line.
fn run_phase(phase: &str, pages: usize) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(serve(listener, pages));
        let mut probe = Probe::new(pages);
        let rss_before = support::status_kib("VmRSS:");
        let start = Instant::now();
        let sales = match phase {
            "client" => client(&base, &mut probe).await,
            "client-pages" => client_pages(&base, &mut probe).await,
            "bare-typed" => {
                bare::<BareSale>(&base, &mut probe, |s| {
                    std::hint::black_box((&s.id, &s.email, s.price, &s.created_at));
                    1
                })
                .await
            }
            "bare-full-model" => {
                bare::<gumroad_api::Sale>(&base, &mut probe, |s| {
                    std::hint::black_box(s);
                    1
                })
                .await
            }
            "bare-value" => {
                bare::<serde_json::Value>(&base, &mut probe, |v| {
                    std::hint::black_box(v);
                    1
                })
                .await
            }
            other => panic!("unknown phase {other}"),
        };
        let elapsed = start.elapsed();
        assert_eq!(sales, pages * PER_PAGE, "{phase}: every sale streamed");
        let rss: Vec<u64> = probe.samples.iter().map(|(_, r)| *r).collect();
        // VmHWM is synced lazily by the kernel; report the larger of the two.
        let peak = support::status_kib("VmHWM:").max(rss.iter().copied().max().unwrap_or(0));
        println!(
            "RESULT phase={phase} pages={pages} sales={sales} secs={:.3} pages_per_s={:.0} \
             rss_start_kib={rss_before} rss_samples_kib={rss:?} peak_kib={peak}",
            elapsed.as_secs_f64(),
            pages as f64 / elapsed.as_secs_f64().max(f64::EPSILON),
        );
    });
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| support::arg(&args, name);
    let full = args.iter().any(|a| a == "--bench");
    let sales: usize = arg("--sales")
        .and_then(|s| s.parse().ok())
        .unwrap_or(if full { 100_000 } else { 200 });
    let pages = sales.div_ceil(PER_PAGE);
    if let Some(phase) = arg("--phase") {
        run_phase(&phase, pages);
        return;
    }
    let exe = std::env::current_exe().expect("current exe");
    println!(
        "stream_sales: {sales} sales, {PER_PAGE} per page, {pages} pages, local HTTP/1.1 server on 127.0.0.1"
    );
    for phase in [
        "client",
        "client-pages",
        "bare-full-model",
        "bare-typed",
        "bare-value",
    ] {
        let started = Instant::now();
        let out = Command::new(&exe)
            .args(["--phase", phase, "--sales", &sales.to_string()])
            .output()
            .expect("run phase");
        assert!(
            out.status.success(),
            "phase {phase} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        for line in text.lines().filter(|l| l.starts_with("RESULT")) {
            println!("{line}");
        }
        let _ = std::io::stdout().flush();
        if !full && started.elapsed() > Duration::from_secs(30) {
            eprintln!("smoke run took {:?}", started.elapsed());
        }
    }
}
