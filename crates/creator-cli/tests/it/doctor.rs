//! `creator doctor` against local mocks of Gumroad, Gank and Maton and real
//! ledgers filled by an in-process relay: each check healthy and broken,
//! `--fix --yes` (the mock sees exactly the announced writes), exit
//! statuses, JSON output, and `--gank-signature` on stored Gank deliveries.
//!
//! The Gank bodies are fixtures/gank/webhook_*.json (the payment-webhooks
//! page's samples); Gank's real signature scheme is unknown, so each test
//! signs them itself with a chosen scheme and key and checks that the doctor
//! names that scheme.

use std::sync::Arc;

use creator_cli::ledger::{self, Attempt, Claim, NewDestination, Next, timestamp};
use creator_cli::relay::Endpoint;
use creator_core::verify::{Hmac, HmacAlgorithm, SignatureEncoding, UrlToken};
use creator_core::{Secret, Webhooks};
use gank_api::GankWebhooks;
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::support::{
    self, Deliver, GANK_HEADER, GANK_KEY, GUMROAD_SECRET, TempDir, TestRelay, fixture,
};

const PUBLIC: &str = "https://hooks.example.com";
/// The eight resource names, from gumroad-api.
fn resources() -> Vec<String> {
    gumroad_api::GumroadEventName::ALL
        .iter()
        .map(|e| e.as_str().to_owned())
        .collect()
}

fn ours() -> String {
    format!("{PUBLIC}/webhooks/gumroad/{GUMROAD_SECRET}")
}

fn subs(resource: &str, urls: &[(&str, &str)]) -> Value {
    let list: Vec<Value> = urls
        .iter()
        .map(|(id, url)| json!({"id": id, "resource_name": resource, "post_url": url}))
        .collect();
    json!({"success": true, "resource_subscriptions": list})
}

/// `GET /v2/user` answers for a token that works.
async fn mount_user(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/v2/user"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"success": true, "user": {"name": "Test Shop"}})),
        )
        .mount(server)
        .await;
}

/// What the mock received besides reads.
async fn writes(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method != wiremock::http::Method::GET)
        .collect()
}

/// A Gumroad mock: `/v2/user`, and each resource's subscriptions from
/// `listing` (the healthy single subscription when it gives `None`).
async fn gumroad(listing: impl Fn(&str) -> Option<Value>) -> MockServer {
    let server = MockServer::start().await;
    mount_user(&server).await;
    for r in resources() {
        let r = r.as_str();
        let body = listing(r).unwrap_or_else(|| subs(r, &[(&format!("ok-{r}"), &ours())]));
        Mock::given(method("GET"))
            .and(path("/v2/resource_subscriptions"))
            .and(query_param("resource_name", r))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
    }
    server
}

/// `creator doctor --url PUBLIC --gumroad-secret … --db DB`.
fn doctor_command(db: &str) -> std::process::Command {
    let mut cmd = support::creator();
    cmd.args([
        "doctor",
        "--url",
        PUBLIC,
        "--gumroad-secret",
        GUMROAD_SECRET,
        "--db",
        db,
    ]);
    cmd
}

/// `creator doctor --url PUBLIC --gumroad-secret … --format json` with
/// the given ledger and environment; returns the exit status and the JSON.
async fn doctor(db: &str, envs: &[(&str, &str)], extra: &[&str]) -> (i32, Value, String) {
    let mut cmd = doctor_command(db);
    cmd.args(["--format", "json"]).args(extra);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = support::run(cmd).await;
    let text = support::stdout(&out);
    let json: Value = serde_json::from_str(text.trim())
        .unwrap_or_else(|e| panic!("{e}: {text} / {}", support::stderr(&out)));
    (out.status.code().unwrap_or(-1), json, support::stderr(&out))
}

