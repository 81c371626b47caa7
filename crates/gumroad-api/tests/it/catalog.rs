//! 2026 product endpoints: every create/update field, categories, price
//! comparables, bundle contents, covers, thumbnail, SKUs, reviews, offer-code
//! minimum amounts, and attaching builds to a product or a variant.

use creator_core::Error;
use futures::TryStreamExt;
use gumroad_api::{
    BundleItem, ComparablesQuery, FileEntry, ImageSource, NewFile, NewOfferCode, OfferCodeChanges,
    ProductParams, RichContentPage,
};
use serde_json::json;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, Request, ResponseTemplate};

use crate::common::*;

const PID: &str = "A-m3CDDC5dlrSdKZp0RFhA==";

#[tokio::test]
async fn update_sends_every_scalar_field_form_encoded_with_string_booleans_and_cover_ids() {
    let server = server().await;
    serve(
        &server,
        "PUT",
        &format!("/v2/products/{PID}"),
        "product_updated.json",
    )
    .await;
    let params = ProductParams::new()
        .category("design/ui-and-web/figma")
        .custom_receipt("Thanks!")
        .custom_html("<a data-gumroad-action=\"buy\">Buy</a>")
        .quantity_enabled(true)
        .is_adult(false)
        .display_product_reviews(true)
        .should_show_sales_count(false)
        .has_same_rich_content_for_all_variants(true)
        .cover_ids(["c2", "c1"]);
    client(&server)
        .products()
        .update(PID, &params)
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "PUT");
    assert_eq!(
        req.form,
        [
            ("category", "design/ui-and-web/figma"),
            ("custom_receipt", "Thanks!"),
            ("custom_html", "<a data-gumroad-action=\"buy\">Buy</a>"),
            ("quantity_enabled", "true"),
            ("is_adult", "false"),
            ("display_product_reviews", "true"),
            ("should_show_sales_count", "false"),
            ("has_same_rich_content_for_all_variants", "true"),
            ("cover_ids[]", "c2"),
            ("cover_ids[]", "c1"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
}

#[tokio::test]
async fn files_or_rich_content_switch_the_body_to_json() {
    let server = server().await;
    serve(&server, "POST", "/v2/products", "product_created.json").await;
    let params = ProductParams::new()
        .name("Course")
        .price(500)
        .tags(["a"])
        .customizable_price(false)
        .files(vec![
            FileEntry::new("https://files.example/attachments/me/x/original/a.pdf")
                .display_name("A"),
        ])
        .rich_content(vec![RichContentPage::with_file_embeds(
            "Page 1",
            &["tmp-1".into()],
        )]);
    client(&server).products().create(&params).await.unwrap();
    let req = only_request(&server).await;
    let body = req.json.clone().unwrap();
    assert_eq!(body["name"], "Course");
    assert_eq!(body["price"], "500", "scalars stay strings, as in the form");
    assert_eq!(body["customizable_price"], "false");
    assert_eq!(body["tags"], json!(["a"]));
    assert_eq!(
        body["files"],
        json!([{"url": "https://files.example/attachments/me/x/original/a.pdf", "display_name": "A"}])
    );
    let content = &body["rich_content"][0]["description"]["content"];
    assert_eq!(content[0]["type"], "fileEmbed");
    assert_eq!(content[0]["attrs"]["id"], "tmp-1");
    assert_eq!(content[1], json!({"type": "paragraph"}));
}

#[tokio::test]
async fn create_sends_a_new_files_placeholder_as_its_id_so_the_embed_resolves() {
    let server = server().await;
    serve(&server, "POST", "/v2/products", "product_created.json").await;
    let params = ProductParams::new()
        .name("Course")
        .price(500)
        .files(vec![
            FileEntry::new("https://files.example/attachments/me/x/original/a.pdf")
                .placeholder_id("upload-1")
                .display_name("A"),
        ])
        .rich_content(vec![RichContentPage::with_file_embeds(
            "Page 1",
            &["upload-1".into()],
        )]);
    client(&server).products().create(&params).await.unwrap();
    let body = only_request(&server).await.json.unwrap();
    // Gumroad's create permits `files: [:id, :url, :display_name, …]` only,
    // so the placeholder travels as `id` (the CLI's `products create --file`).
    assert_eq!(
        body["files"],
        json!([{
            "id": "upload-1",
            "url": "https://files.example/attachments/me/x/original/a.pdf",
            "display_name": "A"
        }])
    );
    let embed = &body["rich_content"][0]["description"]["content"][0];
    assert_eq!(embed["type"], "fileEmbed");
    assert_eq!(
        embed["attrs"]["id"], body["files"][0]["id"],
        "the embed and the file entry name the same file"
    );
}

#[tokio::test]
async fn update_sends_a_new_files_placeholder_as_external_id_next_to_kept_ids() {
    let server = server().await;
    serve(
        &server,
        "PUT",
        &format!("/v2/products/{PID}"),
        "product_updated.json",
    )
    .await;
    let params = ProductParams::new().files(vec![
        FileEntry::keep("ZmlsZTE="),
        FileEntry::new("https://files.example/attachments/me/x/original/b.pdf")
            .placeholder_id("upload-2"),
    ]);
    client(&server)
        .products()
        .update(PID, &params)
        .await
        .unwrap();
    let body = only_request(&server).await.json.unwrap();
    // The CLI's `products update --file` sends `external_id`, and the
    // answer maps it in `file_id_mappings`.
    assert_eq!(
        body["files"],
        json!([
            {"id": "ZmlsZTE="},
            {"url": "https://files.example/attachments/me/x/original/b.pdf", "external_id": "upload-2"}
        ])
    );
}

#[tokio::test]
async fn a_create_file_entry_with_both_a_kept_id_and_a_placeholder_is_refused() {
    let server = server().await;
    let params = ProductParams::new()
        .name("Course")
        .price(500)
        .files(vec![FileEntry::keep("ZmlsZTE=").placeholder_id("upload-1")]);
    let err = client(&server)
        .products()
        .create(&params)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn category_and_taxonomy_together_or_empty_cover_ids_are_refused_locally() {
    let server = server().await;
    let c = client(&server);
    for params in [
        ProductParams::new().category("design").taxonomy_id("121"),
        ProductParams::new().cover_ids(Vec::<String>::new()),
    ] {
        let err = c.products().update(PID, &params).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn categories_list_is_flat_with_parent_links() {
    let server = server().await;
    serve(&server, "GET", "/v2/categories", "categories.json").await;
    let categories = client(&server).categories().list().await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(categories.len(), 3);
    assert_eq!(categories[2].parent_id, None);
    insta::assert_json_snapshot!(exchange(&req, &categories));
}

#[tokio::test]
async fn price_comparables_query_names_and_empty_answer() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/products/comps"))
        .and(query_param("taxonomy", "design/ui-and-web/figma"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("product_comps.json"), "application/json"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/products/comps"))
        .and(query_param_is_missing("taxonomy"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("product_comps_empty.json"), "application/json"),
        )
        .mount(&server)
        .await;
    let c = client(&server);
    let comps = c
        .products()
        .price_comparables(&ComparablesQuery::category("design/ui-and-web/figma").currency("USD"))
        .await
        .unwrap();
    assert_eq!(comps.price_cents.unwrap().p50, Some(1500));
    assert_eq!(comps.examples.len(), 2);
    let none = c
        .products()
        .price_comparables(&ComparablesQuery::text("whoosh sfx"))
        .await
        .unwrap();
    assert_eq!(none.count, Some(0));
    assert_eq!(none.currency, None);
    let reqs = requests(&server).await;
    assert_eq!(
        reqs[0].query,
        [
            ("taxonomy".to_owned(), "design/ui-and-web/figma".to_owned()),
            ("price_currency_type".to_owned(), "usd".to_owned())
        ]
    );
    assert_eq!(reqs[1].query_value("query"), Some("whoosh sfx"));
    assert!(matches!(
        c.products()
            .price_comparables(&ComparablesQuery::default())
            .await,
        Err(Error::InvalidInput(_))
    ));
}

#[tokio::test]
async fn bundle_contents_is_a_json_put_and_a_non_bundle_is_refused() {
    let server = server().await;
    serve(
        &server,
        "PUT",
        &format!("/v2/products/{PID}/bundle_contents"),
        "product.json",
    )
    .await;
    serve(
        &server,
        "PUT",
        "/v2/products/single/bundle_contents",
        "bundle_not_a_bundle.json",
    )
    .await;
    let c = client(&server);
    c.products()
        .set_bundle_contents(
            PID,
            &[
                BundleItem::new("p1"),
                BundleItem::new("p2").variant("v9").quantity(2).position(1),
            ],
        )
        .await
        .unwrap();
    let err = c
        .products()
        .set_bundle_contents("single", &[BundleItem::new("p1")])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 200, message, .. } if message == "This product is not a bundle.")
    );
    let reqs = requests(&server).await;
    assert_eq!(
        reqs[0].json,
        Some(json!({"products": [
            {"product_id": "p1", "quantity": 1},
            {"product_id": "p2", "variant_id": "v9", "quantity": 2, "position": 1}
        ]}))
    );
    assert!(matches!(
        c.products()
            .set_bundle_contents(PID, &[BundleItem::new("p").quantity(0)])
            .await,
        Err(Error::InvalidInput(_))
    ));
}

#[tokio::test]
async fn covers_add_by_url_remove_and_reorder() {
    let server = server().await;
    serve(
        &server,
        "POST",
        &format!("/v2/products/{PID}/covers"),
        "covers_added.json",
    )
    .await;
    serve(
        &server,
        "DELETE",
        &format!("/v2/products/{PID}/covers/8f14e45fceea167a5a36dedd4bea2543"),
        "covers_removed.json",
    )
    .await;
    serve(
        &server,
        "PUT",
        &format!("/v2/products/{PID}"),
        "product_updated.json",
    )
    .await;
    let c = client(&server);
    let added = c
        .covers(PID)
        .add(&ImageSource::Url("https://example.com/cover.png".into()))
        .await
        .unwrap();
    assert_eq!(added.covers.len(), 2);
    assert_eq!(
        added.main_cover_id.as_deref(),
        Some("8f14e45fceea167a5a36dedd4bea2543")
    );
    let left = c
        .covers(PID)
        .remove("8f14e45fceea167a5a36dedd4bea2543")
        .await
        .unwrap();
    assert_eq!(left.covers.len(), 1);
    c.covers(PID).reorder(&["b", "a"]).await.unwrap();
    let reqs = requests(&server).await;
    assert_eq!(
        reqs[0].form,
        [("url".to_owned(), "https://example.com/cover.png".to_owned())]
    );
    assert_eq!(reqs[2].form_value("cover_ids[]"), Some("b"));
    insta::assert_json_snapshot!(exchange(&reqs[0], &added));
}

#[tokio::test]
async fn cover_errors_are_success_false_and_adding_is_not_retried() {
    let server = server().await;
    serve(
        &server,
        "POST",
        &format!("/v2/products/{PID}/covers"),
        "cover_invalid_blob.json",
    )
    .await;
    serve(
        &server,
        "DELETE",
        &format!("/v2/products/{PID}/covers/gone"),
        "cover_not_found.json",
    )
    .await;
    serve_raw(
        &server,
        "POST",
        "/v2/products/busy/covers",
        ResponseTemplate::new(503),
    )
    .await;
    let c = client(&server);
    let err = c
        .covers(PID)
        .add(&ImageSource::SignedBlobId("expired".into()))
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Api { message, .. } if message.contains("invalid or expired")));
    assert!(
        c.covers(PID)
            .remove("gone")
            .await
            .unwrap_err()
            .is_not_found()
    );
    c.covers("busy")
        .add(&ImageSource::Url("https://e.x/a.png".into()))
        .await
        .unwrap_err();
    assert_eq!(
        requests(&server).await.len(),
        3,
        "the 503 add was sent once"
    );
}

#[tokio::test]
async fn thumbnail_set_remove_and_the_400_success_false_shape() {
    let server = server().await;
    serve(
        &server,
        "POST",
        &format!("/v2/products/{PID}/thumbnail"),
        "thumbnail_set.json",
    )
    .await;
    serve(
        &server,
        "DELETE",
        &format!("/v2/products/{PID}/thumbnail"),
        "thumbnail_removed.json",
    )
    .await;
    serve_status(
        &server,
        "POST",
        "/v2/products/bad/thumbnail",
        "thumbnail_invalid_url_400.json",
        400,
        "application/json",
    )
    .await;
    serve(
        &server,
        "DELETE",
        "/v2/products/none/thumbnail",
        "thumbnail_not_found.json",
    )
    .await;
    let c = client(&server);
    let thumb = c
        .thumbnail(PID)
        .set(&ImageSource::SignedBlobId("eyJfcmFpbHMi--sig".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(thumb.guid.as_deref(), Some("th-45c48cce"));
    c.thumbnail(PID).remove().await.unwrap();
    let err = c
        .thumbnail("bad")
        .set(&ImageSource::Url("http://10.0.0.1/x.png".into()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 400, message, .. } if message == "Please provide a valid public image URL.")
    );
    assert!(
        c.thumbnail("none")
            .remove()
            .await
            .unwrap_err()
            .is_not_found()
    );
    let reqs = requests(&server).await;
    assert_eq!(
        reqs[0].form,
        [("signed_blob_id".to_owned(), "eyJfcmFpbHMi--sig".to_owned())]
    );
}

#[tokio::test]
async fn skus_and_an_empty_list() {
    let server = server().await;
    serve(
        &server,
        "GET",
        &format!("/v2/products/{PID}/skus"),
        "skus.json",
    )
    .await;
    serve(
        &server,
        "GET",
        "/v2/products/digital/skus",
        "skus_none.json",
    )
    .await;
    let c = client(&server);
    let skus = c.products().skus(PID).await.unwrap();
    assert_eq!(skus[0].custom_sku.as_deref(), Some("PEN-RED-L"));
    assert_eq!(skus[1].custom_sku, None);
    assert!(c.products().skus("digital").await.unwrap().is_empty());
}

#[tokio::test]
async fn reviews_stream_follows_the_page_key() {
    let server = server().await;
    let route = format!("/v2/products/{PID}/reviews");
    Mock::given(method("GET"))
        .and(path(route.as_str()))
        .and(query_param_is_missing("page_key"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("product_reviews_page1.json"), "application/json"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(route.as_str()))
        .and(query_param("page_key", "20260301120000000000-7788"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("product_reviews_page2.json"), "application/json"),
        )
        .mount(&server)
        .await;
    let reviews: Vec<_> = client(&server)
        .products()
        .reviews(PID)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(reviews.len(), 2);
    assert_eq!(reviews[1].response, None);
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 2);
    insta::assert_json_snapshot!(exchange(&reqs[1], &reviews));
}

#[tokio::test]
async fn offer_code_minimum_amount_on_create_and_update() {
    let server = server().await;
    let base = format!("/v2/products/{PID}/offer_codes");
    serve(&server, "POST", &base, "offer_code_created.json").await;
    serve(
        &server,
        "PUT",
        &format!("{base}/oc1"),
        "offer_code_updated.json",
    )
    .await;
    let c = client(&server);
    c.offer_codes(PID)
        .create(&NewOfferCode::cents("FIVE", 500).minimum_amount_cents(2000))
        .await
        .unwrap();
    c.offer_codes(PID)
        .update_with("oc1", &OfferCodeChanges::new().minimum_amount_cents(1500))
        .await
        .unwrap();
    let reqs = requests(&server).await;
    assert_eq!(reqs[0].form_value("minimum_amount_cents"), Some("2000"));
    assert_eq!(
        reqs[1].form,
        [("minimum_amount_cents".to_owned(), "1500".to_owned())]
    );
    assert!(matches!(
        c.offer_codes(PID)
            .update_with("oc1", &OfferCodeChanges::new())
            .await,
        Err(Error::InvalidInput(_))
    ));
}

/// Answers the product update with `file_id_mappings` for the placeholder
/// the request carried, as the server maps `files[].external_id`.
struct EchoMappings;

impl wiremock::Respond for EchoMappings {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        let placeholder = body["files"]
            .as_array()
            .unwrap()
            .iter()
            .find_map(|f| f["external_id"].as_str())
            .unwrap()
            .to_owned();
        let text = String::from_utf8(fixture("product_files_updated_template.json"))
            .unwrap()
            .replace("PLACEHOLDER", &placeholder);
        ResponseTemplate::new(200).set_body_raw(text, "application/json")
    }
}

#[tokio::test]
async fn attach_to_variant_pushes_the_file_then_embeds_the_created_id_in_the_variant() {
    let server = server().await;
    let variant = format!("/v2/products/{PID}/variant_categories/vc1/variants/v1");
    serve(
        &server,
        "GET",
        &format!("/v2/products/{PID}"),
        "product_per_variant.json",
    )
    .await;
    serve(&server, "GET", &variant, "variant_rich_content.json").await;
    Mock::given(method("PUT"))
        .and(path(format!("/v2/products/{PID}")))
        .respond_with(EchoMappings)
        .mount(&server)
        .await;
    serve(
        &server,
        "PUT",
        &variant,
        "variant_rich_content_updated.json",
    )
    .await;
    let (saved, updated) = client(&server)
        .product_files(PID)
        .attach_to_variant(
            "vc1",
            "v1",
            &[
                NewFile::new("https://files.example/attachments/me/b/original/v2.zip")
                    .display_name("Build 2"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(saved.file_id_mappings.len(), 1);
    assert_eq!(
        updated.rich_content.unwrap()[0].file_embed_ids(),
        ["ZmlsZTE=", "bmV3RmlsZQ=="]
    );
    let reqs = requests(&server).await;
    let steps: Vec<_> = reqs
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            ("GET", format!("/v2/products/{PID}").as_str()),
            ("GET", variant.as_str()),
            ("PUT", format!("/v2/products/{PID}").as_str()),
            ("PUT", variant.as_str()),
        ]
    );
    let files = &reqs[2].json.as_ref().unwrap()["files"];
    assert_eq!(
        files[0],
        json!({"id": "ZmlsZTE="}),
        "the existing build is kept"
    );
    assert_eq!(
        files[1]["url"],
        "https://files.example/attachments/me/b/original/v2.zip"
    );
    assert_eq!(files[1]["display_name"], "Build 2");
    assert!(reqs[2].json.as_ref().unwrap().get("rich_content").is_none());
    let pages = &reqs[3].json.as_ref().unwrap()["rich_content"];
    let ids: Vec<_> = pages[0]["description"]["content"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["type"] == "fileEmbed")
        .map(|n| n["attrs"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["ZmlsZTE=", "bmV3RmlsZQ=="],
        "the created id, not the placeholder"
    );
}

#[tokio::test]
async fn attach_to_a_shared_content_product_embeds_placeholders_in_one_put() {
    let server = server().await;
    serve(
        &server,
        "GET",
        &format!("/v2/products/{PID}"),
        "product_shared_content.json",
    )
    .await;
    serve(
        &server,
        "PUT",
        &format!("/v2/products/{PID}"),
        "product_updated.json",
    )
    .await;
    let c = client(&server);
    c.product_files(PID)
        .attach(&[NewFile::new(
            "https://files.example/attachments/me/c/original/v3.zip",
        )])
        .await
        .unwrap();
    let reqs = requests(&server).await;
    let body = reqs[1].json.as_ref().unwrap();
    let placeholder = body["files"][1]["external_id"].as_str().unwrap();
    let content = &body["rich_content"][0]["description"]["content"];
    assert_eq!(content[1]["attrs"]["id"], placeholder);
    assert_eq!(
        content[2],
        json!({"type": "paragraph"}),
        "the trailing paragraph stays last"
    );
    // A shared-content product cannot take a variant build, and no write is sent.
    let err = c
        .product_files(PID)
        .attach_to_variant("vc1", "v1", &[NewFile::new("https://x")])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    assert!(
        requests(&server)
            .await
            .iter()
            .filter(|r| r.method == "PUT")
            .count()
            == 1
    );
}
