//! 2026 product endpoints: every create/update field, categories, price
//! comparables, bundle contents, covers, thumbnail, SKUs, reviews, offer-code
//! minimum amounts, and attaching builds to a product or a variant.

use creator_core::Error;
use futures::{StreamExt, TryStreamExt};
use gumroad_api::{
    BundleItem, ComparablesQuery, FileEntry, ImageSource, NewFile, NewOfferCode, OfferCodeChanges,
    ProductParams, RichContentPage,
};
use serde_json::json;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, Request, ResponseTemplate};

use crate::common::*;

const PID: &str = "A-m3CDDC5dlrSdKZp0RFhA==";

/// Serves the fixture `name` for `verb /v2/products/{PID}`.
async fn serve_product(server: &wiremock::MockServer, verb: &str, name: &str) {
    serve(server, verb, &format!("/v2/products/{PID}"), name).await;
}

#[tokio::test]
async fn update_sends_every_scalar_field_form_encoded_with_string_booleans_and_cover_ids() {
    let server = server().await;
    serve_product(&server, "PUT", "product_updated.json").await;
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
        pairs(&req.form),
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
    serve_product(&server, "PUT", "product_updated.json").await;
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
        pairs(&reqs[0].query),
        [
            ("taxonomy", "design/ui-and-web/figma"),
            ("price_currency_type", "usd")
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
    serve_product(&server, "PUT", "product_updated.json").await;
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
        pairs(&reqs[0].form),
        [("url", "https://example.com/cover.png")]
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
        pairs(&reqs[0].form),
        [("signed_blob_id", "eyJfcmFpbHMi--sig")]
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
async fn a_list_stream_with_an_empty_id_is_one_clear_error_and_sends_nothing() {
    let server = server().await;
    let c = client(&server);
    let reviews: Vec<_> = c.products().reviews(" ").collect().await;
    assert!(
        matches!(reviews.as_slice(), [Err(Error::InvalidInput(_))]),
        "{reviews:?}"
    );
    let subscribers: Vec<_> = c
        .subscribers()
        .list("", &gumroad_api::SubscribersQuery::new())
        .collect()
        .await;
    assert!(
        matches!(subscribers.as_slice(), [Err(Error::InvalidInput(_))]),
        "{subscribers:?}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
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
    assert_eq!(pairs(&reqs[1].form), [("minimum_amount_cents", "1500")]);
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

/// Answers a variant build's two writes: the product update (with the
/// mappings of its placeholder) and the variant update.
async fn mount_variant_writes(server: &wiremock::MockServer, variant: &str) {
    Mock::given(method("PUT"))
        .and(path(format!("/v2/products/{PID}")))
        .respond_with(EchoMappings)
        .mount(server)
        .await;
    serve(server, "PUT", variant, "variant_rich_content_updated.json").await;
}

#[tokio::test]
async fn attach_to_variant_pushes_the_file_then_embeds_the_created_id_in_the_variant() {
    let server = server().await;
    let variant = format!("/v2/products/{PID}/variant_categories/vc1/variants/v1");
    serve_product(&server, "GET", "product_per_variant.json").await;
    serve(&server, "GET", &variant, "variant_rich_content.json").await;
    mount_variant_writes(&server, &variant).await;
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
    serve_product(&server, "GET", "product_shared_content.json").await;
    serve_product(&server, "PUT", "product_updated.json").await;
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

/// The fixture `name` with `edit` applied to its `key` object (a key
/// removed or replaced), as a 200 answer.
fn edited(name: &str, key: &str, edit: impl FnOnce(&mut serde_json::Value)) -> ResponseTemplate {
    let mut body: serde_json::Value = serde_json::from_slice(&fixture(name)).unwrap();
    edit(&mut body[key]);
    ResponseTemplate::new(200).set_body_raw(body.to_string(), "application/json")
}

/// Serves `product_shared_content.json` (a shared-content product whose one
/// page embeds its one file `ZmlsZTE=`) for the product read, with `edit`
/// applied to its `product` object, and answers the update.
async fn serve_product_read(
    server: &wiremock::MockServer,
    edit: impl FnOnce(&mut serde_json::Value),
) {
    serve_raw(
        server,
        "GET",
        &format!("/v2/products/{PID}"),
        edited("product_shared_content.json", "product", edit),
    )
    .await;
    serve_product(server, "PUT", "product_updated.json").await;
}

/// Attaches one new build and returns the update's JSON body.
async fn attach_one(server: &wiremock::MockServer) -> serde_json::Value {
    client(server)
        .product_files(PID)
        .attach(&[NewFile::new(
            "https://files.example/attachments/me/c/original/v3.zip",
        )])
        .await
        .unwrap();
    let reqs = requests(server).await;
    assert_eq!(reqs.len(), 2, "one read, one update");
    reqs[1].json.clone().unwrap()
}

/// The `(type, embedded id)` of each top-level node of a page.
fn nodes(page: &serde_json::Value) -> Vec<(String, Option<String>)> {
    page["description"]["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["type"].as_str().unwrap().to_owned(),
                n["attrs"]["id"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn node(kind: &str, id: Option<&str>) -> (String, Option<String>) {
    (kind.to_owned(), id.map(str::to_owned))
}

#[tokio::test]
async fn attach_refuses_a_product_read_without_files_or_rich_content_and_writes_nothing() {
    for key in ["files", "rich_content"] {
        let server = server().await;
        serve_product_read(&server, |p| {
            p.as_object_mut().unwrap().remove(key);
        })
        .await;
        let err = client(&server)
            .product_files(PID)
            .attach(&[NewFile::new(
                "https://files.example/attachments/me/c/original/v3.zip",
            )])
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Decode { path, .. } if path == &format!(".product.{key}")),
            "{key}: {err:?}"
        );
        assert!(
            !requests(&server).await.iter().any(|r| r.method == "PUT"),
            "{key}: a PUT would have replaced the whole collection"
        );
    }
}

#[tokio::test]
async fn attach_to_a_product_without_pages_embeds_the_kept_files_and_the_new_ones() {
    let server = server().await;
    serve_product_read(&server, |p| p["rich_content"] = json!([])).await;
    let body = attach_one(&server).await;
    let placeholder = body["files"][1]["external_id"].as_str().unwrap();
    let pages = body["rich_content"].as_array().unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0]["title"], "Page 1");
    assert_eq!(
        nodes(&pages[0]),
        [
            node("fileEmbed", Some("ZmlsZTE=")),
            node("fileEmbed", Some(placeholder)),
            node("paragraph", None)
        ],
        "the kept build stays visible next to the new one"
    );
}

#[tokio::test]
async fn attach_appends_to_the_page_that_already_holds_file_embeds() {
    let server = server().await;
    serve_product_read(&server, |p| {
        p["rich_content"] = json!([
            {"id": "aW50cm8=", "title": "Intro", "description": {"type": "doc", "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": "Welcome"}]}]}},
            {"id": "cGFnZTE=", "title": "Downloads", "description": {"type": "doc", "content": [
                {"type": "fileEmbed", "attrs": {"id": "ZmlsZTE=", "uid": "0b1e6c39-7bd7-4a40-9c1f-3f4b4b2d0a11", "collapsed": false}},
                {"type": "paragraph", "content": [{"type": "text", "text": "Enjoy!"}]}]}},
            {"id": "bm90ZXM=", "title": "Notes", "description": {"type": "doc", "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": "Changelog"}]}]}}
        ])
    })
    .await;
    let body = attach_one(&server).await;
    let placeholder = body["files"][1]["external_id"].as_str().unwrap();
    let pages = body["rich_content"].as_array().unwrap();
    assert_eq!(
        nodes(&pages[0]),
        [node("paragraph", None)],
        "Intro untouched"
    );
    assert_eq!(
        nodes(&pages[1]),
        [
            node("fileEmbed", Some("ZmlsZTE=")),
            node("fileEmbed", Some(placeholder)),
            node("paragraph", None)
        ],
        "after the existing build, before the trailing paragraph"
    );
    assert_eq!(
        pages[1]["description"]["content"][2]["content"][0]["text"],
        "Enjoy!"
    );
    assert_eq!(
        nodes(&pages[2]),
        [node("paragraph", None)],
        "the last page untouched"
    );
}

