//! Public-client sign-in (PKCE + loopback redirect, device flow) and
//! token introspection (`GET /v2/meta`).

use std::sync::Arc;
use std::time::Duration;

use creator_core::{Error, ManualClock, SystemClock};
use gumroad_api::login::{LoopbackListener, Pkce, PollStatus, PublicClient};
use gumroad_api::oauth::Scope;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

const CLIENT_ID: &str = "public-client-id-42";

fn app(server: &MockServer, clock: &ManualClock) -> PublicClient {
    PublicClient::builder(CLIENT_ID)
        .oauth_base_url(server.uri())
        .api_base_url(format!("{}/api", server.uri()))
        .options(ClientOptions::new().clock(Arc::new(clock.clone())))
        .build()
        .unwrap()
}

/// The device-code answer as `Oauth::DeviceCodesController#create` renders it.
/// Kept inline: a body without a `success` key or a known Gumroad object
/// is not accepted by `cargo xtask fixtures check`.
const DEVICE_CODE: &str = r#"{"device_code":"redacted-token-7f3a9e2b","user_code":"WDJB-MJHT","verification_uri":"https://gumroad.com/oauth/device","verification_uri_complete":"https://gumroad.com/oauth/device?user_code=WDJB-MJHT","expires_in":600,"interval":5}"#;

async fn serve_device_code(server: &MockServer) {
    serve_device_answer(server, DEVICE_CODE).await;
}

/// Serves `body` as the device-code answer.
async fn serve_device_answer(server: &MockServer, body: &str) {
    serve_raw(
        server,
        "POST",
        "/oauth/device/code",
        ResponseTemplate::new(200).set_body_raw(body, "application/json"),
    )
    .await;
}

/// Serves `device` as the device-code answer and keeps every token poll at
/// `authorization_pending`, so only the device code's lifetime ends the polling.
async fn serve_pending_device(server: &MockServer, device: &str) {
    serve_device_answer(server, device).await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(oauth_error("oauth_device_pending_400.json"))
        .mount(server)
        .await;
}

fn oauth_error(name: &str) -> ResponseTemplate {
    ResponseTemplate::new(400).set_body_raw(fixture(name), "application/json")
}

#[test]
fn pkce_challenge_is_s256_of_the_verifier_and_debug_hides_the_verifier() {
    let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    assert_eq!(
        pkce.challenge(),
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    );
    assert!(!format!("{pkce:?}").contains("dBjftJeZ4CVP"));
    let fresh = Pkce::generate().unwrap();
    assert_eq!(fresh.verifier().expose().len(), 43, "32 bytes, base64url");
    assert!(
        fresh
            .verifier()
            .expose()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    );
    assert_ne!(Pkce::generate().unwrap().challenge(), fresh.challenge());
}

#[test]
fn authorize_url_carries_pkce_state_scopes_and_no_secret() {
    let app = PublicClient::builder(CLIENT_ID).build().unwrap();
    let req = app.authorization_request_with(
        "http://127.0.0.1:5555/callback",
        &[Scope::Account, Scope::EditProfile, Scope::ViewProfile],
        Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
        "af0ifjsldkj".into(),
    );
    assert_eq!(
        req.url.as_str(),
        "https://app.gumroad.com/oauth/authorize?response_type=code&client_id=public-client-id-42\
         &redirect_uri=http%3A%2F%2F127.0.0.1%3A5555%2Fcallback&scope=account+edit_profile+view_profile\
         &code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&state=af0ifjsldkj"
    );
    assert!(
        !req.url.as_str().contains("dBjftJeZ4CVP"),
        "verifier never in the URL"
    );
    let random = app
        .authorization_request("http://127.0.0.1:1/callback", &[])
        .unwrap();
    assert_eq!(random.state.len(), 32);
    assert!(!random.url.as_str().contains("scope="));
}

