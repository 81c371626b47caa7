//! `creator reconcile` against a wiremock Gumroad. The API answers are the
//! recorded shapes (`fixtures/gumroad/sale.json`, `subscriber_cancelled.json`,
//! `products_unpaginated.json`) with their ids and state set to the events of
//! the webhook fixtures (`fixtures/gumroad/webhooks/*.form`, built the way
//! Gumroad builds its pings), so a recovered event and a real delivery of
//! the same event meet in the ledger.

use std::sync::Arc;
use std::time::Duration;

use creator_cli::commands::reconcile::{
    ReconcileError, ReconcileOptions, ReconcileReport, Source, reconcile,
};
use creator_cli::ledger::entitlements::{Lookup, Who};
use creator_cli::ledger::reconcile::Lease;
use creator_cli::ledger::{
    self, EventFilter, Ledger, NewDestination, OutboxFilter, StoredEvent, timestamp,
};
use creator_core::{AccessReason, Provider, Secret};
use futures::TryStreamExt;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;
use wiremock::matchers::{method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

/// The sale of `webhooks/sale.form` and `refund.form`.
const SALE: &str = "FO8TXN-dvxYabdavG97Y-Q==";
const PRODUCT: &str = "cTEcz7KUB8TiOvJdSTmHQg==";
const BUYER: &str = "buyer+gumroad@example.com";
/// The subscription of `webhooks/cancellation.form` and `subscription_ended.form`.
const SUBSCRIPTION: &str = "aVdlcGq1rXlPGyE4tGpu_g==";

/// The recorded API sale with `id`, product, buyer and `state` set.
pub(crate) fn api_sale(id: &str, email: &str, state: Value) -> Value {
    let doc: Value = serde_json::from_slice(&fixture("gumroad/sale.json")).unwrap();
    let mut sale = doc["sale"].clone();
    sale["id"] = id.into();
    sale["email"] = email.into();
    sale["purchase_email"] = email.into();
    sale["product_id"] = PRODUCT.into();
    sale["created_at"] = "2025-03-14T10:21:07Z".into();
    for (k, v) in state.as_object().unwrap() {
        sale[k] = v.clone();
    }
    sale
}

/// The recorded cancelled subscriber, as the subscription of the ping fixtures.
fn api_cancelled_subscriber() -> Value {
    let doc: Value = serde_json::from_slice(&fixture("gumroad/subscriber_cancelled.json")).unwrap();
    let mut s = doc["subscriber"].clone();
    s["id"] = SUBSCRIPTION.into();
    s["product_id"] = PRODUCT.into();
    s["email"] = "member@example.com".into();
    s["user_email"] = "member@example.com".into();
    s["user_requested_cancellation_at"] = "2025-03-20T08:00:00Z".into();
    s["cancelled_at"] = "2025-04-02T08:00:00Z".into();
    s
}

/// A Gumroad with `sales` on one page and, for the membership product of
/// `products_unpaginated.json`, `subscribers`.
pub(crate) async fn gumroad(sales: Vec<Value>, subscribers: Vec<Value>) -> MockServer {
    gumroad_answering_after(sales, subscribers, Duration::ZERO).await
}

/// [`gumroad`], answering each sales page after `delay`.
async fn gumroad_answering_after(
    sales: Vec<Value>,
    subscribers: Vec<Value>,
    delay: Duration,
) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/sales"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"success": true, "sales": sales}))
                .set_delay(delay),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/products"))
        .respond_with(json_fixture("gumroad/products_unpaginated.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("^/v2/products/[^/]+/subscribers$"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"success": true, "subscribers": subscribers})),
        )
        .mount(&server)
        .await;
    server
}

pub(crate) fn source(server: &MockServer) -> Source {
    let client = Arc::new(
        gumroad_api::GumroadClient::builder(Secret::new("test-token"))
            .base_url(server.uri())
            .build()
            .unwrap(),
    );
    Source {
        provider: Provider::Gumroad,
        sales: client.clone(),
        subscribers: Some(client),
    }
}

pub(crate) fn options(owner: &str) -> ReconcileOptions {
    let mut o = ReconcileOptions::new(owner);
    o.since = Some(datetime!(2025-01-01 00:00 UTC));
    o
}

/// The shop every test reads unless it says otherwise: one refunded sale
/// (the ping fixtures' sale), one plain and one charged back, and the
/// ping fixtures' subscription, cancelled and over.
pub(crate) async fn shop() -> MockServer {
    shop_answering_after(Duration::ZERO).await
}

/// [`shop`], answering each sales page after `delay`.
pub(crate) async fn shop_answering_after(delay: Duration) -> MockServer {
    gumroad_answering_after(
        vec![
            api_sale(SALE, BUYER, json!({"refunded": true})),
            api_sale("cGxhaW4tc2FsZQ==", "plain@example.com", json!({})),
            api_sale(
                "ZGlzcHV0ZWQtc2FsZQ==",
                "disputed@example.com",
                json!({"chargedback": true}),
            ),
        ],
        vec![api_cancelled_subscriber()],
        delay,
    )
    .await
}

fn counts(r: &ReconcileReport) -> Vec<(String, u64, u64, u64)> {
    r.kinds
        .iter()
        .map(|k| (k.kind.clone(), k.seen, k.stored, k.recovered))
        .collect()
}

fn row(kind: &str, seen: u64, stored: u64, recovered: u64) -> (String, u64, u64, u64) {
    (kind.to_owned(), seen, stored, recovered)
}

pub(crate) async fn events(ledger: &dyn Ledger) -> Vec<StoredEvent> {
    ledger
        .events(EventFilter::default())
        .try_collect()
        .await
        .unwrap()
}

/// Outbox messages, over every destination.
async fn messages(ledger: &dyn Ledger) -> usize {
    let all: Vec<_> = ledger
        .messages(OutboxFilter::default())
        .try_collect()
        .await
        .unwrap();
    all.len()
}

async fn add_destination(ledger: &dyn Ledger) {
    ledger
        .add_destination(NewDestination {
            name: "app".into(),
            url: "http://127.0.0.1:9/hooks".into(),
            secret: Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            provider: None,
            kind: None,
            now: timestamp(OffsetDateTime::now_utc()),
        })
        .await
        .unwrap();
}

async fn verdict(ledger: &dyn Ledger, email: &str) -> creator_core::AccessVerdict {
    ledger
        .access(
            Lookup {
                product_id: PRODUCT.into(),
                who: Who::Email(email.into()),
                provider: None,
            },
            OffsetDateTime::now_utc(),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn recovers_each_missed_kind_once_forwards_it_and_updates_the_entitlement_view() {
    let (_dir, relay) = TestRelay::fresh("reconcile-kinds").await;
    add_destination(&*relay.ledger).await;
    let server = shop().await;

    let first = reconcile(&*relay.ledger, &source(&server), &options("t"))
        .await
        .unwrap();
    assert_eq!(
        counts(&first),
        vec![
            row("sale", 3, 0, 3),
            row("refund", 1, 0, 1),
            row("dispute", 1, 0, 1),
            row("subscription_cancelled", 1, 0, 1),
            row("subscription_ended", 1, 0, 1),
        ]
    );
    assert_eq!(first.missing(), 7);

    let stored = events(&*relay.ledger).await;
    assert_eq!(stored.len(), 7);
    for e in &stored {
        assert_eq!(e.verified, "reconcile");
        let api = e.recovered_from.as_ref().expect("marked as recovered");
        let id = if e.kind.starts_with("subscription") {
            SUBSCRIPTION
        } else {
            api["id"].as_str().unwrap()
        };
        assert_eq!(e.subject_id, id, "{e:?}");
        assert_eq!(api["id"].as_str(), Some(e.subject_id.as_str()));
    }
    let names: Vec<_> = stored.iter().map(|e| e.name.as_str()).collect();
    for name in [
        "sale",
        "refund",
        "dispute",
        "cancellation",
        "subscription_ended",
    ] {
        assert!(names.contains(&name), "{names:?}");
    }

    // Forwarded: each recovered event has its outbox row.
    let messages = messages(&*relay.ledger).await;
    assert_eq!(messages, 7);

    // The entitlement view: a grant, a refund, a chargeback, a cancellation.
    let plain = verdict(&*relay.ledger, "plain@example.com").await;
    assert_eq!(plain.reason, AccessReason::LifetimePurchase);
    assert!(plain.granted);
    let refunded = verdict(&*relay.ledger, BUYER).await;
    assert_eq!(refunded.reason, AccessReason::Refunded);
    let disputed = verdict(&*relay.ledger, "disputed@example.com").await;
    assert!(!disputed.granted, "{disputed:?}");
    let member = verdict(&*relay.ledger, "member@example.com").await;
    assert!(!member.granted, "{member:?}");
    assert_eq!(member.decided_by.unwrap().id, SUBSCRIPTION);

    // A second run finds everything stored and stores nothing.
    let second = reconcile(&*relay.ledger, &source(&server), &options("t"))
        .await
        .unwrap();
    assert_eq!(second.missing(), 0);
    assert_eq!(
        counts(&second),
        vec![
            row("sale", 3, 3, 0),
            row("refund", 1, 1, 0),
            row("dispute", 1, 1, 0),
            row("subscription_cancelled", 1, 1, 0),
            row("subscription_ended", 1, 1, 0),
        ]
    );
    assert_eq!(events(&*relay.ledger).await.len(), 7);
    relay.stop().await;
}

#[tokio::test]
async fn never_recovers_an_event_that_was_delivered() {
    let (_dir, relay) = TestRelay::fresh("reconcile-delivered").await;
    for form in ["sale", "refund", "cancellation", "subscription_ended"] {
        let (status, answer) = relay
            .post_gumroad_form(fixture(&format!("gumroad/webhooks/{form}.form")))
            .await;
        assert_eq!((status, answer["status"].as_str()), (200, Some("stored")));
    }
    let server = gumroad(
        vec![api_sale(SALE, BUYER, json!({"refunded": true}))],
        vec![api_cancelled_subscriber()],
    )
    .await;
    let report = reconcile(&*relay.ledger, &source(&server), &options("t"))
        .await
        .unwrap();
    assert_eq!(report.missing(), 0, "{report:?}");
    assert_eq!(
        counts(&report),
        vec![
            row("sale", 1, 1, 0),
            row("refund", 1, 1, 0),
            row("subscription_cancelled", 1, 1, 0),
            row("subscription_ended", 1, 1, 0),
        ]
    );
    let stored = events(&*relay.ledger).await;
    assert_eq!(stored.len(), 4);
    assert!(stored.iter().all(|e| e.recovered_from.is_none()));
    relay.stop().await;
}

#[tokio::test]
async fn a_delivery_after_recovery_is_a_duplicate_and_its_retry_too() {
    let (_dir, relay) = TestRelay::fresh("reconcile-late").await;
    add_destination(&*relay.ledger).await;
    let server = gumroad(
        vec![api_sale(SALE, BUYER, json!({"refunded": true}))],
        vec![api_cancelled_subscriber()],
    )
    .await;
    let report = reconcile(&*relay.ledger, &source(&server), &options("t"))
        .await
        .unwrap();
    assert_eq!(report.missing(), 4);

    for form in ["sale", "refund", "cancellation", "subscription_ended"] {
        let (status, answer) = relay
            .post_gumroad_form(fixture(&format!("gumroad/webhooks/{form}.form")))
            .await;
        assert_eq!(
            (status, answer["status"].as_str()),
            (200, Some("duplicate")),
            "{form}: {answer}"
        );
    }
    // Gumroad's retry of the sale ping (`retry_count=1`, same content).
    let sale_form = String::from_utf8(fixture("gumroad/webhooks/sale.form")).unwrap();
    let (_, retry) = relay
        .post_gumroad_form(format!("{sale_form}&retry_count=1").into_bytes())
        .await;
    assert_eq!(retry["status"], "duplicate", "{retry}");

    let stored = events(&*relay.ledger).await;
    assert_eq!(stored.len(), 4, "nothing stored twice");
    let sale = stored.iter().find(|e| e.name == "sale").unwrap();
    assert_eq!(sale.deliveries, 3, "recovered, delivered, retried");
    assert!(sale.recovered_from.is_some());
    let messages = messages(&*relay.ledger).await;
    assert_eq!(messages, 4, "forwarded once each");

    // And a reconcile after the deliveries still stores nothing new.
    let again = reconcile(&*relay.ledger, &source(&server), &options("t"))
        .await
        .unwrap();
    assert_eq!(again.missing(), 0);
    relay.stop().await;
}

#[tokio::test]
async fn the_cursor_moves_only_after_a_complete_run_and_the_next_run_reads_from_it() {
    let dir = TempDir::new("reconcile-cursor");
    let ledger = ledger::open(dir.db().to_str().unwrap()).await.unwrap();

    // A run that fails halfway (the second page is not a sales page).
    let broken = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/sales"))
        .and(query_param("page_key", "next"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"success": true, "sales": "oops"})),
        )
        .with_priority(1)
        .mount(&broken)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/sales"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "success": true,
            "sales": [api_sale(SALE, BUYER, json!({}))],
            "next_page_key": "next",
        })))
        .mount(&broken)
        .await;
    let mut source_broken = source(&broken);
    source_broken.subscribers = None;
    let err = reconcile(&*ledger, &source_broken, &ReconcileOptions::new("t"))
        .await
        .unwrap_err();
    assert!(matches!(err, ReconcileError::Provider(_)), "{err:?}");
    let state = ledger.reconcile_state("gumroad").await.unwrap().unwrap();
    assert_eq!(state.cursor, None, "a failed run leaves the cursor");
    assert_eq!(state.lease_owner, None, "and gives the lease back");
    // What it recovered before failing stays.
    assert_eq!(events(&*ledger).await.len(), 1);

    // A run killed while holding the lease: it never ends, its lease expires.
    let killed = Lease {
        provider: "gumroad".into(),
        owner: "killed".into(),
        now: timestamp(OffsetDateTime::now_utc()),
        until: timestamp(OffsetDateTime::now_utc() + time::Duration::hours(1)),
    };
    assert!(ledger.reconcile_lease(killed.clone()).await.unwrap());
    let server = gumroad(vec![api_sale(SALE, BUYER, json!({}))], vec![]).await;
    let busy = reconcile(&*ledger, &source(&server), &ReconcileOptions::new("t"))
        .await
        .unwrap_err();
    assert!(matches!(busy, ReconcileError::Busy { .. }), "{busy:?}");
    let state = ledger.reconcile_state("gumroad").await.unwrap().unwrap();
    assert_eq!(state.cursor, None, "a killed run does not move it");
    let expired = Lease {
        until: timestamp(OffsetDateTime::now_utc() - time::Duration::seconds(1)),
        ..killed
    };
    assert!(ledger.reconcile_lease(expired).await.unwrap());

    // A complete run moves it to its start; the next run reads from that day.
    let done = reconcile(&*ledger, &source(&server), &ReconcileOptions::new("t"))
        .await
        .unwrap();
    let state = ledger.reconcile_state("gumroad").await.unwrap().unwrap();
    assert_eq!(state.cursor.as_deref(), Some(done.started_at.as_str()));
    assert_eq!(state.runs, 1);
    let first_window: Vec<String> = sales_afters(&server).await;
    let today = creator_cli::commands::day_string(OffsetDateTime::now_utc().date());
    let week_ago = creator_cli::commands::day_string(
        (OffsetDateTime::now_utc() - time::Duration::days(7)).date(),
    );
    assert_eq!(first_window, vec![week_ago], "a first run reads 7 days");
    server.reset().await;
    let server2 = gumroad(vec![], vec![]).await;
    reconcile(&*ledger, &source(&server2), &ReconcileOptions::new("t"))
        .await
        .unwrap();
    assert_eq!(sales_afters(&server2).await, vec![today], "from the cursor");
    ledger.close().await;
}