#[tokio::test]
async fn attach_appends_inside_the_existing_file_embed_group() {
    let server = server().await;
    serve_product_read(&server, |p| {
        p["rich_content"] = json!([
            {"id": "cGFnZTE=", "title": "Downloads", "description": {"type": "doc", "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": "Builds"}]},
                {"type": "fileEmbedGroup", "attrs": {"uid": "6f1d2c3b-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "name": "Builds"}, "content": [
                    {"type": "fileEmbed", "attrs": {"id": "ZmlsZTE=", "uid": "0b1e6c39-7bd7-4a40-9c1f-3f4b4b2d0a11", "collapsed": false}}]},
                {"type": "paragraph"}]}}
        ])
    })
    .await;
    let body = attach_one(&server).await;
    let placeholder = body["files"][1]["external_id"].as_str().unwrap();
    let page = &body["rich_content"][0];
    assert_eq!(
        nodes(page),
        [
            node("paragraph", None),
            node("fileEmbedGroup", None),
            node("paragraph", None)
        ],
        "no loose embed next to the group"
    );
    let group: Vec<&str> = page["description"]["content"][1]["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["attrs"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(group, ["ZmlsZTE=", placeholder]);
}

/// Attaches one build to variant `v1` of a server already serving the reads.
async fn attach_build_to_variant(
    server: &wiremock::MockServer,
) -> creator_core::Result<impl std::fmt::Debug> {
    client(server)
        .product_files(PID)
        .attach_to_variant(
            "vc1",
            "v1",
            &[NewFile::new("https://files.example/a/v2.zip")],
        )
        .await
}

