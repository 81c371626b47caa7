//! Access and SaleActions through Maton: Gumroad's rules, answered under the
//! `/gumroad/` prefix with the Maton key, verdicts tagged `maton`. The bodies
//! are the Gumroad fixtures (`fixtures/gumroad/`, provenance in
//! `fixtures/README.md`) with, where named, one flag changed.

use creator_core::{Access, AccessQuery, AccessReason, IdempotencyKey, Provider, SaleActions};
use creator_testkit::conformance::{self, AccessCase};
use serde_json::{Value, json};
use time::macros::datetime;
use wiremock::MockServer;

use crate::common::*;

const P: &str = "A-m3CDDC5dlrSdKZp0RFhA==";
const KEY_: &str = "00000000-5934B940-35F1DA81-6938C101";

use creator_testkit::{fixture_changed as body, respond_json as respond};

async fn case(route_bodies: &[(&str, &str, u16, Value)], query: AccessQuery, reason: AccessReason) {
    let server = MockServer::start().await;
    for (verb, route, status, b) in route_bodies {
        respond(&server, verb, route, *status, b).await;
    }
    fallback(&server).await;
    let maton = client(&server);
    conformance::access(
        &maton,
        &AccessCase {
            verdicts: vec![(query.clone(), reason)],
            unsupported: vec![AccessQuery::user_id(P, "7172839405123")],
        },
    )
    .await;
    let v = maton.check(query).await.unwrap();
    assert_eq!(v.provider, Provider::Maton);
    // `requests` checks the Maton key is the bearer on every request.
    for r in requests(&server).await {
        assert!(r.path.starts_with("/gumroad/v2/"), "{}", r.path);
    }
}

fn by_key(product: &str) -> AccessQuery {
    AccessQuery::license_key(product, KEY_).at(datetime!(2025-03-01 00:00:00 UTC))
}

const VERIFY: &str = "/gumroad/v2/licenses/verify";

#[tokio::test]
async fn every_license_reason_through_the_gateway() {
    let lic = |changes: &[(&str, Value)]| body("gumroad/license_verify.json", "purchase", changes);
    let member = |changes: &[(&str, Value)]| {
        body(
            "gumroad/license_verify_membership.json",
            "purchase",
            changes,
        )
    };
    let club = "Qm9vZk1lbWJlcnNoaXA==";
    let cases: Vec<(Value, u16, AccessQuery, AccessReason)> = vec![
        (lic(&[]), 200, by_key(P), AccessReason::LicenseValid),
        (
            member(&[]),
            200,
            by_key(club),
            AccessReason::ActiveSubscription,
        ),
        (
            lic(&[("refunded", json!(true))]),
            200,
            by_key(P),
            AccessReason::Refunded,
        ),
        (
            lic(&[("chargebacked", json!(true))]),
            200,
            by_key(P),
            AccessReason::ChargedBack,
        ),
        (
            lic(&[("disputed", json!(true))]),
            200,
            by_key(P),
            AccessReason::Disputed,
        ),
        (
            member(&[]),
            200,
            by_key(club).at(datetime!(2025-05-01 00:00:00 UTC)),
            AccessReason::SubscriptionCancelled,
        ),
        (
            member(&[
                ("subscription_cancelled_at", Value::Null),
                ("subscription_ended_at", json!("2025-02-01T00:00:00Z")),
            ]),
            200,
            by_key(club),
            AccessReason::SubscriptionEnded,
        ),
        (
            member(&[
                ("subscription_cancelled_at", Value::Null),
                ("subscription_failed_at", json!("2025-02-01T00:00:00Z")),
            ]),
            200,
            by_key(club),
            AccessReason::SubscriptionFailed,
        ),
        (
            lic(&[]),
            200,
            by_key(P).max_uses(1),
            AccessReason::UsesExceeded,
        ),
        (
            lic(&[]),
            200,
            by_key("b3RoZXI="),
            AccessReason::ProductMismatch,
        ),
    ];
    for (b, status, q, reason) in cases {
        case(&[("POST", VERIFY, status, b)], q, reason).await;
    }
    for (rel, reason) in [
        (
            "gumroad/license_disabled_404.json",
            AccessReason::LicenseDisabled,
        ),
        (
            "gumroad/license_access_expired_404.json",
            AccessReason::AccessRevoked,
        ),
        ("gumroad/license_not_found_404.json", AccessReason::NotFound),
    ] {
        let b: Value = serde_json::from_slice(&fixture(rel)).unwrap();
        case(&[("POST", VERIFY, 404, b)], by_key(P), reason).await;
    }
}

#[tokio::test]
async fn every_sale_reason_by_email_through_the_gateway() {
    let sale = |rel: &str, changes: &[(&str, Value)]| body(rel, "sale", changes)["sale"].clone();
    let list = |s: Vec<Value>| json!({"success": true, "sales": s});
    let guest = AccessQuery::email(P, "guest@example.com");
    for (s, reason) in [
        (
            vec![sale("gumroad/sale.json", &[])],
            AccessReason::LifetimePurchase,
        ),
        (vec![], AccessReason::NotFound),
        (
            vec![sale("gumroad/sale_partially_refunded.json", &[])],
            AccessReason::PartiallyRefunded,
        ),
        (
            vec![sale("gumroad/sale_access_revoked.json", &[])],
            AccessReason::AccessRevoked,
        ),
        (
            vec![sale("gumroad/sale.json", &[("refunded", json!(true))])],
            AccessReason::Refunded,
        ),
    ] {
        case(
            &[("GET", "/gumroad/v2/sales", 200, list(s))],
            guest.clone(),
            reason,
        )
        .await;
    }
    let member = AccessQuery::email("Qm9vZk1lbWJlcnNoaXA==", "member@example.com")
        .at(datetime!(2025-03-15 00:00:00 UTC));
    let alive: Value = serde_json::from_slice(&fixture("gumroad/subscriber.json")).unwrap();
    case(
        &[
            (
                "GET",
                "/gumroad/v2/sales",
                200,
                list(vec![sale("gumroad/sale_member.json", &[])]),
            ),
            (
                "GET",
                "/gumroad/v2/subscribers/c3ViX21lbWJlcjE=",
                200,
                alive,
            ),
        ],
        member,
        AccessReason::ActiveSubscription,
    )
    .await;
}

#[tokio::test]
async fn writes_go_through_the_gateway_once_and_are_tagged_maton() {
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        "/gumroad/v2/sales/bmV3U2FsZTIwMjY=",
        "gumroad/sale_access_revoked.json",
        200,
    )
    .await;
    fallback(&server).await;
    let key = IdempotencyKey::new("k-1").unwrap();
    let out = client(&server)
        .revoke_access("bmV3U2FsZTIwMjY=", &key)
        .await
        .unwrap();
    assert_eq!(out.provider, Provider::Maton);
    assert!(out.already_done, "already revoked: nothing sent");
    assert_eq!(requests(&server).await.len(), 1);
}
