//! Relay tests over a temporary SQLite ledger with deliveries shaped as the
//! platforms send them: routing and status answered in-process by
//! `Router::oneshot` ([`TestRouter`]); body limits, timeouts, restarts and
//! shutdown on a real server on a loopback port ([`TestRelay`]).

use std::sync::Arc;
use std::time::Duration;

use creator_cli::ledger::{self, Ledger};
use creator_cli::relay::Endpoint;
use creator_testkit::{FakeProvider, SIGNATURE_HEADER};
use futures::TryStreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::*;

fn fake_body(event: &str, id: &str) -> String {
    format!(r#"{{"event":"{event}","id":"{id}"}}"#)
}

#[tokio::test]
async fn gumroad_form_ping_is_verified_parsed_and_stored_with_its_raw_body() {
    let relay = TestRouter::fresh("form").await;
    let body = fixture("gumroad/webhooks/sale.form");
    let (status, answer) = relay.post_gumroad_form(body.clone()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "stored");
    let key = answer["dedup_key"].as_str().unwrap();
    assert!(
        key.starts_with("gumroad:sale:FO8TXN-dvxYabdavG97Y-Q==:"),
        "{key}"
    );

    let events = relay.events().await;
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e.provider, "gumroad");
    assert_eq!(e.kind, "sale");
    assert_eq!(e.name, "sale");
    assert_eq!(e.subject_id, "FO8TXN-dvxYabdavG97Y-Q==");
    assert_eq!(e.verified, "url_token");
    assert_eq!(e.deliveries, 1);
    assert_eq!(
        e.raw_body.as_ref(),
        &body[..],
        "raw body kept byte for byte"
    );
    assert_eq!(
        e.content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        e.occurred_at.as_deref(),
        Some("2025-03-14T10:21:07.000000Z")
    );
    // The normalized event is kept next to the raw body: USD cents.
    assert_eq!(e.event["sale"]["amount"]["minor_units"], 1249);
    assert_eq!(e.event["sale"]["amount"]["currency"], "USD");
    // The secret in the URL is stored nowhere.
    let row = serde_json::to_string(e).unwrap();
    assert!(!row.contains(GUMROAD_SECRET), "{row}");
    relay.stop().await;
}

#[tokio::test]
async fn gumroad_retried_delivery_with_retry_count_is_acknowledged_and_stored_once() {
    let relay = TestRouter::fresh("retry").await;
    let (s1, a1) = relay
        .post_gumroad_form(fixture("gumroad/webhooks/sale.form"))
        .await;
    // Gumroad's retry of the same sale carries retry_count=2.
    let (s2, a2) = relay
        .post_gumroad_form(fixture("gumroad/webhooks/quirk_retry_count.form"))
        .await;
    let (s3, a3) = relay
        .post_gumroad_form(fixture("gumroad/webhooks/sale.form"))
        .await;
    assert_eq!((s1, s2, s3), (200, 200, 200));
    assert_eq!(a1["status"], "stored");
    assert_eq!(a2["status"], "duplicate");
    assert_eq!(a3["status"], "duplicate");
    assert_eq!(a1["id"], a2["id"]);
    let stats = relay.stats().await;
    assert_eq!(
        (stats.events, stats.deliveries, stats.quarantined),
        (1, 3, 0)
    );
    let events = relay.events().await;
    // The first delivery's body is the one kept.
    assert_eq!(
        events[0].raw_body.as_ref(),
        &fixture("gumroad/webhooks/sale.form")[..]
    );
    relay.stop().await;
}

