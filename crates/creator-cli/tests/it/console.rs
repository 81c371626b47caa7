//! The web console in a real browser: Chromium driven over WebDriver
//! (chromedriver) through fantoccini, against an in-process relay on
//! loopback whose ledger was filled by posting the recorded webhook
//! fixtures, signed, to its own endpoints.
//!
//! The browser comes from `CREATOR_TEST_WEBDRIVER` (a running chromedriver,
//! as `.ci/run` starts one), else `/usr/bin/chromedriver` is started here.
//! Without either the tests fail under `CI=true` and say loudly that they
//! were skipped elsewhere.
//!
//! `console_screenshots` (ignored; `cargo test -p creator-cli --test it
//! console_screenshots -- --ignored`) writes the PNGs of docs/console.md.

use std::process::Stdio;
use std::time::Duration;

use creator_cli::ledger::{NewQuarantine, QuarantineReason, timestamp};
use creator_cli::relay::RelayConfig;
use creator_cli::relay::console::ConsoleConfig;
use creator_core::Secret;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::support::{Deliver, TempDir, TestRelay, config, endpoints, fixture};

const TOKEN: &str = "browser-test-console-token-0123456789";
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A WebDriver session on headless Chromium, and the chromedriver started
/// for it (killed on drop).
struct Browser {
    client: Client,
    _driver: Option<tokio::process::Child>,
}

async fn free_port() -> u16 {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    l.local_addr().unwrap().port()
}

/// The browser, or `None` (after saying so on stderr) where there is none
/// and this is not CI.
async fn browser(width: u32, height: u32) -> Option<Browser> {
    browser_as(width, height, false).await
}

/// The same, as a phone's screen (`mobile`: Chromium's mobile emulation at
/// that width) or a desktop window.
async fn browser_as(width: u32, height: u32, mobile: bool) -> Option<Browser> {
    let (url, driver) = match std::env::var("CREATOR_TEST_WEBDRIVER") {
        Ok(url) if !url.is_empty() => (url, None),
        _ if std::path::Path::new(CHROMEDRIVER).exists() => {
            let port = free_port().await;
            let child = tokio::process::Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .expect("start chromedriver");
            (format!("http://127.0.0.1:{port}"), Some(child))
        }
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "no browser: CI must install chromium and chromium-driver (see .ci/run)"
            );
            eprintln!(
                "SKIPPED browser test: no {CHROMEDRIVER} and no CREATOR_TEST_WEBDRIVER (apt-get install chromium chromium-driver)"
            );
            return None;
        }
    };
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    let mut options = json!({
        "binary": CHROMIUM,
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--hide-scrollbars", format!("--window-size={width},{height}")],
    });
    if mobile {
        options["mobileEmulation"] = json!({
            "deviceMetrics": {"width": width, "height": height, "pixelRatio": 1.0, "touch": true, "mobile": true},
        });
    }
    caps.insert("goog:chromeOptions".into(), options);
    let mut last = None;
    for _ in 0..50 {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(client) => {
                return Some(Browser {
                    client,
                    _driver: driver,
                });
            }
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("no WebDriver session at {url}: {last:?}");
}

/// A relay with the console on, filled from the fixtures: Gank payments
/// (signed with the test key), Gumroad pings (with the URL secret), a
/// stranger's post with a wrong secret, and one authentic delivery that an
/// older build could not read (quarantined whole, replayable).
async fn filled_relay(
    label: &str,
    forward: bool,
    destinations: &[(&str, String)],
) -> (TempDir, TestRelay, i64) {
    let dir = TempDir::new(label);
    let (_, relay, replayable) =
        filled_relay_with(dir.db().to_str().unwrap(), forward, destinations).await;
    (dir, relay, replayable)
}

/// [`filled_relay`] on the ledger at `db`, forwarding.
async fn filled_relay_at(db: &str, destinations: &[(&str, String)]) -> ((), TestRelay, i64) {
    filled_relay_with(db, true, destinations).await
}

/// The doctor page's checks: the ledger's, expecting both providers'
/// deliveries (no platform credentials in a test).
fn doctor_setup() -> creator_cli::relay::console::checkup::DoctorSetup {
    let mut setup = creator_cli::relay::console::checkup::DoctorSetup::default();
    setup.doctor.expected_providers = vec!["gumroad".into(), "gank".into()];
    setup
}

