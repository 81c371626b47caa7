//! Verification (URL token, HTTP Basic), the conformance suite, and
//! `confirm` reading the subject back through the API (wiremock on loopback).

use std::sync::Arc;

use creator_core::{Error, EventKind, SubscriptionStatus, Verified, WebhookError, Webhooks};
use creator_testkit::conformance::{self, WebhooksCase};
use gumroad_api::webhook::{GumroadEvent, GumroadWebhooks, GumroadWebhooksBuilder, TokenLocation};

use super::{clock, delivery};
use crate::common::{client, requests, serve_status, server};

const TOKEN: &str = "wh_7Qm2xK9pL4vN8rT1";
const SALE_ID: &str = "FO8TXN-dvxYabdavG97Y-Q==";
const SUB_ID: &str = "aVdlcGq1rXlPGyE4tGpu_g==";

/// `Basic base64("gumroad:hunter2-long-password")`.
const BASIC_OK: &str = "Basic Z3Vtcm9hZDpodW50ZXIyLWxvbmctcGFzc3dvcmQ=";
/// `Basic base64("gumroad:wrong")`.
const BASIC_WRONG_PASSWORD: &str = "Basic Z3Vtcm9hZDp3cm9uZw==";
/// `Basic base64("admin:hunter2-long-password")`.
const BASIC_WRONG_USER: &str = "Basic YWRtaW46aHVudGVyMi1sb25nLXBhc3N3b3Jk";

fn token_builder() -> GumroadWebhooksBuilder {
    GumroadWebhooks::builder().url_token(TOKEN)
}

fn token_hooks() -> GumroadWebhooks {
    token_builder().build().unwrap()
}

fn basic_hooks() -> GumroadWebhooks {
    GumroadWebhooks::builder()
        .basic_auth("gumroad", "hunter2-long-password")
        .build()
        .unwrap()
}

type Expect = Result<Verified, &'static str>;

/// (case name, receiver, request target, extra headers, expected outcome)
type Case = (
    &'static str,
    GumroadWebhooks,
    String,
    Vec<(&'static str, &'static str)>,
    Expect,
);

