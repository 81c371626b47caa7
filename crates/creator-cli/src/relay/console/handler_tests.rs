//! The console's handlers through `tower::ServiceExt::oneshot`: sign-in,
//! cookies, CSRF, escaping and keyset pagination, on an SQLite ledger filled
//! from the recorded webhook fixtures.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use bytes::Bytes;
use creator_core::{Secret, SystemClock};
use futures::TryStreamExt;
use tower::ServiceExt;

use super::checkup::DoctorSetup;
use super::session::COOKIE_NAME;
use super::{ConsoleConfig, router};
use crate::ledger::{self, Ledger, NewEvent, NewQuarantine, QuarantineReason, timestamp};

const TOKEN: &str = "console-token-for-the-unit-tests";
const HOST: &str = "127.0.0.1:8787";

fn fixture(rel: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn temp_ledger(name: &str) -> Arc<dyn Ledger> {
    let dir = std::env::temp_dir().join(format!(
        "creator-console-unit-{}-{}-{name}",
        std::process::id(),
        time::OffsetDateTime::now_utc().unix_timestamp_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    ledger::open(dir.join("ledger.db").to_str().unwrap())
        .await
        .unwrap()
}

/// Stores `body` as the relay would have, parsed by this build's parser.
async fn record(ledger: &dyn Ledger, endpoint: &str, content_type: &str, body: Vec<u8>) -> i64 {
    let event = crate::stored::parse(endpoint, Some(content_type), &body)
        .expect("a parser")
        .expect("the fixture parses");
    let row = NewEvent::from_event(
        &event,
        endpoint,
        "signature",
        &timestamp(time::OffsetDateTime::now_utc()),
        Some(content_type.into()),
        r#"{"content-type":"application/json","x-signature":"<redacted>"}"#.into(),
        Bytes::from(body),
    );
    ledger.record_event(row).await.unwrap().id()
}

/// A Gank payment with its identity (`human_id`) and title replaced.
fn gank_payment(n: usize, title: &str) -> Vec<u8> {
    let mut v: serde_json::Value =
        serde_json::from_slice(&fixture("gank/webhook_digital_goods.json")).unwrap();
    v["data"]["human_id"] = format!("DG-260227-UNIT{n:05}").into();
    v["data"]["usecase_data"]["data"]["catalog_title"] = title.into();
    serde_json::to_vec(&v).unwrap()
}

struct Browser {
    app: Router,
    cookie: String,
    csrf: String,
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut r = Request::get(path).header(header::HOST, HOST);
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::empty()).unwrap()
}

fn post(path: &str, cookie: Option<&str>, form: &str) -> Request<Body> {
    let mut r = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, format!("http://{HOST}"))
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::from(form.to_owned())).unwrap()
}

async fn text(response: axum::response::Response) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

impl Browser {
    async fn signed_in(ledger: Arc<dyn Ledger>) -> Self {
        Self::signed_in_with(ledger, Default::default()).await
    }

    async fn signed_in_with(ledger: Arc<dyn Ledger>, doctor: DoctorSetup) -> Self {
        let app = Router::new().nest(
            "/console",
            router(
                ConsoleConfig {
                    token: Secret::new(TOKEN),
                    doctor,
                },
                ledger,
                Arc::new(SystemClock),
            ),
        );
        let response = app
            .clone()
            .oneshot(post("/console/login", None, &format!("token={TOKEN}")))
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let set = response.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .to_owned();
        let cookie = set.split(';').next().unwrap().to_owned();
        let page = text(
            app.clone()
                .oneshot(get("/console/events", Some(&cookie)))
                .await
                .unwrap(),
        )
        .await;
        let csrf = page
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a CSRF field in the page")
            .to_owned();
        Self { app, cookie, csrf }
    }

