//! `/v2/upsells`: upsells and cross-sells (JSON bodies, like the official CLI).

use creator_core::Error;
use gumroad_api::{Discount, UpsellDiscountType, UpsellOffer, UpsellParams};
use serde_json::json;
use wiremock::ResponseTemplate;

use crate::common::*;

const ID: &str = "ups_Rq2lc0hYzw-kS3dfkN6mXQ==";

#[tokio::test]
async fn list_upsells_cross_sell_version_upsell_and_universal() {
    let server = server().await;
    serve(&server, "GET", "/v2/upsells", "upsells.json").await;
    let upsells = client(&server).upsells().list().await.unwrap();
    let req = only_request(&server).await;
    assert!(req.query.is_empty());
    assert_eq!(upsells.len(), 3);
    let d = upsells[0].discount.as_ref().unwrap();
    assert_eq!(d.kind, Some(UpsellDiscountType::Fixed));
    assert_eq!(d.discount(), Some(Discount::Cents(500)));
    let pro = &upsells[1];
    assert_eq!(
        pro.discount.as_ref().unwrap().discount(),
        Some(Discount::Percent(20))
    );
    assert_eq!(
        pro.upsell_variants[0].offered_variant.name.as_deref(),
        Some("Pro")
    );
    assert!(upsells[2].discount.is_none());
    insta::assert_json_snapshot!(exchange(&req, &upsells));
}

#[tokio::test]
async fn get_upsell() {
    let server = server().await;
    serve(&server, "GET", &format!("/v2/upsells/{ID}"), "upsell.json").await;
    let upsell = client(&server).upsells().get(ID).await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.path, format!("/v2/upsells/{ID}"));
    assert_eq!(
        upsell
            .product
            .as_ref()
            .unwrap()
            .variant
            .as_ref()
            .unwrap()
            .name
            .as_deref(),
        Some("MP3")
    );
    insta::assert_json_snapshot!(exchange(&req, &upsell));
}

#[tokio::test]
async fn create_cross_sell_posts_a_json_body_with_nested_offer_and_product_ids() {
    let server = server().await;
    serve(&server, "POST", "/v2/upsells", "upsell_created.json").await;
    let upsell = client(&server)
        .upsells()
        .create(
            &UpsellParams::cross_sell("Add the audiobook", "aud_3nQyQ9pWgq5Zx1k2Lm8vTg==")
                .selected_products(["A-m3CDDC5dlrSdKZp0RFhA=="])
                .variant("var_mp3_Vt6rQ0s1pZk2y3X4==")
                .text("Listen while you read")
                .offer(UpsellOffer::AmountPercentage(50)),
        )
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "POST");
    assert_eq!(
        req.headers.get("content-type").map(String::as_str),
        Some("application/json")
    );
    assert_eq!(
        req.json,
        Some(json!({
            "name": "Add the audiobook",
            "product_id": "aud_3nQyQ9pWgq5Zx1k2Lm8vTg==",
            "cross_sell": true,
            "text": "Listen while you read",
            "variant_id": "var_mp3_Vt6rQ0s1pZk2y3X4==",
            "offer_code": {"amount_percentage": 50},
            "product_ids": ["A-m3CDDC5dlrSdKZp0RFhA=="]
        }))
    );
    insta::assert_json_snapshot!(exchange(&req, &upsell));
}