#[test]
fn verification_table() {
    let built = |b: GumroadWebhooksBuilder| b.build().unwrap();
    let both = || built(token_builder().basic_auth("gumroad", "hunter2-long-password"));
    let query_only = || built(token_builder().token_location(TokenLocation::Query("t".into())));
    let path_only = || built(token_builder().token_location(TokenLocation::LastPathSegment));
    let cases: Vec<Case> = vec![
        (
            "token in query",
            token_hooks(),
            format!("/hooks/gumroad?token={TOKEN}"),
            vec![],
            Ok(Verified::UrlToken),
        ),
        (
            "token in query among others",
            token_hooks(),
            format!("/hooks/gumroad?a=1&token={TOKEN}&b=2"),
            vec![],
            Ok(Verified::UrlToken),
        ),
        (
            "token in path",
            token_hooks(),
            format!("/hooks/gumroad/{TOKEN}"),
            vec![],
            Ok(Verified::UrlToken),
        ),
        (
            "token in path, trailing slash",
            token_hooks(),
            format!("/hooks/gumroad/{TOKEN}/"),
            vec![],
            Ok(Verified::UrlToken),
        ),
        (
            "token in a named query parameter",
            query_only(),
            format!("/hooks/gumroad?t={TOKEN}"),
            vec![],
            Ok(Verified::UrlToken),
        ),
        (
            "token in path, path-only location",
            path_only(),
            format!("/h/{TOKEN}?token=ignored"),
            vec![],
            Ok(Verified::UrlToken),
        ),
        (
            "wrong token in query",
            token_hooks(),
            "/hooks/gumroad?token=wh_7Qm2xK9pL4vN8rT2".into(),
            vec![],
            Err("does not match"),
        ),
        (
            "token with extra characters",
            token_hooks(),
            format!("/hooks/gumroad?token={TOKEN}x"),
            vec![],
            Err("does not match"),
        ),
        (
            "token prefix only",
            token_hooks(),
            "/hooks/gumroad?token=wh_7Qm2".into(),
            vec![],
            Err("does not match"),
        ),
        (
            "wrong token in path",
            token_hooks(),
            "/hooks/gumroad/wh_guess".into(),
            vec![],
            Err("does not match"),
        ),
        (
            "query present but wrong beats a right path",
            token_hooks(),
            format!("/hooks/{TOKEN}?token=nope"),
            vec![],
            Err("does not match"),
        ),
        (
            "missing token (default location reads the path)",
            token_hooks(),
            "/hooks/gumroad".into(),
            vec![],
            Err("does not match"),
        ),
        (
            "missing token, query location",
            query_only(),
            "/hooks/gumroad".into(),
            vec![],
            Err("no token"),
        ),
        (
            "missing token, path location",
            path_only(),
            "/".into(),
            vec![],
            Err("no token"),
        ),
        (
            "token twice",
            token_hooks(),
            format!("/hooks?token={TOKEN}&token=x"),
            vec![],
            Err("more than once"),
        ),
        (
            "token in the wrong parameter",
            query_only(),
            format!("/hooks/gumroad?token={TOKEN}"),
            vec![],
            Err("no token"),
        ),
        (
            "Basic ok",
            basic_hooks(),
            "/hooks/gumroad".into(),
            vec![("authorization", BASIC_OK)],
            Ok(Verified::BasicAuth),
        ),
        (
            "Basic ok, lower-case scheme",
            basic_hooks(),
            "/hooks/gumroad".into(),
            vec![(
                "authorization",
                "basic Z3Vtcm9hZDpodW50ZXIyLWxvbmctcGFzc3dvcmQ=",
            )],
            Ok(Verified::BasicAuth),
        ),
        (
            "Basic wrong password",
            basic_hooks(),
            "/hooks/gumroad".into(),
            vec![("authorization", BASIC_WRONG_PASSWORD)],
            Err("do not match"),
        ),
        (
            "Basic wrong user",
            basic_hooks(),
            "/hooks/gumroad".into(),
            vec![("authorization", BASIC_WRONG_USER)],
            Err("do not match"),
        ),
        (
            "Basic missing",
            basic_hooks(),
            "/hooks/gumroad".into(),
            vec![],
            Err("Authorization header is missing"),
        ),
        (
            "Bearer instead of Basic",
            basic_hooks(),
            "/hooks/gumroad".into(),
            vec![("authorization", "Bearer Z3Vtcm9hZA==")],
            Err("not HTTP Basic"),
        ),
        (
            "Basic not base64",
            basic_hooks(),
            "/hooks/gumroad".into(),
            vec![("authorization", "Basic %%%")],
            Err("malformed"),
        ),
        (
            "Basic without colon",
            basic_hooks(),
            "/hooks/gumroad".into(),
            vec![("authorization", "Basic Z3Vtcm9hZA==")],
            Err("no `:`"),
        ),
        (
            "two Authorization headers",
            basic_hooks(),
            "/hooks/gumroad".into(),
            vec![("authorization", BASIC_OK), ("authorization", BASIC_OK)],
            Err("more than one"),
        ),
        (
            "token and Basic ok",
            both(),
            format!("/hooks?token={TOKEN}"),
            vec![("authorization", BASIC_OK)],
            Ok(Verified::UrlToken),
        ),
        (
            "token ok, Basic missing",
            both(),
            format!("/hooks?token={TOKEN}"),
            vec![],
            Err("Authorization header is missing"),
        ),
        (
            "Basic ok, token wrong",
            both(),
            "/hooks?token=x".into(),
            vec![("authorization", BASIC_OK)],
            Err("does not match"),
        ),
    ];
    for (name, hooks, uri, headers, expected) in cases {
        let d = delivery(&uri, "sale.form", &headers);
        match (hooks.verify(&d), expected) {
            (Ok(got), Ok(want)) => assert_eq!(got, want, "{name}"),
            (Err(e), Err(says)) => {
                assert!(e.is_verification_failure(), "{name}: {e:?}");
                assert!(
                    matches!(e, WebhookError::Unauthenticated { .. }),
                    "{name}: {e:?}"
                );
                let text = e.to_string();
                assert!(text.contains(says), "{name}: {text:?} should say {says:?}");
                assert!(
                    !text.contains(TOKEN) && !text.contains("hunter2"),
                    "{name}: no secret in {text:?}"
                );
                assert!(hooks.receive(&d).is_err(), "{name}: receive rejects it too");
            }
            (got, want) => panic!("{name}: got {got:?}, want {want:?}"),
        }
    }
}

