//! The unchanged gumroad-api client routed through Maton: its endpoints,
//! pagination and error mapping under the `/gumroad` prefix.

use std::sync::Arc;

use creator_core::{
    DateRange, Error, PersonSearch, Products, Provider, Sales, Subscribers, SubscriptionStatus,
    collect,
};
use creator_testkit::conformance::{self, ProductsCase, SalesCase, SubscribersCase};
use futures::TryStreamExt;
use gumroad_api::{SalesQuery, VerifyLicense};
use maton_gateway::MatonErrorKind;
use time::macros::date;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use creator_testkit::gumroad as small;

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
/// Maton's Gumroad guide says to paginate with `?page=`; Gumroad deprecated
/// `page` on `/v2/sales` (15 s timeout, HTTP 400) for the `page_key` cursor,
/// which is what the client sends through the gateway.
async fn maton_guide_page_param_is_not_used_page_keys_are_followed_through_the_gateway() {
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
            r.query_value("page"),
            None,
            "the deprecated `page` is never sent"
        );
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

// ---------------------------------------------------------------------------
// The creator-testkit conformance suite, through the gateway. The mock is a
// small Gumroad served under `/gumroad` from the Gumroad fixtures.
// ---------------------------------------------------------------------------

const MEMBERSHIP: &str = small::MEMBERSHIP_PRODUCT_ID;
const PRODUCT: &str = small::PRODUCT_ID;

/// Every request went to the gateway's `/gumroad/v2/` prefix with the Maton
/// key and the configured connection.
async fn assert_all_through_the_gateway(server: &MockServer) -> usize {
    let reqs = requests(server).await;
    for r in &reqs {
        assert!(r.path.starts_with("/gumroad/v2/"), "{}", r.path);
        assert_eq!(
            r.headers.get("maton-connection").map(String::as_str),
            Some(CONNECTION),
            "{}",
            r.path
        );
    }
    reqs.len()
}

#[tokio::test]
async fn gumroad_through_maton_passes_the_products_conformance_suite() {
    let server = MockServer::start().await;
    let pages = small::mount_products(&server, "/gumroad").await;
    fallback(&server).await;
    let gumroad = client_with_connection(&server).gumroad();
    conformance::products(
        &gumroad,
        &ProductsCase {
            total: 3,
            known_id: PRODUCT.into(),
            unknown_id: "nope".into(),
            pages,
        },
    )
    .await;
    let dyn_products: Arc<dyn Products> = Arc::new(gumroad);
    assert_eq!(dyn_products.provider(), Provider::Maton);
    let all = collect(dyn_products.list_products(Default::default()), None)
        .await
        .unwrap();
    assert!(all.iter().all(|p| p.provider == Provider::Maton));
    assert!(
        all[0]
            .provider_data()
            .downcast_ref::<gumroad_api::Product>()
            .is_some(),
        "the native Gumroad model is kept"
    );
    assert!(assert_all_through_the_gateway(&server).await > 0);
}

#[tokio::test]
async fn gumroad_through_maton_passes_the_sales_conformance_suite() {
    let server = MockServer::start().await;
    let pages = small::mount_sales(&server, "/gumroad").await;
    fallback(&server).await;
    let gumroad = client_with_connection(&server).gumroad();
    conformance::sales(
        &gumroad,
        &SalesCase {
            total: Some(5),
            by_product: Some((PRODUCT.into(), 3)),
            by_email: Some(("guest@example.com".into(), 1)),
            by_range: Some((
                DateRange {
                    after: Some(date!(2024 - 12 - 01)),
                    before: Some(date!(2025 - 03 - 01)),
                },
                2,
            )),
            known_id: Some("B28UKN-dvxYabdavG97Y-Q==".into()),
            unknown_id: "nope".into(),
            pages: pages.clone(),
        },
    )
    .await;
    assert!(assert_all_through_the_gateway(&server).await > 0);
    let reqs = requests(&server).await;
    let product_pages: Vec<_> = reqs
        .iter()
        .filter(|r| r.path == "/gumroad/v2/sales" && r.query_value("product_id").is_some())
        .collect();
    assert_eq!(
        product_pages.len(),
        2,
        "3 sales at 2 per page, filter on both"
    );
    assert_eq!(product_pages[1].query_value("page_key"), Some("cursor-2"));
    let dyn_sales: Arc<dyn Sales> = Arc::new(gumroad);
    assert_eq!(dyn_sales.provider(), Provider::Maton);
}