#[tokio::test]
async fn loopback_flow_ignores_a_forged_state_checks_the_real_one_and_exchanges_with_the_verifier()
{
    let server = server().await;
    serve(&server, "POST", "/oauth/token", "oauth_token_public.json").await;
    let app = PublicClient::builder(CLIENT_ID)
        .oauth_base_url(server.uri())
        .api_base_url(format!("{}/api", server.uri()))
        .options(ClientOptions::new().clock(Arc::new(SystemClock)))
        .build()
        .unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<url::Url>();
    let browser = tokio::spawn(async move {
        let url = rx.await.unwrap();
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |k: &str| pairs.iter().find(|(x, _)| x == k).unwrap().1.clone();
        let redirect = get("redirect_uri");
        let http = reqwest::Client::new();
        // A local attacker without the state is refused and does not end the wait.
        let forged = http
            .get(format!("{redirect}?code=evil&state=guess"))
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 400);
        let real = http
            .get(format!("{redirect}?code=the-code&state={}", get("state")))
            .send()
            .await
            .unwrap();
        assert_eq!(real.status(), 200);
        assert!(
            real.text()
                .await
                .unwrap()
                .contains("Authorization complete")
        );
        redirect
    });
    let token = app
        .loopback_login(&[Scope::Account], Duration::from_secs(20), |url| {
            assert!(
                url.as_str()
                    .starts_with(&format!("{}/oauth/authorize?", server.uri()))
            );
            tx.send(url.clone()).unwrap();
        })
        .await
        .unwrap();
    let redirect = browser.await.unwrap();
    assert!(redirect.starts_with("http://127.0.0.1:"));
    assert!(redirect.ends_with("/callback"));

    let reqs = creator_testkit::MockServerExt::recorded(&server).await;
    assert_eq!(reqs.len(), 1);
    let form = &reqs[0].form;
    let keys: Vec<&str> = form.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "grant_type",
            "code",
            "redirect_uri",
            "client_id",
            "code_verifier"
        ]
    );
    assert_eq!(reqs[0].form_value("grant_type"), Some("authorization_code"));
    assert_eq!(reqs[0].form_value("code"), Some("the-code"));
    assert_eq!(reqs[0].form_value("redirect_uri"), Some(redirect.as_str()));
    assert_eq!(reqs[0].form_value("code_verifier").map(str::len), Some(43));
    assert_eq!(
        reqs[0].authorization, None,
        "public clients send no credentials"
    );
    assert!(!form.iter().any(|(k, _)| k == "client_secret"));

    assert_eq!(token.access_token.expose(), "redacted-token-5e6f7a8b");
    assert_eq!(
        token.scopes.to_string(),
        "account edit_profile view_profile"
    );
    assert!(!format!("{token:?}").contains("redacted-token-5e6f7a8b"));
    let api = token.client().unwrap();
    assert_eq!(
        api.transport().base_url().as_str(),
        format!("{}/api", server.uri())
    );
}

#[tokio::test]
async fn loopback_wait_times_out_on_the_injected_clock_without_sleeping() {
    let listener = LoopbackListener::bind().await.unwrap();
    let clock = clock();
    let started = std::time::Instant::now();
    let err = listener
        .wait("state", Duration::from_secs(120), &clock)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert_eq!(clock.sleeps(), [Duration::from_secs(120)]);
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// `127.0.0.1:<port>` of a listener's redirect URI.
fn loopback_addr(listener: &LoopbackListener) -> String {
    let url = url::Url::parse(listener.redirect_uri()).unwrap();
    format!("127.0.0.1:{}", url.port().unwrap())
}

#[tokio::test]
async fn an_idle_connection_opened_first_does_not_hold_up_the_redirect() {
    let listener = LoopbackListener::bind().await.unwrap();
    let redirect = listener.redirect_uri().to_owned();
    // Connected before the browser, and silent (a speculative preconnect).
    let idle = tokio::net::TcpStream::connect(loopback_addr(&listener))
        .await
        .unwrap();
    let browser = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        reqwest::get(format!("{redirect}?code=the-code&state=s1"))
            .await
            .unwrap()
            .status()
    });
    let started = std::time::Instant::now();
    let callback = listener
        .wait("s1", Duration::from_secs(5), &SystemClock)
        .await
        .expect("the redirect is served while the idle connection waits");
    assert_eq!(callback.code.expose(), "the-code");
    assert_eq!(browser.await.unwrap(), 200);
    assert!(started.elapsed() < Duration::from_secs(4));
    drop(idle);
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_after_the_connection_timeout() {
    use tokio::io::AsyncReadExt;

    let listener = LoopbackListener::bind()
        .await
        .unwrap()
        .connection_timeout(Duration::from_millis(200));
    let addr = loopback_addr(&listener);
    let prober = tokio::spawn(async move {
        let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
        let started = std::time::Instant::now();
        let mut buf = [0u8; 16];
        // The listener closes it: the read ends (EOF or reset) without any answer.
        let read = idle.read(&mut buf).await;
        (read.map_or(0, |n| n), started.elapsed())
    });
    let err = listener
        .wait("s1", Duration::from_secs(2), &SystemClock)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    let (answered, after) = prober.await.unwrap();
    assert_eq!(answered, 0, "closed without an answer");
    assert!(
        after < Duration::from_millis(1500),
        "closed after {after:?}"
    );
}

