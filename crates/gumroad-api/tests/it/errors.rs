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

/// One call of a 2026 endpoint: the client in, `Ok(())` or the error out.
type Call =
    fn(gumroad_api::GumroadClient) -> futures::future::BoxFuture<'static, Result<(), Error>>;

/// Every 2026 endpoint the empty-401/403 table covers: a label, the
/// method and path Gumroad serves it on, and the call.
fn endpoints_2026() -> Vec<(&'static str, &'static str, &'static str, Call)> {
    use gumroad_api::{
        BundleItem, ComparablesQuery, DelayUnit, FileEntry, ImageSource, NewOfferCode,
        NewWorkflowEmail, OfferCodeChanges, RefundPeriod, RefundPolicyUpdate, RichContentPage,
        UpsellParams, WorkflowEmailUpdate,
    };
    vec![
        ("covers add", "POST", "/v2/products/P1/covers", |c| {
            Box::pin(async move {
                let source = ImageSource::Url("https://example.com/cover.png".into());
                c.covers("P1").add(&source).await.map(drop)
            })
        }),
        (
            "covers remove",
            "DELETE",
            "/v2/products/P1/covers/c1",
            |c| Box::pin(async move { c.covers("P1").remove("c1").await.map(drop) }),
        ),
        ("thumbnail set", "POST", "/v2/products/P1/thumbnail", |c| {
            Box::pin(async move {
                let source = ImageSource::SignedBlobId("eyJfcmFpbHMi--sig".into());
                c.thumbnail("P1").set(&source).await.map(drop)
            })
        }),
        (
            "thumbnail remove",
            "DELETE",
            "/v2/products/P1/thumbnail",
            |c| Box::pin(async move { c.thumbnail("P1").remove().await }),
        ),
        ("categories", "GET", "/v2/categories", |c| {
            Box::pin(async move { c.categories().list().await.map(drop) })
        }),
        ("skus", "GET", "/v2/products/P1/skus", |c| {
            Box::pin(async move { c.products().skus("P1").await.map(drop) })
        }),
        ("reviews", "GET", "/v2/products/P1/reviews", |c| {
            Box::pin(async move { c.products().reviews_page("P1", None).await.map(drop) })
        }),
        ("comps", "GET", "/v2/products/comps", |c| {
            Box::pin(async move {
                let query = ComparablesQuery::category("design");
                c.products().price_comparables(&query).await.map(drop)
            })
        }),
        (
            "product create (2026 fields)",
            "POST",
            "/v2/products",
            |c| {
                Box::pin(async move {
                    let params = ProductParams::new()
                        .name("Course")
                        .price(500)
                        .category("design")
                        .tags(["a"])
                        .refund_period("30")
                        .files(vec![
                            FileEntry::new("https://files.example/attachments/me/x/original/a.pdf")
                                .placeholder_id("upload-1"),
                        ])
                        .rich_content(vec![RichContentPage::with_file_embeds(
                            "Page 1",
                            &["upload-1".to_owned()],
                        )]);
                    c.products().create(&params).await.map(drop)
                })
            },
        ),
        (
            "product update (2026 fields)",
            "PUT",
            "/v2/products/P1",
            |c| {
                Box::pin(async move {
                    let params = ProductParams::new()
                        .custom_receipt("Thanks!")
                        .has_same_rich_content_for_all_variants(true)
                        .refund_fine_print("Ask within 30 days.")
                        .cover_ids(["c2", "c1"]);
                    c.products().update("P1", &params).await.map(drop)
                })
            },
        ),
        (
            "product page preview",
            "POST",
            "/v2/products/P1/preview_custom_html",
            |c| {
                Box::pin(async move {
                    c.products()
                        .preview_custom_html("P1", "<p>x</p>")
                        .await
                        .map(drop)
                })
            },
        ),
        (
            "bundle contents",
            "PUT",
            "/v2/products/P1/bundle_contents",
            |c| {
                Box::pin(async move {
                    c.products()
                        .set_bundle_contents("P1", &[BundleItem::new("p2")])
                        .await
                        .map(drop)
                })
            },
        ),
        ("upsells list", "GET", "/v2/upsells", |c| {
            Box::pin(async move { c.upsells().list().await.map(drop) })
        }),
        ("upsells get", "GET", "/v2/upsells/u1", |c| {
            Box::pin(async move { c.upsells().get("u1").await.map(drop) })
        }),
        ("upsells create", "POST", "/v2/upsells", |c| {
            Box::pin(async move {
                let upsell = UpsellParams::upsell("Pro", "P1");
                c.upsells().create(&upsell).await.map(drop)
            })
        }),
        ("upsells update", "PUT", "/v2/upsells/u1", |c| {
            Box::pin(async move {
                let upsell = UpsellParams::upsell("Pro", "P1");
                c.upsells().update("u1", &upsell).await.map(drop)
            })
        }),
        ("upsells delete", "DELETE", "/v2/upsells/u1", |c| {
            Box::pin(async move { c.upsells().delete("u1").await.map(drop) })
        }),
        ("workflows list", "GET", "/v2/workflows", |c| {
            Box::pin(async move { c.workflows().list().await.map(drop) })
        }),
        ("workflows get", "GET", "/v2/workflows/w1", |c| {
            Box::pin(async move { c.workflows().get("w1").await.map(drop) })
        }),
        (
            "workflow email create",
            "POST",
            "/v2/workflows/w1/emails",
            |c| {
                Box::pin(async move {
                    let email = NewWorkflowEmail::new("Welcome", "<p>Hi</p>", 1, DelayUnit::Day);
                    c.workflow_emails("w1").create(&email).await.map(drop)
                })
            },
        ),
        (
            "workflow email update",
            "PUT",
            "/v2/workflows/w1/emails/e1",
            |c| {
                Box::pin(async move {
                    let update = WorkflowEmailUpdate::new().subject("Hello");
                    c.workflow_emails("w1")
                        .update("e1", &update)
                        .await
                        .map(drop)
                })
            },
        ),
        ("refund policy get", "GET", "/v2/refund_policy", |c| {
            Box::pin(async move { c.refund_policy().get().await.map(drop) })
        }),
        ("refund policy update", "PUT", "/v2/refund_policy", |c| {
            Box::pin(async move {
                let policy = RefundPolicyUpdate::new(RefundPeriod::Days30);
                c.refund_policy().update(&policy).await.map(drop)
            })
        }),
        (
            "offer code create (minimum amount)",
            "POST",
            "/v2/products/P1/offer_codes",
            |c| {
                Box::pin(async move {
                    let code = NewOfferCode::cents("FIVE", 500).minimum_amount_cents(2000);
                    c.offer_codes("P1").create(&code).await.map(drop)
                })
            },
        ),
        (
            "offer code update (minimum amount)",
            "PUT",
            "/v2/products/P1/offer_codes/oc1",
            |c| {
                Box::pin(async move {
                    let changes = OfferCodeChanges::new().minimum_amount_cents(1500);
                    c.offer_codes("P1")
                        .update_with("oc1", &changes)
                        .await
                        .map(drop)
                })
            },
        ),
    ]
}

