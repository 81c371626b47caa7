//! Access and SaleActions on Gumroad: a test per verdict reason against
//! the recorded license, sale and subscriber fixtures (`fixtures/gumroad/`;
//! their provenance is in `fixtures/README.md`). Where a reason needs a flag
//! no fixture carries, the test takes the nearest fixture and changes only
//! that flag, named in the test.

use creator_core::{
    AccessQuery, AccessReason, Currency, Error, IdempotencyKey, KeyHandling, Money, RefundAmount,
    SaleActions,
};
use creator_testkit::conformance::{self, AccessCase};
use gumroad_api::GumroadClient;
use serde_json::{Value, json};
use time::macros::datetime;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common::*;

const P: &str = "A-m3CDDC5dlrSdKZp0RFhA==";
const CLUB: &str = "Qm9vZk1lbWJlcnNoaXA==";
const KEY: &str = "00000000-5934B940-35F1DA81-6938C101";

/// `fixtures/gumroad/<name>` with `changes` applied to the object under `key`.
fn changed(name: &str, key: &str, changes: &[(&str, Value)]) -> Value {
    creator_testkit::fixture_changed(&format!("gumroad/{name}"), key, changes)
}

use creator_testkit::respond_json as respond;

/// The sales list Gumroad answers for a product and email: these sales, one page.
fn sales_of(sales: &[Value]) -> Value {
    json!({"success": true, "sales": sales})
}

fn sale_obj(name: &str, changes: &[(&str, Value)]) -> Value {
    changed(name, "sale", changes)["sale"].clone()
}

/// Runs the conformance rules on one query and returns nothing: the reason must match.
async fn expect(client: &GumroadClient, query: AccessQuery, reason: AccessReason) {
    conformance::access(
        client,
        &AccessCase {
            verdicts: vec![(query, reason)],
            unsupported: vec![AccessQuery::user_id(P, "7172839405123")],
        },
    )
    .await;
}

async fn license_case(body: Value, status: u16, query: AccessQuery, reason: AccessReason) {
    let server = server().await;
    respond(&server, "POST", "/v2/licenses/verify", status, &body).await;
    expect(&client(&server), query, reason).await;
    for r in requests(&server).await {
        assert_eq!(r.path, "/v2/licenses/verify");
        assert!(
            pairs(&r.form).contains(&("increment_uses_count", "false")),
            "an access check never counts a use: {:?}",
            r.form
        );
    }
}

fn license(changes: &[(&str, Value)]) -> Value {
    changed("license_verify.json", "purchase", changes)
}

fn membership_license(changes: &[(&str, Value)]) -> Value {
    changed("license_verify_membership.json", "purchase", changes)
}

fn by_key(product: &str) -> AccessQuery {
    AccessQuery::license_key(product, KEY).at(datetime!(2025-03-01 00:00:00 UTC))
}

#[tokio::test]
async fn license_valid_for_a_one_off_purchase() {
    license_case(license(&[]), 200, by_key(P), AccessReason::LicenseValid).await;
}

#[tokio::test]
async fn license_of_a_running_membership_is_an_active_subscription_until_its_cancellation() {
    let server = server().await;
    respond(
        &server,
        "POST",
        "/v2/licenses/verify",
        200,
        &membership_license(&[]),
    )
    .await;
    let v = creator_core::Access::check(&client(&server), by_key(CLUB))
        .await
        .unwrap();
    assert_eq!(v.reason, AccessReason::ActiveSubscription);
    assert_eq!(v.until, Some(datetime!(2025-04-12 16:02:11 UTC)));
    assert_eq!(v.since, Some(datetime!(2025-01-12 16:02:11 UTC)));
    assert_eq!(v.decided_by.unwrap().id, "dHdvTWVtYmVyU2FsZQ==");
    expect(
        &client(&server),
        by_key(CLUB),
        AccessReason::ActiveSubscription,
    )
    .await;
}

#[tokio::test]
async fn license_of_a_membership_past_its_cancellation_date_is_cancelled() {
    // license_verify_membership.json as sent: subscription_cancelled_at 2025-04-12.
    let q = by_key(CLUB).at(datetime!(2025-05-01 00:00:00 UTC));
    license_case(
        membership_license(&[]),
        200,
        q,
        AccessReason::SubscriptionCancelled,
    )
    .await;
}

