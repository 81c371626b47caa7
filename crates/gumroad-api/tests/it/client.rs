//! Builder, redaction, base URL handling, and `from_transport`.

use std::sync::Arc;

use creator_core::http::{Auth, Transport};
use creator_core::{Error, Provider};
use creator_testkit::MockServerExt;
use gumroad_api::{GumroadClassifier, GumroadClient};
use wiremock::ResponseTemplate;

use crate::common::*;

#[test]
fn debug_of_client_and_builder_never_shows_the_token() {
    let builder = GumroadClient::builder(TOKEN).base_url("https://api.gumroad.com");
    let shown = format!("{builder:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(shown.contains("redacted"), "{shown}");
    let client = builder.build().unwrap();
    let shown = format!("{client:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(shown.contains("Bearer(<redacted>)"), "{shown}");
}

#[test]
fn client_is_clone_send_sync_debug() {
    fn assert_impl<T: Clone + Send + Sync + std::fmt::Debug + 'static>() {}
    assert_impl::<GumroadClient>();
}

#[test]
fn empty_token_and_bad_base_url_are_config_errors() {
    let err = GumroadClient::builder("  ").build().unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err}");
    let err = GumroadClient::builder(TOKEN)
        .base_url("ftp://example.com")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err}");
}

#[tokio::test]
async fn base_url_keeps_its_path_prefix_and_default_user_agent_is_not_php() {
    let server = server().await;
    serve(&server, "GET", "/proxy/gumroad/v2/user", "user.json").await;
    let client = GumroadClient::builder(TOKEN)
        .base_url(format!("{}/proxy/gumroad/", server.uri()))
        .build()
        .unwrap();
    client.user().get().await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.path, "/proxy/gumroad/v2/user");
    let ua = req.headers.get("user-agent").unwrap();
    assert!(ua.starts_with("gumroad-api-rust/"), "{ua}");
    assert_eq!(
        req.headers.get("accept").map(String::as_str),
        Some("application/json")
    );
}

#[tokio::test]
async fn custom_user_agent_is_sent() {
    let server = server().await;
    serve(&server, "GET", "/v2/user", "user.json").await;
    let client = GumroadClient::builder(TOKEN)
        .base_url(server.uri())
        .options(ClientOptions::new().user_agent("my-app/2.0"))
        .build()
        .unwrap();
    client.user().get().await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(
        req.headers.get("user-agent").map(String::as_str),
        Some("my-app/2.0")
    );
}

#[tokio::test]
async fn unauthenticated_client_sends_no_authorization_header() {
    let server = server().await;
    serve(&server, "GET", "/v2/user", "user.json").await;
    let client = GumroadClient::unauthenticated()
        .base_url(server.uri())
        .build()
        .unwrap();
    client.user().get().await.unwrap();
    let reqs = server.recorded().await;
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].authorization, None);
}

/// What maton-gateway does: its own base URL with a prefix, its own key,
/// an extra header, and Gumroad's classifier installed on the transport.
#[tokio::test]
async fn from_transport_uses_the_given_base_auth_and_headers() {
    let server = server().await;
    serve(
        &server,
        "GET",
        "/gumroad/v2/sales/missing",
        "sale_not_found.json",
    )
    .await;
    serve(&server, "GET", "/gumroad/v2/user", "user.json").await;
    let transport = Transport::builder(Provider::Maton, format!("{}/gumroad", server.uri()))
        .auth(Auth::bearer("maton-key-123"))
        .default_header(
            "Maton-Connection",
            "e1a4444f-2bb8-4e09-9265-3afe71b74b1f",
            false,
        )
        .classifier(Arc::new(GumroadClassifier))
        .build()
        .unwrap();
    let client = GumroadClient::from_transport(transport);
    let user = client.user().get().await.unwrap();
    assert_eq!(user.id.as_deref(), Some("3523953790232"));
    let err = client.sales().get("missing").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(err.provider(), Some(Provider::Maton));
    let reqs = server.recorded().await;
    assert_eq!(reqs.len(), 2);
    for r in &reqs {
        assert_eq!(r.bearer(), Some("maton-key-123"));
        assert_eq!(
            r.headers.get("maton-connection").map(String::as_str),
            Some("e1a4444f-2bb8-4e09-9265-3afe71b74b1f")
        );
        r.assert_not_leaked("maton-key-123");
    }
}