#[tokio::test]
async fn gumroad_refund_reusing_the_sale_id_is_a_separate_event() {
    let relay = TestRouter::fresh("refund").await;
    relay
        .post_gumroad_form(fixture("gumroad/webhooks/sale.form"))
        .await;
    let (status, answer) = relay
        .post_gumroad_form(fixture("gumroad/webhooks/refund.form"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(answer["status"], "stored");
    let key = answer["dedup_key"].as_str().unwrap();
    assert!(
        key.starts_with("gumroad:refund:FO8TXN-dvxYabdavG97Y-Q==:"),
        "{key}"
    );
    let kinds: Vec<_> = relay.events().await.into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["sale", "refund"]);
    relay.stop().await;
}

#[tokio::test]
async fn json_deliveries_are_stored_gumroad_and_signed_fake() {
    let relay = TestRouter::fresh("json").await;
    let body = fixture("gumroad/webhooks/sale.json");
    let (status, answer) = relay
        .post(
            &format!("/webhooks/gumroad/{GUMROAD_SECRET}"),
            "application/json",
            body.clone(),
            &[],
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "stored");

    let fake = FakeProvider::sample();
    let body = fake_body("sale", "sale_001");
    let sig = fake.sign(body.as_bytes());
    let (status, answer) = relay
        .post(
            "/webhooks/fake",
            "application/json",
            body.clone(),
            &[(SIGNATURE_HEADER, &sig)],
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["dedup_key"], "fake:sale:sale_001");
    let events = relay.events().await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].verified, "signature");
    assert_eq!(events[1].raw_body.as_ref(), body.as_bytes());
    // A signature is stored as its hash, never as itself.
    let stored = events[1].headers[SIGNATURE_HEADER].as_str().unwrap();
    assert!(
        stored.starts_with("<redacted sha256:") && !stored.contains(&sig),
        "{stored}"
    );
    relay.stop().await;
}

#[tokio::test]
async fn wrong_or_missing_url_secret_is_401_and_quarantined_as_bounded_metadata() {
    let relay = TestRouter::fresh("secret").await;
    let body = fixture("gumroad/webhooks/sale.form");
    let (status, answer) = relay
        .post(
            "/webhooks/gumroad/not-the-secret-at-all",
            "application/x-www-form-urlencoded",
            body.clone(),
            &[],
        )
        .await;
    assert_eq!(status, 401, "{answer}");
    assert_eq!(answer["reason"], "verification");
    let (status, _) = relay
        .post(
            "/webhooks/gumroad",
            "application/x-www-form-urlencoded",
            body.clone(),
            &[],
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(relay.stats().await.events, 0);
    let q = relay.quarantined().await;
    assert_eq!(q.len(), 2);
    for row in &q {
        assert_eq!(row.reason, "verification");
        assert_eq!(row.status, 401);
        // A stranger's post keeps its size, a hash and its first bytes only.
        assert!(!row.authenticated);
        assert_eq!(
            row.raw_body.as_ref(),
            &body[..creator_cli::relay::PREFIX_BYTES]
        );
        assert_eq!(row.body_size, body.len() as u64);
        assert!(row.body_truncated);
        assert_eq!(row.body_sha256.as_ref().map(String::len), Some(64));
        assert!(
            row.peer
                .as_deref()
                .is_some_and(|p| p.starts_with("127.0.0.1:"))
        );
        assert!(!row.error.contains(GUMROAD_SECRET));
    }
    relay.stop().await;
}

#[tokio::test]
async fn tampered_signed_body_is_401_and_quarantined() {
    let relay = TestRouter::fresh("tamper").await;
    let fake = FakeProvider::sample();
    let signed = fake_body("sale", "sale_001");
    let sig = fake.sign(signed.as_bytes());
    let tampered = fake_body("sale", "sale_002");
    let (status, answer) = relay
        .post(
            "/webhooks/fake",
            "application/json",
            tampered.clone(),
            &[(SIGNATURE_HEADER, &sig)],
        )
        .await;
    assert_eq!(status, 401, "{answer}");
    let (status, _) = relay
        .post("/webhooks/fake", "application/json", signed.clone(), &[])
        .await;
    assert_eq!(status, 401, "missing signature header");
    let q = relay.quarantined().await;
    assert_eq!(q.len(), 2);
    // Short bodies fit in the kept prefix whole.
    assert_eq!(q[0].raw_body.as_ref(), tampered.as_bytes());
    assert!(!q[0].authenticated);
    assert!(q[0].error.contains("does not match"), "{}", q[0].error);
    assert!(q[1].error.contains(SIGNATURE_HEADER), "{}", q[1].error);
    assert_eq!(relay.stats().await.events, 0);
    relay.stop().await;
}

#[tokio::test]
async fn malformed_bodies_are_400_and_quarantined_never_reported_as_bad_signatures() {
    let relay = TestRouter::fresh("malformed").await;
    // Gumroad: verified by its URL token, but no sale_id.
    let truncated = fixture("gumroad/webhooks/malformed_truncated_before_sale_id.form");
    let (status, answer) = relay.post_gumroad_form(truncated.clone()).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["reason"], "parse");
    // Gumroad JSON that is not JSON.
    let (status, _) = relay
        .post(
            &format!("/webhooks/gumroad/{GUMROAD_SECRET}"),
            "application/json",
            fixture("gumroad/webhooks/malformed_truncated.json"),
            &[],
        )
        .await;
    assert_eq!(status, 400);
    // A correctly signed fake delivery that does not parse.
    let fake = FakeProvider::sample();
    let garbage = "{not json";
    let (status, answer) = relay
        .post(
            "/webhooks/fake",
            "application/json",
            garbage,
            &[(SIGNATURE_HEADER, &fake.sign(garbage.as_bytes()))],
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    let q = relay.quarantined().await;
    assert_eq!(q.len(), 3);
    assert!(q.iter().all(|r| r.reason == "parse" && r.status == 400));
    // Authentic deliveries are kept whole, with how they were verified.
    assert!(q.iter().all(|r| r.authenticated && !r.body_truncated));
    assert_eq!(q[0].raw_body.as_ref(), &truncated[..]);
    assert_eq!(q[0].verified.as_deref(), Some("url_token"));
    assert_eq!(q[2].raw_body.as_ref(), garbage.as_bytes());
    assert_eq!(q[2].verified.as_deref(), Some("signature"));
    assert_eq!(relay.stats().await.events, 0);
    relay.stop().await;
}

#[tokio::test]
async fn oversized_body_is_413_and_quarantined_truncated_with_its_size() {
    let (_dir, relay) = TestRelay::fresh("oversized").await;
    let mut body = fixture("gumroad/webhooks/sale.form");
    body.extend(b"&padding=".iter());
    body.resize(200 * 1024, b'x');
    let (status, answer) = relay.post_gumroad_form(body.clone()).await;
    assert_eq!(status, 413, "{answer}");
    assert_eq!(answer["reason"], "too_large");
    let q = relay.quarantined().await;
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].reason, "too_large");
    assert_eq!(q[0].status, 413);
    assert_eq!(q[0].body_size, 200 * 1024);
    assert!(q[0].body_truncated && !q[0].authenticated);
    assert_eq!(
        q[0].raw_body.as_ref(),
        &body[..creator_cli::relay::PREFIX_BYTES]
    );
    assert_eq!(relay.stats().await.events, 0);
    // The relay still serves normally afterwards.
    let (status, _) = relay
        .post_gumroad_form(fixture("gumroad/webhooks/sale.form"))
        .await;
    assert_eq!(status, 200);
    relay.stop().await;
}