/// [`doctor`] with a Gumroad token and the mock at `uri`.
async fn doctor_gumroad(db: &str, uri: &str, token: &str, extra: &[&str]) -> (i32, Value, String) {
    doctor(
        db,
        &[("GUMROAD_ACCESS_TOKEN", token), ("GUMROAD_API_URL", uri)],
        extra,
    )
    .await
}

fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {report:#}"))
}

fn status<'a>(report: &'a Value, name: &str) -> &'a str {
    check(report, name)["status"].as_str().unwrap()
}

/// A ledger holding one Gumroad sale and one signed Gank delivery, just received.
async fn ledger_with_deliveries(label: &str) -> TempDir {
    let (dir, relay) = TestRelay::fresh(label).await;
    let (s, _) = relay
        .post_gumroad_form(fixture("gumroad/webhooks/sale.form"))
        .await;
    assert_eq!(s, 200);
    let (s, _) = relay
        .post_gank(fixture("gank/webhook_digital_goods.json"))
        .await;
    assert_eq!(s, 200);
    relay.stop().await;
    dir
}

fn db(dir: &TempDir) -> String {
    dir.db().to_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_healthy_gumroad_wiring_and_ledger_exit_0() {
    let dir = ledger_with_deliveries("doctor-healthy").await;
    // Another integration's subscription is left alone.
    let server = gumroad(|r| {
        (r == "sale").then(|| {
            subs(
                r,
                &[("z1", "https://hooks.zapier.com/1"), ("ok-sale", &ours())],
            )
        })
    })
    .await;
    let uri = server.uri();
    let (code, report, _) = doctor_gumroad(&db(&dir), &uri, "tok", &[]).await;
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["status"], "ok");
    for r in resources() {
        let r = r.as_str();
        assert_eq!(status(&report, &format!("gumroad.subscription.{r}")), "ok");
    }
    let sale = check(&report, "gumroad.subscription.sale");
    assert!(
        sale["detail"]
            .as_str()
            .unwrap()
            .contains("1 subscription(s) to other URLs"),
        "{sale}"
    );
    // The URL secret is never printed.
    assert!(!report.to_string().contains(GUMROAD_SECRET), "{report}");
    assert_eq!(status(&report, "gumroad.token"), "ok");
    assert_eq!(status(&report, "gumroad.scopes"), "ok");
    assert_eq!(status(&report, "gumroad.ping_url"), "unknown");
    assert_eq!(status(&report, "ledger.writable"), "ok");
    assert_eq!(status(&report, "ledger.schema"), "ok");
    assert_eq!(status(&report, "ledger.last_delivery.gumroad"), "ok");
    assert_eq!(status(&report, "ledger.quarantine"), "ok");
    assert_eq!(status(&report, "gank"), "unknown");
    assert_eq!(report["fix_plan"], json!([]));
}