/// The `after` days of the sales listings `server` answered.
async fn sales_afters(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/v2/sales")
        .filter_map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "after")
                .map(|(_, v)| v.into_owned())
        })
        .collect()
}

#[tokio::test]
async fn check_exits_5_when_something_was_missing_and_0_when_nothing_was() {
    let dir = TempDir::new("reconcile-check");
    let db = dir.db();
    let server = shop().await;
    let command = |format: &str| {
        let mut cmd = creator();
        cmd.args([
            "reconcile",
            "--provider",
            "gumroad",
            "--since",
            "2025-01-01",
        ])
        .args(["--check", "--format", format, "--db"])
        .arg(&db)
        .env("GUMROAD_ACCESS_TOKEN", "test-token")
        .env("GUMROAD_API_URL", server.uri());
        cmd
    };
    let first = run(command("json")).await;
    assert_eq!(first.status.code(), Some(5), "{}", stderr(&first));
    let rows: Value = serde_json::from_str(&stdout(&first)).unwrap();
    let recovered: u64 = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["recovered"].as_u64().unwrap())
        .sum();
    assert_eq!(recovered, 7);
    assert!(stderr(&first).contains("missing"), "{}", stderr(&first));

    let second = run(command("table")).await;
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let table = stdout(&second);
    assert!(table.contains("RECOVERED"), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.contains("sale") && l.trim_end().ends_with(" 0"))
    );
}

