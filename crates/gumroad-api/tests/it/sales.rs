//! `/v2/sales`.

use creator_core::{Currency, Error};
use futures::TryStreamExt;
use gumroad_api::{CustomFieldValues, FieldValue, OfferCodeUsed, Refund, SalesQuery, Variants};
use serde_json::json;
use time::macros::{date, datetime};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

const KEY1: &str = "20250220221540000000-2938475";
const KEY2: &str = "20241120101112000000-1029384";

async fn mount_three_pages(server: &MockServer) {
    for (key, name) in [
        (None, "sales_page1.json"),
        (Some(KEY1), "sales_page2.json"),
        (Some(KEY2), "sales_page3.json"),
    ] {
        let mock = Mock::given(method("GET")).and(path("/v2/sales"));
        let mock = match key {
            None => mock.and(query_param_is_missing("page_key")),
            Some(k) => mock.and(query_param("page_key", k)),
        };
        mock.respond_with(
            ResponseTemplate::new(200).set_body_raw(fixture(name), "application/json"),
        )
        .mount(server)
        .await;
    }
}

#[tokio::test]
async fn list_sales_walks_every_page_with_the_exact_page_key_sequence_and_filters_kept() {
    let server = server().await;
    mount_three_pages(&server).await;
    let query = SalesQuery::new()
        .after(date!(2021 - 01 - 01))
        .before(date!(2025 - 04 - 01))
        .product_id("A-m3CDDC5dlrSdKZp0RFhA==")
        .email(" buyer@example.com ")
        .order_id(524459935);
    let sales: Vec<_> = client(&server)
        .sales()
        .list(&query)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(sales.len(), 5);
    let reqs = requests(&server).await;
    let keys: Vec<_> = reqs.iter().map(|r| r.query_value("page_key")).collect();
    assert_eq!(keys, [None, Some(KEY1), Some(KEY2)]);
    for r in &reqs {
        assert_eq!(r.method, "GET");
        assert_eq!(r.path, "/v2/sales");
        let filters: Vec<_> = r
            .query
            .iter()
            .filter(|(k, _)| k != "page_key")
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            filters,
            [
                ("after", "2021-01-01"),
                ("before", "2025-04-01"),
                ("product_id", "A-m3CDDC5dlrSdKZp0RFhA=="),
                ("email", "buyer@example.com"),
                ("order_id", "524459935"),
            ],
            "filters kept on every page"
        );
        // `=` in ids is percent-encoded on the wire.
        assert!(
            r.url.contains("product_id=A-m3CDDC5dlrSdKZp0RFhA%3D%3D"),
            "{}",
            r.url
        );
    }
    let requests_json: Vec<_> = reqs.iter().map(request_json).collect();
    insta::assert_json_snapshot!(json!({ "requests": requests_json, "sales": sales }));
}

#[tokio::test]
async fn list_sales_max_pages_stops_early_and_collect_limit_fetches_no_more() {
    let server = server().await;
    mount_three_pages(&server).await;
    let c = client(&server);
    let two_pages: Vec<_> = c
        .sales()
        .list(&SalesQuery::new().max_pages(2))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(two_pages.len(), 4);
    assert_eq!(requests(&server).await.len(), 2);
    server.reset().await;
    mount_three_pages(&server).await;
    let first = creator_core::collect(c.sales().list(&SalesQuery::new()), Some(2))
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn list_sales_page_returns_the_relative_next_page_url() {
    let server = server().await;
    mount_three_pages(&server).await;
    let page = client(&server)
        .sales()
        .page(&SalesQuery::new(), None)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.next_page_key.as_deref(), Some(KEY1));
    assert!(
        page.next_page_url
            .as_deref()
            .unwrap()
            .starts_with("/v2/sales?page_key=")
    );
    let last = client(&server)
        .sales()
        .page(&SalesQuery::new(), Some(KEY2))
        .await
        .unwrap();
    assert_eq!(last.next_page_key, None);
    assert_eq!(last.next_page_url, None);
}

