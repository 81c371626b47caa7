//! OAuth helpers.

use std::sync::Arc;

use creator_core::{Error, Secret};
use gumroad_api::oauth::{OAuthApp, Scope, Scopes};
use time::macros::datetime;

use crate::common::*;

const SECRET: &str = "app_secret_0f1e2d3c4b5a";

fn app(server: &wiremock::MockServer) -> OAuthApp {
    OAuthApp::builder("app-client-id", SECRET, "https://app.example.com/callback")
        .api_base_url(server.uri())
        .options(ClientOptions::new().clock(Arc::new(clock())))
        .build()
        .unwrap()
}

#[test]
fn authorize_url_has_scopes_space_separated_and_state() {
    let app = OAuthApp::builder("abc", SECRET, "https://app.example.com/cb?x=1")
        .build()
        .unwrap();
    let url = app
        .authorize_url(
            &[Scope::ViewSales, Scope::EditProducts, Scope::ViewPayouts],
            Some("st ate"),
        )
        .unwrap();
    assert_eq!(
        url.as_str(),
        "https://gumroad.com/oauth/authorize?client_id=abc&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb%3Fx%3D1&response_type=code&scope=view_sales+edit_products+view_payouts&state=st+ate"
    );
    assert!(!url.as_str().contains(SECRET));
    let plain = app.authorize_url(&[], None).unwrap();
    assert!(
        !plain.as_str().contains("scope="),
        "no scope: Gumroad grants view_public"
    );
}

#[test]
fn oauth_app_debug_never_shows_the_client_secret() {
    let builder = OAuthApp::builder("abc", SECRET, "https://app.example.com/cb");
    assert!(!format!("{builder:?}").contains(SECRET));
    let app = builder.build().unwrap();
    assert!(!format!("{app:?}").contains(SECRET));
}

#[tokio::test]
async fn exchange_code_posts_the_form_and_returns_a_token_without_expiry() {
    let server = server().await;
    serve(&server, "POST", "/oauth/token", "oauth_token.json").await;
    let token = app(&server).exchange_code("the-code").await.unwrap();
    let reqs = creator_testkit::MockServerExt::recorded(&server).await;
    assert_eq!(reqs.len(), 1);
    let req = &reqs[0];
    assert_eq!(req.authorization, None);
    assert_eq!(
        pairs(&req.form),
        [
            ("client_id", "app-client-id"),
            ("client_secret", SECRET),
            ("grant_type", "authorization_code"),
            ("code", "the-code"),
            ("redirect_uri", "https://app.example.com/callback"),
        ]
    );
    assert!(!req.url.contains(SECRET), "secret only in the body");
    assert_eq!(
        token.scopes,
        Scopes(vec![Scope::EditProducts, Scope::ViewSales])
    );
    assert_eq!(token.expires_in, None);
    assert_eq!(token.created_at, Some(datetime!(2020-12-27 03:04:18 UTC)));
    assert_eq!(token.token_type.as_deref(), Some("Bearer"));
    let shown = format!("{token:?}");
    assert!(!shown.contains("a1b2c3d4"), "{shown}");
    assert!(token.refresh_token.is_some());
    insta::assert_json_snapshot!(serde_json::json!({
        "request": crate::common::request_json(req),
        "token": {
            "token_type": token.token_type,
            "scopes": token.scopes,
            "created_at": token.created_at.map(|t| t.unix_timestamp()),
            "expires_in": token.expires_in.map(|d| d.as_secs()),
            "has_refresh_token": token.refresh_token.is_some(),
        },
    }), { ".request.form[1][1]" => "[client_secret]" });

    // The token builds a client pointed at the same API host.
    let client = token.client().unwrap();
    assert!(
        client
            .transport()
            .base_url()
            .as_str()
            .starts_with(&server.uri())
    );
}

#[tokio::test]
async fn refresh_sends_grant_type_refresh_token() {
    let server = server().await;
    serve(&server, "POST", "/oauth/token", "oauth_token.json").await;
    app(&server)
        .refresh(&Secret::new("old-refresh"))
        .await
        .unwrap();
    let reqs = creator_testkit::MockServerExt::recorded(&server).await;
    assert_eq!(reqs[0].form_value("grant_type"), Some("refresh_token"));
    assert_eq!(reqs[0].form_value("refresh_token"), Some("old-refresh"));
}

#[tokio::test]
async fn invalid_grant_is_an_api_error_with_doorkeepers_code_and_description() {
    let server = server().await;
    serve_status(
        &server,
        "POST",
        "/oauth/token",
        "oauth_invalid_grant_400.json",
        400,
        "application/json",
    )
    .await;
    let err = app(&server).exchange_code("used-code").await.unwrap_err();
    match &err {
        Error::Api {
            status,
            code,
            message,
            ..
        } => {
            assert_eq!(*status, 400);
            assert_eq!(code.as_deref(), Some("invalid_grant"));
            assert!(message.starts_with("The provided authorization grant is invalid"));
        }
        other => panic!("expected Api, got {other:?}"),
    }
    assert_eq!(
        creator_testkit::MockServerExt::recorded(&server)
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn invalid_client_401_is_unauthorized_with_the_description() {
    let server = server().await;
    serve_status(
        &server,
        "POST",
        "/oauth/token",
        "oauth_invalid_client_401.json",
        401,
        "application/json",
    )
    .await;
    let err = app(&server).exchange_code("c").await.unwrap_err();
    assert!(
        matches!(&err, Error::Unauthorized { status: 401, message, .. } if message.starts_with("Client authentication failed")),
        "{err:?}"
    );
}

#[test]
fn unknown_scopes_are_kept() {
    let scopes = Scopes::parse("edit_products mobile_api");
    assert_eq!(scopes.0[1], Scope::Unknown("mobile_api".into()));
    assert_eq!(scopes.to_string(), "edit_products mobile_api");
}

/// The OAuth app takes the same `ClientOptions` as every client: its
/// `User-Agent` reaches the token endpoint, and a retry policy never re-sends
/// a single-use code exchange.
#[tokio::test]
async fn oauth_app_takes_client_options_and_never_re_sends_a_code_exchange() {
    let server = server().await;
    serve_raw(
        &server,
        "POST",
        "/oauth/token",
        wiremock::ResponseTemplate::new(503),
    )
    .await;
    let clock = clock();
    let app = OAuthApp::builder("app-client-id", SECRET, "https://app.example.com/callback")
        .api_base_url(server.uri())
        .options(
            ClientOptions::new()
                .user_agent("my-app/7.0")
                .retry(creator_core::RetryPolicy::default().with_max_attempts(5))
                .clock(Arc::new(clock.clone())),
        )
        .build()
        .unwrap();
    let err = app.exchange_code("the-code").await.unwrap_err();
    let reqs = creator_testkit::MockServerExt::recorded(&server).await;
    assert_eq!(reqs.len(), 1, "sent once: {err:?}");
    assert_eq!(
        reqs[0].headers.get("user-agent").map(String::as_str),
        Some("my-app/7.0")
    );
    assert!(clock.sleeps().is_empty());
}