#[tokio::test]
async fn relay_reconcile_every_recovers_inside_the_relay() {
    let dir = TempDir::new("reconcile-relay");
    let db = dir.db();
    let server = shop().await;
    let uri = server.uri();
    let relay = spawn_relay_with(
        db.to_str().unwrap(),
        &[
            ("GUMROAD_ACCESS_TOKEN", "test-token"),
            ("GUMROAD_API_URL", uri.as_str()),
        ],
        &["--reconcile-every", "1h"],
    )
    .await;
    assert!(
        relay
            .banner
            .iter()
            .any(|l| l.contains("reconcile: every 3600s")),
        "{:?}",
        relay.banner
    );
    // The first run starts with the relay and reads the 7 days before it;
    // this stand-in lists every sale whatever the window, while the
    // cancelled subscription ended before the window and is left alone.
    let ledger = ledger::open_read_only(db.to_str().unwrap()).await.unwrap();
    let state = eventually(
        Duration::from_secs(20),
        "a complete reconcile run",
        || async { ledger.reconcile_state("gumroad").await.unwrap() },
        |s| s.as_ref().is_some_and(|s| s.runs == 1),
    )
    .await
    .unwrap();
    assert!(state.cursor.is_some());
    assert_eq!(state.lease_owner, None);
    let stored = events(&*ledger).await;
    assert_eq!(stored.len(), 5, "3 sales, a refund, a dispute");
    assert!(stored.iter().all(|e| e.recovered_from.is_some()));
    ledger.close().await;
    sigterm_and_wait(relay).await;
}