/// Zero (sale), two (refund) and an old URL only (dispute), and an old URL
/// beside the right one (cancellation).
async fn broken_gumroad() -> MockServer {
    gumroad(|r| match r {
        "sale" => Some(subs(r, &[])),
        "refund" => Some(subs(r, &[("dup1", &ours()), ("dup2", &ours())])),
        "dispute" => Some(subs(
            r,
            &[(
                "old1",
                "https://old-host.example/webhooks/gumroad/oldsecret1234567",
            )],
        )),
        "cancellation" => Some(subs(
            r,
            &[
                ("ok-c", &ours()),
                (
                    "old2",
                    "https://hooks.example.com/webhooks/gumroad/previous-secret-99",
                ),
            ],
        )),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn zero_two_and_old_url_subscriptions_are_named_with_their_fix() {
    let dir = ledger_with_deliveries("doctor-broken-gumroad").await;
    let server = broken_gumroad().await;
    let uri = server.uri();
    let (code, report, _) = doctor_gumroad(&db(&dir), &uri, "tok", &[]).await;
    assert_eq!(code, 2, "{report:#}");
    assert_eq!(report["status"], "problem");
    assert_eq!(status(&report, "gumroad.subscription.sale"), "problem");
    assert_eq!(status(&report, "gumroad.subscription.refund"), "warning");
    assert_eq!(status(&report, "gumroad.subscription.dispute"), "problem");
    assert_eq!(
        status(&report, "gumroad.subscription.cancellation"),
        "warning"
    );
    assert_eq!(status(&report, "gumroad.subscription.dispute_won"), "ok");
    let refund = check(&report, "gumroad.subscription.refund");
    assert!(
        refund["detail"]
            .as_str()
            .unwrap()
            .contains("subscribed 2 times")
    );
    assert!(refund["fix"].as_str().unwrap().contains("--fix"));
    let dispute = check(&report, "gumroad.subscription.dispute");
    assert!(
        dispute["detail"]
            .as_str()
            .unwrap()
            .contains("old relay URL")
    );
    // The old secret is not shown either.
    assert!(!report.to_string().contains("oldsecret1234567"), "{report}");
    let plan: Vec<&str> = report["fix_plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(plan.len(), 5, "{plan:?}");
    assert!(
        plan[0]
            .starts_with("subscribe sale to https://hooks.example.com/webhooks/gumroad/<secret>")
    );
    assert!(
        plan.iter()
            .any(|l| l.contains("dup2") && l.contains("duplicate"))
    );
    assert!(
        plan.iter()
            .any(|l| l.contains("old1") && l.contains("old URL"))
    );
    assert!(
        plan.iter()
            .any(|l| l.contains("old2") && l.contains("old URL"))
    );
    assert!(plan.iter().any(|l| l.starts_with("subscribe dispute ")));
    // Without --fix nothing was written.
    assert!(writes(&server).await.is_empty());
}

#[tokio::test]
async fn fix_with_yes_sends_exactly_the_announced_subscribe_and_delete_calls() {
    let dir = ledger_with_deliveries("doctor-fix").await;
    let server = MockServer::start().await;
    // The first listing of each resource is the broken one; after the fix,
    // the healthy one.
    mount_user(&server).await;
    let before = |r: &str| match r {
        "sale" => subs(r, &[]),
        "refund" => subs(r, &[("dup1", &ours()), ("dup2", &ours())]),
        "dispute" => subs(
            r,
            &[(
                "old1",
                "https://old-host.example/webhooks/gumroad/oldsecret1234567",
            )],
        ),
        _ => subs(r, &[(&format!("ok-{r}"), &ours())]),
    };
    for r in resources() {
        let r = r.as_str();
        Mock::given(method("GET"))
            .and(path("/v2/resource_subscriptions"))
            .and(query_param("resource_name", r))
            .respond_with(ResponseTemplate::new(200).set_body_json(before(r)))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/v2/resource_subscriptions"))
            .and(query_param("resource_name", r))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(subs(r, &[(&format!("ok-{r}"), &ours())])),
            )
            .with_priority(2)
            .mount(&server)
            .await;
    }
    for r in ["sale", "dispute"] {
        Mock::given(method("PUT"))
            .and(path("/v2/resource_subscriptions"))
            .and(body_string_contains(format!("resource_name={r}&")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "success": true,
                "resource_subscription": {"id": format!("new-{r}"), "resource_name": r, "post_url": ours()}
            })))
            .expect(1)
            .mount(&server)
            .await;
    }
    for id in ["dup2", "old1"] {
        Mock::given(method("DELETE"))
            .and(path(format!("/v2/resource_subscriptions/{id}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "success": true,
                "message": "The resource_subscription was deleted successfully."
            })))
            .expect(1)
            .mount(&server)
            .await;
    }
    let uri = server.uri();
    let (code, report, stderr) = doctor_gumroad(&db(&dir), &uri, "tok", &["--fix", "--yes"]).await;
    assert_eq!(code, 0, "{report:#}\n{stderr}");
    // Announced before anything was sent, then done one by one.
    let announced = stderr
        .find("will change these Gumroad subscriptions")
        .unwrap();
    let first_done = stderr.find("now: ").unwrap();
    assert!(announced < first_done, "{stderr}");
    for needle in [
        "subscribe sale to https://hooks.example.com/webhooks/gumroad/<secret>",
        "subscribe dispute to",
        "remove the refund subscription dup2",
        "remove the dispute subscription old1",
    ] {
        assert_eq!(stderr.matches(needle).count(), 2, "{needle}: {stderr}");
    }
    assert!(!stderr.contains(GUMROAD_SECRET));
    let writes = writes(&server).await;
    assert_eq!(writes.len(), 4, "{writes:?}");
    for w in writes
        .iter()
        .filter(|w| w.method == wiremock::http::Method::PUT)
    {
        let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&w.body).unwrap();
        assert!(form.contains(&("post_url".into(), ours())), "{form:?}");
    }
    assert_eq!(status(&report, "gumroad.fix.subscribe.sale"), "ok");
    assert_eq!(status(&report, "gumroad.fix.remove.dup2"), "ok");
    // The checks after the fix read the subscriptions again.
    assert_eq!(status(&report, "gumroad.subscription.sale"), "ok");
    assert_eq!(status(&report, "gumroad.subscription.refund"), "ok");
}