    async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .app
            .clone()
            .oneshot(get(path, Some(&self.cookie)))
            .await
            .unwrap();
        (r.status(), text(r).await)
    }

    async fn post(&self, path: &str, form: &str) -> axum::response::Response {
        self.app
            .clone()
            .oneshot(post(path, Some(&self.cookie), form))
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn pages_need_a_session_and_the_token_buys_a_strict_http_only_cookie() {
    let ledger = temp_ledger("auth").await;
    let browser = Browser::signed_in(ledger.clone()).await;
    let app = browser.app.clone();

    let r = app
        .clone()
        .oneshot(get("/console/events", None))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[header::LOCATION], "/console/login");
    let r = app
        .clone()
        .oneshot(get(
            "/console/events",
            Some(&format!("{COOKIE_NAME}=made-up")),
        ))
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "a made-up session id is no session"
    );

    let r = app
        .clone()
        .oneshot(post(
            "/console/login",
            None,
            "token=console-token-for-the-unit-test",
        ))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.headers().get(header::SET_COOKIE).is_none());

    let r = app
        .clone()
        .oneshot(post("/console/login", None, &format!("token={TOKEN}")))
        .await
        .unwrap();
    let cookie = r.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    for attribute in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/console"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(
        !cookie.contains(TOKEN),
        "the cookie holds a session id, not the token"
    );

    let (status, page) = browser.get("/console/events").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Events"));
    let r = browser
        .app
        .clone()
        .oneshot(get("/console/events", Some(&browser.cookie)))
        .await
        .unwrap();
    assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
    assert!(
        r.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    ledger.close().await;
}

#[tokio::test]
async fn every_action_needs_this_sessions_csrf_token_and_a_same_origin_request() {
    let ledger = temp_ledger("csrf").await;
    let browser = Browser::signed_in(ledger.clone()).await;
    let add = "name=app&url=http%3A%2F%2F127.0.0.1%3A9%2Fhooks";

    let r = browser.post("/console/destinations", add).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no CSRF token");
    assert!(text(r).await.contains("no CSRF token"));
    let r = browser
        .post("/console/destinations", &format!("{add}&csrf=wrong"))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a wrong CSRF token");
    let cross = Request::post("/console/destinations")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, "https://evil.example")
        .header(header::COOKIE, &browser.cookie)
        .body(Body::from(format!("{add}&csrf={}", browser.csrf)))
        .unwrap();
    let r = browser.app.clone().oneshot(cross).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "another site's form");
    assert!(
        ledger.destinations().await.unwrap().is_empty(),
        "nothing was added"
    );

    let r = browser
        .post(
            "/console/destinations",
            &format!("{add}&csrf={}", browser.csrf),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = text(r).await;
    let stored = ledger.destinations().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(
        page.contains(stored[0].secret.expose()),
        "the new secret is shown once"
    );
    let (_, again) = browser.get("/console/destinations").await;
    assert!(
        !again.contains(stored[0].secret.expose()),
        "and never again"
    );
    assert!(!again.contains("whsec_"));

    let r = browser
        .post(
            "/console/destinations/app/disable",
            &format!("csrf={}", browser.csrf),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(!ledger.destinations().await.unwrap()[0].enabled);
    let r = browser
        .post(
            "/console/destinations/app/rotate",
            &format!("csrf={}", browser.csrf),
        )
        .await;
    let rotated = ledger.destinations().await.unwrap().remove(0);
    assert!(text(r).await.contains(rotated.secret.expose()));
    assert_ne!(rotated.secret.expose(), stored[0].secret.expose());

    let r = browser.post("/console/logout", "").await;
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "signing out is an action too"
    );
    let r = browser
        .post("/console/logout", &format!("csrf={}", browser.csrf))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, _) = browser.get("/console/events").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the session ended");
    ledger.close().await;
}