#[tokio::test]
async fn loopback_redirect_with_an_error_and_the_right_state_ends_with_that_error() {
    let listener = LoopbackListener::bind().await.unwrap();
    let redirect = listener.redirect_uri().to_owned();
    let browser = tokio::spawn(async move {
        reqwest::get(format!(
            "{redirect}?error=access_denied&error_description=The+resource+owner+denied+the+request.&state=s1"
        ))
        .await
        .unwrap()
        .status()
    });
    let err = listener
        .wait("s1", Duration::from_secs(20), &SystemClock)
        .await
        .unwrap_err();
    assert_eq!(browser.await.unwrap(), 400);
    assert!(
        matches!(&err, Error::Api { code: Some(c), message, .. } if c == "access_denied" && message.starts_with("The resource owner denied")),
        "{err:?}"
    );
}

#[tokio::test]
async fn device_flow_polls_through_pending_and_slow_down_on_the_clock_then_gets_the_token() {
    let server = server().await;
    serve_device_code(&server).await;
    // Answers in order: pending, slow_down (interval 10), pending, token.
    for (name, status) in [
        ("oauth_device_pending_400.json", 400),
        ("oauth_device_slow_down_400.json", 400),
        ("oauth_device_pending_400.json", 400),
    ] {
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .respond_with(
                ResponseTemplate::new(status).set_body_raw(fixture(name), "application/json"),
            )
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    serve(&server, "POST", "/oauth/token", "oauth_token_public.json").await;
    let clock = clock();
    let app = app(&server, &clock);
    let mut shown = None;
    let token = app
        .device_login(&[Scope::Account, Scope::ViewProfile], |device| {
            shown = device.verification_url().map(str::to_owned);
            assert_eq!(device.user_code.as_deref(), Some("WDJB-MJHT"));
            assert!(!format!("{device:?}").contains("7f3a9e2b"));
        })
        .await
        .unwrap();
    assert_eq!(
        shown.as_deref(),
        Some("https://gumroad.com/oauth/device?user_code=WDJB-MJHT")
    );
    assert_eq!(token.access_token.expose(), "redacted-token-5e6f7a8b");
    // 5 s, 5 s, then slow_down raised it to the server's 10 s.
    assert_eq!(
        clock.sleeps(),
        [5, 5, 10, 10].map(Duration::from_secs).to_vec()
    );
    let reqs = creator_testkit::MockServerExt::recorded(&server).await;
    assert_eq!(reqs.len(), 5);
    assert_eq!(reqs[0].path, "/oauth/device/code");
    assert_eq!(
        pairs(&reqs[0].form),
        [("client_id", CLIENT_ID), ("scope", "account view_profile")]
    );
    for poll in &reqs[1..] {
        assert_eq!(
            pairs(&poll.form),
            [
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", CLIENT_ID),
                ("device_code", "redacted-token-7f3a9e2b"),
            ]
        );
        assert!(
            !poll.url.contains("redacted-token-7f3a9e2b"),
            "device code only in the body, never in {}",
            poll.url
        );
        assert!(poll.body.contains("redacted-token-7f3a9e2b"));
        assert_eq!(poll.authorization, None);
    }
}

#[tokio::test]
async fn slow_down_without_an_interval_adds_five_seconds() {
    let server = server().await;
    serve_device_code(&server).await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(400).set_body_raw(
            br#"{"error":"slow_down","error_description":"Polling too quickly"}"#.to_vec(),
            "application/json",
        ))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    serve(&server, "POST", "/oauth/token", "oauth_token_public.json").await;
    let clock = clock();
    let app = app(&server, &clock);
    let device = app.request_device_code(&[]).await.unwrap();
    assert_eq!(
        app.poll_device_token_once(&device)
            .await
            .unwrap()
            .unwrap_err(),
        PollStatus::SlowDown(None)
    );
    app.poll_device_token(&device).await.unwrap();
    assert_eq!(clock.sleeps(), [Duration::from_secs(5)]);
}

#[tokio::test]
async fn device_flow_access_denied_and_expired_token_end_the_flow_with_their_codes() {
    for (name, code) in [
        ("oauth_device_access_denied_400.json", "access_denied"),
        ("oauth_device_expired_400.json", "expired_token"),
    ] {
        let server = server().await;
        serve_device_code(&server).await;
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .and(body_string_contains("device_code="))
            .respond_with(oauth_error(name))
            .mount(&server)
            .await;
        let clock = clock();
        let app = app(&server, &clock);
        let device = app.request_device_code(&[Scope::Account]).await.unwrap();
        let err = app.poll_device_token(&device).await.unwrap_err();
        assert!(
            matches!(&err, Error::Api { status: 400, code: Some(c), .. } if c == code),
            "{name}: {err:?}"
        );
        assert_eq!(
            clock.sleeps(),
            [Duration::from_secs(5)],
            "one poll, no retry"
        );
    }
}

