//! Gumroad's error shapes, each mapped by `GumroadClassifier` with the raw body kept.

use std::time::Duration;

use creator_core::Error;
use gumroad_api::{ProductParams, SalesQuery};
use wiremock::ResponseTemplate;

use crate::common::*;

#[tokio::test]
async fn http_200_success_false_not_found_message_is_not_found() {
    let server = server().await;
    serve(&server, "GET", "/v2/sales/gone", "sale_not_found.json").await;
    let err = client(&server).sales().get("gone").await.unwrap_err();
    match &err {
        Error::NotFound {
            status,
            message,
            body,
            ..
        } => {
            assert_eq!(*status, 200);
            assert_eq!(message, "The sale was not found.");
            assert_eq!(body.as_bytes(), fixture("sale_not_found.json").as_slice());
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(!err.is_retryable());
    insta::assert_snapshot!(err.to_string(), @"gumroad: not found: The sale was not found.");
}

#[tokio::test]
async fn http_200_success_false_other_message_is_api_error_with_message() {
    let server = server().await;
    serve(
        &server,
        "PUT",
        "/v2/sales/s1/refund",
        "sale_already_refunded.json",
    )
    .await;
    let err = client(&server)
        .sales()
        .refund("s1", gumroad_api::Refund::Full)
        .await
        .unwrap_err();
    match &err {
        Error::Api {
            status,
            message,
            code,
            ..
        } => {
            assert_eq!(*status, 200);
            assert_eq!(message, "Purchase is already refunded.");
            assert_eq!(*code, None);
        }
        other => panic!("expected Api, got {other:?}"),
    }
}

#[tokio::test]
async fn http_401_empty_body_is_unauthorized() {
    let server = server().await;
    serve_raw(&server, "GET", "/v2/user", ResponseTemplate::new(401)).await;
    let err = client(&server).user().get().await.unwrap_err();
    assert!(
        matches!(&err, Error::Unauthorized { status: 401, message, .. } if message.is_empty()),
        "{err:?}"
    );
    assert!(err.raw_body().unwrap().is_empty());
    assert_eq!(
        err.to_string(),
        "gumroad rejected the credentials (HTTP 401)"
    );
    // Not retried: one request.
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn http_403_empty_body_is_forbidden_missing_scope() {
    let server = server().await;
    serve_raw(&server, "GET", "/v2/sales", ResponseTemplate::new(403)).await;
    let err = client(&server)
        .sales()
        .page(&SalesQuery::new(), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Forbidden { status: 403, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("lacks a required scope"), "{err}");
}

#[tokio::test]
async fn http_400_status_error_shape_keeps_the_message() {
    let server = server().await;
    serve_status(
        &server,
        "GET",
        "/v2/sales",
        "error_400_invalid_product_id.json",
        400,
        "application/json",
    )
    .await;
    let err = client(&server)
        .sales()
        .page(&SalesQuery::new().product_id("not-an-id"), None)
        .await
        .unwrap_err();
    match &err {
        Error::Api {
            status, message, ..
        } => {
            assert_eq!(*status, 400);
            assert_eq!(message, "Invalid product ID.");
        }
        other => panic!("expected Api, got {other:?}"),
    }
    assert_eq!(
        err.raw_body().unwrap().as_bytes(),
        fixture("error_400_invalid_product_id.json").as_slice()
    );
}

#[tokio::test]
async fn http_400_deprecated_page_parameter_message_is_kept() {
    let server = server().await;
    serve_status(
        &server,
        "GET",
        "/v2/sales",
        "error_400_page_deprecated.json",
        400,
        "application/json",
    )
    .await;
    let err = client(&server)
        .sales()
        .page(&SalesQuery::new(), None)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("Please use 'page_key' instead"),
        "{err}"
    );
}

#[tokio::test]
async fn http_429_plain_text_with_retry_after_is_rate_limited_after_retries() {
    let server = server().await;
    serve_raw(
        &server,
        "GET",
        "/v2/sales",
        ResponseTemplate::new(429)
            .insert_header("retry-after", "7")
            .set_body_raw(fixture("error_429.txt"), "text/plain"),
    )
    .await;
    let clock = clock();
    let err = client_with_clock(&server, &clock)
        .sales()
        .page(&SalesQuery::new(), None)
        .await
        .unwrap_err();
    match &err {
        Error::RateLimited {
            retry_after, body, ..
        } => {
            assert_eq!(*retry_after, Some(Duration::from_secs(7)));
            assert_eq!(body.as_bytes(), b"Retry later\n");
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(7), Duration::from_secs(7)]
    );
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn cloudflare_html_403_is_kept_raw_and_not_reported_as_missing_scope() {
    let server = server().await;
    serve_status(
        &server,
        "GET",
        "/v2/products",
        "edge_block_403.html",
        403,
        "text/html; charset=UTF-8",
    )
    .await;
    let err = client(&server).products().page(None).await.unwrap_err();
    match &err {
        Error::Api {
            status, code, body, ..
        } => {
            assert_eq!(*status, 403);
            assert_eq!(code.as_deref(), Some("edge_html"));
            assert_eq!(body.as_bytes(), fixture("edge_block_403.html").as_slice());
        }
        other => panic!("expected Api(edge_html), got {other:?}"),
    }
    assert!(err.to_string().contains("edge proxy"), "{err}");
}

#[tokio::test]
async fn html_503_outage_page_is_retried_for_get_then_kept_raw() {
    let server = server().await;
    serve_raw(
        &server,
        "GET",
        "/v2/user",
        ResponseTemplate::new(503).set_body_raw(
            b"<html><body>503 Service Temporarily Unavailable</body></html>".to_vec(),
            "text/html",
        ),
    )
    .await;
    let clock = clock();
    let err = client_with_clock(&server, &clock)
        .user()
        .get()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 503, code: Some(c), .. } if c == "edge_html"),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert!(
        err.raw_body()
            .unwrap()
            .text()
            .contains("503 Service Temporarily Unavailable")
    );
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn maintenance_plain_text_with_http_200_is_an_error_not_a_decode_panic() {
    let server = server().await;
    serve_status(
        &server,
        "GET",
        "/v2/user",
        "maintenance_200.txt",
        200,
        "text/plain",
    )
    .await;
    let err = client(&server).user().get().await.unwrap_err();
    match &err {
        Error::Api {
            status, code, body, ..
        } => {
            assert_eq!(*status, 200);
            assert_eq!(code.as_deref(), Some("unexpected_body"));
            assert_eq!(body.as_bytes(), b"We'll be right back.");
        }
        other => panic!("expected Api(unexpected_body), got {other:?}"),
    }
}

#[tokio::test]
async fn html_404_from_a_server_without_product_create_is_not_found_with_raw_body() {
    let server = server().await;
    serve_raw(
        &server,
        "POST",
        "/v2/products",
        ResponseTemplate::new(404).set_body_raw(
            b"<!DOCTYPE html><html><head><title>The page you were looking for doesn't exist (404)</title></head><body></body></html>".to_vec(),
            "text/html; charset=utf-8",
        ),
    )
    .await;
    let err = client(&server)
        .products()
        .create(&ProductParams::new().name("x").price(100))
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(err.raw_body().unwrap().text().contains("(404)"));
    // A POST that creates something is never retried.
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn json_that_does_not_match_reports_the_field_path_and_keeps_the_body() {
    let server = server().await;
    serve_raw(
        &server,
        "GET",
        "/v2/sales",
        ResponseTemplate::new(200).set_body_raw(
            br#"{"success":true,"sales":[{"id":"x","price":"ten dollars"}]}"#.to_vec(),
            "application/json",
        ),
    )
    .await;
    let err = client(&server)
        .sales()
        .page(&SalesQuery::new(), None)
        .await
        .unwrap_err();
    match &err {
        Error::Decode { path, body, .. } => {
            assert_eq!(path, "sales[0].price");
            assert!(body.text().contains("ten dollars"));
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}