#[test]
fn a_percent_encoded_token_in_the_url_is_decoded_before_comparing() {
    let hooks = GumroadWebhooks::builder()
        .url_token("a+b/c=")
        .build()
        .unwrap();
    assert!(
        hooks
            .verify(&delivery("/hooks?token=a%2Bb%2Fc%3D", "sale.form", &[]))
            .is_ok()
    );
    assert!(
        hooks
            .verify(&delivery("/hooks/a%2Bb%2Fc%3D", "sale.form", &[]))
            .is_ok()
    );
    assert!(
        hooks
            .verify(&delivery("/hooks?token=a+b%2Fc%3D", "sale.form", &[]))
            .is_err(),
        "`+` in a query is a space"
    );
}

#[test]
fn nothing_configured_is_a_configuration_error_unless_explicitly_unverified() {
    let err = GumroadWebhooks::builder().build().unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(err.to_string().contains("does not sign"), "{err}");
    let d = delivery("/hooks", "sale.form", &[]);
    assert_eq!(
        GumroadWebhooks::builder()
            .accept_unverified()
            .build()
            .unwrap()
            .verify(&d)
            .unwrap(),
        Verified::Unverified
    );
}

#[test]
fn empty_credentials_are_refused_when_building() {
    // `Authorization: Basic Og==` is base64(":"): it matched `basic_auth("", "")` before.
    let empty_basic = delivery("/hooks", "sale.form", &[("authorization", "Basic Og==")]);
    for (name, builder) in [
        (
            "empty user and password",
            GumroadWebhooks::builder().basic_auth("", ""),
        ),
        (
            "empty user",
            GumroadWebhooks::builder().basic_auth("", "pw"),
        ),
        (
            "empty password",
            GumroadWebhooks::builder().basic_auth("gumroad", ""),
        ),
        ("empty URL token", GumroadWebhooks::builder().url_token("")),
        (
            "empty token beside Basic",
            GumroadWebhooks::builder()
                .url_token("")
                .basic_auth("gumroad", "pw"),
        ),
        (
            "empty query parameter name",
            token_builder().token_location(TokenLocation::Query(String::new())),
        ),
        (
            "empty credentials even when unverified is allowed",
            GumroadWebhooks::builder()
                .accept_unverified()
                .basic_auth("", ""),
        ),
    ] {
        match builder.build() {
            Err(Error::Config(why)) => assert!(!why.is_empty(), "{name}"),
            Ok(hooks) => panic!(
                "{name}: built, and verifies `Basic Og==`: {:?}",
                hooks.verify(&empty_basic)
            ),
            Err(other) => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn debug_never_shows_the_token_or_basic_credentials() {
    let builder = GumroadWebhooks::builder()
        .client(
            gumroad_api::GumroadClient::builder("gr_api_tok_s3cr3t")
                .build()
                .unwrap(),
        )
        .url_token(TOKEN)
        .basic_auth("gumroad-user-x", "hunter2-long-password");
    let server_less = builder.clone().build().unwrap();
    let shown = format!("{builder:?} {builder:#?} {server_less:?} {server_less:#?}");
    for secret in [TOKEN, "gumroad-user-x", "hunter2", "gr_api_tok_s3cr3t"] {
        assert!(!shown.contains(secret), "{secret} leaked in {shown}");
    }
    assert!(shown.contains("GumroadWebhooks"));
}

#[test]
fn callback_url_carries_the_configured_secrets() {
    let url = token_hooks()
        .callback_url("https://hooks.example.com/gumroad")
        .unwrap();
    assert_eq!(
        url,
        format!("https://hooks.example.com/gumroad?token={TOKEN}")
    );
    let hooks = token_builder()
        .token_location(TokenLocation::LastPathSegment)
        .build()
        .unwrap();
    let url = hooks
        .callback_url("https://hooks.example.com/gumroad/")
        .unwrap();
    assert_eq!(url, format!("https://hooks.example.com/gumroad/{TOKEN}"));
    // What Gumroad will post to verifies.
    let parsed: http::Uri = url.parse().unwrap();
    assert!(
        hooks
            .verify(&delivery(parsed.path(), "sale.form", &[]))
            .is_ok()
    );
    let url = basic_hooks()
        .callback_url("https://hooks.example.com/g")
        .unwrap();
    assert_eq!(
        url,
        "https://gumroad:hunter2-long-password@hooks.example.com/g"
    );
    assert!(matches!(
        token_hooks().callback_url("ftp://x/"),
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        token_hooks().callback_url("not a url"),
        Err(Error::InvalidInput(_))
    ));
}

#[tokio::test]
async fn conformance_webhooks_check_passes() {
    let hooks = token_builder().clock(Arc::new(clock())).build().unwrap();
    let uri = format!("/hooks/gumroad?token={TOKEN}");
    for (valid, kind, subject) in [
        ("sale.form", EventKind::Sale, SALE_ID),
        ("sale.json", EventKind::Sale, SALE_ID),
        ("refund.form", EventKind::Refund, SALE_ID),
        (
            "cancellation.form",
            EventKind::SubscriptionCancelled,
            SUB_ID,
        ),
        (
            "subscription_ended.json",
            EventKind::SubscriptionEnded,
            SUB_ID,
        ),
    ] {
        let case = WebhooksCase {
            valid: delivery(&uri, valid, &[]),
            valid_kind: kind,
            valid_subject: subject.to_owned(),
            tampered: delivery("/hooks/gumroad", valid, &[]),
            unknown_event: Some(delivery(&uri, "unknown_resource.form", &[])),
            malformed: Some(delivery(&uri, "malformed_truncated_escape.form", &[])),
        };
        conformance::webhooks(&hooks, &case).await;
    }
    let basic = basic_hooks();
    let case = WebhooksCase {
        valid: delivery("/hooks", "ping.form", &[("authorization", BASIC_OK)]),
        valid_kind: EventKind::Sale,
        valid_subject: SALE_ID.to_owned(),
        tampered: delivery(
            "/hooks",
            "ping.form",
            &[("authorization", BASIC_WRONG_PASSWORD)],
        ),
        unknown_event: Some(delivery(
            "/hooks",
            "unknown_resource.json",
            &[("authorization", BASIC_OK)],
        )),
        malformed: Some(delivery(
            "/hooks",
            "malformed_truncated.json",
            &[("authorization", BASIC_OK)],
        )),
    };
    conformance::webhooks(&basic, &case).await;
}

fn api(name: &str) -> String {
    format!("webhooks/api/{name}")
}

async fn receive_with_client(
    server: &wiremock::MockServer,
    fixture: &str,
) -> (GumroadWebhooks, creator_core::WebhookEvent) {
    let hooks = token_builder()
        .client(client(server))
        .clock(Arc::new(clock()))
        .build()
        .unwrap();
    let event = hooks
        .receive(&delivery(&format!("/hooks?token={TOKEN}"), fixture, &[]))
        .unwrap();
    (hooks, event)
}

#[tokio::test]
async fn confirm_reads_the_sale_back_by_sale_id() {
    let server = server().await;
    serve_status(
        &server,
        "GET",
        &format!("/v2/sales/{SALE_ID}"),
        &api("sale.json"),
        200,
        "application/json",
    )
    .await;
    let (hooks, event) = receive_with_client(&server, "sale.form").await;
    let fresh = hooks.confirm(&event).await.unwrap();
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "GET");
    assert_eq!(reqs[0].path, format!("/v2/sales/{SALE_ID}"));
    assert!(reqs[0].query.is_empty());
    reqs[0].assert_not_leaked(TOKEN);
    assert_eq!(fresh.identity(), event.identity());
    let sale = fresh.sale.as_ref().unwrap();
    let api_sale = sale
        .provider_data()
        .downcast_ref::<gumroad_api::Sale>()
        .expect("the API's sale model");
    assert_eq!(api_sale.order_id, Some(524_459_935));
    assert_eq!(sale.amount.unwrap().minor_units(), 1249);
    assert!(!sale.refunded);
    assert!(
        fresh
            .provider_data()
            .downcast_ref::<GumroadEvent>()
            .is_some(),
        "the delivery's typed event is kept"
    );
}

/// `confirm` and `Sales::sale` map the API's sale with one function, so they
/// return equal values for one sale; the customer email is the purchase
/// email (the Ping's `email`), not the buyer's account email the API sends as
/// `email`, so the delivery's sale, the confirmed one and the listed one agree.
#[tokio::test]
async fn confirm_and_sales_sale_return_equal_values_for_one_sale() {
    use creator_core::Sales;
    let server = server().await;
    serve_status(
        &server,
        "GET",
        &format!("/v2/sales/{SALE_ID}"),
        &api("sale_account_email.json"),
        200,
        "application/json",
    )
    .await;
    let (hooks, event) = receive_with_client(&server, "sale.form").await;
    let confirmed = hooks.confirm(&event).await.unwrap().sale.unwrap();
    let read = Sales::sale(&client(&server), SALE_ID).await.unwrap();
    creator_testkit::assert_same_sale::<gumroad_api::Sale>(&confirmed, &read);
    assert_eq!(confirmed.provider, creator_core::Provider::Gumroad);
    let delivered = event.sale.as_ref().unwrap();
    for sale in [&confirmed, &read, delivered] {
        assert_eq!(
            sale.customer.email.as_deref(),
            Some("buyer+gumroad@example.com"),
            "the purchase email, not the account email"
        );
    }
}

#[tokio::test]
async fn confirm_of_a_refund_reports_what_the_api_says() {
    let server = server().await;
    serve_status(
        &server,
        "GET",
        &format!("/v2/sales/{SALE_ID}"),
        &api("sale_refunded.json"),
        200,
        "application/json",
    )
    .await;
    let (hooks, event) = receive_with_client(&server, "refund.json").await;
    let fresh = hooks.confirm(&event).await.unwrap();
    assert_eq!(fresh.kind, EventKind::Refund);
    assert!(fresh.sale.unwrap().refunded);
}

#[tokio::test]
async fn confirm_rejects_a_forged_sale() {
    let server = server().await;
    serve_status(
        &server,
        "GET",
        &format!("/v2/sales/{SALE_ID}"),
        &api("sale_not_found.json"),
        200,
        "application/json",
    )
    .await;
    let (hooks, event) = receive_with_client(&server, "sale.form").await;
    let err = hooks.confirm(&event).await.unwrap_err();
    assert!(err.is_not_found(), "a sale id that does not exist: {err:?}");

    let server = crate::common::server().await;
    serve_status(
        &server,
        "GET",
        &format!("/v2/sales/{SALE_ID}"),
        &api("sale_other_product.json"),
        200,
        "application/json",
    )
    .await;
    let (hooks, event) = receive_with_client(&server, "sale.form").await;
    match hooks.confirm(&event).await {
        Err(Error::Webhook(e @ WebhookError::Unconfirmed { .. })) => {
            assert!(
                e.to_string()
                    .contains("the API says `Zm9yZ2VkUHJvZHVjdElkMQ==`"),
                "{e}"
            );
        }
        other => panic!("a real sale id with a made-up product: {other:?}"),
    }
}

/// (delivery, what the API answers for its subject, whether `confirm` must
/// succeed, what the refusal says). The deliveries are the generated
/// fixtures; the API answers are `webhooks/api/*` (see fixtures/README.md).
const CLAIMS: &[(&str, &str, bool, &str)] = &[
    ("sale.form", "sale_refunded.json", true, ""),
    ("refund.form", "sale.json", false, "claims a refund of sale"),
    ("refund.form", "sale_refunded.json", true, ""),
    (
        "refund_partial.form",
        "sale_partially_refunded.json",
        true,
        "",
    ),
    (
        "dispute.form",
        "sale.json",
        false,
        "reports it not disputed",
    ),
    ("dispute.form", "sale_disputed.json", true, ""),
    ("dispute.json", "sale_dispute_won.json", true, ""),
    (
        "dispute_won.form",
        "sale_disputed.json",
        false,
        "claims a won dispute",
    ),
    ("dispute_won.form", "sale_dispute_won.json", true, ""),
    (
        "cancellation.form",
        "subscriber_alive.json",
        false,
        "claims a cancellation",
    ),
    ("cancellation.form", "subscriber.json", true, ""),
    (
        "cancellation.json",
        "subscriber_failed_payment.json",
        true,
        "",
    ),
    (
        "subscription_ended.form",
        "subscriber_alive.json",
        false,
        "reports it running",
    ),
    (
        "subscription_ended.form",
        "subscriber_cancelled.json",
        false,
        "(failed_payment)",
    ),
    (
        "subscription_ended.form",
        "subscriber_failed_payment.json",
        true,
        "",
    ),
    (
        "subscription_restarted.form",
        "subscriber_failed_payment.json",
        false,
        "claims a restart",
    ),
    (
        "subscription_restarted.form",
        "subscriber.json",
        false,
        "claims a restart",
    ),
    (
        "subscription_restarted.form",
        "subscriber_alive.json",
        true,
        "",
    ),
    (
        "subscription_updated.form",
        "subscriber_failed_payment.json",
        false,
        "claims a plan change",
    ),
    (
        "subscription_updated.form",
        "subscriber_alive.json",
        true,
        "",
    ),
];

#[tokio::test]
async fn confirm_checks_the_claim_of_every_kind_not_just_the_subject() {
    for (delivered, answer, confirms, says) in CLAIMS {
        let server = server().await;
        let route = if answer.starts_with("sale") {
            format!("/v2/sales/{SALE_ID}")
        } else {
            format!("/v2/subscribers/{SUB_ID}")
        };
        serve_status(
            &server,
            "GET",
            &route,
            &api(answer),
            200,
            "application/json",
        )
        .await;
        let (hooks, event) = receive_with_client(&server, delivered).await;
        let case = format!("{delivered} read back as {answer}");
        match (hooks.confirm(&event).await, confirms) {
            (Ok(fresh), true) => {
                assert_eq!(fresh.kind, event.kind, "{case}");
                assert!(fresh.sale.is_some() || fresh.subscriber.is_some(), "{case}");
            }
            (Err(Error::Webhook(e @ WebhookError::Unconfirmed { .. })), false) => {
                assert!(e.is_verification_failure(), "{case}");
                assert!(e.to_string().contains(says), "{case}: {e}");
            }
            (got, _) => panic!("{case}: {got:?}"),
        }
        assert_eq!(requests(&server).await.len(), 1, "{case}: one read");
    }
}

#[tokio::test]
async fn confirm_reads_a_subscription_back_by_subscription_id() {
    let server = server().await;
    serve_status(
        &server,
        "GET",
        &format!("/v2/subscribers/{SUB_ID}"),
        &api("subscriber.json"),
        200,
        "application/json",
    )
    .await;
    let (hooks, event) = receive_with_client(&server, "cancellation.form").await;
    let fresh = hooks.confirm(&event).await.unwrap();
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].path.as_str()),
        ("GET", "/v2/subscribers/aVdlcGq1rXlPGyE4tGpu_g==")
    );
    let sub = fresh.subscriber.unwrap();
    assert_eq!(sub.status, SubscriptionStatus::PendingCancellation);
    assert_eq!(sub.customer.email.as_deref(), Some("member@example.com"));
    assert!(
        sub.provider_data()
            .downcast_ref::<gumroad_api::Subscriber>()
            .is_some()
    );
}

#[tokio::test]
async fn confirm_needs_a_client_and_a_known_resource() {
    let hooks = token_hooks();
    let event = hooks
        .receive(&delivery(&format!("/h?token={TOKEN}"), "sale.form", &[]))
        .unwrap();
    assert!(matches!(hooks.confirm(&event).await, Err(Error::Config(_))));

    let server = server().await;
    let (hooks, unknown) = receive_with_client(&server, "unknown_resource.form").await;
    assert!(hooks.confirm(&unknown).await.unwrap_err().is_unsupported());
    assert!(
        requests(&server).await.is_empty(),
        "nothing sent for an unknown resource"
    );
}