#[tokio::test]
async fn device_code_past_its_expiry_stops_polling_locally() {
    let server = server().await;
    serve_pending_device(
        &server,
        r#"{"device_code":"dc_short","user_code":"AAAA-BBBB","verification_uri":"https://gumroad.com/oauth/device","expires_in":12,"interval":5}"#,
    )
    .await;
    let clock = clock();
    let app = app(&server, &clock);
    let device = app.request_device_code(&[]).await.unwrap();
    let err = app.poll_device_token(&device).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { code: Some(c), .. } if c == "expired_token"),
        "{err:?}"
    );
    // 5 + 5 + the 2 s left, then the deadline.
    assert_eq!(clock.sleeps(), [5, 5, 2].map(Duration::from_secs).to_vec());
}

#[tokio::test]
async fn a_huge_expires_in_is_capped_at_an_hour_instead_of_overflowing_the_clock() {
    let server = server().await;
    serve_pending_device(
        &server,
        r#"{"device_code":"redacted-token-7f3a9e2b","user_code":"WDJB-MJHT","verification_uri":"https://gumroad.com/oauth/device","expires_in":9223372036854775807,"interval":600}"#,
    )
    .await;
    let clock = clock();
    let app = app(&server, &clock);
    let device = app.request_device_code(&[]).await.unwrap();
    assert_eq!(device.expires_in, Some(i64::MAX));
    let err = app.poll_device_token(&device).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { code: Some(c), .. } if c == "expired_token"),
        "{err:?}"
    );
    assert_eq!(
        clock.sleeps(),
        vec![Duration::from_secs(600); 6],
        "six polls at the server's interval fill the one-hour cap"
    );
}

#[tokio::test]
async fn device_code_for_an_app_without_device_authorization_is_unauthorized_client() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(path("/oauth/device/code"))
        .respond_with(oauth_error("oauth_device_unauthorized_client_400.json"))
        .mount(&server)
        .await;
    let clock = clock();
    let err = app(&server, &clock)
        .request_device_code(&[Scope::Account])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { code: Some(c), .. } if c == "unauthorized_client"),
        "{err:?}"
    );
    assert_eq!(
        creator_testkit::MockServerExt::recorded(&server)
            .await
            .len(),
        1,
        "never retried"
    );
}

#[test]
fn public_client_needs_a_client_id() {
    assert!(PublicClient::builder(" ").build().is_err());
    let shown = format!("{:?}", PublicClient::builder(CLIENT_ID).build().unwrap());
    assert!(shown.contains(CLIENT_ID));
}

#[tokio::test]
async fn meta_reports_scopes_and_application_with_the_bearer_header() {
    let server = server().await;
    serve(&server, "GET", "/v2/meta", "meta.json").await;
    let info = client(&server).meta().get().await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "GET");
    assert!(req.query.is_empty());
    assert!(info.has_scope(&Scope::ViewSales));
    assert!(!info.has_scope(&Scope::Account));
    assert_eq!(
        info.scopes().to_string(),
        "view_sales edit_products future_scope"
    );
    insta::assert_json_snapshot!(exchange(&req, &info));

    let other = crate::common::server().await;
    serve(&other, "GET", "/v2/meta", "meta_no_application.json").await;
    let info = client(&other).meta().get().await.unwrap();
    assert_eq!(info.token.unwrap().application_name, None);
}

#[tokio::test]
async fn meta_with_a_revoked_token_is_an_empty_401() {
    let server = server().await;
    serve_raw(&server, "GET", "/v2/meta", ResponseTemplate::new(401)).await;
    let err = client(&server).meta().get().await.unwrap_err();
    assert!(
        matches!(err, Error::Unauthorized { status: 401, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn meta_on_a_server_that_does_not_route_it_is_not_found() {
    let server = server().await;
    serve_raw(
        &server,
        "GET",
        "/v2/meta",
        ResponseTemplate::new(404).set_body_raw(
            b"<!DOCTYPE html><html><head><title>The page you were looking for doesn't exist (404)</title></head><body></body></html>".to_vec(),
            "text/html; charset=utf-8",
        ),
    )
    .await;
    let err = client(&server).meta().get().await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(
        err.to_string().contains("does not route the endpoint"),
        "{err}"
    );
}