/// Attaches a build to variant `v1` of a server already serving the reads;
/// the error and whether any write was sent.
async fn refused_variant_attach(server: &wiremock::MockServer) -> (Error, bool) {
    let err = attach_build_to_variant(server).await.unwrap_err();
    let wrote = requests(server).await.iter().any(|r| r.method == "PUT");
    (err, wrote)
}

#[tokio::test]
async fn attach_to_variant_refuses_reads_without_files_or_variant_content_before_any_write() {
    let product = format!("/v2/products/{PID}");
    let variant = format!("/v2/products/{PID}/variant_categories/vc1/variants/v1");
    // The product read without `files`.
    let server = server().await;
    let without_files = edited("product_per_variant.json", "product", |p| {
        p.as_object_mut().unwrap().remove("files");
    });
    serve_raw(&server, "GET", &product, without_files).await;
    let (err, wrote) = refused_variant_attach(&server).await;
    assert!(
        matches!(&err, Error::Decode { path, .. } if path == ".product.files"),
        "{err:?}"
    );
    assert!(!wrote);

    // A variant read without `rich_content` (the classic variant object).
    let server = crate::common::server().await;
    serve(&server, "GET", &product, "product_per_variant.json").await;
    serve(&server, "GET", &variant, "variant.json").await;
    let (err, wrote) = refused_variant_attach(&server).await;
    assert!(
        matches!(&err, Error::Decode { path, .. } if path == ".variant.rich_content"),
        "{err:?}"
    );
    assert!(
        !wrote,
        "the files are not pushed to the product when the variant cannot take them"
    );
}

#[tokio::test]
async fn attach_to_a_variant_without_pages_creates_one_with_the_new_files() {
    let server = server().await;
    let variant = format!("/v2/products/{PID}/variant_categories/vc1/variants/v1");
    serve_product(&server, "GET", "product_per_variant.json").await;
    let read = edited("variant_rich_content.json", "variant", |v| {
        v["rich_content"] = json!([]);
    });
    serve_raw(&server, "GET", &variant, read).await;
    mount_variant_writes(&server, &variant).await;
    attach_build_to_variant(&server).await.unwrap();
    let reqs = requests(&server).await;
    let pages = reqs[3].json.as_ref().unwrap()["rich_content"].clone();
    assert_eq!(pages.as_array().unwrap().len(), 1);
    assert_eq!(pages[0]["title"], "Page 1");
    assert_eq!(
        nodes(&pages[0]),
        [
            node("fileEmbed", Some("bmV3RmlsZQ==")),
            node("paragraph", None)
        ],
        "the created id only: the variant's other files stay the product's"
    );
}