#[tokio::test]
async fn sale_absent_optional_keys_are_none_guest_checkout_has_no_purchaser_id() {
    let server = server().await;
    serve(
        &server,
        "GET",
        "/v2/sales/B28UKN-dvxYabdavG97Y-Q==",
        "sale.json",
    )
    .await;
    let sale = client(&server)
        .sales()
        .get("B28UKN-dvxYabdavG97Y-Q==")
        .await
        .unwrap();
    assert_eq!(sale.purchaser_id, None);
    assert_eq!(sale.subscription_id, None);
    assert_eq!(sale.full_name, None);
    // `refunded` is absent in the payload: not refunded.
    assert_eq!(sale.refunded, None);
    assert!(!sale.is_refunded());
    let req = only_request(&server).await;
    assert_eq!(req.method, "GET");
    insta::assert_json_snapshot!(exchange(&req, &sale));
}

#[tokio::test]
async fn sale_price_is_usd_cents_even_for_a_jpy_product() {
    let server = server().await;
    mount_three_pages(&server).await;
    let sales: Vec<_> = client(&server)
        .sales()
        .list(&SalesQuery::new())
        .try_collect()
        .await
        .unwrap();
    let jpy = sales
        .iter()
        .find(|s| s.currency.as_deref() == Some("jpy"))
        .unwrap();
    assert_eq!(jpy.currency_symbol.as_deref(), Some("¥"));
    let money = jpy.price_money().unwrap();
    assert_eq!(money.currency(), Currency::USD);
    assert_eq!(money.minor_units(), 799);
    assert!(jpy.is_refunded(), "partially refunded counts");
}

#[tokio::test]
async fn sale_timestamps_have_second_precision_and_daystamp_keeps_its_leading_space() {
    let server = server().await;
    serve(&server, "GET", "/v2/sales/x", "sale.json").await;
    let sale = client(&server).sales().get("x").await.unwrap();
    assert_eq!(sale.created_at, Some(datetime!(2021-01-05 19:38:56 UTC)));
    assert_eq!(sale.daystamp.as_deref(), Some(" 5 Jan 2021 11:38 AM"));
}

#[tokio::test]
async fn sale_variants_and_custom_fields_are_maps_and_offer_code_an_object() {
    let server = server().await;
    serve(&server, "GET", "/v2/sales/x", "sale.json").await;
    let sale = client(&server).sales().get("x").await.unwrap();
    let variants = sale.variants.as_ref().unwrap();
    assert!(matches!(variants, Variants::Map(_)));
    assert_eq!(variants.get("Size"), Some("Large"));
    match sale.custom_fields.as_ref().unwrap() {
        CustomFieldValues::Map(m) => {
            assert_eq!(m.get("Company"), Some(&FieldValue::Text("Acme".into())));
            assert_eq!(
                m.get("https://example.com/terms"),
                Some(&FieldValue::Bool(true))
            );
        }
        other => panic!("expected a map, got {other:?}"),
    }
    assert!(matches!(
        sale.offer_code,
        Some(OfferCodeUsed::Details { .. })
    ));
    assert_eq!(sale.offer_code.as_ref().unwrap().code(), Some("SUMMER20"));
}

#[tokio::test]
async fn membership_sale_has_subscription_fields_and_numeric_string_purchaser_id() {
    let server = server().await;
    serve(
        &server,
        "GET",
        "/v2/sales/dHdvTWVtYmVyU2FsZQ==",
        "sale_member.json",
    )
    .await;
    let sale = client(&server)
        .sales()
        .get("dHdvTWVtYmVyU2FsZQ==")
        .await
        .unwrap();
    assert_eq!(sale.purchaser_id.as_deref(), Some("7172839405123"));
    assert_eq!(sale.subscription_id.as_deref(), Some("c3ViX21lbWJlcjE="));
    assert_eq!(sale.refunded, Some(false));
    assert_eq!(
        sale.card.as_ref().and_then(|c| c.kind.as_deref()),
        Some("paypal")
    );
}