#[tokio::test]
async fn license_of_an_ended_or_failed_membership() {
    let ended = membership_license(&[
        ("subscription_cancelled_at", Value::Null),
        ("subscription_ended_at", json!("2025-02-01T00:00:00Z")),
    ]);
    license_case(ended, 200, by_key(CLUB), AccessReason::SubscriptionEnded).await;
    let failed = membership_license(&[
        ("subscription_cancelled_at", Value::Null),
        ("subscription_failed_at", json!("2025-02-01T00:00:00Z")),
    ]);
    license_case(failed, 200, by_key(CLUB), AccessReason::SubscriptionFailed).await;
}

#[tokio::test]
async fn license_of_a_refunded_purchase() {
    // fixtures/cli/license_verify_refunded.json: the same purchase with refunded true.
    let body: Value = serde_json::from_slice(&creator_testkit::fixture_bytes(
        "cli/license_verify_refunded.json",
    ))
    .unwrap();
    license_case(body, 200, by_key(P), AccessReason::Refunded).await;
}

#[tokio::test]
async fn license_of_a_charged_back_purchase() {
    let body = license(&[("chargebacked", json!(true))]);
    license_case(body, 200, by_key(P), AccessReason::ChargedBack).await;
}

#[tokio::test]
async fn license_of_a_disputed_purchase_and_of_a_won_dispute() {
    let body = license(&[("disputed", json!(true))]);
    license_case(body, 200, by_key(P), AccessReason::Disputed).await;
    let won = license(&[("disputed", json!(true)), ("dispute_won", json!(true))]);
    license_case(won, 200, by_key(P), AccessReason::LicenseValid).await;
}

#[tokio::test]
async fn license_disabled_is_gumroads_404_text() {
    let body: Value = serde_json::from_slice(&fixture("license_disabled_404.json")).unwrap();
    license_case(body, 404, by_key(P), AccessReason::LicenseDisabled).await;
}

#[tokio::test]
async fn license_of_a_revoked_purchase_is_gumroads_expired_404() {
    let body: Value = serde_json::from_slice(&fixture("license_access_expired_404.json")).unwrap();
    license_case(body, 404, by_key(P), AccessReason::AccessRevoked).await;
}

#[tokio::test]
async fn unknown_license_is_not_found_not_an_error() {
    let body: Value = serde_json::from_slice(&fixture("license_not_found_404.json")).unwrap();
    license_case(body, 404, by_key(P), AccessReason::NotFound).await;
}

#[tokio::test]
async fn license_used_more_than_allowed() {
    // license_verify.json reports uses 3.
    license_case(
        license(&[]),
        200,
        by_key(P).max_uses(2),
        AccessReason::UsesExceeded,
    )
    .await;
    license_case(
        license(&[]),
        200,
        by_key(P).max_uses(3),
        AccessReason::LicenseValid,
    )
    .await;
}

#[tokio::test]
async fn license_of_another_product() {
    // The purchase names product A-m3…; the query asks about another one.
    license_case(
        license(&[]),
        200,
        by_key("b3RoZXI="),
        AccessReason::ProductMismatch,
    )
    .await;
}

#[tokio::test]
async fn a_license_server_error_is_an_error_never_a_denial() {
    let server = server().await;
    let body: Value =
        serde_json::from_slice(&fixture("license_product_id_required_500.json")).unwrap();
    respond(&server, "POST", "/v2/licenses/verify", 500, &body).await;
    let err = creator_core::Access::check(&client(&server), by_key(P))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api { status: 500, .. }), "{err}");
}

// ---------------------------------------------------------------- by email

async fn email_case(
    sales: Vec<Value>,
    subscriber: Option<Value>,
    query: AccessQuery,
    reason: AccessReason,
) -> Vec<String> {
    let server = server().await;
    respond(&server, "GET", "/v2/sales", 200, &sales_of(&sales)).await;
    if let Some(sub) = subscriber {
        respond(
            &server,
            "GET",
            "/v2/subscribers/c3ViX21lbWJlcjE=",
            200,
            &sub,
        )
        .await;
    }
    expect(&client(&server), query, reason).await;
    let reqs = requests(&server).await;
    let list = reqs
        .iter()
        .find(|r| r.path == "/v2/sales")
        .expect("sales listed");
    assert!(
        pairs(&list.query).contains(&("email", "guest@example.com"))
            || pairs(&list.query).contains(&("email", "member@example.com"))
    );
    assert!(list.query.iter().any(|(k, _)| k == "product_id"));
    reqs.into_iter().map(|r| r.path).collect()
}