/// Even a transport built without `GumroadClassifier` never lets a
/// `success: false` body through as data.
#[tokio::test]
async fn success_false_is_an_error_even_without_the_classifier_on_the_transport() {
    let server = server().await;
    serve(
        &server,
        "GET",
        "/v2/products/nope",
        "product_not_found.json",
    )
    .await;
    serve(
        &server,
        "DELETE",
        "/v2/products/nope",
        "product_not_found.json",
    )
    .await;
    let transport = Transport::builder(Provider::Gumroad, server.uri())
        .auth(Auth::bearer(TOKEN))
        .build()
        .unwrap();
    let client = GumroadClient::from_transport(transport);
    let err = client.products().get("nope").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(err.status(), Some(200));
    // A delete answer (`{success, message}`) would decode; the flag still wins.
    let err = client.products().delete("nope").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(
        err.raw_body().unwrap().as_bytes(),
        fixture("product_not_found.json").as_slice()
    );
}

#[tokio::test]
async fn empty_ids_are_rejected_before_any_request() {
    let server = server().await;
    let client = client(&server);
    for err in [
        client.sales().get("").await.unwrap_err(),
        client.products().get(" ").await.unwrap_err(),
        client.products().delete("").await.unwrap_err(),
    ] {
        assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    }
    assert!(server.recorded().await.is_empty());
}

#[tokio::test]
async fn ids_are_percent_encoded_as_one_path_segment() {
    let server = server().await;
    serve_raw(
        &server,
        "GET",
        "/v2/sales/a%2Fb%3Fc=d",
        ResponseTemplate::new(200).set_body_raw(fixture("sale.json"), "application/json"),
    )
    .await;
    client(&server).sales().get("a/b?c=d").await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.path, "/v2/sales/a%2Fb%3Fc=d");
    assert!(req.query.is_empty());
}

#[tokio::test]
async fn the_per_attempt_timeout_applies_and_a_get_is_tried_three_times() {
    let server = server().await;
    serve_raw(
        &server,
        "GET",
        "/v2/user",
        ResponseTemplate::new(200)
            .set_body_raw(fixture("user.json"), "application/json")
            .set_delay(std::time::Duration::from_millis(400)),
    )
    .await;
    let clock = clock();
    let client = GumroadClient::builder(TOKEN)
        .base_url(server.uri())
        .options(
            ClientOptions::new()
                .timeout(std::time::Duration::from_millis(50))
                .retry(
                    creator_core::RetryPolicy::default()
                        .with_jitter(creator_core::retry::Jitter::None),
                )
                .clock(Arc::new(clock.clone())),
        )
        .build()
        .unwrap();
    let err = client.user().get().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { attempts: 3, .. }), "{err:?}");
    assert_eq!(
        clock.sleeps().len(),
        2,
        "backoff went through the injected clock"
    );
}

#[tokio::test]
async fn a_shared_rate_limiter_spaces_requests() {
    use creator_core::http::WindowLimiter;
    let server = server().await;
    serve(&server, "GET", "/v2/user", "user.json").await;
    let window = std::time::Duration::from_millis(150);
    let client = GumroadClient::builder(TOKEN)
        .base_url(server.uri())
        .options(ClientOptions::new().rate_limiter(Some(Arc::new(WindowLimiter::new(1, window)))))
        .build()
        .unwrap();
    let start = std::time::Instant::now();
    client.user().get().await.unwrap();
    client.clone().user().get().await.unwrap();
    assert!(start.elapsed() >= window, "{:?}", start.elapsed());
    assert_eq!(requests(&server).await.len(), 2);
}
