//! Variant categories and variants.

use creator_core::Error;
use gumroad_api::VariantParams;

use crate::common::*;

const P: &str = "A-m3CDDC5dlrSdKZp0RFhA==";
const CAT: &str = "c2l6ZUNhdA==";

#[tokio::test]
async fn list_variant_categories() {
    let server = server().await;
    serve(
        &server,
        "GET",
        &format!("/v2/products/{P}/variant_categories"),
        "variant_categories.json",
    )
    .await;
    let cats = client(&server).variant_categories(P).list().await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "GET");
    assert!(req.query.is_empty());
    insta::assert_json_snapshot!(exchange(&req, &cats));
}

#[tokio::test]
async fn get_variant_category() {
    let server = server().await;
    serve(
        &server,
        "GET",
        &format!("/v2/products/{P}/variant_categories/{CAT}"),
        "variant_category.json",
    )
    .await;
    let cat = client(&server)
        .variant_categories(P)
        .get(CAT)
        .await
        .unwrap();
    let req = only_request(&server).await;
    insta::assert_json_snapshot!(exchange(&req, &cat));
}

#[tokio::test]
async fn create_variant_category_posts_the_title() {
    let server = server().await;
    serve(
        &server,
        "POST",
        &format!("/v2/products/{P}/variant_categories"),
        "variant_category.json",
    )
    .await;
    let cat = client(&server)
        .variant_categories(P)
        .create("Size")
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "POST");
    assert_eq!(pairs(&req.form), [("title", "Size")]);
    insta::assert_json_snapshot!(exchange(&req, &cat));
}

#[tokio::test]
async fn update_variant_category_puts_the_title() {
    let server = server().await;
    serve(
        &server,
        "PUT",
        &format!("/v2/products/{P}/variant_categories/{CAT}"),
        "variant_category_updated.json",
    )
    .await;
    let cat = client(&server)
        .variant_categories(P)
        .update(CAT, "Pack size")
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "PUT");
    assert_eq!(req.body, "title=Pack+size");
    insta::assert_json_snapshot!(exchange(&req, &cat));
}

#[tokio::test]
async fn delete_variant_category() {
    let server = server().await;
    serve(
        &server,
        "DELETE",
        &format!("/v2/products/{P}/variant_categories/{CAT}"),
        "variant_category_deleted.json",
    )
    .await;
    let deleted = client(&server)
        .variant_categories(P)
        .delete(CAT)
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "DELETE");
    insta::assert_json_snapshot!(exchange(&req, &deleted));
}

#[tokio::test]
async fn list_variants() {
    let server = server().await;
    serve(
        &server,
        "GET",
        &format!("/v2/products/{P}/variant_categories/{CAT}/variants"),
        "variants.json",
    )
    .await;
    let variants = client(&server).variants(P, CAT).list().await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(variants[1].price_difference_cents, Some(200));
    insta::assert_json_snapshot!(exchange(&req, &variants));
}

#[tokio::test]
async fn tiered_membership_variants_carry_undocumented_recurrence_price_values() {
    let server = server().await;
    serve(
        &server,
        "GET",
        &format!("/v2/products/{P}/variant_categories/{CAT}/variants"),
        "variants_tiered.json",
    )
    .await;
    let variants = client(&server).variants(P, CAT).list().await.unwrap();
    let prices = variants[0].recurrence_price_values.as_ref().unwrap();
    assert_eq!(prices["monthly"].price_cents, Some(500));
    assert_eq!(prices["yearly"].price.as_deref(), Some("50"));
    assert_eq!(prices["quarterly"].enabled, Some(false));
    assert_eq!(prices["quarterly"].price_cents, None);
    assert_eq!(variants[0].is_customizable_price, Some(false));
}

#[tokio::test]
async fn get_variant() {
    let server = server().await;
    serve(
        &server,
        "GET",
        &format!("/v2/products/{P}/variant_categories/{CAT}/variants/bGFyZ2VWYXI="),
        "variant.json",
    )
    .await;
    let v = client(&server)
        .variants(P, CAT)
        .get("bGFyZ2VWYXI=")
        .await
        .unwrap();
    let req = only_request(&server).await;
    insta::assert_json_snapshot!(exchange(&req, &v));
}

#[tokio::test]
async fn create_variant_posts_the_permitted_params() {
    let server = server().await;
    serve(
        &server,
        "POST",
        &format!("/v2/products/{P}/variant_categories/{CAT}/variants"),
        "variant_created.json",
    )
    .await;
    let params = VariantParams::new()
        .name("Extra large")
        .price_difference_cents(350)
        .max_purchase_count(10);
    let v = client(&server)
        .variants(P, CAT)
        .create(&params)
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "POST");
    assert_eq!(
        req.body,
        "name=Extra+large&price_difference_cents=350&max_purchase_count=10"
    );
    insta::assert_json_snapshot!(exchange(&req, &v));
}

#[tokio::test]
async fn update_variant_puts_only_the_set_fields() {
    let server = server().await;
    serve(
        &server,
        "PUT",
        &format!("/v2/products/{P}/variant_categories/{CAT}/variants/bGFyZ2VWYXI="),
        "variant.json",
    )
    .await;
    let v = client(&server)
        .variants(P, CAT)
        .update(
            "bGFyZ2VWYXI=",
            &VariantParams::new().description("Twice the pencils"),
        )
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "PUT");
    assert_eq!(req.body, "description=Twice+the+pencils");
    insta::assert_json_snapshot!(exchange(&req, &v));
    let err = client(&server)
        .variants(P, CAT)
        .update("bGFyZ2VWYXI=", &VariantParams::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)));
}

#[tokio::test]
async fn delete_variant() {
    let server = server().await;
    serve(
        &server,
        "DELETE",
        &format!("/v2/products/{P}/variant_categories/{CAT}/variants/bGFyZ2VWYXI="),
        "variant_deleted.json",
    )
    .await;
    let deleted = client(&server)
        .variants(P, CAT)
        .delete("bGFyZ2VWYXI=")
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "DELETE");
    insta::assert_json_snapshot!(exchange(&req, &deleted));
}
