//! Forwarding under faults: the destination answers 500, then times out,
//! then comes back, while the relay is killed with `kill -9` and restarted;
//! every stored event reaches the receiver, in subject order.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use futures::TryStreamExt;

use crate::harness::*;

/// The destination's behaviour.
const FAILING: u8 = 0;
const TIMING_OUT: u8 = 1;
const BACK: u8 = 2;

/// The relay's timeout, and how long the destination takes when timing out.
const TIMEOUT: &str = "1s";
const HANG: Duration = Duration::from_secs(2);

/// One request as it arrived.
struct Arrival {
    phase: u8,
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Clone, Default)]
struct Destination {
    phase: Arc<AtomicU8>,
    arrivals: Arc<Mutex<Vec<Arrival>>>,
}

async fn receive(State(d): State<Destination>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let phase = d.phase.load(Ordering::SeqCst);
    d.arrivals.lock().unwrap().push(Arrival {
        phase,
        headers,
        body,
    });
    match phase {
        FAILING => StatusCode::INTERNAL_SERVER_ERROR,
        TIMING_OUT => {
            tokio::time::sleep(HANG).await;
            StatusCode::OK
        }
        _ => StatusCode::OK,
    }
}

#[tokio::test]
async fn forwarding_through_500s_timeouts_and_a_kill_9_reaches_every_event_in_subject_order() {
    const SUBJECTS: usize = 60;
    let dir = TempDir::new("forwarding");
    let db = dir.db();
    let destination = Destination::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .fallback(receive)
        .with_state(destination.clone());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    let mut launch = Launch::new(&db);
    launch.args = [
        "--forward",
        &url,
        "--forward-timeout",
        TIMEOUT,
        // 20 attempts over about 30 s.
        "--forward-retry-schedule",
        "300ms,300ms,600ms,1s,1s,1s,1s,2s,2s,2s,2s,2s,2s,2s,2s,2s,2s,2s,2s",
    ]
    .map(String::from)
    .to_vec();
    let relay = Relay::start(&launch).await;
    let secret = {
        let log = relay.log.lock().unwrap();
        let line = log
            .iter()
            .find(|l| l.contains("whsec_"))
            .expect("the generated secret in the banner");
        let at = line.find("whsec_").unwrap();
        line[at..].split_whitespace().next().unwrap().to_owned()
    };

    // Senders: each subject's sale, then its refund, resent until acknowledged.
    let intake = Arc::new(Mutex::new(relay.gumroad_url()));
    let deadline = Instant::now() + Duration::from_secs(60);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut senders = Vec::new();
    for _ in 0..6 {
        let (next, intake) = (next.clone(), intake.clone());
        senders.push(tokio::spawn(async move {
            let client = client(None);
            loop {
                let n = next.fetch_add(1, Ordering::SeqCst);
                if n >= SUBJECTS {
                    return;
                }
                for body in [ping(n), refund_ping(n)] {
                    let (ok, _) =
                        deliver_body_until_acknowledged(&client, &intake, body, deadline).await;
                    assert!(ok, "subject {n} not acknowledged in time");
                }
                tokio::time::sleep(Duration::from_millis(40)).await;
            }
        }));
    }

    // The faults: 500s, then timeouts, with a kill -9 in the middle of them.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    destination.phase.store(TIMING_OUT, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    relay.kill9().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let relay = Relay::start(&launch).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    destination.phase.store(BACK, Ordering::SeqCst);
    for s in senders {
        s.await.unwrap();
    }

    // Every stored event reaches the receiver with a 2xx in time.
    let stored: Vec<i64> = {
        let ledger = creator_cli::ledger::open_read_only(&db).await.unwrap();
        let events: Vec<_> = ledger
            .events(Default::default())
            .try_collect()
            .await
            .unwrap();
        ledger.close().await;
        events.iter().map(|e| e.id).collect()
    };
    assert_eq!(stored.len(), 2 * SUBJECTS);
    let wait = Instant::now() + Duration::from_secs(60);
    loop {
        let got: HashSet<String> = destination
            .arrivals
            .lock()
            .unwrap()
            .iter()
            .filter(|a| a.phase == BACK)
            .map(|a| header(&a.headers, "webhook-id"))
            .collect();
        let missing: Vec<&i64> = stored
            .iter()
            .filter(|id| !got.contains(&format!("evt_{id}")))
            .collect();
        if missing.is_empty() {
            break;
        }
        assert!(
            Instant::now() < wait,
            "never delivered: {missing:?}; relay log: {:#?}",
            relay.log.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Let anything still in flight arrive, then stop.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(relay.sigterm().await.success());

    let arrivals = std::mem::take(&mut *destination.arrivals.lock().unwrap());
    let verifier = standardwebhooks::Webhook::new(&secret).unwrap();
    let mut first_in_time: HashMap<String, usize> = HashMap::new();
    let mut processed: HashMap<String, usize> = HashMap::new();
    let mut by_phase = [0usize; 3];
    // Per subject, the order its events first arrived in.
    let mut subject_order: HashMap<String, Vec<(String, usize)>> = HashMap::new();
    for (i, a) in arrivals.iter().enumerate() {
        verifier
            .verify(&a.body, &a.headers)
            .expect("every request is signed with the destination's secret");
        by_phase[usize::from(a.phase)] += 1;
        let id = header(&a.headers, "webhook-id");
        let body: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
        let subject = body["data"]["subject_id"].as_str().unwrap().to_owned();
        let kind = body["type"].as_str().unwrap().to_owned();
        let order = subject_order.entry(subject).or_default();
        if !order.iter().any(|(k, _)| *k == kind) {
            order.push((kind, i));
        }
        if a.phase != FAILING {
            *processed.entry(id.clone()).or_default() += 1;
        }
        if a.phase == BACK {
            first_in_time.entry(id).or_insert(i);
        }
    }
    for (subject, order) in &subject_order {
        let kinds: Vec<&str> = order.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(kinds, ["sale", "refund"], "subject {subject} out of order");
        // The refund was first sent only after the sale was acknowledged.
        let sale_id = stored_id(&arrivals, subject, "sale");
        assert!(
            first_in_time[&sale_id] < order[1].1,
            "subject {subject}: refund sent before the sale was acknowledged"
        );
    }
    let ledger = creator_cli::ledger::open_read_only(&db).await.unwrap();
    let messages: Vec<_> = ledger
        .messages(Default::default())
        .try_collect()
        .await
        .unwrap();
    let attempts: Vec<_> = ledger
        .attempts(Default::default())
        .try_collect()
        .await
        .unwrap();
    ledger.close().await;
    let delivered = messages.iter().filter(|m| m.status == "delivered").count();
    assert_eq!(delivered, stored.len(), "every message delivered");
    let duplicates: usize = processed.values().map(|n| n - 1).sum();
    report(&format!(
        "fault forwarding (500s, then {TIMEOUT} timeouts, kill -9 and restart, then back): stored {} delivered {delivered} attempts recorded {} requests at receiver {} (500: {}, timed out: {}, 2xx in time: {}) duplicates at receiver {duplicates} out of subject order 0",
        stored.len(),
        attempts.len(),
        arrivals.len(),
        by_phase[0],
        by_phase[1],
        by_phase[2],
    ));
    server.abort();
}

fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The webhook-id of `subject`'s event of `kind`.
fn stored_id(arrivals: &[Arrival], subject: &str, kind: &str) -> String {
    arrivals
        .iter()
        .find_map(|a| {
            let body: serde_json::Value = serde_json::from_slice(&a.body).ok()?;
            (body["data"]["subject_id"] == subject && body["type"] == kind)
                .then(|| header(&a.headers, "webhook-id"))
        })
        .unwrap()
}