#[tokio::test]
async fn fix_without_a_terminal_or_yes_asks_and_sends_nothing() {
    let dir = ledger_with_deliveries("doctor-fix-refused").await;
    let server = broken_gumroad().await;
    let uri = server.uri();
    let mut cmd = doctor_command(&db(&dir));
    cmd.arg("--fix")
        .env("GUMROAD_ACCESS_TOKEN", "tok")
        .env("GUMROAD_API_URL", &uri)
        .stdin(std::process::Stdio::null());
    let out = support::run(cmd).await;
    assert_eq!(out.status.code(), Some(2));
    let err = support::stderr(&out);
    assert!(err.contains("subscribe sale to"), "{err}");
    assert!(err.contains("Not asked"), "{err}");
    assert!(writes(&server).await.is_empty());
}

#[tokio::test]
async fn a_rejected_token_and_a_token_without_view_sales_are_problems() {
    let dir = ledger_with_deliveries("doctor-token").await;
    let bad = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/user"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&bad)
        .await;
    let uri = bad.uri();
    let (code, report, _) = doctor_gumroad(&db(&dir), &uri, "revoked", &[]).await;
    assert_eq!(code, 2);
    let token = check(&report, "gumroad.token");
    assert_eq!(token["status"], "problem");
    assert!(
        token["fix"]
            .as_str()
            .unwrap()
            .contains("GUMROAD_ACCESS_TOKEN")
    );

    let scopeless = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/user"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"success": true, "user": {}})),
        )
        .mount(&scopeless)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/resource_subscriptions"))
        .respond_with(ResponseTemplate::new(403))
        .mount(&scopeless)
        .await;
    let uri = scopeless.uri();
    let (code, report, _) = doctor_gumroad(&db(&dir), &uri, "view-profile-only", &[]).await;
    assert_eq!(code, 2);
    assert_eq!(status(&report, "gumroad.token"), "ok");
    let scopes = check(&report, "gumroad.scopes");
    assert_eq!(scopes["status"], "problem");
    assert!(scopes["detail"].as_str().unwrap().contains("view_sales"));
}

