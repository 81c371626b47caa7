//! Offer codes.

use creator_core::Error;
use gumroad_api::{Discount, NewOfferCode};

use crate::common::*;

const P: &str = "A-m3CDDC5dlrSdKZp0RFhA==";

#[tokio::test]
async fn list_offer_codes_amount_cents_or_percent_off() {
    let server = server().await;
    serve(
        &server,
        "GET",
        &format!("/v2/products/{P}/offer_codes"),
        "offer_codes.json",
    )
    .await;
    let codes = client(&server).offer_codes(P).list().await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(codes[0].discount(), Some(Discount::Percent(20)));
    assert_eq!(codes[1].discount(), Some(Discount::Cents(500)));
    assert_eq!(codes[1].universal, Some(true));
    assert_eq!(codes[2].minimum_amount_cents, Some(5000));
    insta::assert_json_snapshot!(exchange(&req, &codes));
}

#[tokio::test]
async fn get_offer_code() {
    let server = server().await;
    serve(
        &server,
        "GET",
        &format!("/v2/products/{P}/offer_codes/b2ZmZXIx"),
        "offer_code.json",
    )
    .await;
    let code = client(&server)
        .offer_codes(P)
        .get("b2ZmZXIx")
        .await
        .unwrap();
    let req = only_request(&server).await;
    insta::assert_json_snapshot!(exchange(&req, &code));
}

#[tokio::test]
async fn create_offer_code_cents_with_universal_as_string_true() {
    let server = server().await;
    serve(
        &server,
        "POST",
        &format!("/v2/products/{P}/offer_codes"),
        "offer_code_created.json",
    )
    .await;
    let code = client(&server)
        .offer_codes(P)
        .create(
            &NewOfferCode::cents("LAUNCH", 300)
                .max_purchase_count(50)
                .universal(true),
        )
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "POST");
    assert_eq!(
        req.body,
        "name=LAUNCH&amount_off=300&offer_type=cents&max_purchase_count=50&universal=true"
    );
    insta::assert_json_snapshot!(exchange(&req, &code));
}

#[tokio::test]
async fn create_offer_code_percent_sends_offer_type_percent() {
    let server = server().await;
    serve(
        &server,
        "POST",
        &format!("/v2/products/{P}/offer_codes"),
        "offer_code.json",
    )
    .await;
    client(&server)
        .offer_codes(P)
        .create(&NewOfferCode::percent("SUMMER20", 20).universal(false))
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(
        req.body,
        "name=SUMMER20&amount_off=20&offer_type=percent&universal=false"
    );
    let err = client(&server)
        .offer_codes(P)
        .create(&NewOfferCode::percent("TOO_MUCH", 120))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)));
}

#[tokio::test]
async fn create_offer_code_missing_params_message_is_kept() {
    let server = server().await;
    serve(
        &server,
        "POST",
        &format!("/v2/products/{P}/offer_codes"),
        "offer_code_missing_params.json",
    )
    .await;
    let err = client(&server)
        .offer_codes(P)
        .create(&NewOfferCode::cents("X", 1))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 200, message, .. } if message.starts_with("You are missing required offer code parameters")),
        "{err:?}"
    );
}

#[tokio::test]
async fn update_offer_code_only_max_purchase_count_and_times_used_is_returned() {
    let server = server().await;
    serve(
        &server,
        "PUT",
        &format!("/v2/products/{P}/offer_codes/b2ZmZXIx"),
        "offer_code_updated.json",
    )
    .await;
    let code = client(&server)
        .offer_codes(P)
        .update("b2ZmZXIx", 250)
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "PUT");
    assert_eq!(req.body, "max_purchase_count=250");
    // The docs' update example omits `times_used`; the server sends it.
    assert_eq!(code.times_used, Some(12));
    insta::assert_json_snapshot!(exchange(&req, &code));
}

#[tokio::test]
async fn delete_offer_code() {
    let server = server().await;
    serve(
        &server,
        "DELETE",
        &format!("/v2/products/{P}/offer_codes/b2ZmZXIx"),
        "offer_code_deleted.json",
    )
    .await;
    let deleted = client(&server)
        .offer_codes(P)
        .delete("b2ZmZXIx")
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "DELETE");
    insta::assert_json_snapshot!(exchange(&req, &deleted));
}