async fn filled_relay_with(
    db: &str,
    forward: bool,
    destinations: &[(&str, String)],
) -> ((), TestRelay, i64) {
    let mut cfg = RelayConfig {
        console: Some(ConsoleConfig {
            token: Secret::new(TOKEN),
            doctor: doctor_setup(),
        }),
        ..config()
    };
    if !forward {
        cfg.forward = None;
    }
    let relay = TestRelay::start_with(db, endpoints(), cfg).await;
    for (name, url) in destinations {
        relay
            .ledger
            .add_destination(creator_cli::ledger::NewDestination {
                name: (*name).into(),
                url: url.clone(),
                secret: creator_cli::relay::forward::sign::generate_secret().unwrap(),
                provider: None,
                kind: None,
                now: timestamp(time::OffsetDateTime::now_utc()),
            })
            .await
            .unwrap();
    }
    for (n, file) in [
        "gank/webhook_digital_goods.json",
        "gank/webhook_membership_failed.json",
        "gank/webhook_digital_goods_minimal.json",
    ]
    .iter()
    .cycle()
    .take(9)
    .enumerate()
    {
        let mut v: serde_json::Value = serde_json::from_slice(&fixture(file)).unwrap();
        if let Some(id) = v["data"]["human_id"].as_str() {
            v["data"]["human_id"] = format!("{id}-{n}").into();
        }
        let (status, answer) = relay.post_gank(serde_json::to_vec(&v).unwrap()).await;
        assert_eq!(status, 200, "{file}: {answer}");
    }
    for file in [
        "sale.form",
        "sale_membership.form",
        "sale_physical_gift.form",
        "refund_partial.form",
        "subscription_updated.form",
        "cancellation.form",
        "dispute.form",
    ] {
        let (status, answer) = relay
            .post_gumroad_form(fixture(&format!("gumroad/webhooks/{file}")))
            .await;
        assert_eq!(status, 200, "{file}: {answer}");
    }
    let (status, _) = relay.post_wrong_gumroad_secret().await;
    assert_eq!(status, 401);
    let mut body: serde_json::Value =
        serde_json::from_slice(&fixture("gank/webhook_digital_goods.json")).unwrap();
    body["data"]["human_id"] = "DG-260227-REPLAYED".into();
    let body = serde_json::to_vec(&body).unwrap();
    let replayable = relay
        .ledger
        .quarantine(NewQuarantine {
            received_at: timestamp(time::OffsetDateTime::now_utc()),
            endpoint: "gank".into(),
            reason: QuarantineReason::Parse,
            error: "an older build could not read this payment".into(),
            status: 400,
            content_type: Some("application/json".into()),
            headers: r#"{"content-type":"application/json","x-gank-signature":"<redacted>"}"#
                .into(),
            body_size: body.len() as u64,
            body_truncated: false,
            body_sha256: None,
            raw_body: body.into(),
            authenticated: true,
            verified: Some("signature".into()),
            peer: Some("127.0.0.1".into()),
        })
        .await
        .unwrap();
    // The stranger's post is quarantined after its 401 is answered.
    for _ in 0..200 {
        if relay.stats().await.quarantined >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(relay.stats().await.quarantined, 2);
    ((), relay, replayable)
}

async fn page(client: &Client) -> String {
    client.source().await.unwrap()
}

async fn sign_in(client: &Client, base: &str, token: &str) {
    client
        .goto(&format!("{base}/console/events"))
        .await
        .unwrap();
    let form = client
        .form(Locator::Css("form[action='/console/login']"))
        .await
        .unwrap();
    form.set_by_name("token", token).await.unwrap();
    through(client, form.submit()).await;
}

/// Runs `action` (a click or a submit that loads a page) and waits until
/// the page it led to has replaced the one before.
async fn through<F: std::future::Future<Output = Result<(), fantoccini::error::CmdError>>>(
    client: &Client,
    action: F,
) {
    let old = client.find(Locator::Css("html")).await.unwrap();
    action.await.unwrap();
    for _ in 0..200 {
        if old.tag_name().await.is_err() {
            let ready = client
                .execute("return document.readyState", vec![])
                .await
                .unwrap();
            if ready == json!("complete") {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the page did not change");
}

#[tokio::test]
async fn console_in_chromium_signs_in_filters_opens_replays_and_refuses_forged_actions() {
    let Some(browser) = browser(1280, 900).await else {
        return;
    };
    let c = &browser.client;
    let (_dir, relay, replayable) = filled_relay("console-browser", false, &[]).await;
    let base = relay.base.clone();

    // Pages need a session: the browser lands on the login form.
    c.goto(&format!("{base}/console/quarantine")).await.unwrap();
    assert!(
        c.current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/console/login")
    );
    sign_in(c, &base, "not-the-token-at-all-0000").await;
    let refused = page(c).await;
    assert!(refused.contains("not the console token"), "{refused}");
    assert!(c.get_all_cookies().await.unwrap().is_empty());

    sign_in(c, &base, TOKEN).await;
    assert!(
        c.current_url()
            .await
            .unwrap()
            .path()
            .ends_with("/console/events")
    );
    let cookies = c.get_all_cookies().await.unwrap();
    let session = cookies
        .iter()
        .find(|k| k.name() == "creator_console")
        .expect("the session cookie");
    assert_eq!(session.http_only(), Some(true));
    assert_eq!(session.secure(), Some(true));
    assert_eq!(format!("{:?}", session.same_site()), "Some(Strict)");
    assert_ne!(session.value(), TOKEN);
    let script_sees = c.execute("return document.cookie", vec![]).await.unwrap();
    assert_eq!(script_sees, json!(""), "HttpOnly: no script reads it");

    // Filter events: Gumroad only, then a text on top.
    assert_eq!(rows(c, "#events tbody tr").await.len(), 16);
    c.find(Locator::Css("select[name=provider]"))
        .await
        .unwrap()
        .select_by_value("gumroad")
        .await
        .unwrap();
    click(c, "form.filters button").await;
    let gumroad = rows(c, "#events tbody tr").await;
    assert_eq!(gumroad.len(), 7);
    for row in &gumroad {
        assert!(row.text().await.unwrap().contains("gumroad"));
    }
    let url = c.current_url().await.unwrap();
    assert!(url.query().unwrap().contains("provider=gumroad"), "{url}");
    c.find(Locator::Css("input[name=q]"))
        .await
        .unwrap()
        .send_keys("refund")
        .await
        .unwrap();
    click(c, "form.filters button").await;
    let refunds = rows(c, "#events tbody tr").await.len();
    assert!((1..7).contains(&refunds), "{refunds}");

    // Open one: the three views side by side.
    click(c, "#events tbody tr a").await;
    let text = async |id: &str| c.find(Locator::Id(id)).await.unwrap().text().await.unwrap();
    let normalized = text("normalized").await;
    assert!(
        normalized.contains("\"provider\": \"gumroad\""),
        "{normalized}"
    );
    let payload = text("payload").await;
    assert!(payload.contains("\"sale_id\""), "{payload}");
    let raw = text("raw").await;
    assert!(raw.contains("sale_id="), "{raw}");
    let top = async |id: &str| {
        c.find(Locator::Id(id))
            .await
            .unwrap()
            .rectangle()
            .await
            .unwrap()
            .1
    };
    assert!(
        (top("normalized").await - top("raw").await).abs() < 1.0,
        "side by side at desktop width"
    );

    // Replay the authentic quarantined delivery and see it stored.
    c.goto(&format!("{base}/console/quarantine")).await.unwrap();
    let listed = page(c).await;
    assert!(listed.contains("verification") && listed.contains("parse"));
    click(c, &format!("a[href='/console/quarantine/{replayable}']")).await;
    assert!(
        text("headers").await.contains("<redacted>"),
        "credentials are shown redacted"
    );
    let before = relay.stats().await.events;
    click(c, "#replay").await;
    let link = c
        .find(Locator::Css("#replayed a"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        relay.stats().await.events,
        before + 1,
        "stored in the ledger"
    );
    click(c, "#replayed a").await;
    assert_eq!(c.current_url().await.unwrap().path(), link);
    assert!(text("raw").await.contains("DG-260227-REPLAYED"));

    // An action without the CSRF token, and one with a wrong token: 403, nothing changes.
    let add_form = "form[action='/console/destinations']";
    c.goto(&format!("{base}/console/destinations"))
        .await
        .unwrap();
    let add = c.form(Locator::Css(add_form)).await.unwrap();
    add.set_by_name("name", "forged").await.unwrap();
    add.set_by_name("url", "http://127.0.0.1:9/hooks")
        .await
        .unwrap();
    c.execute(
        &format!("document.querySelector(\"{add_form} input[name=csrf]\").remove()"),
        vec![],
    )
    .await
    .unwrap();
    through(c, add.submit()).await;
    let refused = page(c).await;
    assert!(
        refused.contains("403") && refused.contains("no CSRF token"),
        "{refused}"
    );
    c.goto(&format!("{base}/console/destinations"))
        .await
        .unwrap();
    let add = c.form(Locator::Css(add_form)).await.unwrap();
    add.set_by_name("name", "forged").await.unwrap();
    add.set_by_name("url", "http://127.0.0.1:9/hooks")
        .await
        .unwrap();
    add.set_by_name("csrf", "a-token-of-some-other-session")
        .await
        .unwrap();
    through(c, add.submit()).await;
    let refused = page(c).await;
    assert!(
        refused.contains("403") && refused.contains("not this session"),
        "{refused}"
    );
    assert!(relay.ledger.destinations().await.unwrap().is_empty());

    // With the page's own token it works, and the secret is shown this once.
    c.goto(&format!("{base}/console/destinations"))
        .await
        .unwrap();
    let add = c.form(Locator::Css(add_form)).await.unwrap();
    add.set_by_name("name", "my-app").await.unwrap();
    add.set_by_name("url", "http://127.0.0.1:9/hooks")
        .await
        .unwrap();
    through(c, add.submit()).await;
    let secret = relay.ledger.destinations().await.unwrap()[0]
        .secret
        .expose()
        .to_owned();
    assert!(
        c.find(Locator::Css("#new-secret pre"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains(&secret)
    );
    c.goto(&format!("{base}/console/destinations"))
        .await
        .unwrap();
    assert!(!page(c).await.contains(&secret));

    // The doctor's checks, run as the page opens, from the navigation.
    click(c, "header nav a[href='/console/doctor']").await;
    let status = |name: &'static str| async move {
        c.find(Locator::Css(&format!("tr[data-check='{name}'] .tag")))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    assert_eq!(status("ledger.writable").await, "ok");
    assert_eq!(status("ledger.last_delivery.gank").await, "ok");
    assert_eq!(status("ledger.forwarding.my-app").await, "ok");
    assert!(!page(c).await.contains(&secret));

    browser.client.close().await.unwrap();
    relay.stop().await;
}

async fn rows(c: &Client, css: &str) -> Vec<fantoccini::elements::Element> {
    c.find_all(Locator::Css(css)).await.unwrap()
}

/// Clicks the first element matching `css` and waits for the page it loads.
async fn click(c: &Client, css: &str) {
    let target = c.find(Locator::Css(css)).await.unwrap();
    through(c, target.click()).await;
}

/// Writes docs/console/<page>-<desktop|phone>.png from a relay filled from
/// the fixtures, forwarding to two local receivers (one answers 200, one
/// 503), so every page has something to show.
#[tokio::test]
#[ignore = "writes the screenshots of docs/console.md"]
async fn console_screenshots() {
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let ok = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_millis(40)))
        .mount(&ok)
        .await;
    let failing = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).set_delay(Duration::from_millis(120)))
        .mount(&failing)
        .await;
    let destinations = [
        ("shop-app", format!("{}/hooks", ok.uri())),
        ("analytics", format!("{}/in", failing.uri())),
    ];
    let (_dir, relay, replayable) = filled_relay("console-shots", true, &destinations).await;
    let (_, answer) = relay
        .post_gumroad_form(fixture("gumroad/webhooks/subscription_ended.form"))
        .await;
    let event_id = answer["id"].as_i64().unwrap();
    // Let the forwarder make its first attempts.
    for _ in 0..100 {
        if relay.ledger.outbox_stats().await.unwrap().attempts >= 34 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/console");
    std::fs::create_dir_all(&out).unwrap();
    let pages = [
        ("events", "/console/events".to_owned()),
        ("event", format!("/console/events/{event_id}")),
        ("quarantine", "/console/quarantine".to_owned()),
        ("quarantined", format!("/console/quarantine/{replayable}")),
        ("deliveries", "/console/deliveries".to_owned()),
        ("destinations", "/console/destinations".to_owned()),
        ("activity", "/console/activity".to_owned()),
        ("doctor", "/console/doctor".to_owned()),
    ];
    for (device, width, height, mobile) in
        [("desktop", 1280, 900, false), ("phone", 390, 844, true)]
    {
        let Some(browser) = browser_as(width, height, mobile).await else {
            panic!("screenshots need a browser");
        };
        let c = &browser.client;
        c.goto(&format!("{}/console/login", relay.base))
            .await
            .unwrap();
        std::fs::write(
            out.join(format!("login-{device}.png")),
            c.screenshot().await.unwrap(),
        )
        .unwrap();
        sign_in(c, &relay.base, TOKEN).await;
        for (name, path) in &pages {
            c.goto(&format!("{}{path}", relay.base)).await.unwrap();
            std::fs::write(
                out.join(format!("{name}-{device}.png")),
                c.screenshot().await.unwrap(),
            )
            .unwrap();
        }
        browser.client.close().await.unwrap();
    }
    relay.stop().await;
}

/// The console's ledger queries on the ledger at `db` (SQLite here, the
/// same on PostgreSQL in `postgres.rs`): keyset pages newest first with
/// their filters, and the attempts per hour of a real forwarding run.
pub async fn console_queries_hold_on(db: &str) {
    use creator_cli::ledger::{EventSearch, OutboxFilter, Page};
    use futures::TryStreamExt;
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let (_dir, relay, _) =
        filled_relay_at(db, &[("receiver", format!("{}/hooks", receiver.uri()))]).await;
    let ledger = relay.ledger.clone();
    let all: Vec<_> = ledger
        .events(Default::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 16);
    // The doctor's "last delivery" per provider: the newest arrival,
    // redeliveries included, in one query on either backend.
    for provider in ["gumroad", "gank"] {
        let newest = all
            .iter()
            .filter(|e| e.provider == provider)
            .map(|e| e.last_received_at.clone())
            .max();
        assert!(newest.is_some(), "{provider}");
        assert_eq!(ledger.last_received(provider).await.unwrap(), newest);
    }
    assert_eq!(ledger.last_received("nobody").await.unwrap(), None);
    let page = |search: EventSearch| {
        let ledger = ledger.clone();
        async move {
            ledger
                .event_page(search)
                .map_ok(|e| e.id)
                .try_collect::<Vec<_>>()
                .await
                .unwrap()
        }
    };
    let newest: Vec<i64> = all.iter().rev().map(|e| e.id).collect();
    let first = page(EventSearch {
        page: Page {
            before: None,
            limit: 5,
        },
        ..EventSearch::default()
    })
    .await;
    assert_eq!(first, newest[..5]);
    let second = page(EventSearch {
        page: Page {
            before: Some(first[4]),
            limit: 5,
        },
        ..EventSearch::default()
    })
    .await;
    assert_eq!(second, newest[5..10]);
    let gank = page(EventSearch {
        provider: Some("gank".into()),
        ..EventSearch::default()
    })
    .await;
    assert_eq!(gank.len(), 9);
    let text = page(EventSearch {
        text: Some("TEST listing".into()),
        ..EventSearch::default()
    })
    .await;
    assert!(!text.is_empty(), "case-insensitive text search");
    let none = page(EventSearch {
        text: Some("%".into()),
        ..EventSearch::default()
    })
    .await;
    assert!(none.is_empty(), "`%` is matched literally");
    let refunds = page(EventSearch {
        kind: Some("refund".into()),
        ..EventSearch::default()
    })
    .await;
    assert_eq!(refunds.len(), 1);
    let later = page(EventSearch {
        since: Some(all[10].received_at.clone()),
        until: Some(all[12].received_at.clone()),
        ..EventSearch::default()
    })
    .await;
    assert_eq!(later, [all[11].id, all[10].id]);
    assert_eq!(
        page(EventSearch {
            page: Page::only(all[3].id),
            ..EventSearch::default()
        })
        .await,
        [all[3].id]
    );

    let quarantined: Vec<_> = ledger
        .quarantine_page(Page::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(quarantined.len(), 2);
    assert!(quarantined[0].id > quarantined[1].id, "newest first");

    for _ in 0..200 {
        if ledger.outbox_stats().await.unwrap().delivered == 16 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stats = ledger.outbox_stats().await.unwrap();
    assert_eq!(stats.delivered, 16);
    let messages: Vec<_> = ledger
        .message_page(
            OutboxFilter {
                destination: Some("receiver".into()),
                ..OutboxFilter::default()
            },
            Page {
                before: None,
                limit: 3,
            },
        )
        .try_collect()
        .await
        .unwrap();
    assert_eq!(messages.len(), 3);
    assert!(messages.windows(2).all(|w| w[0].id > w[1].id));
    assert!(messages.iter().all(|m| m.status == "delivered"));
    let hours = ledger
        .delivery_hours(&timestamp(
            time::OffsetDateTime::now_utc() - time::Duration::hours(1),
        ))
        .await
        .unwrap();
    assert_eq!(
        hours.iter().map(|h| h.attempts).sum::<i64>(),
        stats.attempts
    );
    assert_eq!(hours.iter().map(|h| h.delivered).sum::<i64>(), 16);
    let mut providers: Vec<_> = hours.iter().map(|h| h.provider.as_str()).collect();
    providers.dedup();
    assert_eq!(providers.len(), 2, "{hours:?}");
    assert!(hours.iter().all(|h| h.max_latency_ms >= h.mean_latency_ms));
    let future = ledger
        .delivery_hours(&timestamp(
            time::OffsetDateTime::now_utc() + time::Duration::hours(1),
        ))
        .await
        .unwrap();
    assert!(future.is_empty());
    relay.stop().await;
}

#[tokio::test]
async fn console_queries_on_sqlite() {
    let dir = TempDir::new("console-queries");
    console_queries_hold_on(dir.db().to_str().unwrap()).await;
}