async fn gank_registration(body: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/auth/external-callback/register"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn gank_callback_events_and_key_each_healthy_and_broken() {
    let dir = ledger_with_deliveries("doctor-gank").await;
    let url = format!("{PUBLIC}/webhooks/gank");
    let cases = [
        (
            json!({"key": GANK_KEY, "external_callback_url": url,
                   "events": ["USER_MEMBERSHIP.TX_SUCCEED", "DIGITAL_GOODS.TX_SUCCEED"]}),
            [
                ("gank.callback_url", "ok"),
                ("gank.events", "ok"),
                ("gank.key", "ok"),
            ],
            0,
        ),
        (
            json!({"key": GANK_KEY, "external_callback_url": "https://another-app.example/hook",
                   "events": ["USER_MEMBERSHIP.TX_SUCCEED", "DIGITAL_GOODS.TX_SUCCEED"]}),
            [
                ("gank.callback_url", "problem"),
                ("gank.events", "ok"),
                ("gank.key", "ok"),
            ],
            2,
        ),
        (
            json!({"key": "a-newer-registration-key", "external_callback_url": url,
                   "events": ["USER_MEMBERSHIP.TX_SUCCEED"]}),
            [
                ("gank.callback_url", "ok"),
                ("gank.events", "warning"),
                ("gank.key", "problem"),
            ],
            2,
        ),
        (
            json!({"key": GANK_KEY, "external_callback_url": url, "events": null}),
            [
                ("gank.callback_url", "ok"),
                ("gank.events", "problem"),
                ("gank.key", "ok"),
            ],
            2,
        ),
    ];
    for (body, expected, exit) in cases {
        let server = gank_registration(body.clone()).await;
        let uri = server.uri();
        let (code, report, _) = doctor(
            &db(&dir),
            &[
                ("GANK_LOGIN_TOKEN", "login"),
                ("GANK_V2_URL", &uri),
                ("GANK_WEBHOOK_KEY", GANK_KEY),
            ],
            &[],
        )
        .await;
        for (name, want) in expected {
            assert_eq!(status(&report, name), want, "{name} for {body}: {report:#}");
        }
        assert_eq!(code, exit, "{body}: {report:#}");
        assert!(!report.to_string().contains(GANK_KEY));
    }
}

async fn maton(status_of_connection: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/connections"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"connections": [
                {"connection_id": "c-1", "status": status_of_connection, "app": "gumroad"}
            ]})),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn maton_key_and_connection_each_healthy_and_broken() {
    let dir = ledger_with_deliveries("doctor-maton").await;
    for (state, want, exit) in [
        ("ACTIVE", "ok", 0),
        ("PENDING", "problem", 2),
        ("FAILED", "problem", 2),
    ] {
        let server = maton(state).await;
        let uri = server.uri();
        let (code, report, _) = doctor(
            &db(&dir),
            &[("MATON_API_KEY", "mk"), ("MATON_API_URL", &uri)],
            &[],
        )
        .await;
        assert_eq!(status(&report, "maton.key"), "ok");
        assert_eq!(
            status(&report, "maton.connection"),
            want,
            "{state}: {report:#}"
        );
        assert_eq!(code, exit, "{state}: {report:#}");
    }
    let bad = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/connections"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "invalid api key"})))
        .mount(&bad)
        .await;
    let uri = bad.uri();
    let (code, report, _) = doctor(
        &db(&dir),
        &[("MATON_API_KEY", "wrong"), ("MATON_API_URL", &uri)],
        &[],
    )
    .await;
    assert_eq!(code, 2);
    assert_eq!(status(&report, "maton.key"), "problem");
}