#[tokio::test]
async fn unknown_endpoint_is_404_and_quarantined() {
    let relay = TestRouter::fresh("unknown").await;
    let (status, answer) = relay
        .post("/webhooks/stripe", "application/json", "{}", &[])
        .await;
    assert_eq!(status, 404, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .unwrap()
            .contains("fake, gank, gumroad"),
        "{answer}"
    );
    // An endpoint without a URL secret given one is not a match either.
    let (status, _) = relay
        .post("/webhooks/fake/extra", "application/json", "{}", &[])
        .await;
    assert_eq!(status, 404);
    let q = relay.quarantined().await;
    assert_eq!(q.len(), 2);
    assert_eq!(q[0].endpoint, "stripe");
    assert!(q.iter().all(|r| r.reason == "unknown_endpoint"));
    relay.stop().await;
}

#[tokio::test]
async fn gank_signed_membership_payment_is_stored_and_a_bad_signature_is_not() {
    let relay = TestRouter::fresh("gank").await;
    let body = fixture("gank/webhook_user_membership.json");
    let sig = gank_verifier().sign(&body);
    let (status, answer) = relay
        .post(
            "/webhooks/gank",
            "application/json",
            body.clone(),
            &[(GANK_HEADER, &sig)],
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "stored");
    let events = relay.events().await;
    assert_eq!(events[0].provider, "gank");
    assert_eq!(events[0].kind, "membership_payment");
    assert_eq!(events[0].name, "USER_MEMBERSHIP.TX_SUCCEED");
    assert_eq!(events[0].verified, "signature");
    let (status, _) = relay
        .post(
            "/webhooks/gank",
            "application/json",
            body.clone(),
            &[(GANK_HEADER, "00ff")],
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(relay.quarantined().await.len(), 1);
    relay.stop().await;
}

#[tokio::test]
async fn unconfigured_endpoint_answers_503_and_keeps_the_delivery() {
    let relay = TestRouter::with(
        "unconfigured",
        vec![Endpoint::unavailable("gank", "no Gank key configured")],
        config(),
    )
    .await;
    let body = fixture("gank/webhook_digital_goods.json");
    let (status, answer) = relay
        .post("/webhooks/gank", "application/json", body.clone(), &[])
        .await;
    assert_eq!(status, 503, "{answer}");
    let q = relay.quarantined().await;
    assert_eq!(q[0].reason, "not_configured");
    assert!(!q[0].authenticated);
    assert_eq!(q[0].body_size, body.len() as u64);
    let kept = body.len().min(creator_cli::relay::PREFIX_BYTES);
    assert_eq!(q[0].raw_body.as_ref(), &body[..kept]);
    relay.stop().await;
}

#[tokio::test]
async fn healthz_reports_the_ledger_and_endpoints() {
    let relay = TestRouter::fresh("healthz").await;
    let (status, v) = relay.get("/healthz", &[]).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "ok");
    assert_eq!(v["ledger"], "sqlite");
    assert_eq!(
        v["endpoints"],
        serde_json::json!(["fake", "gank", "gumroad"])
    );
    // GET on a webhook endpoint is not a delivery.
    let (status, _) = relay
        .get(&format!("/webhooks/gumroad/{GUMROAD_SECRET}"), &[])
        .await;
    assert_eq!(status, 405);
    relay.stop().await;
}