#[tokio::test]
async fn every_2026_endpoint_maps_an_empty_401_to_unauthorized_and_an_empty_403_to_forbidden() {
    for (label, verb, route, call) in endpoints_2026() {
        for status in [401u16, 403] {
            let server = server().await;
            serve_raw(&server, verb, route, ResponseTemplate::new(status)).await;
            let err = call(client(&server))
                .await
                .expect_err(&format!("{label}: HTTP {status} is an error"));
            match (status, &err) {
                (
                    401,
                    Error::Unauthorized {
                        status: 401,
                        message,
                        body,
                        ..
                    },
                )
                | (
                    403,
                    Error::Forbidden {
                        status: 403,
                        message,
                        body,
                        ..
                    },
                ) => {
                    assert!(message.is_empty(), "{label}: {message}");
                    assert!(body.is_empty(), "{label}");
                }
                _ => panic!("{label}: HTTP {status} became {err:?}"),
            }
            let sent = requests(&server).await;
            assert_eq!(sent.len(), 1, "{label}: HTTP {status} is never retried");
            assert_eq!(
                (sent[0].method.as_str(), sent[0].path.as_str()),
                (verb, route),
                "{label}"
            );
        }
    }
}

#[tokio::test]
async fn reviews_with_a_bad_page_key_are_the_400_status_error_shape() {
    let server = server().await;
    serve_status(
        &server,
        "GET",
        "/v2/products/P1/reviews",
        "product_reviews_invalid_page_key_400.json",
        400,
        "application/json",
    )
    .await;
    let err = client(&server)
        .products()
        .reviews_page("P1", Some("not-a-key"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 400, message, .. } if message == "Invalid page_key."),
        "{err:?}"
    );
    assert_eq!(
        err.raw_body().unwrap().as_bytes(),
        fixture("product_reviews_invalid_page_key_400.json")
    );
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 1, "a 400 is not retried");
    assert_eq!(sent[0].query_value("page_key"), Some("not-a-key"));
}