#[tokio::test]
async fn mark_as_shipped_sends_the_tracking_url_form_encoded() {
    let server = server().await;
    serve(
        &server,
        "PUT",
        "/v2/sales/B28UKN-dvxYabdavG97Y-Q==/mark_as_shipped",
        "sale_shipped.json",
    )
    .await;
    let sale = client(&server)
        .sales()
        .mark_as_shipped(
            "B28UKN-dvxYabdavG97Y-Q==",
            Some("https://track.example.com/1Z999"),
        )
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "PUT");
    assert_eq!(
        req.form_value("tracking_url"),
        Some("https://track.example.com/1Z999")
    );
    assert_eq!(sale.shipped, Some(true));
    insta::assert_json_snapshot!(exchange(&req, &sale));
}

#[tokio::test]
async fn refund_full_sends_no_amount_and_partial_sends_amount_cents() {
    let server = server().await;
    serve(
        &server,
        "PUT",
        "/v2/sales/s1/refund",
        "sale_partially_refunded.json",
    )
    .await;
    let c = client(&server);
    c.sales().refund("s1", Refund::Full).await.unwrap();
    let sale = c
        .sales()
        .refund("s1", Refund::Partial { amount_cents: 500 })
        .await
        .unwrap();
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 2);
    assert!(reqs[0].form.is_empty());
    assert_eq!(pairs(&reqs[1].form), [("amount_cents", "500")]);
    assert_eq!(sale.partially_refunded, Some(true));
    insta::assert_json_snapshot!(exchange(&reqs[1], &sale));
    let err = c
        .sales()
        .refund("s1", Refund::Partial { amount_cents: 0 })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)));
}

#[tokio::test]
async fn refund_is_never_retried_even_on_503() {
    let server = server().await;
    serve_raw(
        &server,
        "PUT",
        "/v2/sales/s1/refund",
        ResponseTemplate::new(503),
    )
    .await;
    let err = client(&server)
        .sales()
        .refund("s1", Refund::Partial { amount_cents: 100 })
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(requests(&server).await.len(), 1, "a refund is sent once");
}

#[tokio::test]
async fn resend_receipt_is_a_post() {
    let server = server().await;
    serve(
        &server,
        "POST",
        "/v2/sales/s1/resend_receipt",
        "resend_receipt.json",
    )
    .await;
    client(&server).sales().resend_receipt("s1").await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/v2/sales/s1/resend_receipt");
    insta::assert_json_snapshot!(exchange(&req, &json!(null)));
}

#[tokio::test]
async fn an_empty_sales_list_ends_the_stream_cleanly() {
    let server = server().await;
    serve(&server, "GET", "/v2/sales", "sales_empty.json").await;
    let sales: Vec<_> = client(&server)
        .sales()
        .list(&SalesQuery::new())
        .try_collect()
        .await
        .unwrap();
    assert!(sales.is_empty());
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn sale_2026_fields_are_typed_and_unknown_new_keys_are_ignored() {
    let server = server().await;
    serve(
        &server,
        "GET",
        "/v2/sales/bmV3U2FsZTIwMjY=",
        "sale_2026_fields.json",
    )
    .await;
    let sale = client(&server)
        .sales()
        .get("bmV3U2FsZTIwMjY=")
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(sale.currency.as_deref(), Some("eur"));
    assert_eq!(sale.tip_cents, Some(200));
    assert_eq!(sale.tax_label.as_deref(), Some("VAT"));
    assert_eq!(sale.processor_fee_cents, Some(59));
    assert_eq!(sale.license_uses, Some(4));
    assert_eq!(sale.utm_source.as_deref(), Some("newsletter"));
    // `fx_rate` is a decimal string, kept exactly as sent.
    let presentment = sale.buyer_presentment.as_ref().unwrap();
    assert_eq!(presentment.fx_rate.as_deref(), Some("0.9231"));
    assert_eq!(presentment.total_cents, Some(1290));
    assert_eq!(presentment.total_money().unwrap().to_string(), "12.90 EUR");
    // `price` stays USD cents; the buyer's own currency is in `buyer_presentment`.
    assert_eq!(
        sale.price_money().unwrap().currency(),
        creator_core::Currency::USD
    );
    insta::assert_json_snapshot!(exchange(&req, &sale));
}