#[tokio::test]
async fn a_ledger_that_cannot_write_answers_503_so_the_platform_retries() {
    let relay = TestRouter::fresh("closed").await;
    relay.ledger.close().await;
    let (status, answer) = relay
        .post_gumroad_form(fixture("gumroad/webhooks/sale.form"))
        .await;
    assert_eq!(status, 503, "{answer}");
    let (status, _) = relay
        .post(
            "/webhooks/gumroad/wrong-secret-xxxxxxxx",
            "text/plain",
            "x",
            &[],
        )
        .await;
    assert_eq!(
        status, 503,
        "a rejection that cannot be kept is not answered 4xx"
    );
    let (status, _) = relay.get("/healthz", &[]).await;
    assert_eq!(status, 503);
    relay.stop().await;
}

#[tokio::test]
async fn restart_keeps_events_quarantine_and_deduplication() {
    let dir = TempDir::new("restart");
    let db = dir.db();
    let db = db.to_str().unwrap();
    let relay = TestRelay::start(db).await;
    relay
        .post_gumroad_form(fixture("gumroad/webhooks/sale.form"))
        .await;
    relay
        .post(
            "/webhooks/gumroad/wrong-secret-xxxxxxxx",
            "text/plain",
            "x",
            &[],
        )
        .await;
    relay.stop().await;

    let relay = TestRelay::start(db).await;
    assert_ne!(relay.base, "", "new port");
    let before = relay.stats().await;
    assert_eq!((before.events, before.quarantined), (1, 1));
    let (status, answer) = relay
        .post_gumroad_form(fixture("gumroad/webhooks/quirk_retry_count.form"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(answer["status"], "duplicate", "dedup survives a restart");
    relay
        .post_gumroad_form(fixture("gumroad/webhooks/refund.form"))
        .await;
    let after = relay.stats().await;
    assert_eq!(
        (after.events, after.deliveries, after.quarantined),
        (2, 3, 1)
    );
    relay.stop().await;
}

#[tokio::test]
async fn concurrent_redeliveries_are_stored_once() {
    let dir = TempDir::new("concurrent");
    let relay = Arc::new(TestRelay::start(dir.db().to_str().unwrap()).await);
    let body = fixture("gumroad/webhooks/sale.form");
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let relay = relay.clone();
        let body = body.clone();
        tasks.push(tokio::spawn(
            async move { relay.post_gumroad_form(body).await },
        ));
    }
    let mut stored = 0;
    for t in tasks {
        let (status, answer) = t.await.unwrap();
        assert_eq!(status, 200);
        if answer["status"] == "stored" {
            stored += 1;
        }
    }
    assert_eq!(stored, 1);
    let stats = relay.stats().await;
    assert_eq!((stats.events, stats.deliveries), (1, 40));
    let Ok(relay) = Arc::try_unwrap(relay) else {
        panic!("relay still shared")
    };
    relay.stop().await;
}

#[tokio::test]
async fn graceful_shutdown_finishes_an_in_flight_delivery() {
    let dir = TempDir::new("graceful");
    let db = dir.db();
    let relay = TestRelay::start(db.to_str().unwrap()).await;
    let addr = relay.relay.local_addr();
    let body = fixture("gumroad/webhooks/sale.form");
    let (head, tail) = body.split_at(body.len() / 2);
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST /webhooks/gumroad/{GUMROAD_SECRET} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(head).await.unwrap();
    stream.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;

    let shutdown = tokio::spawn(async move { relay.relay.shutdown().await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!shutdown.is_finished(), "waits for the in-flight request");
    // New connections are refused once shutdown started.
    assert!(
        reqwest::Client::new()
            .get(format!("http://{addr}/healthz"))
            .timeout(Duration::from_secs(2))
            .send()
            .await
            .is_err()
    );

    stream.write_all(tail).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"stored\""), "{response}");
    shutdown.await.unwrap().expect("clean shutdown");

    let ledger = ledger::open(db.to_str().unwrap()).await.unwrap();
    let events: Vec<_> = ledger
        .events(Default::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(events.len(), 1, "the in-flight delivery was stored");
    ledger.close().await;
}

/// A ledger whose event writes take longer than Gumroad waits.
#[derive(Debug)]
struct SlowLedger(Arc<dyn Ledger>, Duration);

#[creator_core::async_trait]
impl Ledger for SlowLedger {
    fn backend(&self) -> &'static str {
        "slow"
    }
    async fn record_event(
        &self,
        event: ledger::NewEvent,
    ) -> Result<ledger::Recorded, ledger::LedgerError> {
        tokio::time::sleep(self.1).await;
        self.0.record_event(event).await
    }
    async fn quarantine(&self, d: ledger::NewQuarantine) -> Result<i64, ledger::LedgerError> {
        self.0.quarantine(d).await
    }
    async fn replay_quarantined(
        &self,
        id: i64,
        e: ledger::NewEvent,
    ) -> Result<ledger::Recorded, ledger::LedgerError> {
        self.0.replay_quarantined(id, e).await
    }
    async fn prune_quarantine(
        &self,
        f: ledger::PruneFilter,
    ) -> Result<ledger::Pruned, ledger::LedgerError> {
        self.0.prune_quarantine(f).await
    }
    async fn probe(&self) -> Result<(), ledger::LedgerError> {
        self.0.probe().await
    }
    fn health(&self) -> ledger::LedgerHealth {
        self.0.health()
    }
    fn events(
        &self,
        f: ledger::EventFilter,
    ) -> futures::stream::BoxStream<'static, Result<ledger::StoredEvent, ledger::LedgerError>> {
        self.0.events(f)
    }
    fn quarantined(
        &self,
        f: ledger::QuarantineFilter,
    ) -> futures::stream::BoxStream<'static, Result<ledger::QuarantinedDelivery, ledger::LedgerError>>
    {
        self.0.quarantined(f)
    }
    async fn write_sync_batch(&self, b: ledger::SyncBatch) -> Result<(), ledger::LedgerError> {
        self.0.write_sync_batch(b).await
    }
    async fn sync_state(
        &self,
        p: &str,
        r: &str,
    ) -> Result<Option<ledger::SyncState>, ledger::LedgerError> {
        self.0.sync_state(p, r).await
    }
    async fn setting(&self, k: &str) -> Result<Option<String>, ledger::LedgerError> {
        self.0.setting(k).await
    }
    async fn setting_or_insert(&self, k: &str, v: &str) -> Result<String, ledger::LedgerError> {
        self.0.setting_or_insert(k, v).await
    }
    async fn stats(&self) -> Result<ledger::LedgerStats, ledger::LedgerError> {
        self.0.stats().await
    }
    async fn destinations(&self) -> Result<Vec<ledger::Destination>, ledger::LedgerError> {
        self.0.destinations().await
    }
    async fn add_destination(
        &self,
        d: ledger::NewDestination,
    ) -> Result<ledger::DestinationWrite, ledger::LedgerError> {
        self.0.add_destination(d).await
    }
    async fn change_destination(
        &self,
        name: &str,
        change: ledger::DestinationChange,
        now: &str,
    ) -> Result<ledger::DestinationWrite, ledger::LedgerError> {
        self.0.change_destination(name, change, now).await
    }
    async fn claim(&self, c: ledger::Claim) -> Result<Vec<ledger::Claimed>, ledger::LedgerError> {
        self.0.claim(c).await
    }
    async fn finish(&self, a: Vec<ledger::Attempt>) -> Result<(), ledger::LedgerError> {
        self.0.finish(a).await
    }
    async fn replay(&self, r: ledger::Replay) -> Result<u64, ledger::LedgerError> {
        self.0.replay(r).await
    }
    fn messages(
        &self,
        f: ledger::OutboxFilter,
    ) -> futures::stream::BoxStream<'static, Result<ledger::OutboxMessage, ledger::LedgerError>>
    {
        self.0.messages(f)
    }
    fn attempts(
        &self,
        f: ledger::OutboxFilter,
    ) -> futures::stream::BoxStream<'static, Result<ledger::AttemptRecord, ledger::LedgerError>>
    {
        self.0.attempts(f)
    }
    async fn outbox_stats(&self) -> Result<ledger::OutboxStats, ledger::LedgerError> {
        self.0.outbox_stats().await
    }
    fn event_page(
        &self,
        s: ledger::EventSearch,
    ) -> futures::stream::BoxStream<'static, Result<ledger::StoredEvent, ledger::LedgerError>> {
        self.0.event_page(s)
    }
    fn quarantine_page(
        &self,
        p: ledger::Page,
    ) -> futures::stream::BoxStream<'static, Result<ledger::QuarantinedDelivery, ledger::LedgerError>>
    {
        self.0.quarantine_page(p)
    }
    fn message_page(
        &self,
        f: ledger::OutboxFilter,
        p: ledger::Page,
    ) -> futures::stream::BoxStream<'static, Result<ledger::OutboxMessage, ledger::LedgerError>>
    {
        self.0.message_page(f, p)
    }
    async fn delivery_hours(
        &self,
        since: &str,
    ) -> Result<Vec<ledger::DeliveryHour>, ledger::LedgerError> {
        self.0.delivery_hours(since).await
    }

    async fn last_received(&self, provider: &str) -> Result<Option<String>, ledger::LedgerError> {
        self.0.last_received(provider).await
    }
    async fn events_after(
        &self,
        after: i64,
        limit: u64,
    ) -> Result<Vec<ledger::StoredEvent>, ledger::LedgerError> {
        self.0.events_after(after, limit).await
    }
    fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.0.subscribe()
    }
    fn subscribe_destinations(&self) -> tokio::sync::watch::Receiver<u64> {
        self.0.subscribe_destinations()
    }
    async fn access(
        &self,
        lookup: ledger::entitlements::Lookup,
        now: time::OffsetDateTime,
    ) -> Result<creator_core::AccessVerdict, ledger::LedgerError> {
        self.0.access(lookup, now).await
    }
    async fn rebuild_entitlements(&self) -> Result<u64, ledger::LedgerError> {
        self.0.rebuild_entitlements().await
    }
    async fn close(&self) {
        self.0.close().await
    }
}

