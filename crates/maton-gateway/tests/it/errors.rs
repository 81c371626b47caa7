//! Maton's own errors (400 no connection, 401 bad key, 429 rate limit, 500
//! often an expired upstream OAuth token) told apart from the errors Gumroad
//! passes through, with raw bodies kept; 429 retried with Retry-After.

use std::time::Duration;

use creator_core::{Error, Provider};
use maton_gateway::{
    CODE_BAD_REQUEST, CODE_NO_CONNECTION, CODE_SERVER_ERROR, CreateConnection, ListConnections,
    MatonErrorKind,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

/// Serves one response for GET /gumroad/v2/user and returns the error of `user().get()`.
async fn gumroad_user_error(response: ResponseTemplate) -> (Error, MockServer) {
    let server = MockServer::start().await;
    serve_raw(&server, "GET", "/gumroad/v2/user", response).await;
    fallback(&server).await;
    let err = client(&server)
        .gumroad()
        .user()
        .get()
        .await
        .expect_err("an error");
    (err, server)
}

fn raw(fixture_rel: &str, status: u16, content_type: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(fixture(fixture_rel), content_type)
}

#[tokio::test]
async fn maton_400_no_connection_for_the_app() {
    let (err, _s) = gumroad_user_error(raw(
        "maton/errors/no_connection_400.json",
        400,
        "application/json",
    ))
    .await;
    assert_eq!(MatonErrorKind::of(&err), Some(MatonErrorKind::NoConnection));
    match &err {
        Error::Api {
            provider: Provider::Maton,
            status: 400,
            code: Some(code),
            message,
            body,
        } => {
            assert_eq!(code, CODE_NO_CONNECTION);
            assert!(
                message.contains("no usable connection for app `gumroad`"),
                "{message}"
            );
            assert!(
                message.contains("No active connection found for app gumroad"),
                "{message}"
            );
            assert_eq!(
                body.as_bytes(),
                &fixture("maton/errors/no_connection_400.json")[..]
            );
        }
        other => panic!("expected Api from Maton, got {other:?}"),
    }
}

#[tokio::test]
async fn gumroad_400_passes_through_as_a_gumroad_error() {
    let (err, _s) = gumroad_user_error(raw(
        "gumroad/error_400_invalid_product_id.json",
        400,
        "application/json",
    ))
    .await;
    assert_eq!(MatonErrorKind::of(&err), None);
    assert_eq!(err.provider(), Some(Provider::Gumroad));
    assert_eq!(err.status(), Some(400));
    assert!(err.to_string().contains("Invalid product ID."), "{err}");
    assert_eq!(
        err.raw_body().unwrap().as_bytes(),
        &fixture("gumroad/error_400_invalid_product_id.json")[..]
    );
}

#[tokio::test]
async fn maton_401_invalid_api_key() {
    let (err, _s) = gumroad_user_error(raw(
        "maton/errors/invalid_key_401.json",
        401,
        "application/json",
    ))
    .await;
    assert_eq!(
        MatonErrorKind::of(&err),
        Some(MatonErrorKind::InvalidApiKey)
    );
    match &err {
        Error::Unauthorized {
            provider: Provider::Maton,
            status: 401,
            message,
            body,
        } => {
            assert!(message.contains("MATON_API_KEY"), "{message}");
            assert!(message.contains("Invalid API key"), "{message}");
            assert_eq!(body.as_bytes(), br#"{"detail":"Invalid API key"}"#);
        }
        other => panic!("expected Unauthorized from Maton, got {other:?}"),
    }
    assert!(!err.to_string().contains(KEY));
}

#[tokio::test]
async fn gumroad_empty_401_is_a_gumroad_error_that_says_to_reconnect() {
    let (err, _s) = gumroad_user_error(ResponseTemplate::new(401).insert_header(
        "www-authenticate",
        r#"Bearer realm="Doorkeeper", error="invalid_token""#,
    ))
    .await;
    assert_eq!(MatonErrorKind::of(&err), None);
    match &err {
        Error::Unauthorized {
            provider: Provider::Gumroad,
            message,
            body,
            ..
        } => {
            assert!(message.contains("reconnect Gumroad in Maton"), "{message}");
            assert!(body.is_empty());
        }
        other => panic!("expected Unauthorized from Gumroad, got {other:?}"),
    }
}

#[tokio::test]
async fn maton_429_rate_limited_after_retries_with_retry_after() {
    let clock = clock();
    let server = MockServer::start().await;
    serve_raw(
        &server,
        "GET",
        "/gumroad/v2/user",
        raw(
            "maton/errors/rate_limited_429.json",
            429,
            "application/json",
        )
        .insert_header("retry-after", "3"),
    )
    .await;
    fallback(&server).await;
    let err = builder(&server, &clock)
        .build()
        .unwrap()
        .gumroad()
        .user()
        .get()
        .await
        .unwrap_err();
    assert_eq!(MatonErrorKind::of(&err), Some(MatonErrorKind::RateLimited));
    match &err {
        Error::RateLimited {
            provider: Provider::Maton,
            retry_after,
            body,
        } => {
            assert_eq!(*retry_after, Some(Duration::from_secs(3)));
            assert_eq!(body.as_bytes(), br#"{"message":"Too many requests"}"#);
        }
        other => panic!("expected RateLimited from Maton, got {other:?}"),
    }
    assert_eq!(requests(&server).await.len(), 3, "3 attempts");
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(3); 2]);
}

#[tokio::test]
async fn maton_429_is_retried_after_retry_after_then_succeeds() {
    let clock = clock();
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/gumroad/v2/user"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "2")
                .set_body_raw(
                    fixture("maton/errors/rate_limited_429.json"),
                    "application/json",
                ),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    serve(&server, "GET", "/gumroad/v2/user", "gumroad/user.json", 200).await;
    fallback(&server).await;

    let user = builder(&server, &clock)
        .build()
        .unwrap()
        .gumroad()
        .user()
        .get()
        .await
        .unwrap();
    assert!(user.name.is_some());
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(2)]);
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn maton_429_with_an_http_date_retry_after_on_the_app_proxy() {
    let clock = clock();
    let server = MockServer::start().await;
    // 1_740_000_000 is Wed, 19 Feb 2025 21:20:00 GMT; ask for 5 s later.
    Mock::given(method("GET"))
        .and(path("/slack/api/auth.test"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "Wed, 19 Feb 2025 21:20:05 GMT"),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    serve_raw(
        &server,
        "GET",
        "/slack/api/auth.test",
        ResponseTemplate::new(200).set_body_raw(r#"{"ok":true}"#, "application/json"),
    )
    .await;
    fallback(&server).await;
    builder(&server, &clock)
        .build()
        .unwrap()
        .app("slack")
        .get("/api/auth.test")
        .send()
        .await
        .unwrap();
    assert_eq!(clock.sleeps(), vec![Duration::from_secs(5)]);
}

#[tokio::test]
async fn gumroad_plain_text_429_passes_through_as_gumroad_rate_limit() {
    let clock = clock();
    let server = MockServer::start().await;
    serve_raw(
        &server,
        "GET",
        "/gumroad/v2/user",
        raw("gumroad/error_429.txt", 429, "text/plain").insert_header("retry-after", "1"),
    )
    .await;
    fallback(&server).await;
    let err = builder(&server, &clock)
        .options(options(&clock).retry(creator_core::RetryPolicy::none()))
        .build()
        .unwrap()
        .gumroad()
        .user()
        .get()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::RateLimited {
                provider: Provider::Gumroad,
                retry_after: Some(_),
                ..
            }
        ),
        "{err:?} (fixture: {:?})",
        String::from_utf8_lossy(&fixture("gumroad/error_429.txt"))
    );
    assert_eq!(MatonErrorKind::of(&err), None);
}

