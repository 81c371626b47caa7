//! `/v2/refund_policy`: the account-level refund policy.

use creator_core::Error;
use gumroad_api::{RefundPeriod, RefundPolicyUpdate};

use crate::common::*;

#[tokio::test]
async fn get_refund_policy_period_is_a_string_enum() {
    let server = server().await;
    serve(&server, "GET", "/v2/refund_policy", "refund_policy.json").await;
    let policy = client(&server).refund_policy().get().await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "GET");
    assert_eq!(policy.refund_period, Some(RefundPeriod::Days30));
    assert_eq!(policy.in_effect, Some(true));
    insta::assert_json_snapshot!(exchange(&req, &policy));
}

#[tokio::test]
async fn update_refund_policy_puts_period_and_fine_print() {
    let server = server().await;
    serve(
        &server,
        "PUT",
        "/v2/refund_policy",
        "refund_policy_updated.json",
    )
    .await;
    let api = client(&server);
    let policy = api
        .refund_policy()
        .update(&RefundPolicyUpdate::new(RefundPeriod::Days183).fine_print(""))
        .await
        .unwrap();
    api.refund_policy()
        .update(&RefundPolicyUpdate::new(RefundPeriod::NoRefunds))
        .await
        .unwrap();
    let reqs = requests(&server).await;
    assert_eq!(reqs[0].method, "PUT");
    assert_eq!(reqs[0].body, "refund_period=183&fine_print=");
    assert_eq!(
        reqs[1].body, "refund_period=none",
        "fine print left as it is"
    );
    assert_eq!(policy.fine_print, None);
    insta::assert_json_snapshot!(exchange(&reqs[0], &policy));
}

#[tokio::test]
async fn update_when_the_account_policy_is_not_in_effect_is_http_200_success_false() {
    let server = server().await;
    serve(
        &server,
        "PUT",
        "/v2/refund_policy",
        "refund_policy_not_in_effect.json",
    )
    .await;
    let err = client(&server)
        .refund_policy()
        .update(&RefundPolicyUpdate::new(RefundPeriod::Days30))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 200, message, .. } if message.contains("not in effect")),
        "{err:?}"
    );
}

#[test]
fn an_unknown_period_from_the_server_is_kept() {
    let p: gumroad_api::AccountRefundPolicy = serde_json::from_str(
        r#"{"refund_period":"60","title":"60-day","fine_print":null,"in_effect":false}"#,
    )
    .unwrap();
    assert_eq!(p.refund_period, Some(RefundPeriod::Unknown("60".into())));
}
