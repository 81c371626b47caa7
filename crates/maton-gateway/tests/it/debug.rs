//! The API key never appears in `Debug` output, errors or the URL.

use creator_core::{Error, Provider, RawBody};
use maton_gateway::{CreateConnection, MatonClient, MatonClientBuilder};
use wiremock::{MockServer, ResponseTemplate};

use crate::common::*;

fn assert_hidden(what: &str, printed: &str) {
    assert!(!printed.contains(KEY), "{what} leaks the key: {printed}");
    assert!(
        !printed.contains("mtn_test_key"),
        "{what} leaks part of the key"
    );
}

#[tokio::test]
async fn debug_of_builder_client_clones_proxies_and_gumroad_never_shows_the_key() {
    let server = MockServer::start().await;
    let builder: MatonClientBuilder = MatonClient::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .connection(CONNECTION);
    assert_hidden("builder", &format!("{builder:?} {builder:#?}"));
    let maton = builder.build().unwrap();
    let proxy = maton.app("slack");
    let request = proxy
        .post("/api/chat.postMessage")
        .json_body(&serde_json::json!({"k": KEY}));
    for (what, printed) in [
        ("client", format!("{maton:?} {maton:#?}")),
        ("clone", format!("{:?}", maton.clone())),
        ("connections api", format!("{:?}", maton.connections())),
        ("gumroad client", format!("{:#?}", maton.gumroad())),
        (
            "gumroad transport",
            format!("{:?}", maton.gumroad().transport()),
        ),
        (
            "control transport",
            format!("{:?}", maton.control_transport()),
        ),
        ("app proxy", format!("{proxy:#?}")),
        ("app request", format!("{request:#?}")),
        ("rate limiter", format!("{:?}", maton.rate_limiter())),
        (
            "gumroad webhooks",
            format!(
                "{:#?}",
                maton
                    .gumroad_webhooks()
                    .accept_unverified()
                    .build()
                    .unwrap()
            ),
        ),
    ] {
        assert_hidden(what, &printed);
        assert!(!printed.is_empty());
    }
    assert!(format!("{maton:?}").contains("<redacted>"));
}

#[tokio::test]
async fn the_key_travels_only_in_the_authorization_header() {
    let server = MockServer::start().await;
    serve_raw(
        &server,
        "POST",
        "/connections",
        ResponseTemplate::new(401)
            .set_body_raw(r#"{"detail":"Invalid API key"}"#, "application/json"),
    )
    .await;
    fallback(&server).await;
    let err = client(&server)
        .connections()
        .create(&CreateConnection::new("gumroad"))
        .await
        .unwrap_err();
    assert_hidden("error display", &err.to_string());
    assert_hidden("error debug", &format!("{err:?}"));
    // `requests` asserts: bearer == KEY, and KEY in neither URL nor body.
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 1);
    let snapshot = serde_json::to_string(&request_json(&reqs[0])).unwrap();
    assert_hidden("recorded request snapshot", &snapshot);
}

#[test]
fn an_empty_or_missing_key_is_a_config_error() {
    for builder in [MatonClient::builder(), MatonClient::builder().api_key("  ")] {
        let err = builder.build().unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err:?}");
    }
    let err = MatonClient::builder()
        .api_key(KEY)
        .connection("bad\nid")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    let err = MatonClient::builder()
        .api_key(KEY)
        .base_url("not a url")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert_hidden("config error", &err.to_string());
    let _ = (Provider::Maton, RawBody::default());
}
