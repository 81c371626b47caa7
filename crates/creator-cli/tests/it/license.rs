//! `creator license verify` against a wiremock Gumroad.

use creator_testkit::{MockServerExt, mount_fallback};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

const PRODUCT: &str = "A-m3CDDC5dlrSdKZp0RFhA==";
const KEY: &str = "00000000-5934B940-35F1DA81-6938C101";

async fn server(status: u16, rel: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/licenses/verify"))
        .respond_with(ResponseTemplate::new(status).set_body_raw(fixture(rel), "application/json"))
        .mount(&server)
        .await;
    mount_fallback(&server).await;
    server
}

fn verify(server: &MockServer, extra: &[&str]) -> std::process::Command {
    let mut cmd = creator();
    cmd.args(["license", "verify", "--product", PRODUCT, KEY])
        .args(extra)
        .env("GUMROAD_API_URL", server.uri());
    cmd
}

#[tokio::test]
async fn a_valid_license_prints_the_purchase_and_does_not_count_a_use() {
    let server = server(200, "gumroad/license_verify.json").await;
    let out = run(verify(&server, &[])).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("license                   valid: grants access"),
        "{text}"
    );
    assert!(
        text.contains("uses                      3 (this check not counted)"),
        "{text}"
    );
    assert!(text.contains("guest@example.com"), "{text}");
    assert!(text.contains("9.60 USD"), "{text}");
    let r = &server.recorded().await[0];
    assert_eq!(r.form_value("product_id"), Some(PRODUCT));
    assert_eq!(r.form_value("license_key"), Some(KEY));
    // Gumroad only skips the increment for the exact string `false`.
    assert_eq!(r.form_value("increment_uses_count"), Some("false"));
    assert_eq!(r.authorization, None, "no token needed or sent");
}

#[tokio::test]
async fn increment_uses_is_opt_in() {
    let server = server(200, "gumroad/license_verify.json").await;
    let out = run(verify(&server, &["--increment-uses", "--format", "json"])).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["grants_access"], true);
    assert_eq!(v["counted_this_check"], true);
    assert_eq!(v["uses"], 3);
    assert_eq!(
        server.recorded().await[0].form_value("increment_uses_count"),
        Some("true")
    );
}

#[tokio::test]
async fn a_refunded_license_exits_4_with_the_reason() {
    let server = server(200, "cli/license_verify_refunded.json").await;
    let out = run(verify(&server, &["--format", "json"])).await;
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["grants_access"], false);
    assert_eq!(v["reasons"], serde_json::json!(["refunded"]));
    // With --format json the error on stderr is JSON too.
    let err: serde_json::Value = serde_json::from_str(stderr(&out).trim()).unwrap();
    assert_eq!(err["error"]["code"], "license_not_valid");
    assert_eq!(
        err["error"]["message"],
        "the license no longer grants access: refunded"
    );
    assert_eq!(err["error"]["exit_code"], 4);
    let out = run(verify(&server, &[])).await;
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(
        stderr(&out).trim(),
        "the license no longer grants access: refunded"
    );
}

#[tokio::test]
async fn a_membership_past_its_cancellation_date_no_longer_grants_access() {
    let server = server(200, "gumroad/license_verify_membership.json").await;
    let out = run(verify(&server, &[])).await;
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("NOT valid: subscription cancelled, access ended at 2025-04-12T16:02:11"),
        "{text}"
    );
    assert!(text.contains("subscription_cancelled_at"), "{text}");
}

#[tokio::test]
async fn an_unknown_key_is_one_line_saying_to_check_key_and_product() {
    let server = server(404, "gumroad/license_not_found_404.json").await;
    let out = run(verify(&server, &[])).await;
    assert_one_line_error(&out, 1, "does not know this license key");
}

#[tokio::test]
async fn a_permalink_instead_of_the_product_id_is_answered_with_the_id_to_use() {
    let server = server(500, "gumroad/license_product_id_required_500.json").await;
    let out = run(verify(&server, &[])).await;
    assert_one_line_error(&out, 1, &format!("--product {PRODUCT}"));
}