#[tokio::test]
async fn dead_letters_backlog_and_unreplayed_authentic_deliveries_are_reported() {
    let dir = TempDir::new("doctor-ledger");
    let path = db(&dir);
    {
        let ledger = ledger::open(&path).await.unwrap();
        let now = timestamp(time::OffsetDateTime::now_utc());
        for name in ["down", "slow", "fine"] {
            ledger
                .add_destination(NewDestination {
                    name: name.into(),
                    url: format!("https://{name}.example/hook"),
                    secret: Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
                    provider: None,
                    kind: None,
                    now: now.clone(),
                })
                .await
                .unwrap();
        }
        ledger.close().await;
    }
    let config = creator_cli::relay::RelayConfig {
        forward: None,
        ..support::config()
    };
    let relay = TestRelay::start_with(&path, support::endpoints(), config).await;
    // Two sales (two subjects: each destination may take both at once).
    let sale = String::from_utf8(fixture("gumroad/webhooks/sale.form")).unwrap();
    let other = sale.replace("sale_id=FO8TXN", "sale_id=ZZ9TXN");
    for body in [sale, other] {
        let (s, _) = relay.post_gumroad_form(body.into_bytes()).await;
        assert_eq!(s, 200);
    }
    // Signed by Gank but unreadable: kept whole in the quarantine.
    let (s, _) = relay.post_gank(b"{\"event\": ".to_vec()).await;
    assert_eq!(s, 400);
    relay.stop().await;
    {
        let ledger = ledger::open(&path).await.unwrap();
        let destinations = ledger.destinations().await.unwrap();
        let id_of = |n: &str| destinations.iter().find(|d| d.name == n).unwrap().id;
        let now = time::OffsetDateTime::now_utc();
        let claimed = ledger
            .claim(Claim {
                owner: "test".into(),
                now: timestamp(now),
                lease_until: timestamp(now + time::Duration::minutes(5)),
                slots: vec![(id_of("down"), 10), (id_of("slow"), 1), (id_of("fine"), 10)],
            })
            .await
            .unwrap();
        let attempts: Vec<Attempt> = claimed
            .iter()
            .map(|c| Attempt {
                message_id: c.message_id,
                destination_id: c.destination_id,
                owner: "test".into(),
                attempt: c.attempt,
                started_at: timestamp(now),
                status_code: Some(if c.destination.name == "fine" {
                    200
                } else {
                    503
                }),
                latency_ms: 1,
                error: None,
                next: match c.destination.name.as_str() {
                    "down" => Next::Dead,
                    "slow" => Next::RetryAt(timestamp(now + time::Duration::hours(1))),
                    _ => Next::Delivered,
                },
            })
            .collect();
        ledger.finish(attempts).await.unwrap();
        ledger.close().await;
    }
    let (code, report, _) = doctor(&path, &[], &[]).await;
    assert_eq!(code, 2, "{report:#}");
    let down = check(&report, "ledger.forwarding.down");
    assert_eq!(down["status"], "problem");
    assert!(
        down["detail"]
            .as_str()
            .unwrap()
            .contains("2 dead letter(s)"),
        "{down}"
    );
    assert!(
        down["fix"]
            .as_str()
            .unwrap()
            .contains("creator events replay --destination down")
    );
    let slow = check(&report, "ledger.forwarding.slow");
    assert_eq!(slow["status"], "warning");
    assert!(
        slow["detail"]
            .as_str()
            .unwrap()
            .starts_with("1 pending, 1 waiting for a retry, 0 dead"),
        "{slow}"
    );
    assert_eq!(status(&report, "ledger.forwarding.fine"), "ok");
    let quarantine = check(&report, "ledger.quarantine");
    assert_eq!(quarantine["status"], "problem");
    assert!(
        quarantine["fix"]
            .as_str()
            .unwrap()
            .contains("creator quarantine replay")
    );
}

