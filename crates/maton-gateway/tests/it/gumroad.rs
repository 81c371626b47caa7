//! The unchanged gumroad-api client routed through Maton: its endpoints,
//! pagination and error mapping under the `/gumroad` prefix.

use creator_core::{Error, Provider};
use futures::TryStreamExt;
use gumroad_api::{SalesQuery, VerifyLicense};
use maton_gateway::MatonErrorKind;
use time::macros::date;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

const KEY1: &str = "20250220221540000000-2938475";
const KEY2: &str = "20241120101112000000-1029384";

async fn mount_sales_pages(server: &MockServer) {
    for (key, page) in [
        (None, "gumroad/sales_page1.json"),
        (Some(KEY1), "gumroad/sales_page2.json"),
        (Some(KEY2), "gumroad/sales_page3.json"),
    ] {
        let mock = Mock::given(method("GET")).and(path("/gumroad/v2/sales"));
        let mock = match key {
            None => mock.and(query_param_is_missing("page_key")),
            Some(k) => mock.and(query_param("page_key", k)),
        };
        mock.respond_with(
            ResponseTemplate::new(200).set_body_raw(fixture(page), "application/json"),
        )
        .mount(server)
        .await;
    }
}

#[tokio::test]
async fn sales_stream_follows_page_keys_through_the_gateway_keeping_filters_and_connection() {
    let server = MockServer::start().await;
    mount_sales_pages(&server).await;
    fallback(&server).await;

    let sales: Vec<_> = client_with_connection(&server)
        .gumroad()
        .sales()
        .list(&SalesQuery::new().after(date!(2024 - 01 - 01)))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(sales.len(), 5);
    let reqs = requests(&server).await;
    let keys: Vec<_> = reqs.iter().map(|r| r.query_value("page_key")).collect();
    assert_eq!(keys, vec![None, Some(KEY1), Some(KEY2)]);
    for r in &reqs {
        assert_eq!(r.path, "/gumroad/v2/sales");
        assert_eq!(r.query_value("after"), Some("2024-01-01"), "filter kept");
        assert_eq!(
            r.headers.get("maton-connection").map(String::as_str),
            Some(CONNECTION)
        );
    }
}

#[tokio::test]
async fn license_verify_goes_through_the_gateway_with_the_maton_key() {
    let server = MockServer::start().await;
    serve(
        &server,
        "POST",
        "/gumroad/v2/licenses/verify",
        "gumroad/license_verify.json",
        200,
    )
    .await;
    fallback(&server).await;
    let license = client(&server)
        .gumroad()
        .licenses()
        .verify(
            &VerifyLicense::new(
                "A-m3CDDC5dlrSdKZp0RFhA==",
                "00000000-1C2D3E4F-5A6B7C8D-9E0F1A2B",
            )
            .increment_uses_count(false),
        )
        .await
        .unwrap();
    assert_eq!(license.uses, Some(3));
    // `requests` checks the Maton key is the bearer even for this tokenless Gumroad endpoint.
    let req = only_request(&server).await;
    assert_eq!(
        req.form_value("product_id"),
        Some("A-m3CDDC5dlrSdKZp0RFhA==")
    );
    assert_eq!(req.form_value("increment_uses_count"), Some("false"));
    assert_eq!(
        req.headers.get("content-type").map(String::as_str),
        Some("application/x-www-form-urlencoded")
    );
}

#[tokio::test]
async fn gumroad_license_500_is_not_mistaken_for_a_maton_500() {
    let server = MockServer::start().await;
    serve(
        &server,
        "POST",
        "/gumroad/v2/licenses/verify",
        "gumroad/license_product_id_required_500.json",
        500,
    )
    .await;
    fallback(&server).await;
    let err = client(&server)
        .gumroad()
        .licenses()
        .verify(&VerifyLicense::new(
            "pencil",
            "00000000-1C2D3E4F-5A6B7C8D-9E0F1A2B",
        ))
        .await
        .unwrap_err();
    assert_eq!(MatonErrorKind::of(&err), None, "{err:?}");
    assert!(
        matches!(&err, Error::Api { provider: Provider::Gumroad, status: 500, code: Some(c), .. } if c == "product_id_required"),
        "{err:?}"
    );
    assert_eq!(
        gumroad_api::required_product_id(&err).as_deref(),
        Some("A-m3CDDC5dlrSdKZp0RFhA==")
    );
}

#[tokio::test]
async fn gumroad_license_404_passes_through_as_not_found() {
    let server = MockServer::start().await;
    serve(
        &server,
        "POST",
        "/gumroad/v2/licenses/verify",
        "gumroad/license_not_found_404.json",
        404,
    )
    .await;
    fallback(&server).await;
    let err = client(&server)
        .gumroad()
        .licenses()
        .verify(&VerifyLicense::new("A-m3CDDC5dlrSdKZp0RFhA==", "nope"))
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(err.provider(), Some(Provider::Gumroad));
    assert!(
        err.to_string().contains("That license does not exist"),
        "{err}"
    );
}

#[tokio::test]
async fn gumroad_page_deprecated_400_passes_through_not_as_no_connection() {
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        "/gumroad/v2/sales",
        "gumroad/error_400_page_deprecated.json",
        400,
    )
    .await;
    fallback(&server).await;
    let err = client(&server)
        .gumroad()
        .sales()
        .list(&SalesQuery::new())
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(MatonErrorKind::of(&err), None, "{err:?}");
    assert_eq!(err.provider(), Some(Provider::Gumroad));
    assert!(err.to_string().contains("page_key"), "{err}");
}

#[tokio::test]
async fn values_from_the_gateway_are_tagged_maton() {
    let server = MockServer::start().await;
    serve(&server, "GET", "/gumroad/v2/user", "gumroad/user.json", 200).await;
    fallback(&server).await;
    let gumroad = client(&server).gumroad();
    assert_eq!(gumroad.provider(), Provider::Maton);
    gumroad.user().get().await.unwrap();
}