#[tokio::test]
async fn gumroad_through_maton_passes_the_subscribers_conformance_suite() {
    let server = MockServer::start().await;
    small::mount_products(&server, "/gumroad").await;
    small::mount_subscribers(&server, "/gumroad").await;
    fallback(&server).await;
    let gumroad = client_with_connection(&server).gumroad();
    conformance::subscribers(
        &gumroad,
        &SubscribersCase {
            total: 5,
            active: 3,
            by_product: Some((MEMBERSHIP.into(), 5)),
            searches: vec![(PersonSearch::Email("member@example.com".into()), 1)],
            unsupported_searches: vec![
                PersonSearch::NicknameExact("mara".into()),
                PersonSearch::NicknameContains("ma".into()),
            ],
            status_of: Some((
                small::CANCELLED_SUBSCRIBER_ID.into(),
                SubscriptionStatus::Cancelled,
            )),
            unknown_id: "nope".into(),
            listed_statuses: small::lapsed_subscribers(),
        },
    )
    .await;
    assert!(assert_all_through_the_gateway(&server).await > 0);
    let dyn_subs: Arc<dyn Subscribers> = Arc::new(gumroad);
    assert_eq!(dyn_subs.provider(), Provider::Maton);
}

#[tokio::test]
async fn maton_client_itself_passes_the_sales_conformance_suite_and_is_object_safe() {
    let server = MockServer::start().await;
    let pages = small::mount_sales(&server, "/gumroad").await;
    fallback(&server).await;
    let maton = client_with_connection(&server);
    conformance::sales(
        &maton,
        &SalesCase {
            total: Some(5),
            by_product: Some((PRODUCT.into(), 3)),
            by_email: Some(("guest@example.com".into(), 1)),
            by_range: None,
            known_id: Some("B28UKN-dvxYabdavG97Y-Q==".into()),
            unknown_id: "nope".into(),
            pages: pages.clone(),
        },
    )
    .await;
    let shops: Vec<Arc<dyn Sales>> = vec![Arc::new(maton.clone()), Arc::new(maton.gumroad())];
    for shop in shops {
        assert_eq!(shop.provider(), Provider::Maton);
        assert_eq!(
            collect(shop.list_sales(Default::default()), Some(2))
                .await
                .unwrap()
                .len(),
            2
        );
    }
    assert!(assert_all_through_the_gateway(&server).await > 0);
}

#[tokio::test]
async fn maton_client_itself_serves_products_and_subscribers() {
    let server = MockServer::start().await;
    small::mount_products(&server, "/gumroad").await;
    small::mount_subscribers(&server, "/gumroad").await;
    fallback(&server).await;
    let maton = client_with_connection(&server);
    assert_eq!(
        Products::product(&maton, PRODUCT).await.unwrap().id,
        PRODUCT
    );
    assert_eq!(
        Subscribers::subscription_status(&maton, "c3ViX21lbWJlcjE=")
            .await
            .unwrap(),
        SubscriptionStatus::Active
    );
    let subs = collect(
        Subscribers::list_subscribers(&maton, Default::default()),
        None,
    )
    .await
    .unwrap();
    assert_eq!(subs.len(), 5, "three pages, the last one without access");
    assert!(assert_all_through_the_gateway(&server).await > 0);
}

const HOOK_TOKEN: &str = "wh_7Qm2xK9pL4vN8rT1";

/// A Maton server answering `GET /gumroad/v2/sales/{sale}` with `answer`, and a
/// Gumroad receiver confirming through it.
async fn gumroad_hooks_answering(
    sale: &str,
    answer: &str,
) -> (MockServer, gumroad_api::webhook::GumroadWebhooks) {
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        &format!("/gumroad/v2/sales/{sale}"),
        answer,
        200,
    )
    .await;
    fallback(&server).await;
    let hooks = client_with_connection(&server)
        .gumroad_webhooks()
        .url_token(HOOK_TOKEN)
        .build()
        .unwrap();
    (server, hooks)
}

