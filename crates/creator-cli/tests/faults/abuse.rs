//! Strangers trying to make the relay slow, full or wrong.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::harness::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_signature_headers_and_large_bodies_do_not_stall_valid_deliveries() {
    let dir = TempDir::new("hostile");
    let launch = Launch::new(&dir.db()).with_gank();
    let relay = Relay::start(&launch).await;
    let stop = Arc::new(AtomicBool::new(false));
    let hostile_sent = Arc::new(AtomicUsize::new(0));
    let statuses = Arc::new(std::sync::Mutex::new(std::collections::BTreeMap::<
        String,
        usize,
    >::new()));
    // 16 hostile clients from 127.0.0.2: signature headers of `00 00 …`
    // (200 KiB, and 30 KiB under the server's head limit so the verifier
    // sees it) over 256 KiB bodies.
    let body = vec![b'{'; 256 * 1024];
    let mut hostile = Vec::new();
    for i in 0..16 {
        let (stop, sent, statuses, body) = (
            stop.clone(),
            hostile_sent.clone(),
            statuses.clone(),
            body.clone(),
        );
        let url = format!("{}/webhooks/gank", relay.base);
        hostile.push(tokio::spawn(async move {
            let c = client(Some(loopback(2)));
            let size = if i % 2 == 0 { 200 * 1024 } else { 30 * 1024 };
            let header = "00 ".repeat(size / 3);
            while !stop.load(Ordering::Relaxed) {
                let r = c
                    .post(&url)
                    .header("content-type", "application/json")
                    .header(GANK_HEADER, header.as_str())
                    .body(body.clone())
                    .send()
                    .await;
                sent.fetch_add(1, Ordering::Relaxed);
                let key = match r {
                    Ok(r) => r.status().as_u16().to_string(),
                    Err(_) => "no answer".into(),
                };
                *statuses.lock().unwrap().entry(key).or_default() += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Valid Gumroad Pings from 127.0.0.3 meanwhile.
    let valid = 200;
    let mut latencies = Vec::new();
    let mut acked = Vec::new();
    let c = client(Some(loopback(3)));
    let url = relay.gumroad_url();
    let mut pending = Vec::new();
    for n in 0..valid {
        let (c, url) = (c.clone(), url.clone());
        pending.push(tokio::spawn(async move {
            let started = Instant::now();
            let status = post(&c, &url, ping(n)).await;
            (n, status, started.elapsed())
        }));
        if pending.len() == 4 {
            for t in pending.drain(..) {
                let (n, status, took) = t.await.unwrap();
                latencies.push(took);
                if status == Some(200) {
                    acked.push(n);
                }
            }
        }
    }
    for t in pending {
        let (n, status, took) = t.await.unwrap();
        latencies.push(took);
        if status == Some(200) {
            acked.push(n);
        }
    }
    stop.store(true, Ordering::Relaxed);
    for t in hostile {
        let _ = t.await;
    }
    let quarantine = {
        let ledger = creator_cli::ledger::open_read_only(&launch.db)
            .await
            .unwrap();
        let s = ledger.stats().await.unwrap();
        ledger.close().await;
        s
    };
    assert!(relay.sigterm().await.success());
    let stored = stored_sales(&launch.db).await;
    let counts = Counts::of(&acked, valid, &stored);
    let (p50, p99, max) = percentiles(latencies);
    report(&counts.line(
        "hostile signature headers (16 clients, 200 KiB / 30 KiB `00 00 …`, 256 KiB bodies)",
        &format!(
            "(valid p50 {p50:.1} ms p99 {p99:.1} ms max {max:.1} ms; hostile requests {} answered {:?}; quarantine {} rows {} bytes)",
            hostile_sent.load(Ordering::Relaxed),
            statuses.lock().unwrap(),
            quarantine.quarantined,
            quarantine.quarantine_bytes
        ),
    ));
    // Correctness only; the latencies are figures (docs/reliability.md),
    // never an assertion a loaded machine can fail.
    assert_eq!(
        counts.acknowledged, valid,
        "every valid Ping was acknowledged"
    );
    assert_eq!((counts.lost, counts.doubled), (0, 0));
    assert_eq!(counts.stored, valid, "every authentic delivery stored");
    let statuses = statuses.lock().unwrap();
    assert!(
        statuses.keys().all(|s| !s.starts_with('2')),
        "every hostile request refused (an error status or a closed connection): {statuses:?}"
    );
    assert_eq!(
        statuses.values().sum::<usize>(),
        hostile_sent.load(Ordering::Relaxed)
    );
}

/// Sends raw bytes and returns the status line's code, if any.
async fn raw(addr: &str, request: &[u8], close_write: bool) -> Option<u16> {
    let mut s = tokio::net::TcpStream::connect(addr).await.ok()?;
    s.write_all(request).await.ok()?;
    if close_write {
        s.shutdown().await.ok()?;
    }
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(15), s.read_to_end(&mut buf)).await;
    let text = String::from_utf8_lossy(&buf);
    text.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_truncated_non_utf8_and_10k_field_bodies_get_clear_answers() {
    let dir = TempDir::new("bodies");
    let launch = Launch::new(&dir.db());
    let relay = Relay::start(&launch).await;
    let addr = relay.base.trim_start_matches("http://").to_owned();
    let path = format!("/webhooks/gumroad/{SECRET}");
    let request = |body: &[u8], declared: usize| {
        let mut r = format!(
            "POST {path} HTTP/1.1\r\nHost: relay\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {declared}\r\nConnection: close\r\n\r\n"
        )
        .into_bytes();
        r.extend_from_slice(body);
        r
    };
    let oversized = vec![b'a'; 300 * 1024];
    let truncated = ping(1);
    let mut non_utf8 = ping(2);
    non_utf8.extend_from_slice(b"&full_name=\xff\xfe");
    let ten_thousand: Vec<u8> = (0..10_000)
        .map(|i| format!("f{i}=1"))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes();
    let cases: Vec<(&str, Vec<u8>, usize, bool)> = vec![
        (
            "oversized 300 KiB",
            oversized.clone(),
            oversized.len(),
            false,
        ),
        (
            "truncated (Content-Length 4000, sent less)",
            truncated.clone(),
            4_000,
            true,
        ),
        ("non-UTF-8", non_utf8.clone(), non_utf8.len(), false),
        (
            "10k fields",
            ten_thousand.clone(),
            ten_thousand.len(),
            false,
        ),
    ];
    let mut lines = Vec::new();
    let mut answers = Vec::new();
    for (name, body, declared, close) in &cases {
        let status = raw(&addr, &request(body, *declared), *close).await;
        lines.push(format!("{name} -> {status:?}"));
        answers.push(status);
    }
    // Still healthy and storing after all of that.
    let after = post(&client(None), &relay.gumroad_url(), ping(3)).await;
    let healthy = health(&relay.base).await;
    let q = {
        let ledger = creator_cli::ledger::open_read_only(&launch.db)
            .await
            .unwrap();
        let rows: Vec<_> =
            futures::TryStreamExt::try_collect(ledger.quarantined(Default::default()))
                .await
                .unwrap();
        ledger.close().await;
        rows
    };
    assert!(relay.sigterm().await.success());
    report(&format!(
        "fault hostile bodies: {}; then a valid Ping -> {after:?}, /healthz -> {healthy:?}; quarantined {} ({})",
        lines.join(", "),
        q.len(),
        q.iter()
            .map(|r| format!("{} {}", r.reason, r.raw_body.len()))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    // The truncated one passed the URL secret: it is authentic, so it gets a
    // 503 and the platform sends it again. The non-UTF-8 one is stored, its
    // one unreadable field named.
    assert_eq!(answers, [Some(413), Some(503), Some(200), Some(400)]);
    assert_eq!((after, healthy), (Some(200), Some(200)));
    let reasons: Vec<&str> = q.iter().map(|r| r.reason.as_str()).collect();
    assert_eq!(reasons, ["too_large", "parse"]);
    // Authentic but unreadable deliveries are kept whole; the rest bounded.
    assert_eq!(q[1].raw_body.len(), ten_thousand.len());
    assert!(q[0].raw_body.len() <= creator_cli::relay::PREFIX_BYTES);
}

/// The relay's peak resident memory (`VmHWM`), in MiB.
fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Bytes of the ledger's files (the database and its WAL).
fn ledger_bytes(db: &str) -> u64 {
    ["", "-wal"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(format!("{db}{suffix}")).ok())
        .map(|m| m.len())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_large_bodies_is_bounded_in_memory_and_in_the_ledger() {
    let dir = TempDir::new("flood");
    let launch = Launch::new(&dir.db()).with_gank();
    let relay = Relay::start(&launch).await;
    let pid = relay.child.id().expect("pid");
    let before_rss = peak_rss_mib(pid);
    let before_ledger = ledger_bytes(&launch.db);

    // 300 posts of 200 KB to the Gumroad endpoint with a wrong secret.
    let junk = vec![b'x'; 200 * 1000];
    let mut wrong_secret = std::collections::BTreeMap::<String, usize>::new();
    let c = client(Some(loopback(4)));
    for i in 0..300 {
        let status = post(
            &c,
            &format!("{}/webhooks/gumroad/not-the-secret-{i:04}", relay.base),
            junk.clone(),
        )
        .await;
        *wrong_secret.entry(format!("{status:?}")).or_default() += 1;
    }
    let after_strangers = ledger_bytes(&launch.db);

    // 1,500 concurrent 250 KiB bodies with bad signatures (read whole: the
    // HMAC needs them), from 24 loopback addresses.
    let body = vec![b'{'; 250 * 1024];
    let clients: Vec<reqwest::Client> = (0..24).map(|n| client(Some(loopback(10 + n)))).collect();
    let mut tasks = Vec::new();
    for i in 0..1_500usize {
        let (c, body) = (clients[i % clients.len()].clone(), body.clone());
        let url = format!("{}/webhooks/gank", relay.base);
        tasks.push(tokio::spawn(async move {
            c.post(url)
                .header("content-type", "application/json")
                .header(GANK_HEADER, "00ff00ff")
                .body(body)
                .send()
                .await
                .map(|r| r.status().as_u16().to_string())
                .unwrap_or_else(|_| "no answer".into())
        }));
    }
    // Real deliveries keep going through during the flood.
    let c = client(Some(loopback(3)));
    let mut valid_statuses = std::collections::BTreeMap::<String, usize>::new();
    let mut valid_latencies = Vec::new();
    for n in 0..40 {
        let started = Instant::now();
        let status = post(&c, &relay.gumroad_url(), ping(n)).await;
        valid_latencies.push(started.elapsed());
        *valid_statuses.entry(format!("{status:?}")).or_default() += 1;
    }
    let flood_done_after_valid = tasks.iter().all(|t| t.is_finished());
    let mut flood = std::collections::BTreeMap::<String, usize>::new();
    for t in tasks {
        *flood.entry(t.await.unwrap()).or_default() += 1;
    }
    let peak = peak_rss_mib(pid);
    let valid = post(&c, &relay.gumroad_url(), ping(1_000)).await;
    let after_flood = ledger_bytes(&launch.db);
    assert!(relay.sigterm().await.success());
    report(&format!(
        "fault stranger floods: 300 wrong-secret 200 KB posts -> {wrong_secret:?}, ledger +{} KiB; \
         1500 concurrent 250 KiB bad-signature bodies -> {flood:?}, ledger +{} KiB, relay peak RSS {:.0} MiB (at start {:.0} MiB); \
         40 valid Pings during it -> {valid_statuses:?} (p99 {:.0} ms{}); then a valid Ping -> {valid:?}",
        (after_strangers.saturating_sub(before_ledger)) / 1024,
        (after_flood.saturating_sub(after_strangers)) / 1024,
        peak.unwrap_or(0.0),
        before_rss.unwrap_or(0.0),
        percentiles(valid_latencies).1,
        if flood_done_after_valid {
            ", the flood was over before the last"
        } else {
            ""
        },
    ));
    assert_eq!(
        valid_statuses.get("Some(200)"),
        Some(&40),
        "{valid_statuses:?}"
    );
    assert_eq!(valid, Some(200));
    // The quarantine keeps bounded metadata; far from 60 MB for 300 posts.
    assert!(
        after_strangers - before_ledger < 2 * 1024 * 1024,
        "{after_strangers} {before_ledger}"
    );
    if let Some(peak) = peak {
        assert!(peak < 300.0, "peak RSS {peak} MiB");
    }
}
