//! License keys: verify without a token, enable, disable, decrement, rotate.

use creator_core::Error;
use gumroad_api::{
    CustomFieldValues, GumroadClient, LicenseHolder, OfferCodeUsed, Variants, VerifyLicense,
    required_product_id,
};
use time::macros::datetime;
use wiremock::ResponseTemplate;

use crate::common::*;

const P: &str = "A-m3CDDC5dlrSdKZp0RFhA==";
const KEY: &str = "85DB562A-C11D4B06-A2335A6B-8C079166";

fn anonymous(server: &wiremock::MockServer) -> GumroadClient {
    GumroadClient::unauthenticated()
        .base_url(server.uri())
        .build()
        .unwrap()
}

#[tokio::test]
async fn verify_without_an_access_token_sends_no_authorization_header() {
    let server = server().await;
    serve(
        &server,
        "POST",
        "/v2/licenses/verify",
        "license_verify.json",
    )
    .await;
    let license = anonymous(&server)
        .licenses()
        .verify(&VerifyLicense::new(P, KEY))
        .await
        .unwrap();
    let reqs = creator_testkit::MockServerExt::recorded(&server).await;
    assert_eq!(reqs.len(), 1);
    let req = &reqs[0];
    assert_eq!(req.authorization, None);
    assert_eq!(req.method, "POST");
    assert_eq!(
        req.headers.get("content-type").map(String::as_str),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        req.body,
        "product_id=A-m3CDDC5dlrSdKZp0RFhA%3D%3D&license_key=85DB562A-C11D4B06-A2335A6B-8C079166&increment_uses_count=true"
    );
    assert_eq!(license.uses, Some(3));
    insta::assert_json_snapshot!(exchange(req, &license));
}

#[tokio::test]
async fn verify_increment_uses_count_false_is_sent_as_the_exact_string_false() {
    let server = server().await;
    serve(
        &server,
        "POST",
        "/v2/licenses/verify",
        "license_verify.json",
    )
    .await;
    client(&server)
        .licenses()
        .verify(&VerifyLicense::new(P, KEY).increment_uses_count(false))
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.form_value("increment_uses_count"), Some("false"));
}

#[tokio::test]
async fn verify_that_does_not_increment_is_retried_but_one_that_increments_is_not() {
    let server = server().await;
    serve_raw(
        &server,
        "POST",
        "/v2/licenses/verify",
        ResponseTemplate::new(503),
    )
    .await;
    let c = client(&server);
    let err = c
        .licenses()
        .verify(&VerifyLicense::new(P, KEY).increment_uses_count(false))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(
        requests(&server).await.len(),
        3,
        "a read-only verify is safe to repeat"
    );
    server.reset().await;
    serve_raw(
        &server,
        "POST",
        "/v2/licenses/verify",
        ResponseTemplate::new(503),
    )
    .await;
    c.licenses()
        .verify(&VerifyLicense::new(P, KEY))
        .await
        .unwrap_err();
    assert_eq!(
        requests(&server).await.len(),
        1,
        "an incrementing verify is sent once"
    );
}

#[tokio::test]
async fn license_variants_are_a_string_and_custom_fields_a_list_unlike_sales() {
    let server = server().await;
    serve(
        &server,
        "POST",
        "/v2/licenses/verify",
        "license_verify.json",
    )
    .await;
    let license = client(&server)
        .licenses()
        .verify(&VerifyLicense::new(P, KEY))
        .await
        .unwrap();
    let purchase = license.purchase().unwrap();
    assert_eq!(purchase.variants, Some(Variants::Text("(Large)".into())));
    assert_eq!(
        purchase.custom_fields,
        Some(CustomFieldValues::List(vec!["Company: Acme".into()]))
    );
    assert_eq!(
        purchase
            .custom_fields
            .as_ref()
            .unwrap()
            .get_text("Company")
            .as_deref(),
        Some("Acme")
    );
    // The custom field is also a top-level key, kept in `other`.
    assert_eq!(
        purchase.other.get("Company"),
        Some(&serde_json::json!("Acme"))
    );
    assert!(matches!(
        purchase.offer_code,
        Some(OfferCodeUsed::Details { .. })
    ));
    assert_eq!(purchase.chargebacked, Some(false));
    assert_eq!(purchase.purchaser_id, None, "guest purchase");
    assert!(purchase.grants_access_at(datetime!(2025-06-01 00:00:00 UTC)));
}