fn guest() -> AccessQuery {
    AccessQuery::email(P, "guest@example.com")
}

fn member() -> AccessQuery {
    AccessQuery::email(CLUB, "member@example.com").at(datetime!(2025-03-15 00:00:00 UTC))
}

#[tokio::test]
async fn a_one_off_sale_is_a_lifetime_purchase() {
    let sale = sale_obj("sale.json", &[]);
    email_case(vec![sale], None, guest(), AccessReason::LifetimePurchase).await;
}

#[tokio::test]
async fn no_sale_for_the_email_is_not_found() {
    email_case(vec![], None, guest(), AccessReason::NotFound).await;
}

#[tokio::test]
async fn sale_states_deny_in_order() {
    let partial = changed("sale_partially_refunded.json", "sale", &[])["sale"].clone();
    email_case(
        vec![partial],
        None,
        guest(),
        AccessReason::PartiallyRefunded,
    )
    .await;
    let revoked = changed("sale_access_revoked.json", "sale", &[])["sale"].clone();
    email_case(vec![revoked], None, guest(), AccessReason::AccessRevoked).await;
    let refunded = sale_obj("sale.json", &[("refunded", json!(true))]);
    email_case(vec![refunded], None, guest(), AccessReason::Refunded).await;
    let chargeback = sale_obj(
        "sale.json",
        &[("chargedback", json!(true)), ("disputed", json!(true))],
    );
    email_case(vec![chargeback], None, guest(), AccessReason::ChargedBack).await;
    let disputed = sale_obj("sale.json", &[("disputed", json!(true))]);
    email_case(vec![disputed], None, guest(), AccessReason::Disputed).await;
}

#[tokio::test]
async fn one_good_sale_among_refunded_ones_grants() {
    let refunded = sale_obj(
        "sale.json",
        &[("refunded", json!(true)), ("id", json!("old"))],
    );
    let good = sale_obj("sale.json", &[]);
    email_case(
        vec![refunded, good],
        None,
        guest(),
        AccessReason::LifetimePurchase,
    )
    .await;
}

#[tokio::test]
async fn a_membership_sale_is_decided_by_its_subscription() {
    let sale = sale_obj("sale_member.json", &[]);
    let alive: Value = serde_json::from_slice(&fixture("subscriber.json")).unwrap();
    let paths = email_case(
        vec![sale.clone(), sale.clone()],
        Some(alive.clone()),
        member(),
        AccessReason::ActiveSubscription,
    )
    .await;
    // Two charges of one subscription: the subscription is read once.
    let reads = paths
        .iter()
        .filter(|p| p.starts_with("/v2/subscribers/"))
        .count();
    assert_eq!(reads, 1, "{paths:?}");

    for (status, field, reason) in [
        (
            "cancelled",
            "cancelled_at",
            AccessReason::SubscriptionCancelled,
        ),
        (
            "failed_payment",
            "failed_at",
            AccessReason::SubscriptionFailed,
        ),
        (
            "fixed_subscription_period_ended",
            "ended_at",
            AccessReason::SubscriptionEnded,
        ),
    ] {
        let sub = changed(
            "subscriber.json",
            "subscriber",
            &[
                ("status", json!(status)),
                (field, json!("2025-03-01T00:00:00Z")),
            ],
        );
        email_case(vec![sale.clone()], Some(sub), member(), reason).await;
    }
    let leaving = changed(
        "subscriber.json",
        "subscriber",
        &[
            ("status", json!("pending_cancellation")),
            ("cancelled_at", json!("2025-04-01T00:00:00Z")),
        ],
    );
    email_case(
        vec![sale],
        Some(leaving),
        member(),
        AccessReason::ActiveSubscription,
    )
    .await;
}

// ---------------------------------------------------------------- writes

fn key() -> IdempotencyKey {
    IdempotencyKey::new("order-1042-refund").unwrap()
}