#[tokio::test]
async fn catalog_and_product_write_refusals_keep_their_messages() {
    let server = server().await;
    serve(
        &server,
        "GET",
        "/v2/products/comps",
        "product_comps_taxonomy_not_found.json",
    )
    .await;
    serve(
        &server,
        "GET",
        "/v2/products/gone/skus",
        "product_not_found.json",
    )
    .await;
    serve(
        &server,
        "POST",
        "/v2/products",
        "product_create_unsupported_currency.json",
    )
    .await;
    serve(
        &server,
        "PUT",
        "/v2/products/tiered",
        "product_update_tiered_price_refused.json",
    )
    .await;
    serve(
        &server,
        "POST",
        "/v2/products/P1/offer_codes",
        "offer_code_price_after_discount.json",
    )
    .await;
    serve(
        &server,
        "PUT",
        "/v2/products/P1/offer_codes/gone",
        "offer_code_not_found.json",
    )
    .await;
    let c = client(&server);

    let err = c
        .products()
        .price_comparables(&gumroad_api::ComparablesQuery::category("no/such/path"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { status: 200, message, .. } if message == "The taxonomy was not found."),
        "{err:?}"
    );
    assert!(c.products().skus("gone").await.unwrap_err().is_not_found());
    let err = c
        .products()
        .create(
            &ProductParams::new()
                .name("Course")
                .price(500)
                .currency("ZZZ"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 200, message, .. } if message == "'ZZZ' is not a supported currency."),
        "{err:?}"
    );
    let err = c
        .products()
        .update("tiered", &ProductParams::new().price(900))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 200, message, .. } if message.starts_with("Price cannot be updated for tiered membership products")),
        "{err:?}"
    );
    let err = c
        .offer_codes("P1")
        .create(&gumroad_api::NewOfferCode::cents("BIG", 990).minimum_amount_cents(1000))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 200, message, .. } if message.starts_with("The price after discount")),
        "{err:?}"
    );
    let err = c
        .offer_codes("P1")
        .update_with(
            "gone",
            &gumroad_api::OfferCodeChanges::new().minimum_amount_cents(1000),
        )
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(requests(&server).await.len(), 6, "none retried");
}

/// The retry loop reads the classifier's verdict, not the bare status: a GET
/// is sent again only for what `Error::is_retryable` calls transient (and an
/// uncoded 500), and each answer's error agrees with what the loop did.
#[tokio::test]
async fn gumroad_answers_are_sent_again_only_when_the_classified_error_is_transient() {
    let json = |status: u16, name: &str| {
        ResponseTemplate::new(status).set_body_raw(fixture(name), "application/json")
    };
    let html = |status: u16| {
        ResponseTemplate::new(status).set_body_raw(
            "<html><body>We're sorry, but something went wrong.</body></html>",
            "text/html",
        )
    };
    // (what, answer, requests sent)
    let table: Vec<(&str, ResponseTemplate, usize)> = vec![
        ("200 success:false", json(200, "sale_not_found.json"), 1),
        (
            "401 refused envelope",
            json(401, "sale_access_refused_401.json"),
            1,
        ),
        ("empty 401", ResponseTemplate::new(401), 1),
        ("HTML 500 page (coded edge_html)", html(500), 1),
        (
            "uncoded JSON 500",
            ResponseTemplate::new(500).set_body_raw(
                r#"{"success":false,"message":"Something went wrong."}"#,
                "application/json",
            ),
            3,
        ),
        ("HTML 503 outage", html(503), 3),
        (
            "429 Retry later",
            ResponseTemplate::new(429).set_body_string("Retry later\n"),
            3,
        ),
    ];
    for (what, answer, sent) in table {
        let server = server().await;
        serve_raw(&server, "GET", "/v2/sales/s1", answer).await;
        let clock = clock();
        let err = client_with_clock(&server, &clock)
            .sales()
            .get("s1")
            .await
            .unwrap_err();
        assert_eq!(requests(&server).await.len(), sent, "{what}: {err:?}");
        assert_eq!(clock.sleeps().len(), sent - 1, "{what}");
        assert_eq!(err.is_retryable(), sent > 1, "{what}: {err:?}");
    }
}
