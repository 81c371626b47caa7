//! `/v2/products`.

use creator_core::{Currency, Error};
use futures::TryStreamExt;
use gumroad_api::{NativeType, ProductParams, Recurrence};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, ResponseTemplate};

use crate::common::*;

#[tokio::test]
async fn list_products_classic_unpaginated_response_is_one_request() {
    let server = server().await;
    serve(&server, "GET", "/v2/products", "products_unpaginated.json").await;
    let products: Vec<_> = client(&server)
        .products()
        .list()
        .try_collect()
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "GET");
    assert!(req.query.is_empty(), "first page sends no page_key");
    assert_eq!(products.len(), 3);
    insta::assert_json_snapshot!(exchange(&req, &products));
}

#[tokio::test]
async fn list_products_follows_next_page_key_since_2026_pagination() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/products"))
        .and(query_param_is_missing("page_key"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("products_page1.json"), "application/json"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/products"))
        .and(query_param("page_key", "20250301120000000000-1804289"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("products_page2.json"), "application/json"),
        )
        .mount(&server)
        .await;
    let products: Vec<_> = client(&server)
        .products()
        .list()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = products.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "A-m3CDDC5dlrSdKZp0RFhA==",
            "Qm9vZk1lbWJlcnNoaXA==",
            "U2tldGNoYm9vaw=="
        ]
    );
    let keys: Vec<_> = requests(&server)
        .await
        .iter()
        .map(|r| r.query_value("page_key").map(str::to_owned))
        .collect();
    assert_eq!(
        keys,
        [None, Some("20250301120000000000-1804289".to_owned())]
    );

    // A page cap stops early, and one page can be fetched by hand.
    let first: Vec<_> = client(&server)
        .products()
        .list_with_max_pages(Some(1))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    let page = client(&server).products().page(None).await.unwrap();
    assert_eq!(
        page.next_page_key.as_deref(),
        Some("20250301120000000000-1804289")
    );
    assert_eq!(
        page.next_page_url.as_deref(),
        Some("/v2/products?page_key=20250301120000000000-1804289")
    );
}

#[tokio::test]
async fn product_price_is_in_the_product_currency_jpy_whole_yen() {
    let server = server().await;
    serve(&server, "GET", "/v2/products", "products_unpaginated.json").await;
    let products: Vec<_> = client(&server)
        .products()
        .list()
        .try_collect()
        .await
        .unwrap();
    let jpy = products
        .iter()
        .find(|p| p.currency.as_deref() == Some("jpy"))
        .unwrap();
    let price = jpy.price_money().unwrap();
    assert_eq!(price.currency(), Currency::JPY);
    assert_eq!(price.minor_units(), 1200);
    assert_eq!(price.to_decimal_string(), "1200");
    let usd = &products[0];
    assert_eq!(usd.price_money().unwrap().to_decimal_string(), "10.00");
}

#[tokio::test]
async fn sales_count_documented_as_string_is_accepted_as_string_or_integer() {
    let server = server().await;
    serve(&server, "GET", "/v2/products", "products_unpaginated.json").await;
    let products: Vec<_> = client(&server)
        .products()
        .list()
        .try_collect()
        .await
        .unwrap();
    // The code sends integers; the docs (and this fixture's third product) show strings.
    assert_eq!(products[0].sales_count, Some(14));
    assert_eq!(products[2].sales_count, Some(0));
    assert_eq!(products[2].sales_usd_cents, Some(0));
}

#[tokio::test]
async fn unknown_product_keys_like_view_count_are_ignored_and_null_tags_are_empty() {
    let server = server().await;
    serve(&server, "GET", "/v2/products", "products_unpaginated.json").await;
    let products: Vec<_> = client(&server)
        .products()
        .list()
        .try_collect()
        .await
        .unwrap();
    assert!(products[2].tags.is_empty());
    assert!(products[1].is_membership());
    assert_eq!(products[1].subscription_duration, Some(Recurrence::Monthly));
    assert_eq!(
        products[1].recurrences,
        Some(vec![Recurrence::Monthly, Recurrence::Yearly])
    );
    assert!(!products[0].is_membership());
}

#[tokio::test]
async fn get_product_by_id_with_2026_fields() {
    let server = server().await;
    serve(
        &server,
        "GET",
        "/v2/products/A-m3CDDC5dlrSdKZp0RFhA==",
        "product.json",
    )
    .await;
    let product = client(&server)
        .products()
        .get("A-m3CDDC5dlrSdKZp0RFhA==")
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, "/v2/products/A-m3CDDC5dlrSdKZp0RFhA==");
    // A file's `url` is a download link (signed on the real server): data,
    // never something `Debug` prints into a log.
    let file = &product.files.as_ref().unwrap()[0];
    assert_eq!(
        file.url.as_deref(),
        Some("https://files.gumroad.com/pencils.pdf")
    );
    let shown = format!("{product:?}");
    assert!(!shown.contains("files.gumroad.com/pencils.pdf"), "{shown}");
    assert!(shown.contains("pencils.pdf"), "the file name still shows");
    insta::assert_json_snapshot!(exchange(&req, &product));
}