#[tokio::test]
async fn a_ledger_slower_than_gumroads_5_second_timeout_is_answered_503_in_time() {
    let dir = TempDir::new("slow");
    let inner = ledger::open(dir.db().to_str().unwrap()).await.unwrap();
    let slow: Arc<dyn Ledger> = Arc::new(SlowLedger(inner, Duration::from_secs(3)));
    let config = creator_cli::relay::RelayConfig {
        store_timeout: Duration::from_millis(300),
        ..config()
    };
    let relay = creator_cli::relay::Relay::start(config, endpoints(), slow)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let resp = reqwest::Client::new()
        .post(format!(
            "http://{}/webhooks/gumroad/{GUMROAD_SECRET}",
            relay.local_addr()
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(fixture("gumroad/webhooks/sale.form"))
        .send()
        .await
        .unwrap();
    let waited = started.elapsed();
    assert_eq!(resp.status().as_u16(), 503, "Gumroad retries a 503");
    assert!(
        waited < Duration::from_secs(2),
        "answered after {waited:?}, not after the ledger's 3 s"
    );
    relay.shutdown().await.unwrap();
}

/// The fake provider, verifying slowly and counting how many verify at once.
struct SlowVerifier {
    inner: FakeProvider,
    now: std::sync::atomic::AtomicUsize,
    peak: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl creator_core::Webhooks for SlowVerifier {
    fn provider(&self) -> creator_core::Provider {
        self.inner.provider()
    }

    fn verify(
        &self,
        delivery: &creator_core::WebhookDelivery,
    ) -> Result<creator_core::Verified, creator_core::WebhookError> {
        use std::sync::atomic::Ordering::SeqCst;
        let now = self.now.fetch_add(1, SeqCst) + 1;
        self.peak.fetch_max(now, SeqCst);
        std::thread::sleep(Duration::from_millis(100));
        self.now.fetch_sub(1, SeqCst);
        self.inner.verify(delivery)
    }

    fn parse(
        &self,
        delivery: &creator_core::WebhookDelivery,
    ) -> Result<creator_core::WebhookEvent, creator_core::WebhookError> {
        self.inner.parse(delivery)
    }
}

/// Bodies over 16 KiB are verified off the runtime's workers, at most one
/// per core at once: a burst of them waits its turn instead of taking every
/// thread of the blocking pool, and every one is still stored.
#[tokio::test]
async fn large_bodies_are_verified_at_most_one_per_core_at_once() {
    let dir = TempDir::new("large-bodies");
    let slow = Arc::new(SlowVerifier {
        inner: FakeProvider::sample(),
        now: Default::default(),
        peak: Default::default(),
    });
    let relay = TestRelay::start_with(
        dir.db().to_str().unwrap(),
        vec![Endpoint::new("fake", slow.clone())],
        config(),
    )
    .await;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let fake = FakeProvider::sample();
    let sends = (0..cores * 4).map(|i| {
        let body = format!(
            r#"{{"event":"sale","id":"big_{i}","note":"{}"}}"#,
            "x".repeat(20 * 1024)
        );
        let sig = fake.sign(body.as_bytes());
        let relay = &relay;
        async move {
            relay
                .post(
                    "/webhooks/fake",
                    "application/json",
                    body,
                    &[(SIGNATURE_HEADER, &sig)],
                )
                .await
        }
    });
    for (status, answer) in futures::future::join_all(sends).await {
        assert_eq!(status, 200, "{answer}");
    }
    let peak = slow.peak.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        (1..=cores).contains(&peak),
        "{peak} verified at once, {cores} cores"
    );
    assert_eq!(relay.events().await.len(), cores * 4);
    relay.stop().await;
}

/// Both read endpoints take the read token by one rule: the `Bearer` scheme
/// in any case (RFC 7235), the token itself exactly.
#[tokio::test]
async fn both_read_endpoints_read_the_bearer_scheme_in_any_case() {
    const TOKEN: &str = "read-token-0123456789abcdef0123";
    let mut config = config();
    config.read_token = Some(creator_core::Secret::new(TOKEN));
    let relay = TestRouter::with("bearer_case", endpoints(), config).await;
    let access = "/v1/access?product=p&email=a%40b.c";
    let events = "/v1/events?after=0&wait=0";
    for path in [access, events] {
        for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
            let (status, answer) = relay
                .get(path, &[("authorization", &format!("{scheme} {TOKEN}"))])
                .await;
            assert_eq!(status, 200, "{path} with `{scheme}`: {answer}");
        }
        for refused in [
            format!("Basic {TOKEN}"),
            format!("Bearer {TOKEN}x"),
            format!("Bearer{TOKEN}"),
            "Bearer read-token-wrong-wrong-wrong-wron".to_owned(),
            String::new(),
        ] {
            let (status, _) = relay.get(path, &[("authorization", &refused)]).await;
            assert_eq!(status, 401, "{path} with {refused:?}");
        }
    }
    relay.stop().await;
}