#[tokio::test]
async fn what_senders_wrote_is_escaped_everywhere() {
    let ledger = temp_ledger("escape").await;
    let id = record(
        &*ledger,
        "gank",
        "application/json",
        gank_payment(1, "<script>alert(1)</script> & co"),
    )
    .await;
    let browser = Browser::signed_in(ledger.clone()).await;
    let (status, page) = browser.get(&format!("/console/events/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("<script>"), "{page}");
    assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62; &#38; co"));
    assert!(
        page.contains("id=\"normalized\"")
            && page.contains("id=\"payload\"")
            && page.contains("id=\"raw\"")
    );
    let (_, list) = browser.get("/console/events?q=%3Cscript%3E").await;
    assert!(
        list.contains(&format!("/console/events/{id}\"")),
        "text search finds it"
    );
    assert!(
        list.contains("value=\"&#60;script&#62;\""),
        "the filter's own value is escaped"
    );
    ledger.close().await;
}

#[tokio::test]
async fn event_pages_go_by_id_cursor_and_keep_their_filters() {
    let ledger = temp_ledger("pages").await;
    let mut ids = Vec::new();
    for n in 0..120 {
        ids.push(
            record(
                &*ledger,
                "gank",
                "application/json",
                gank_payment(n, &format!("Listing {n}")),
            )
            .await,
        );
    }
    let gumroad = record(
        &*ledger,
        "gumroad",
        "application/x-www-form-urlencoded",
        fixture("gumroad/webhooks/sale.form"),
    )
    .await;
    let browser = Browser::signed_in(ledger.clone()).await;

    let (_, first) = browser.get("/console/events?provider=gank").await;
    assert_eq!(
        first.matches("<tr>").count() - 1,
        50,
        "one header row and 50 events"
    );
    assert!(first.contains(&format!("/console/events/{}\"", ids[119])));
    assert!(
        !first.contains(&format!("/console/events/{gumroad}\"")),
        "the provider filter holds"
    );
    let next = format!("provider=gank&#38;before={}", ids[70]);
    assert!(
        first.contains(&next),
        "the next page starts below the last row shown"
    );
    let (_, second) = browser
        .get(&format!("/console/events?provider=gank&before={}", ids[70]))
        .await;
    assert!(second.contains(&format!("/console/events/{}\"", ids[69])));
    assert!(!second.contains(&format!("/console/events/{}\"", ids[70])));
    let (_, last) = browser
        .get(&format!("/console/events?provider=gank&before={}", ids[20]))
        .await;
    assert_eq!(last.matches("<tr>").count() - 1, 20);
    assert!(!last.contains("Older events"), "no link past the oldest");

    let (_, found) = browser.get("/console/events?q=listing+7").await;
    assert_eq!(found.matches("<tr>").count() - 1, 11, "7 and 70–79");
    let (status, bad) = browser.get("/console/events?since=yesterday-ish").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(bad.contains("is not a time"));
    let (status, _) = browser.get("/console/events/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    ledger.close().await;
}

#[tokio::test]
async fn an_authentic_quarantined_delivery_is_replayed_into_an_event() {
    let ledger = temp_ledger("replay").await;
    let body = gank_payment(7, "Quarantined, then fixed");
    // As an older build kept it: authentic (its signature passed) but unread.
    let q = ledger
        .quarantine(NewQuarantine {
            received_at: timestamp(time::OffsetDateTime::now_utc()),
            endpoint: "gank".into(),
            reason: QuarantineReason::Parse,
            error: "an older parser could not read it".into(),
            status: 400,
            content_type: Some("application/json".into()),
            headers: r#"{"content-type":"application/json","authorization":"<redacted>"}"#.into(),
            body_size: body.len() as u64,
            body_truncated: false,
            body_sha256: None,
            raw_body: Bytes::from(body),
            authenticated: true,
            verified: Some("signature".into()),
            peer: Some("127.0.0.1".into()),
        })
        .await
        .unwrap();
    let browser = Browser::signed_in(ledger.clone()).await;
    let (_, page) = browser.get(&format!("/console/quarantine/{q}")).await;
    assert!(page.contains("&#60;redacted&#62;") && page.contains("Parse again"));

    let r = browser
        .post(&format!("/console/quarantine/{q}/replay"), "")
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(ledger.stats().await.unwrap().events, 0);
    let r = browser
        .post(
            &format!("/console/quarantine/{q}/replay"),
            &format!("csrf={}", browser.csrf),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let events: Vec<_> = ledger
        .events(Default::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    let (_, page) = browser.get(&format!("/console/quarantine/{q}")).await;
    assert!(page.contains(&format!(
        "stored as <a href=\"/console/events/{}\"",
        events[0].id
    )));
    let r = browser
        .post(
            &format!("/console/quarantine/{q}/replay"),
            &format!("csrf={}", browser.csrf),
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "once only");
    ledger.close().await;
}

/// The status and the rest of the doctor page's row for check `name`.
fn check_row<'a>(page: &'a str, name: &str) -> (&'a str, &'a str) {
    let row = page
        .split(&format!("<tr data-check=\"{name}\">"))
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .unwrap_or_else(|| panic!("no row for {name} in {page}"));
    let status = row
        .split("class=\"tag ")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    (status, row)
}

#[tokio::test]
async fn the_doctor_page_runs_the_checks_when_opened_and_shows_no_secret() {
    const GUMROAD_SECRET: &str = "gumroad-url-secret-for-the-doctor-page";
    const PASSWORD: &str = "pa55-w0rd-of-the-shop";
    let ledger = temp_ledger("doctor").await;
    let now = timestamp(time::OffsetDateTime::now_utc());
    ledger
        .add_destination(crate::ledger::NewDestination {
            name: "shop".into(),
            url: format!("https://relay:{PASSWORD}@shop.example/hook"),
            secret: Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            provider: None,
            kind: None,
            now,
        })
        .await
        .unwrap();
    let shop = ledger.destinations().await.unwrap()[0].id;
    record(
        &*ledger,
        "gank",
        "application/json",
        gank_payment(1, "Checked by the doctor"),
    )
    .await;
    let mut setup = DoctorSetup::default();
    setup.doctor.wiring.gumroad_secret = Some(Secret::new(GUMROAD_SECRET));
    setup.doctor.expected_providers = vec!["gank".into()];
    setup.not_checked = vec![crate::doctor::Check::unknown(
        "gumroad",
        "not checked: GUMROAD_ACCESS_TOKEN is not set",
        "set GUMROAD_ACCESS_TOKEN (or `creator auth login`) to check it",
    )];
    let browser = Browser::signed_in_with(ledger.clone(), setup).await;

    // Healthy: stored, delivered to nobody yet, nothing dead.
    let (status, page) = browser.get("/console/doctor").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("aria-current=\"page\">Doctor</a>"), "{page}");
    for name in [
        "ledger.writable",
        "ledger.schema",
        "ledger.last_delivery.gank",
        "ledger.quarantine",
        "ledger.forwarding.shop",
    ] {
        assert_eq!(check_row(&page, name).0, "ok", "{name}: {page}");
    }
    let (status, row) = check_row(&page, "gumroad");
    assert_eq!(status, "unknown");
    assert!(row.contains("GUMROAD_ACCESS_TOKEN is not set"), "{row}");
    assert!(
        page.contains("overall: <span class=\"tag ok\">ok</span>"),
        "{page}"
    );

    // Broken: the shop's message dead-lettered. The page is run again on
    // opening, not kept from the first time.
    let at = time::OffsetDateTime::now_utc() + time::Duration::seconds(1);
    let claimed = ledger
        .claim(crate::ledger::Claim {
            owner: "test".into(),
            now: timestamp(at),
            lease_until: timestamp(at + time::Duration::minutes(5)),
            slots: vec![(shop, 10)],
        })
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let attempts = claimed
        .iter()
        .map(|c| crate::ledger::Attempt {
            message_id: c.message_id,
            destination_id: c.destination_id,
            owner: "test".into(),
            attempt: c.attempt,
            started_at: timestamp(at),
            status_code: Some(503),
            latency_ms: 3,
            error: None,
            next: crate::ledger::Next::Dead,
        })
        .collect();
    ledger.finish(attempts).await.unwrap();
    let (status, page) = browser.get("/console/doctor").await;
    assert_eq!(status, StatusCode::OK);
    let (status, row) = check_row(&page, "ledger.forwarding.shop");
    assert_eq!(status, "problem", "{row}");
    assert!(row.contains("1 dead letter(s)"), "{row}");
    assert!(
        row.contains("`creator events replay --destination shop`"),
        "the fix line: {row}"
    );
    assert!(page.contains("overall: <span class=\"tag problem\">problem</span>"));
    for secret in [PASSWORD, GUMROAD_SECRET, TOKEN, "whsec_"] {
        assert!(!page.contains(secret), "{secret} shown: {page}");
    }
    ledger.close().await;
}

#[tokio::test]
async fn a_platform_that_does_not_answer_cannot_hang_the_doctor_page() {
    // Accepts connections and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            open.push(socket);
        }
    });
    let provider = crate::providers::ProviderArgs {
        provider: crate::providers::ProviderName::Gank,
        gumroad_url: None,
        gank_v1_url: Some(url.clone()),
        gank_v2_url: Some(url),
        maton_url: None,
        maton_connection: None,
    };
    let gank = crate::providers::gank_with_tokens(
        &provider,
        Some(Secret::new("gank-login-token-for-the-test")),
        None,
        crate::error::Credentials::GANK_LOGIN,
    )
    .unwrap();
    let ledger = temp_ledger("doctor-slow").await;
    let mut setup = DoctorSetup {
        timeout: std::time::Duration::from_millis(300),
        ..DoctorSetup::default()
    };
    setup.doctor.gank = Some(gank);
    let browser = Browser::signed_in_with(ledger.clone(), setup).await;
    let started = std::time::Instant::now();
    let (status, page) = browser.get("/console/doctor").await;
    assert_eq!(status, StatusCode::OK);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let (status, row) = check_row(&page, "platforms");
    assert_eq!(status, "unknown");
    assert!(row.contains("did not answer within 0.3 s"), "{row}");
    assert_eq!(check_row(&page, "ledger.writable").0, "ok");
    held.abort();
    ledger.close().await;
}