#[tokio::test]
async fn get_product_by_permalink() {
    let server = server().await;
    serve(&server, "GET", "/v2/products/pencil", "product.json").await;
    let product = client(&server).products().get("pencil").await.unwrap();
    assert_eq!(product.id, "A-m3CDDC5dlrSdKZp0RFhA==");
    assert_eq!(only_request(&server).await.path, "/v2/products/pencil");
}

#[tokio::test]
async fn get_unknown_product_is_not_found_from_http_200() {
    let server = server().await;
    serve(
        &server,
        "GET",
        "/v2/products/nope",
        "product_not_found.json",
    )
    .await;
    let err = client(&server).products().get("nope").await.unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { status: 200, message, .. } if message == "The product was not found."),
        "{err:?}"
    );
}

#[tokio::test]
async fn create_product_form_encoded_with_tags_array_and_string_booleans() {
    let server = server().await;
    serve(&server, "POST", "/v2/products", "product_created.json").await;
    let params = ProductParams::new()
        .name("Eraser pack")
        .price(300)
        .native_type(NativeType::Digital)
        .currency("usd")
        .customizable_price(false)
        .tags(["art", "erasers"]);
    let saved = client(&server).products().create(&params).await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "POST");
    assert_eq!(
        req.headers.get("content-type").map(String::as_str),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        req.body,
        "native_type=digital&name=Eraser+pack&price=300&price_currency_type=usd&customizable_price=false&tags%5B%5D=art&tags%5B%5D=erasers"
    );
    assert_eq!(saved.warning, None);
    insta::assert_json_snapshot!(exchange(&req, &saved));
}

#[tokio::test]
async fn create_product_without_name_or_price_is_rejected_locally() {
    let server = server().await;
    let err = client(&server)
        .products()
        .create(&ProductParams::new().name("no price"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    let err = client(&server)
        .products()
        .update("p1", &ProductParams::new().tags(Vec::<String>::new()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn update_product_is_a_put_with_only_the_set_fields_and_keeps_the_warning() {
    let server = server().await;
    serve(
        &server,
        "PUT",
        "/v2/products/RXJhc2VyUGFjaw==",
        "product_updated.json",
    )
    .await;
    let saved = client(&server)
        .products()
        .update(
            "RXJhc2VyUGFjaw==",
            &ProductParams::new().name("Eraser pack (large)").price(450),
        )
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "PUT");
    assert_eq!(req.body, "name=Eraser+pack+%28large%29&price=450");
    assert_eq!(
        saved.warning.as_deref(),
        Some("Some files could not be processed and were skipped.")
    );
    insta::assert_json_snapshot!(exchange(&req, &saved));
}

#[tokio::test]
async fn delete_product_returns_the_was_deleted_message() {
    let server = server().await;
    serve(
        &server,
        "DELETE",
        "/v2/products/A-m3CDDC5dlrSdKZp0RFhA==",
        "product_deleted.json",
    )
    .await;
    let deleted = client(&server)
        .products()
        .delete("A-m3CDDC5dlrSdKZp0RFhA==")
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "DELETE");
    // The server says "was deleted"; the docs say "has been deleted".
    assert_eq!(
        deleted.message.as_deref(),
        Some("The product was deleted successfully.")
    );
    insta::assert_json_snapshot!(exchange(&req, &deleted));
}

#[tokio::test]
async fn disable_and_enable_product() {
    let server = server().await;
    serve(
        &server,
        "PUT",
        "/v2/products/A-m3CDDC5dlrSdKZp0RFhA==/disable",
        "product_disabled.json",
    )
    .await;
    serve(
        &server,
        "PUT",
        "/v2/products/A-m3CDDC5dlrSdKZp0RFhA==/enable",
        "product_enabled.json",
    )
    .await;
    let c = client(&server);
    let off = c
        .products()
        .disable("A-m3CDDC5dlrSdKZp0RFhA==")
        .await
        .unwrap();
    let on = c
        .products()
        .enable("A-m3CDDC5dlrSdKZp0RFhA==")
        .await
        .unwrap();
    assert_eq!(off.published, Some(false));
    assert_eq!(on.published, Some(true));
    let reqs = requests(&server).await;
    let seen: Vec<_> = reqs
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        seen,
        [
            "PUT /v2/products/A-m3CDDC5dlrSdKZp0RFhA==/disable",
            "PUT /v2/products/A-m3CDDC5dlrSdKZp0RFhA==/enable"
        ]
    );
    assert!(reqs.iter().all(|r| r.body.is_empty()));
    insta::assert_json_snapshot!(serde_json::json!({
        "disable": exchange(&reqs[0], &off),
        "enable": exchange(&reqs[1], &on),
    }));
}

#[tokio::test]
async fn enable_refused_by_gumroad_is_an_api_error_with_its_message() {
    let server = server().await;
    serve(
        &server,
        "PUT",
        "/v2/products/p1/enable",
        "product_enable_refused.json",
    )
    .await;
    let err = client(&server).products().enable("p1").await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 200, message, .. } if message.starts_with("An offer code would make")),
        "{err:?}"
    );
}