#[tokio::test]
async fn inconsistent_upsells_are_refused_before_any_request() {
    let server = server().await;
    let api = client(&server);
    for bad in [
        UpsellParams::cross_sell("No audience", "p=="),
        UpsellParams::cross_sell("Both", "p==")
            .universal(true)
            .selected_products(["q=="]),
        UpsellParams::cross_sell("Upgrade?", "p==")
            .universal(true)
            .offer_variant("a", "b"),
        UpsellParams::upsell("Cross?", "p==").selected_products(["q=="]),
        UpsellParams::upsell("", "p=="),
        UpsellParams::upsell("Free", "p==").offer(UpsellOffer::AmountCents(0)),
        UpsellParams::upsell("Too much", "p==").offer(UpsellOffer::AmountPercentage(101)),
    ] {
        let err = api.upsells().create(&bad).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{bad:?}: {err:?}");
    }
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn update_replaces_the_whole_upsell_starting_from_the_current_one() {
    let server = server().await;
    let pro_id = "ups_9xVb1kq2R0ZtLm3NwQp4Yg==";
    serve(
        &server,
        "GET",
        &format!("/v2/upsells/{pro_id}"),
        "upsell_version.json",
    )
    .await;
    serve(
        &server,
        "PUT",
        &format!("/v2/upsells/{pro_id}"),
        "upsell_updated.json",
    )
    .await;
    let api = client(&server);
    let pro = api.upsells().get(pro_id).await.unwrap();
    let updated = api
        .upsells()
        .update(&pro.id, &UpsellParams::from(&pro).paused(false))
        .await
        .unwrap();
    let reqs = requests(&server).await;
    let put = reqs.iter().find(|r| r.method == "PUT").unwrap();
    assert_eq!(
        put.json,
        Some(json!({
            "name": "Go Pro",
            "product_id": "A-m3CDDC5dlrSdKZp0RFhA==",
            "cross_sell": false,
            "text": "Upgrade to Pro",
            "paused": false,
            "offer_code": {"amount_percentage": 20},
            "upsell_variants": [{
                "selected_variant_id": "var_basic_Q1w2E3r4T5y6==",
                "offered_variant_id": "var_pro_Z9x8C7v6B5n4=="
            }]
        })),
        "the discount and the upgrades are sent again, or the server would drop them"
    );
    assert_eq!(updated.paused, Some(false));
    insta::assert_json_snapshot!(exchange(put, &updated));
}

#[tokio::test]
async fn delete_upsell() {
    let server = server().await;
    serve(
        &server,
        "DELETE",
        &format!("/v2/upsells/{ID}"),
        "upsell_deleted.json",
    )
    .await;
    let deleted = client(&server).upsells().delete(ID).await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "DELETE");
    assert_eq!(
        deleted.message.as_deref(),
        Some("The upsell was deleted successfully.")
    );
}

#[tokio::test]
async fn upsell_errors_are_http_200_success_false() {
    let server = server().await;
    serve(
        &server,
        "POST",
        "/v2/upsells",
        "upsell_missing_reference.json",
    )
    .await;
    serve(&server, "GET", "/v2/upsells/gone", "upsell_not_found.json").await;
    serve(
        &server,
        "PUT",
        "/v2/upsells/dup",
        "upsell_one_per_product.json",
    )
    .await;
    let api = client(&server);
    let params = UpsellParams::upsell("Go Pro", "missing==");
    let err = api.upsells().create(&params).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 200, message, .. } if message.starts_with("The product, variant, or offer")),
        "{err:?}"
    );
    let err = api.upsells().get("gone").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let err = api.upsells().update("dup", &params).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { message, .. } if message == "You can only create one upsell per product."),
        "{err:?}"
    );
}

#[tokio::test]
async fn create_is_never_retried_but_a_whole_replacement_update_is() {
    let server = server().await;
    serve_raw(&server, "POST", "/v2/upsells", ResponseTemplate::new(503)).await;
    serve_raw(
        &server,
        "PUT",
        &format!("/v2/upsells/{ID}"),
        ResponseTemplate::new(503),
    )
    .await;
    let api = client(&server);
    let params = UpsellParams::cross_sell("Stickers", "p==").universal(true);
    api.upsells().create(&params).await.unwrap_err();
    api.upsells().update(ID, &params).await.unwrap_err();
    let reqs = requests(&server).await;
    assert_eq!(reqs.iter().filter(|r| r.method == "POST").count(), 1);
    assert_eq!(reqs.iter().filter(|r| r.method == "PUT").count(), 3);
}
