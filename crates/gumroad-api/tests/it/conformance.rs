//! The creator-testkit conformance suite, run against the Gumroad client
//! over wiremock, plus checks of the normalization itself.

use std::sync::Arc;

use creator_core::{
    Currency, DateRange, Error, PersonSearch, ProductKind, Products, SaleQuery, Sales,
    SubscriberQuery, Subscribers, SubscriptionStatus, collect,
};
use creator_testkit::conformance::{self, ProductsCase, SalesCase, SubscribersCase};
use gumroad_api::GumroadClient;
use time::macros::date;
use wiremock::Mock;
use wiremock::matchers::{method, path};

use creator_testkit::gumroad as small;

use crate::common::*;

const MEMBERSHIP: &str = small::MEMBERSHIP_PRODUCT_ID;

#[tokio::test]
async fn gumroad_passes_the_products_conformance_suite() {
    let server = server().await;
    let pages = small::mount_products(&server, "").await;
    let client = client(&server);
    conformance::products(
        &client,
        &ProductsCase {
            total: 3,
            known_id: "A-m3CDDC5dlrSdKZp0RFhA==".into(),
            unknown_id: "nope".into(),
            pages,
        },
    )
    .await;
    // Held as a trait object too.
    let dyn_products: Arc<dyn Products> = Arc::new(client);
    assert_eq!(
        collect(dyn_products.list_products(Default::default()), None)
            .await
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn gumroad_passes_the_sales_conformance_suite() {
    let server = server().await;
    let pages = small::mount_sales(&server, "").await;
    let client = client(&server);
    conformance::sales(
        &client,
        &SalesCase {
            total: Some(5),
            by_product: Some(("A-m3CDDC5dlrSdKZp0RFhA==".into(), 3)),
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
            pages,
        },
    )
    .await;
    // Every page of a filtered listing carried the filter.
    let reqs = requests(&server).await;
    let product_pages: Vec<_> = reqs
        .iter()
        .filter(|r| r.path == "/v2/sales" && r.query_value("product_id").is_some())
        .collect();
    assert_eq!(product_pages.len(), 2, "3 sales at 2 per page");
    assert_eq!(product_pages[1].query_value("page_key"), Some("cursor-2"));
}

#[tokio::test]
async fn gumroad_passes_the_subscribers_conformance_suite() {
    let server = server().await;
    small::mount_products(&server, "").await;
    small::mount_subscribers(&server, "").await;
    let client = client(&server);
    conformance::subscribers(
        &client,
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
}

#[tokio::test]
async fn subscribers_without_a_product_walk_only_membership_products() {
    let server = server().await;
    small::mount_products(&server, "").await;
    small::mount_subscribers(&server, "").await;
    let subs = collect(
        Subscribers::list_subscribers(&client(&server), SubscriberQuery::new()),
        None,
    )
    .await
    .unwrap();
    assert_eq!(subs.len(), 5);
    let subscriber_paths: Vec<_> = requests(&server)
        .await
        .into_iter()
        .filter(|r| r.path.ends_with("/subscribers"))
        .map(|r| r.path)
        .collect();
    assert_eq!(
        subscriber_paths,
        vec![format!("/v2/products/{MEMBERSHIP}/subscribers"); 3],
        "only the membership product is asked, page by page"
    );
    let statuses: Vec<_> = subs.iter().map(|s| s.status.clone()).collect();
    assert_eq!(
        statuses,
        [
            SubscriptionStatus::Active,
            SubscriptionStatus::PendingCancellation,
            SubscriptionStatus::PastDue,
            SubscriptionStatus::Cancelled,
            SubscriptionStatus::Ended,
        ],
        "cancelled and failed subscriptions are listed, without access"
    );
    let native = subs[0]
        .provider_data()
        .downcast_ref::<gumroad_api::Subscriber>()
        .unwrap();
    assert_eq!(
        native.license_key.as_deref(),
        Some("00000000-5934B940-35F1DA81-6938C101")
    );
}

#[tokio::test]
async fn nickname_search_is_unsupported_as_the_first_item_without_any_request() {
    let server = server().await;
    let client = client(&server);
    let mut s = Subscribers::list_subscribers(
        &client,
        SubscriberQuery::new().search(PersonSearch::NicknameExact("x".into())),
    );
    let first = futures::StreamExt::next(&mut s).await.unwrap();
    assert!(matches!(first, Err(Error::Unsupported { .. })));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn normalized_sale_keeps_usd_amount_and_the_native_model() {
    let server = server().await;
    small::mount_sales(&server, "").await;
    let client = client(&server);
    let sales = collect(Sales::list_sales(&client, SaleQuery::new()), None)
        .await
        .unwrap();
    let jpy = sales.iter().find(|s| s.id == "cGh5c2ljYWxTYWxl").unwrap();
    assert_eq!(jpy.amount.unwrap().currency(), Currency::USD);
    assert_eq!(jpy.amount.unwrap().minor_units(), 799);
    assert!(jpy.refunded, "partial refund");
    let member = &sales[0];
    assert_eq!(member.subscription_id.as_deref(), Some("c3ViX21lbWJlcjE="));
    assert_eq!(member.customer.id.as_deref(), Some("7172839405123"));
    assert_eq!(member.customer.name.as_deref(), Some("Person 7b314714"));
    let native = member
        .provider_data()
        .downcast_ref::<gumroad_api::Sale>()
        .unwrap();
    assert_eq!(
        native.affiliate.as_ref().and_then(|a| a.email.as_deref()),
        Some("friend@example.com")
    );
    insta::assert_json_snapshot!(sales);
}

#[tokio::test]
async fn normalized_products_kind_price_and_native_model() {
    let server = server().await;
    small::mount_products(&server, "").await;
    let products = collect(
        Products::list_products(&client(&server), Default::default()),
        None,
    )
    .await
    .unwrap();
    let kinds: Vec<_> = products.iter().map(|p| p.kind.clone()).collect();
    assert_eq!(
        kinds,
        [
            ProductKind::Digital,
            ProductKind::Membership,
            ProductKind::Physical
        ]
    );
    assert_eq!(products[2].price.unwrap().currency(), Currency::JPY);
    assert_eq!(products[2].published, Some(false));
    assert!(
        products[0]
            .provider_data()
            .downcast_ref::<gumroad_api::Product>()
            .is_some()
    );
    insta::assert_json_snapshot!(products);
}

#[tokio::test]
async fn the_trait_impls_work_unchanged_through_a_prefixed_transport() {
    use creator_core::http::{Auth, Transport};
    let server = server().await;
    // The same mocks, behind a `/gumroad` prefix as with Maton.
    let data = small::SalesServer::from_fixtures();
    Mock::given(method("GET"))
        .and(path("/gumroad/v2/sales"))
        .respond_with(data)
        .mount(&server)
        .await;
    let transport = Transport::builder(
        creator_core::Provider::Maton,
        format!("{}/gumroad", server.uri()),
    )
    .auth(Auth::bearer(TOKEN))
    .classifier(Arc::new(gumroad_api::GumroadClassifier))
    .build()
    .unwrap();
    let client = GumroadClient::from_transport(transport);
    let sales = collect(
        Sales::list_sales(
            &client,
            SaleQuery::new().product("A-m3CDDC5dlrSdKZp0RFhA=="),
        ),
        None,
    )
    .await
    .unwrap();
    assert_eq!(sales.len(), 3);
    assert!(
        sales
            .iter()
            .all(|s| s.provider == creator_core::Provider::Maton)
    );
    assert_eq!(requests(&server).await.len(), 2);
}
