//! Access on Gank: a test per verdict reason Gank can report, against the
//! Creator API page's subscriber samples and the wallet list shape
//! (`fixtures/gank/`, provenance in `fixtures/README.md`: the subscriber
//! export and inactive samples are the docs', the wallet list is GankHelper's
//! shape with invented values). Where a row must name another user, the test
//! changes only that id, said in the test. Writes are all Unsupported.

use creator_core::{AccessQuery, AccessReason, Error};
use creator_testkit::conformance::{self, AccessCase, ActionsCase};
use serde_json::{Value, json};
use time::macros::datetime;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::common::*;

const TIER: &str = "0d6c3f8e-4b1a-4c57-9a57-2f0b1d7e9c11";
const OLD_TIER: &str = "8a41d2c6-1f5e-4b9d-b7a3-0c6e2f8d1a95";
const SUPPORTER: &str = "4758a84f-2c1e-4b9a-8d3f-6e0a1c7b5d92";
const LAPSED: &str = "c91f0e2d-5a7b-4c3e-8f1d-2b6a9e0c4d78";
const LISTING: &str = "4ae9d5c2-959f-42d6-a463-6c0003c95c8c";

fn json_of(name: &str) -> Value {
    serde_json::from_slice(&fixture(name)).unwrap()
}

fn ok(body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(serde_json::to_vec(body).unwrap(), "application/json")
}

/// Serves the wallet list and the two subscriber exports, then runs the
/// conformance rules on one query.
async fn case(
    wallet: Value,
    active: Value,
    inactive: Value,
    query: AccessQuery,
    reason: AccessReason,
) -> Hosts {
    let hosts = Hosts::start().await;
    Mock::given(method("GET"))
        .and(path("/payment/transactions"))
        .respond_with(ok(&wallet))
        .mount(&hosts.v2)
        .await;
    for (flag, body) in [("true", &active), ("false", &inactive)] {
        Mock::given(method("GET"))
            .and(path("/payment/creator/subscribers/export"))
            .and(query_param("active", flag))
            .respond_with(ok(body))
            .mount(&hosts.v2)
            .await;
    }
    hosts.fallbacks().await;
    conformance::access(
        &hosts.client(),
        &AccessCase {
            verdicts: vec![(query, reason)],
            unsupported: vec![AccessQuery::license_key(
                TIER,
                "85DB562A-C11D4B06-A2335A6B-8C079166",
            )],
        },
    )
    .await;
    hosts
}

fn empty() -> Value {
    json!({"data": [], "total": 0})
}

#[tokio::test]
async fn an_active_subscriber_has_an_active_subscription_until_the_period_end() {
    let hosts = case(
        json_of("transactions_page1.json"),
        json_of("subscribers_export.json"),
        empty(),
        AccessQuery::user_id(TIER, SUPPORTER),
        AccessReason::ActiveSubscription,
    )
    .await;
    let v = creator_core::Access::check(&hosts.client(), AccessQuery::user_id(TIER, SUPPORTER))
        .await
        .unwrap();
    assert_eq!(v.since, Some(datetime!(2025-09-25 03:14:07.512341 UTC)));
    assert_eq!(v.until, Some(datetime!(2025-10-25 03:14:07.512341 UTC)));
    let export = sent(&hosts.v2)
        .await
        .into_iter()
        .find(|s| s.line().contains("/export"))
        .unwrap();
    assert_eq!(export.query("membership_setting_id"), vec![TIER]);
    assert_eq!(export.query("active"), vec!["true"]);
}

#[tokio::test]
async fn an_inactive_subscriber_has_an_ended_subscription() {
    case(
        json_of("transactions_page1.json"),
        json_of("subscribers_export.json"),
        json_of("subscribers_inactive.json"),
        AccessQuery::user_id(OLD_TIER, LAPSED),
        AccessReason::SubscriptionEnded,
    )
    .await;
}

#[tokio::test]
async fn an_inactive_subscriber_whose_last_payment_failed_has_a_failed_subscription() {
    // The failed membership payment of webhook_membership_failed.json, paid by the lapsed user.
    let mut failed = json_of("webhook_membership_failed.json")["data"].clone();
    failed["usecase_data"]["data"]["subscriber_user_id"] = json!(LAPSED);
    let wallet = json!({"data": [failed]});
    case(
        wallet,
        empty(),
        json_of("subscribers_inactive.json"),
        AccessQuery::user_id(OLD_TIER, LAPSED),
        AccessReason::SubscriptionFailed,
    )
    .await;
}

#[tokio::test]
async fn a_paid_listing_is_a_lifetime_purchase_by_email_or_user_id() {
    for q in [
        AccessQuery::email(LISTING, "Buyer.DG@example.com"),
        AccessQuery::user_id(LISTING, "211376af-8e3c-4d1b-9f6a-2c7e5b0d4a18"),
    ] {
        case(
            json_of("transactions_page1.json"),
            empty(),
            empty(),
            q,
            AccessReason::LifetimePurchase,
        )
        .await;
    }
}

#[tokio::test]
async fn a_pending_listing_payment_grants_nothing() {
    let mut wallet = json_of("transactions_page1.json");
    wallet["data"][0]["payment_status"] = json!("PENDING");
    case(
        wallet,
        empty(),
        empty(),
        AccessQuery::email(LISTING, "buyer.dg@example.com"),
        AccessReason::NotFound,
    )
    .await;
}

#[tokio::test]
async fn an_email_is_matched_to_its_gank_user_through_the_wallet() {
    // transactions_page1.json's membership payment names notruff4@example.com
    // (user fba1aaba-…); the export's first row is given that user id.
    let mut active = json_of("subscribers_export.json");
    active["data"][0]["supporter_user_id"] = json!("fba1aaba-ffb5-42ae-8571-6ec0eb337802");
    case(
        json_of("transactions_page1.json"),
        active,
        empty(),
        AccessQuery::email(TIER, "notruff4@example.com"),
        AccessReason::ActiveSubscription,
    )
    .await;
}

#[tokio::test]
async fn nobody_paying_with_the_email_is_not_found() {
    let hosts = case(
        json_of("transactions_page1.json"),
        json_of("subscribers_export.json"),
        empty(),
        AccessQuery::email(TIER, "nobody@example.com"),
        AccessReason::NotFound,
    )
    .await;
    assert!(
        sent(&hosts.v2)
            .await
            .iter()
            .all(|s| !s.line().contains("/export")),
        "no user to look up"
    );
}

#[tokio::test]
async fn without_a_login_token_the_check_fails_instead_of_denying() {
    let hosts = Hosts::start().await;
    hosts.fallbacks().await;
    let client = hosts.builder().creator_token(CREATOR).build().unwrap();
    let err = creator_core::Access::check(&client, AccessQuery::user_id(TIER, SUPPORTER))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err}");
}

#[tokio::test]
async fn gank_has_no_writes() {
    let hosts = Hosts::start().await;
    hosts.fallbacks().await;
    let client = hosts.client();
    conformance::sale_actions::<_, gank_api::GankClient>(
        &client,
        None,
        &ActionsCase {
            sale_id: None,
            ..ActionsCase::default()
        },
    )
    .await;
    assert!(sent(&hosts.v1).await.is_empty() && sent(&hosts.v2).await.is_empty());
}