#[tokio::test]
async fn membership_license_has_subscription_end_times_and_multiseat_quantity() {
    let server = server().await;
    serve(
        &server,
        "POST",
        "/v2/licenses/verify",
        "license_verify_membership.json",
    )
    .await;
    let license = client(&server)
        .licenses()
        .verify(&VerifyLicense::new(P, KEY))
        .await
        .unwrap();
    let p = license.purchase().unwrap();
    assert_eq!(p.variants, Some(Variants::Text(String::new())));
    assert_eq!(p.custom_fields, Some(CustomFieldValues::List(vec![])));
    assert_eq!(p.is_multiseat_license, Some(true));
    assert_eq!(p.quantity, Some(3));
    assert_eq!(
        p.subscription_cancelled_at,
        Some(datetime!(2025-04-12 16:02:11 UTC))
    );
    // Cancelled: access runs to the end of the paid period, then stops.
    assert!(p.grants_access_at(datetime!(2025-04-01 00:00:00 UTC)));
    assert!(!p.grants_access_at(datetime!(2025-05-01 00:00:00 UTC)));
    insta::assert_json_snapshot!(license);
}

#[tokio::test]
async fn license_of_an_imported_customer() {
    let server = server().await;
    serve(
        &server,
        "POST",
        "/v2/licenses/verify",
        "license_verify_imported_customer.json",
    )
    .await;
    let license = client(&server)
        .licenses()
        .verify(&VerifyLicense::new(P, KEY))
        .await
        .unwrap();
    assert!(matches!(license.holder, LicenseHolder::ImportedCustomer(_)));
    assert!(license.purchase().is_none());
    insta::assert_json_snapshot!(license);
}

#[tokio::test]
async fn license_404_messages_are_not_found_with_the_message() {
    for (fixture_name, message) in [
        (
            "license_not_found_404.json",
            "That license does not exist for the provided product.",
        ),
        (
            "license_disabled_404.json",
            "This license key has been disabled.",
        ),
        (
            "license_access_expired_404.json",
            "Access to the purchase associated with this license has expired.",
        ),
    ] {
        let server = server().await;
        serve_status(
            &server,
            "POST",
            "/v2/licenses/verify",
            fixture_name,
            404,
            "application/json",
        )
        .await;
        let err = client(&server)
            .licenses()
            .verify(&VerifyLicense::new(P, KEY))
            .await
            .unwrap_err();
        match &err {
            Error::NotFound {
                status: 404,
                message: m,
                body,
                ..
            } => {
                assert_eq!(m, message);
                assert_eq!(body.as_bytes(), fixture(fixture_name).as_slice());
            }
            other => panic!("{fixture_name}: expected NotFound, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn license_500_product_id_parameter_is_required_names_the_product_id() {
    let server = server().await;
    serve_status(
        &server,
        "POST",
        "/v2/licenses/verify",
        "license_product_id_required_500.json",
        500,
        "application/json",
    )
    .await;
    let err = client(&server)
        .licenses()
        .verify(&VerifyLicense::new("pencil", KEY))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 500, code: Some(c), .. } if c == "product_id_required"),
        "{err:?}"
    );
    assert_eq!(required_product_id(&err).as_deref(), Some(P));
    assert_eq!(requests(&server).await.len(), 1, "POST 500 is not retried");
}

#[tokio::test]
async fn license_400_parameter_must_be_a_string() {
    let server = server().await;
    serve_status(
        &server,
        "POST",
        "/v2/licenses/verify",
        "license_parameter_not_string_400.json",
        400,
        "application/json",
    )
    .await;
    let err = client(&server)
        .licenses()
        .verify(&VerifyLicense::new(P, KEY))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 400, message, .. } if message == "The 'license_key' parameter must be a string."),
        "{err:?}"
    );
}