/// A Gumroad form delivery of a generated fixture, to the tokened URL.
fn gumroad_delivery(name: &str) -> creator_core::WebhookDelivery {
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "content-type",
        http::HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    creator_core::WebhookDelivery::new(
        format!("/hooks/gumroad?token={HOOK_TOKEN}")
            .parse()
            .unwrap(),
        headers,
        fixture(&format!("gumroad/webhooks/{name}")),
    )
}

#[tokio::test]
async fn gumroad_webhook_confirm_reads_the_sale_back_through_the_gateway() {
    use creator_core::Webhooks;
    const SALE_ID: &str = "FO8TXN-dvxYabdavG97Y-Q==";
    let (server, hooks) = gumroad_hooks_answering(SALE_ID, "gumroad/webhooks/api/sale.json").await;
    let delivery = gumroad_delivery("sale.form");
    let event = hooks.receive(&delivery).unwrap();
    let fresh = hooks.confirm(&event).await.unwrap();
    assert_eq!(fresh.identity(), event.identity());
    assert!(
        fresh
            .sale
            .as_ref()
            .unwrap()
            .provider_data()
            .downcast_ref::<gumroad_api::Sale>()
            .is_some(),
        "the sale as the API (through Maton) reports it"
    );
    let req = only_request(&server).await;
    assert_eq!(req.path, format!("/gumroad/v2/sales/{SALE_ID}"));
    assert_eq!(
        req.headers.get("maton-connection").map(String::as_str),
        Some(CONNECTION)
    );
}

#[tokio::test]
async fn a_forged_refund_is_not_confirmed_through_the_gateway_either() {
    use creator_core::{Error, EventKind, WebhookError, Webhooks};
    const SALE_ID: &str = "FO8TXN-dvxYabdavG97Y-Q==";
    // The sale as Gumroad reports it through Maton: live, not refunded.
    let (server, hooks) = gumroad_hooks_answering(SALE_ID, "gumroad/webhooks/api/sale.json").await;
    let delivery = gumroad_delivery("refund.form");
    let event = hooks.receive(&delivery).unwrap();
    assert_eq!(event.kind, EventKind::Refund);
    match hooks.confirm(&event).await {
        Err(Error::Webhook(e @ WebhookError::Unconfirmed { .. })) => {
            assert!(e.to_string().contains("claims a refund"), "{e}");
        }
        other => panic!("a refund of a live sale must not confirm: {other:?}"),
    }
    assert_eq!(
        only_request(&server).await.path,
        format!("/gumroad/v2/sales/{SALE_ID}")
    );
}

/// Through the gateway too, `maton.gumroad_webhooks().confirm(..)` and
/// `maton.gumroad().sale(id)` return equal values for one sale: both tagged
/// `Provider::Maton` (the values the gateway's client returns), both with the
/// purchase email.
#[tokio::test]
async fn confirm_and_sale_through_the_gateway_return_equal_values() {
    use creator_core::{Provider, Sales, Webhooks};
    const SALE_ID: &str = "FO8TXN-dvxYabdavG97Y-Q==";
    let (server, hooks) =
        gumroad_hooks_answering(SALE_ID, "gumroad/webhooks/api/sale_account_email.json").await;
    let event = hooks.receive(&gumroad_delivery("sale.form")).unwrap();
    let confirmed = hooks.confirm(&event).await.unwrap().sale.unwrap();
    let read = client_with_connection(&server)
        .gumroad()
        .sale(SALE_ID)
        .await
        .unwrap();
    creator_testkit::assert_same_sale::<gumroad_api::Sale>(&confirmed, &read);
    assert_eq!(confirmed.provider, Provider::Maton);
    assert_eq!(
        confirmed.customer.email.as_deref(),
        Some("buyer+gumroad@example.com")
    );
    assert_eq!(requests(&server).await.len(), 2);
}