/// Gank: the wallet list (`fixtures/gank/transactions_page1.json`, a digital
/// goods sale and a membership payment) recovered as the two documented
/// events, and the recorded delivery of the same digital goods sale
/// (`webhook_digital_goods.json`, same `human_id`) is then a duplicate.
#[tokio::test]
async fn gank_payments_are_recovered_and_their_delivery_is_a_duplicate() {
    let dir = TempDir::new("reconcile-gank");
    let db = dir.db();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/payment/transactions"))
        .respond_with(json_fixture("gank/transactions_page1.json"))
        .mount(&server)
        .await;
    let mut cmd = creator();
    cmd.args(["reconcile", "--provider", "gank", "--since", "2025-01-01"])
        .args(["--format", "json", "--db"])
        .arg(&db)
        .env("GANK_LOGIN_TOKEN", "test-login-token")
        .env("GANK_V2_URL", server.uri())
        .env("GANK_V1_URL", server.uri());
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let kinds: Vec<(&str, u64)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap(),
                r["recovered"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(kinds, vec![("sale", 1), ("membership_payment", 1)]);

    let relay = TestRelay::start(db.to_str().unwrap()).await;
    let stored = events(&*relay.ledger).await;
    let mut names: Vec<(&str, &str)> = stored
        .iter()
        .map(|e| (e.name.as_str(), e.identity.as_str()))
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        vec![
            (
                "DIGITAL_GOODS.TX_SUCCEED",
                "gank:DIGITAL_GOODS.TX_SUCCEED:DG-260227-5U7OZOIXN"
            ),
            (
                "USER_MEMBERSHIP.TX_SUCCEED",
                "gank:USER_MEMBERSHIP.TX_SUCCEED:UM-260105-5UOW4VDKN"
            ),
        ]
    );
    let (status, answer) = relay
        .post_gank(fixture("gank/webhook_digital_goods.json"))
        .await;
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("duplicate")),
        "{answer}"
    );
    assert_eq!(events(&*relay.ledger).await.len(), 2);
    relay.stop().await;
}