#[tokio::test]
async fn a_ledger_without_recent_deliveries_warns_and_a_missing_one_is_named() {
    let dir = TempDir::new("doctor-missing-ledger");
    let (code, report, _) = doctor(&db(&dir), &[], &[]).await;
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(status(&report, "ledger.open"), "warning");

    // Gank is expected (its key is set) but no Gank delivery was stored.
    let (dir, relay) = TestRelay::fresh("doctor-quiet").await;
    let (s, _) = relay
        .post_gumroad_form(fixture("gumroad/webhooks/sale.form"))
        .await;
    assert_eq!(s, 200);
    relay.stop().await;
    let (code, report, _) = doctor(&db(&dir), &[("GANK_WEBHOOK_KEY", GANK_KEY)], &[]).await;
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(status(&report, "ledger.last_delivery.gank"), "warning");

    // A delivery older than --quiet-days is a warning (0: any age).
    let dir = ledger_with_deliveries("doctor-stale").await;
    let (_, fresh, _) = doctor(&db(&dir), &[("GANK_WEBHOOK_KEY", GANK_KEY)], &[]).await;
    assert_eq!(status(&fresh, "ledger.last_delivery.gank"), "ok");
    let (code, report, _) = doctor(
        &db(&dir),
        &[("GANK_WEBHOOK_KEY", GANK_KEY)],
        &["--quiet-days", "0"],
    )
    .await;
    assert_eq!(code, 1, "{report:#}");
    let stale = check(&report, "ledger.last_delivery.gank");
    assert_eq!(stale["status"], "warning");
    assert!(
        stale["fix"]
            .as_str()
            .unwrap()
            .contains("creator reconcile --provider gank")
    );
}

#[tokio::test]
async fn text_output_has_one_line_per_check_and_its_fix() {
    let dir = ledger_with_deliveries("doctor-text").await;
    let server = broken_gumroad().await;
    let mut cmd = doctor_command(&db(&dir));
    cmd.env("GUMROAD_ACCESS_TOKEN", "tok")
        .env("GUMROAD_API_URL", server.uri());
    let out = support::run(cmd).await;
    assert_eq!(out.status.code(), Some(2));
    let text = support::stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("problem  gumroad.subscription.sale: not subscribed")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("ok       gumroad.subscription.dispute_won:"))
    );
    assert!(text.contains("         fix: `creator doctor --url … --fix`"));
    assert!(text.contains("`creator doctor --fix` would:"));
    assert!(
        support::stderr(&out).is_empty(),
        "{}",
        support::stderr(&out)
    );
}

/// A relay whose Gank endpoint checks only a URL secret, so it stores Gank
/// deliveries whatever their signature; the doctor then finds the scheme.
async fn gank_delivery_signed(signer: &Hmac, header: &str, label: &str) -> TempDir {
    const URL_SECRET: &str = "gank-url-secret-0123456789";
    let dir = TempDir::new(label);
    let hooks: Arc<dyn Webhooks> = Arc::new(
        GankWebhooks::builder()
            .verifier(UrlToken::last_path_segment(URL_SECRET).unwrap())
            .build()
            .unwrap(),
    );
    let endpoints = vec![Endpoint::new("gank", hooks).url_secret(URL_SECRET).unwrap()];
    let relay = TestRelay::start_with(&db(&dir), endpoints, support::config()).await;
    let body = fixture("gank/webhook_user_membership.json");
    let sig = signer.sign(&body);
    let (s, answer) = relay
        .post(
            &format!("/webhooks/gank/{URL_SECRET}"),
            "application/json",
            body,
            &[(header, &sig)],
        )
        .await;
    assert_eq!(s, 200, "{answer}");
    relay.stop().await;
    dir
}