#[tokio::test]
async fn maton_500_expired_oauth_token_says_to_reconnect() {
    let clock = clock();
    let server = MockServer::start().await;
    serve_raw(
        &server,
        "GET",
        "/gumroad/v2/user",
        raw("maton/errors/server_error_500.txt", 500, "text/plain"),
    )
    .await;
    fallback(&server).await;
    let err = builder(&server, &clock)
        .build()
        .unwrap()
        .gumroad()
        .user()
        .get()
        .await
        .unwrap_err();
    assert_eq!(MatonErrorKind::of(&err), Some(MatonErrorKind::ServerError));
    match &err {
        Error::Api {
            provider: Provider::Maton,
            status: 500,
            code: Some(code),
            message,
            body,
        } => {
            assert_eq!(code, CODE_SERVER_ERROR);
            assert!(message.contains("expired OAuth refresh token"), "{message}");
            assert!(message.contains("reconnect"), "{message}");
            assert!(message.contains("Maton-Connection: <new id>"), "{message}");
            assert_eq!(body.as_bytes(), b"Internal Server Error");
        }
        other => panic!("expected Api 500 from Maton, got {other:?}"),
    }
    // The coded error tells the caller to reconnect, not to retry, and the
    // transport's retry loop reads the same verdict: the GET is sent once.
    assert!(!err.is_retryable());
    assert_eq!(requests(&server).await.len(), 1);
    assert!(clock.sleeps().is_empty(), "{:?}", clock.sleeps());
}

#[tokio::test]
async fn gumroad_html_500_passes_through_as_gumroad_edge_error() {
    let (err, _s) = gumroad_user_error(ResponseTemplate::new(500).set_body_raw(
        "<html><body>We're sorry, but something went wrong.</body></html>",
        "text/html",
    ))
    .await;
    assert_eq!(MatonErrorKind::of(&err), None);
    assert_eq!(err.provider(), Some(Provider::Gumroad));
    assert!(
        matches!(&err, Error::Api { code: Some(c), .. } if c == "edge_html"),
        "{err:?}"
    );
}

