//! Crashes and restarts under load: `kill -9`, SIGTERM, a redelivery storm.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::harness::*;

/// Delivers pings `0..total` from `workers` concurrent senders, each
/// resending until acknowledged; returns the acknowledged ones and the resends.
fn spawn_senders(
    total: usize,
    workers: usize,
    url: Arc<Mutex<String>>,
    deadline: Instant,
) -> tokio::task::JoinHandle<(Vec<usize>, u32)> {
    tokio::spawn(async move {
        let next = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..workers {
            let (next, url) = (next.clone(), url.clone());
            tasks.push(tokio::spawn(async move {
                let client = client(None);
                let mut acked = Vec::new();
                let mut resends = 0;
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= total {
                        return (acked, resends);
                    }
                    let (ok, tries) = deliver_until_acknowledged(&client, &url, n, deadline).await;
                    resends += tries;
                    if ok {
                        acked.push(n);
                    }
                }
            }));
        }
        let mut acked = Vec::new();
        let mut resends = 0;
        for t in tasks {
            let (a, r) = t.await.expect("sender");
            acked.extend(a);
            resends += r;
        }
        (acked, resends)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_load_three_times_loses_and_doubles_nothing() {
    let dir = TempDir::new("kill9");
    let launch = Launch::new(&dir.db());
    let relay = Relay::start(&launch).await;
    let url = Arc::new(Mutex::new(relay.gumroad_url()));
    let total = 600;
    let senders = spawn_senders(
        total,
        16,
        url.clone(),
        Instant::now() + Duration::from_secs(90),
    );
    let mut relay = Some(relay);
    for round in 0..3u64 {
        tokio::time::sleep(Duration::from_millis(250 + 150 * round)).await;
        if let Some(r) = relay.take() {
            r.kill9().await;
        }
        // Down for a moment, as a crashed process restarted by systemd would be.
        tokio::time::sleep(Duration::from_millis(200)).await;
        relay = Some(Relay::start(&launch).await);
    }
    let (acked, resends) = senders.await.unwrap();
    let relay = relay.take().unwrap();
    assert!(relay.sigterm().await.success());
    let stored = stored_sales(&launch.db).await;
    let counts = Counts::of(&acked, total, &stored);
    report(&counts.line("kill-9 x3 during load", &format!("(resends {resends})")));
    assert_eq!(
        counts.acknowledged, total,
        "every sale is acknowledged in the end"
    );
    assert_eq!((counts.lost, counts.doubled), (0, 0));
    assert_eq!(counts.stored, total);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_load_finishes_what_is_in_flight_and_exits_0() {
    let dir = TempDir::new("sigterm");
    let launch = Launch::new(&dir.db());
    let relay = Relay::start(&launch).await;
    let url = Arc::new(Mutex::new(relay.gumroad_url()));
    let total = 400;
    let senders = spawn_senders(
        total,
        16,
        url.clone(),
        Instant::now() + Duration::from_secs(60),
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    let status = relay.sigterm().await;
    let stopping = started.elapsed();
    assert!(status.success(), "exit {status:?}");
    // Started again, it takes the rest (the senders resend what was refused).
    let relay = Relay::start(&launch).await;
    let (acked, resends) = senders.await.unwrap();
    assert!(relay.sigterm().await.success());
    let stored = stored_sales(&launch.db).await;
    let counts = Counts::of(&acked, total, &stored);
    report(&counts.line(
        "SIGTERM during load",
        &format!(
            "(exit 0 after {} ms, resends {resends})",
            stopping.as_millis()
        ),
    ));
    assert_eq!(
        (counts.acknowledged, counts.lost, counts.doubled),
        (total, 0, 0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivery_storm_is_stored_once_per_sale() {
    let dir = TempDir::new("storm");
    let launch = Launch::new(&dir.db());
    let relay = Relay::start(&launch).await;
    let (sales, copies) = (20usize, 50u32);
    let url = relay.gumroad_url();
    // As fast as 32 connections carry them (a sender's fair share of the
    // relay's per-peer connection limit).
    let c = client(None);
    let gate = Arc::new(tokio::sync::Semaphore::new(32));
    let mut tasks = Vec::new();
    for copy in 0..copies {
        for n in 0..sales {
            let (url, c, gate) = (url.clone(), c.clone(), gate.clone());
            tasks.push(tokio::spawn(async move {
                let _turn = gate.acquire_owned().await;
                // First attempts, and retries 1..3, mixed.
                let body = match copy % 4 {
                    0 => ping(n),
                    r => with_retry_count(&ping(n), r),
                };
                post(&c, &url, body).await
            }));
        }
    }
    let mut acked = 0;
    for t in tasks {
        acked += usize::from(t.await.unwrap() == Some(200));
    }
    assert!(relay.sigterm().await.success());
    let stored = stored_sales(&launch.db).await;
    let deliveries: i64 = stored.values().map(|(_, d)| d).sum();
    let acked_sales: Vec<usize> = (0..sales).collect();
    let counts = Counts {
        sent: sales * copies as usize,
        acknowledged: acked,
        ..Counts::of(&acked_sales, sales, &stored)
    };
    report(&counts.line(
        "redelivery storm",
        &format!("(deliveries counted {deliveries})"),
    ));
    assert_eq!(acked, sales * copies as usize);
    assert_eq!((counts.stored, counts.doubled), (sales, 0));
    assert_eq!(deliveries, (sales * copies as usize) as i64);
}