#[tokio::test]
async fn gank_signature_names_the_scheme_that_signed_a_stored_delivery() {
    // The test relays' scheme: SHA-256, hex, x-gank-signature.
    let dir = ledger_with_deliveries("doctor-sig-default").await;
    let (code, report, _) = doctor(
        &db(&dir),
        &[("GANK_WEBHOOK_KEY", GANK_KEY)],
        &["--gank-signature"],
    )
    .await;
    assert_eq!(code, 0, "{report:#}");
    let sig = check(&report, "gank.signature");
    assert_eq!(sig["status"], "ok");
    let detail = sig["detail"].as_str().unwrap();
    assert!(
        detail.starts_with(&format!(
            "HMAC-SHA256, hex, in `{GANK_HEADER}`, over the raw body"
        )),
        "{detail}"
    );
    assert!(sig["fix"].as_str().unwrap().contains(&format!(
        "GANK_SIGNATURE_HEADER={GANK_HEADER} creator relay --gank-signature-algorithm sha256 --gank-signature-encoding hex"
    )));
    assert_eq!(report["checks"].as_array().unwrap().len(), 1, "{report:#}");

    // SHA-512 in Base64 under another header, with the key read from the
    // registration (as Gank returns it).
    let key = "registration-key-from-gank-7f3a";
    let signer = Hmac::builder("x-webhook-hmac")
        .key(key)
        .algorithm(HmacAlgorithm::Sha512)
        .encoding(SignatureEncoding::Base64)
        .build()
        .unwrap();
    let dir = gank_delivery_signed(&signer, "x-webhook-hmac", "doctor-sig-512").await;
    let server =
        gank_registration(json!({"key": key, "external_callback_url": "x", "events": []})).await;
    let uri = server.uri();
    let (code, report, _) = doctor(
        &db(&dir),
        &[("GANK_LOGIN_TOKEN", "login"), ("GANK_V2_URL", &uri)],
        &["--gank-signature"],
    )
    .await;
    assert_eq!(code, 0, "{report:#}");
    let detail = check(&report, "gank.signature")["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        detail.starts_with("HMAC-SHA512, base64, in `x-webhook-hmac`, over the raw body"),
        "{detail}"
    );
    assert!(detail.contains("with the registration's key"), "{detail}");

    // The wrong key matches nothing: a problem naming the headers seen.
    let (code, report, _) = doctor(
        &db(&dir),
        &[("GANK_WEBHOOK_KEY", "not-the-key")],
        &["--gank-signature"],
    )
    .await;
    assert_eq!(code, 2);
    let sig = check(&report, "gank.signature");
    assert_eq!(sig["status"], "problem");
    assert!(
        sig["detail"].as_str().unwrap().contains("x-webhook-hmac"),
        "{sig}"
    );

    // No stored Gank delivery: a warning saying how to get one.
    let empty = TempDir::new("doctor-sig-empty");
    drop(ledger::open(&db(&empty)).await.unwrap());
    let (code, report, _) = doctor(
        &db(&empty),
        &[("GANK_WEBHOOK_KEY", GANK_KEY)],
        &["--gank-signature"],
    )
    .await;
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(status(&report, "gank.signature"), "warning");
}

#[test]
fn the_report_type_serialises_as_the_console_reads_it() {
    use creator_cli::doctor::{Check, Report, Status};
    let report = Report {
        checks: vec![
            Check::ok("a", "fine"),
            Check::unknown("b", "cannot be known", "look by hand"),
        ],
    };
    assert_eq!(report.exit_code(), 0);
    assert_eq!(
        serde_json::to_value(&report).unwrap(),
        json!({"checks": [
            {"name": "a", "status": "ok", "detail": "fine", "fix": null},
            {"name": "b", "status": "unknown", "detail": "cannot be known", "fix": "look by hand"}
        ]})
    );
    let mut warned = report.clone();
    warned.checks.push(Check::warning("c", "off", "fix it"));
    assert_eq!((warned.worst(), warned.exit_code()), (Status::Warning, 1));
    warned
        .checks
        .push(Check::problem("d", "broken", "fix it now"));
    assert_eq!((warned.worst(), warned.exit_code()), (Status::Problem, 2));
}

#[tokio::test]
async fn a_ledger_that_cannot_commit_is_a_problem() {
    let dir = TempDir::new("doctor-closed");
    let ledger = ledger::open(&db(&dir)).await.unwrap();
    ledger.close().await;
    let checks = creator_cli::doctor::ledger::check(
        &*ledger,
        &[],
        time::Duration::days(7),
        time::OffsetDateTime::now_utc(),
    )
    .await;
    let writable = checks.iter().find(|c| c.name == "ledger.writable").unwrap();
    assert_eq!(
        writable.status,
        creator_cli::doctor::Status::Problem,
        "{checks:?}"
    );
    assert!(writable.fix.is_some());
}