#[tokio::test]
async fn product_page_preview_is_a_post_that_saves_nothing_and_carries_the_buy_warning() {
    let server = server().await;
    let route = "/v2/products/A-m3CDDC5dlrSdKZp0RFhA==/preview_custom_html";
    serve(&server, "POST", route, "product_custom_html_preview.json").await;
    let html = "<main><h1 data-gumroad-field=\"name\"></h1><script src=\"https://cdn.example.com/tracker.js\"></script></main>";
    let preview = client(&server)
        .products()
        .preview_custom_html("A-m3CDDC5dlrSdKZp0RFhA==", html)
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, route);
    assert_eq!(
        pairs(&req.form),
        [("custom_html", html)],
        "form-encoded, as the CLI sends it"
    );
    assert!(
        preview
            .warning
            .as_deref()
            .unwrap()
            .starts_with("The custom landing page does not include a buy element")
    );
    let report = preview.sanitization_report.unwrap();
    assert_eq!(report.removed_tags[0].tag.as_deref(), Some("script"));
    assert_eq!(
        preview.custom_html.as_deref(),
        Some("<main><h1 data-gumroad-field=\"name\"></h1><p>Twelve HB pencils.</p></main>")
    );
}

#[tokio::test]
async fn product_page_preview_is_retried_like_a_read_and_reports_a_missing_feature() {
    let server = server().await;
    serve_raw(
        &server,
        "POST",
        "/v2/products/busy/preview_custom_html",
        ResponseTemplate::new(503),
    )
    .await;
    serve(
        &server,
        "POST",
        "/v2/products/A-m3CDDC5dlrSdKZp0RFhA==/preview_custom_html",
        "custom_html_pages_not_enabled.json",
    )
    .await;
    let c = client(&server);
    let err = c
        .products()
        .preview_custom_html("busy", "<p>x</p>")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(
        requests(&server).await.len(),
        3,
        "a dry run: three attempts"
    );
    let err = c
        .products()
        .preview_custom_html("A-m3CDDC5dlrSdKZp0RFhA==", "<p>x</p>")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 200, message, .. } if message == "You do not have access to custom HTML pages."),
        "{err:?}"
    );
    assert!(matches!(
        c.products().preview_custom_html(" ", "<p>x</p>").await,
        Err(Error::InvalidInput(_))
    ));
}

#[tokio::test]
async fn an_update_with_custom_html_keeps_the_previous_page_and_is_never_resent() {
    let server = server().await;
    let route = "/v2/products/A-m3CDDC5dlrSdKZp0RFhA==";
    serve(&server, "PUT", route, "product_custom_html_published.json").await;
    serve_raw(
        &server,
        "PUT",
        "/v2/products/busy",
        ResponseTemplate::new(503),
    )
    .await;
    let c = client(&server);
    let html = "<main><h1 data-gumroad-field=\"name\"></h1><a data-gumroad-action=\"buy\" onclick=\"track()\">Buy</a></main>";
    let saved = c
        .products()
        .update(
            route.rsplit('/').next().unwrap(),
            &ProductParams::new().custom_html(html),
        )
        .await
        .unwrap();
    assert_eq!(
        saved.previous_custom_html.as_deref(),
        Some("<main><h1>Eraser pack</h1><a data-gumroad-action=\"buy\">Buy</a></main>"),
        "the one-step rollback the CLI shows"
    );
    assert!(saved.sanitization_report.is_some());
    let err = c
        .products()
        .update("busy", &ProductParams::new().custom_html(html))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    let sent = requests(&server)
        .await
        .iter()
        .filter(|r| r.path == "/v2/products/busy")
        .count();
    assert_eq!(
        sent, 1,
        "a repeat after a lost answer would report the new page as the previous one"
    );
    // Without custom_html an update is still retried like any PUT.
    c.products()
        .update("busy", &ProductParams::new().name("x"))
        .await
        .unwrap_err();
    let sent = requests(&server)
        .await
        .iter()
        .filter(|r| r.path == "/v2/products/busy")
        .count();
    assert_eq!(sent, 4);
}