#[tokio::test]
async fn gumroad_not_found_passes_through_from_404_and_from_200_success_false() {
    for (status, rel) in [
        (404, "gumroad/product_not_found.json"),
        (200, "gumroad/sale_not_found.json"),
    ] {
        let server = MockServer::start().await;
        serve(&server, "GET", "/gumroad/v2/sales/nope", rel, status).await;
        fallback(&server).await;
        let err = client(&server)
            .gumroad()
            .sales()
            .get("nope")
            .await
            .unwrap_err();
        assert!(err.is_not_found(), "{status} {rel}: {err:?}");
        assert_eq!(err.provider(), Some(Provider::Gumroad), "{rel}");
        assert_eq!(MatonErrorKind::of(&err), None);
        assert_eq!(err.raw_body().unwrap().as_bytes(), &fixture(rel)[..]);
    }
}

#[tokio::test]
async fn gumroad_edge_403_html_passes_through() {
    let (err, _s) = gumroad_user_error(raw(
        "gumroad/edge_block_403.html",
        403,
        "text/html; charset=UTF-8",
    ))
    .await;
    assert_eq!(MatonErrorKind::of(&err), None);
    assert_eq!(err.provider(), Some(Provider::Gumroad));
}

#[tokio::test]
async fn control_plane_errors_are_all_maton_kinds() {
    let cases: [(u16, &str, MatonErrorKind); 4] = [
        (
            400,
            "maton/errors/bad_request_400.json",
            MatonErrorKind::BadRequest,
        ),
        (
            401,
            "maton/errors/invalid_key_401.json",
            MatonErrorKind::InvalidApiKey,
        ),
        (
            429,
            "maton/errors/rate_limited_429.json",
            MatonErrorKind::RateLimited,
        ),
        (
            500,
            "maton/errors/server_error_500.txt",
            MatonErrorKind::ServerError,
        ),
    ];
    for (status, rel, kind) in cases {
        let server = MockServer::start().await;
        serve(&server, "POST", "/connections", rel, status).await;
        fallback(&server).await;
        let err = client(&server)
            .connections()
            .create(&CreateConnection::new("gumroads"))
            .await
            .unwrap_err();
        assert_eq!(MatonErrorKind::of(&err), Some(kind), "{status}: {err:?}");
        assert_eq!(err.provider(), Some(Provider::Maton));
        assert_eq!(err.raw_body().unwrap().as_bytes(), &fixture(rel)[..]);
        if kind == MatonErrorKind::BadRequest {
            assert!(
                matches!(&err, Error::Api { code: Some(c), message, .. } if c == CODE_BAD_REQUEST && message.contains("Unknown app: gumroads")),
                "{err:?}"
            );
        }
    }
}

#[tokio::test]
async fn control_plane_empty_401_is_still_the_maton_key() {
    let server = MockServer::start().await;
    serve_raw(&server, "GET", "/connections", ResponseTemplate::new(401)).await;
    fallback(&server).await;
    let err = client(&server)
        .connections()
        .list(&ListConnections::new())
        .await
        .unwrap_err();
    assert_eq!(
        MatonErrorKind::of(&err),
        Some(MatonErrorKind::InvalidApiKey)
    );
}

#[tokio::test]
async fn generic_app_errors_use_documented_statuses_unless_the_app_shape_is_given() {
    fn slack_error(r: &creator_core::http::Response) -> bool {
        serde_json::from_slice::<serde_json::Value>(&r.body).is_ok_and(|v| v.get("ok").is_some())
    }
    let server = MockServer::start().await;
    serve_raw(
        &server,
        "GET",
        "/slack/api/auth.test",
        ResponseTemplate::new(400).set_body_raw(
            r#"{"ok":false,"error":"invalid_arguments"}"#,
            "application/json",
        ),
    )
    .await;
    fallback(&server).await;
    let maton = client(&server);

    let err = maton
        .app("slack")
        .get("/api/auth.test")
        .send()
        .await
        .unwrap_err();
    assert_eq!(MatonErrorKind::of(&err), Some(MatonErrorKind::NoConnection));
    assert!(err.to_string().contains("app `slack`"), "{err}");

    let err = maton
        .app("slack")
        .upstream_errors(slack_error)
        .get("/api/auth.test")
        .send()
        .await
        .unwrap_err();
    assert_eq!(MatonErrorKind::of(&err), None, "{err:?}");
    assert!(err.to_string().contains("invalid_arguments"), "{err}");
    assert_eq!(
        err.raw_body().unwrap().as_bytes(),
        br#"{"ok":false,"error":"invalid_arguments"}"#
    );
}

#[tokio::test]
async fn generic_app_404_and_502_pass_through_with_raw_body() {
    let server = MockServer::start().await;
    serve_raw(
        &server,
        "GET",
        "/stripe/v1/customers/cus_nope",
        ResponseTemplate::new(404).set_body_raw(
            r#"{"error":{"message":"No such customer: 'cus_nope'","type":"invalid_request_error"}}"#,
            "application/json",
        ),
    )
    .await;
    fallback(&server).await;
    let err = client(&server)
        .app("stripe")
        .get("/v1/customers/cus_nope")
        .send()
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(MatonErrorKind::of(&err), None);
    assert!(err.to_string().contains("No such customer"), "{err}");
}