#[tokio::test]
async fn enable_license_on_someone_elses_product_is_404_error_not_found() {
    let server = server().await;
    serve_status(
        &server,
        "PUT",
        "/v2/licenses/enable",
        "license_not_owner_404.json",
        404,
        "application/json",
    )
    .await;
    let err = client(&server).licenses().enable(P, KEY).await.unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { status: 404, message, .. } if message == "Not found"),
        "{err:?}"
    );
}

#[tokio::test]
async fn enable_disable_decrement_rotate_are_form_encoded_puts() {
    let server = server().await;
    serve(&server, "PUT", "/v2/licenses/enable", "license_verify.json").await;
    serve(
        &server,
        "PUT",
        "/v2/licenses/disable",
        "license_disabled.json",
    )
    .await;
    serve(
        &server,
        "PUT",
        "/v2/licenses/decrement_uses_count",
        "license_decremented.json",
    )
    .await;
    serve(
        &server,
        "PUT",
        "/v2/licenses/rotate",
        "license_rotated.json",
    )
    .await;
    let c = client(&server);
    let enabled = c.licenses().enable(P, KEY).await.unwrap();
    let disabled = c.licenses().disable(P, KEY).await.unwrap();
    let decremented = c.licenses().decrement_uses_count(P, KEY).await.unwrap();
    let rotated = c.licenses().rotate(P, KEY).await.unwrap();
    let reqs = requests(&server).await;
    let seen: Vec<_> = reqs
        .iter()
        .map(|r| format!("{} {} {}", r.method, r.path, r.body))
        .collect();
    let body =
        "product_id=A-m3CDDC5dlrSdKZp0RFhA%3D%3D&license_key=85DB562A-C11D4B06-A2335A6B-8C079166";
    assert_eq!(
        seen,
        [
            format!("PUT /v2/licenses/enable {body}"),
            format!("PUT /v2/licenses/disable {body}"),
            format!("PUT /v2/licenses/decrement_uses_count {body}"),
            format!("PUT /v2/licenses/rotate {body}"),
        ]
    );
    assert_eq!(enabled.uses, Some(3));
    assert_eq!(disabled.uses, Some(3));
    assert_eq!(decremented.uses, Some(2));
    assert_eq!(
        rotated.purchase().and_then(|p| p.license_key.as_deref()),
        Some("00000000-5D3C5825-34972622-CC44B8C5")
    );
    insta::assert_json_snapshot!(serde_json::json!({
        "enable": exchange(&reqs[0], &enabled),
        "disable": exchange(&reqs[1], &disabled),
        "decrement_uses_count": exchange(&reqs[2], &decremented),
        "rotate": exchange(&reqs[3], &rotated),
    }));
}

#[tokio::test]
async fn decrement_and_rotate_are_never_retried() {
    let server = server().await;
    serve_raw(
        &server,
        "PUT",
        "/v2/licenses/decrement_uses_count",
        ResponseTemplate::new(503),
    )
    .await;
    serve_raw(
        &server,
        "PUT",
        "/v2/licenses/rotate",
        ResponseTemplate::new(502),
    )
    .await;
    serve_raw(
        &server,
        "PUT",
        "/v2/licenses/enable",
        ResponseTemplate::new(503),
    )
    .await;
    let c = client(&server);
    c.licenses().decrement_uses_count(P, KEY).await.unwrap_err();
    c.licenses().rotate(P, KEY).await.unwrap_err();
    c.licenses().enable(P, KEY).await.unwrap_err();
    let paths = request_paths(&server).await;
    assert_eq!(
        paths,
        [
            "/v2/licenses/decrement_uses_count",
            "/v2/licenses/rotate",
            "/v2/licenses/enable",
            "/v2/licenses/enable",
            "/v2/licenses/enable"
        ],
        "enable is idempotent and retried; decrement and rotate are not"
    );
}