#[tokio::test]
async fn revoke_reads_the_sale_then_puts_once_and_is_never_retried() {
    let server = server().await;
    serve(
        &server,
        "GET",
        "/v2/sales/B28UKN-dvxYabdavG97Y-Q==",
        "sale.json",
    )
    .await;
    Mock::given(method("PUT"))
        .and(path("/v2/sales/B28UKN-dvxYabdavG97Y-Q==/revoke_access"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let err = client(&server)
        .revoke_access("B28UKN-dvxYabdavG97Y-Q==", &key())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503), "{err}");
    let puts = requests(&server)
        .await
        .into_iter()
        .filter(|r| r.method == "PUT")
        .count();
    assert_eq!(puts, 1, "a write is sent once");
}

#[tokio::test]
async fn revoking_a_revoked_sale_sends_nothing() {
    let server = server().await;
    serve(
        &server,
        "GET",
        "/v2/sales/bmV3U2FsZTIwMjY=",
        "sale_access_revoked.json",
    )
    .await;
    let out = client(&server)
        .revoke_access("bmV3U2FsZTIwMjY=", &key())
        .await
        .unwrap();
    assert!(out.already_done);
    assert_eq!(out.idempotency, KeyHandling::ByState);
    assert_eq!(
        request_paths(&server).await,
        vec!["/v2/sales/bmV3U2FsZTIwMjY="]
    );
}

#[tokio::test]
async fn restore_puts_undo_revoke_access() {
    let server = server().await;
    serve(
        &server,
        "GET",
        "/v2/sales/bmV3U2FsZTIwMjY=",
        "sale_access_revoked.json",
    )
    .await;
    serve(
        &server,
        "PUT",
        "/v2/sales/bmV3U2FsZTIwMjY=/undo_revoke_access",
        "resend_receipt.json",
    )
    .await;
    let out = client(&server)
        .restore_access("bmV3U2FsZTIwMjY=", &key())
        .await
        .unwrap();
    assert!(!out.already_done);
    assert_eq!(
        request_paths(&server).await,
        vec![
            "/v2/sales/bmV3U2FsZTIwMjY=",
            "/v2/sales/bmV3U2FsZTIwMjY=/undo_revoke_access"
        ]
    );
}

#[tokio::test]
async fn a_full_refund_of_a_refunded_sale_sends_no_refund() {
    let server = server().await;
    let refunded = changed("sale.json", "sale", &[("refunded", json!(true))]);
    respond(
        &server,
        "GET",
        "/v2/sales/B28UKN-dvxYabdavG97Y-Q==",
        200,
        &refunded,
    )
    .await;
    let out = client(&server)
        .refund("B28UKN-dvxYabdavG97Y-Q==", RefundAmount::Full, &key())
        .await
        .unwrap();
    assert!(out.already_done);
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn a_partial_refund_is_sent_once_in_minor_units_and_not_deduplicated() {
    let server = server().await;
    serve(
        &server,
        "GET",
        "/v2/sales/B28UKN-dvxYabdavG97Y-Q==",
        "sale.json",
    )
    .await;
    serve(
        &server,
        "PUT",
        "/v2/sales/B28UKN-dvxYabdavG97Y-Q==/refund",
        "sale_partially_refunded.json",
    )
    .await;
    let amount = RefundAmount::Partial(Money::from_minor(250, Currency::USD));
    let out = client(&server)
        .refund("B28UKN-dvxYabdavG97Y-Q==", amount, &key())
        .await
        .unwrap();
    assert_eq!(out.idempotency, KeyHandling::NotHonoured);
    let put = requests(&server)
        .await
        .into_iter()
        .find(|r| r.method == "PUT")
        .unwrap();
    assert_eq!(pairs(&put.form), vec![("amount_cents", "250")]);
}

#[tokio::test]
async fn a_partial_refund_in_another_currency_than_the_sale_is_refused_before_any_write() {
    let server = server().await;
    serve(
        &server,
        "GET",
        "/v2/sales/bmV3U2FsZTIwMjY=",
        "sale_access_revoked.json",
    )
    .await; // currency eur
    let amount = RefundAmount::Partial(Money::from_minor(250, Currency::USD));
    let err = client(&server)
        .refund("bmV3U2FsZTIwMjY=", amount, &key())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    assert!(requests(&server).await.iter().all(|r| r.method == "GET"));
}
