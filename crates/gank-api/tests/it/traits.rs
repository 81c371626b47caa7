//! The creator-core traits implemented on GankClient.

use creator_core::verify::Unverified;
use creator_core::{
    Error, EventKind, PersonSearch, ProductKind, ProductQuery, Products, SaleQuery, Sales,
    SubscriberQuery, Subscribers, SubscriptionStatus, WebhookDelivery, WebhookError, WebhookEvent,
    Webhooks, collect,
};
use gank_api::{GankSubscriber, GankWebhooks, Listing, MembershipSetting, Transaction};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::common::{Hosts, fixture, ok_fixture};
use crate::q;

const USER: &str = "fba1aaba-ffb5-42ae-8571-6ec0eb337802";

#[test]
fn the_client_is_usable_as_trait_objects() {
    let client = gank_api::GankClient::builder().build().unwrap();
    let _: Vec<Box<dyn Products>> = vec![Box::new(client.clone())];
    let _: Box<dyn Sales> = Box::new(client.clone());
    let _: Box<dyn Subscribers> = Box::new(client.clone());
    let hooks = GankWebhooks::builder()
        .verifier(Unverified)
        .client(client)
        .build()
        .unwrap();
    let _: Box<dyn Webhooks> = Box::new(hooks);
}

#[tokio::test]
async fn products_are_listings_then_membership_tiers_with_native_models_kept() {
    let hosts = Hosts::start().await;
    hosts.v1_get("/v1/users/me", "users_me.json").await;
    Mock::given(method("GET"))
        .and(path("/v1/catalogs/services"))
        .and(query_param("page", "1"))
        .respond_with(ok_fixture("listings_page1.json"))
        .mount(&hosts.v1)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/catalogs/services"))
        .and(query_param("page", "2"))
        .respond_with(ok_fixture("listings_data_null.json"))
        .mount(&hosts.v1)
        .await;
    hosts
        .v1_get(
            &format!("/v1/users/membership-settings-v2/{USER}"),
            "membership_settings.json",
        )
        .await;
    hosts.fallbacks().await;
    let client = hosts.client();
    let products = collect(client.list_products(ProductQuery::new()), None)
        .await
        .unwrap();
    let kinds: Vec<_> = products.iter().map(|p| p.kind.clone()).collect();
    assert_eq!(
        kinds,
        [
            ProductKind::Service,
            ProductKind::Service,
            ProductKind::Membership,
            ProductKind::Membership
        ]
    );
    assert!(
        products[0]
            .provider_data()
            .downcast_ref::<Listing>()
            .is_some()
    );
    assert!(
        products[2]
            .provider_data()
            .downcast_ref::<MembershipSetting>()
            .is_some()
    );
    let sent: Vec<_> = hosts.v1_sent().await.iter().map(|s| s.line()).collect();
    assert_eq!(
        sent[0], "GET /v1/users/me",
        "the user id is looked up first"
    );
    insta::assert_json_snapshot!(products);

    let tier = client
        .product("8a41d2c6-1f5e-4b9d-b7a3-0c6e2f8d1a95")
        .await
        .unwrap();
    assert_eq!(tier.name, "Studio Supporter");
    assert_eq!(tier.price.map(|m| m.minor_units()), Some(1250));
    let listing = client
        .product("f3f17de3-5a40-4e50-9cb3-60c071e6464e")
        .await
        .unwrap();
    assert_eq!(listing.price.map(|m| m.minor_units()), Some(1000));
    assert!(
        client
            .product("no-such-id")
            .await
            .unwrap_err()
            .is_not_found()
    );
}

#[tokio::test]
async fn products_without_any_way_to_know_the_user_is_a_config_error() {
    let hosts = Hosts::start().await;
    hosts.fallbacks().await;
    let client = hosts.builder().build().unwrap();
    let err = collect(client.list_products(ProductQuery::new()), None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Config(ref m) if m.contains("login token")),
        "{err:?}"
    );
    assert!(hosts.v1_sent().await.is_empty());
}

async fn mount_subscribers(hosts: &Hosts, active: &str, fixture_name: &str) {
    Mock::given(method("GET"))
        .and(path("/payment/creator/subscribers"))
        .and(query_param("active", active))
        .respond_with(ok_fixture(fixture_name))
        .mount(&hosts.v2)
        .await;
}

#[tokio::test]
async fn subscribers_list_active_then_inactive_with_statuses() {
    let hosts = Hosts::start().await;
    mount_subscribers(&hosts, "true", "subscribers_export.json").await;
    mount_subscribers(&hosts, "false", "subscribers_inactive.json").await;
    hosts.fallbacks().await;
    let client = hosts.client();
    let subs = collect(
        Subscribers::list_subscribers(
            &client,
            SubscriberQuery::new()
                .product("0d6c3f8e-4b1a-4c57-9a57-2f0b1d7e9c11")
                .search(PersonSearch::NicknameContains("o".into())),
        ),
        None,
    )
    .await
    .unwrap();
    let statuses: Vec<_> = subs.iter().map(|s| s.status.clone()).collect();
    assert_eq!(
        statuses,
        [
            SubscriptionStatus::Active,
            SubscriptionStatus::Active,
            SubscriptionStatus::Inactive
        ]
    );
    assert!(
        subs[0]
            .provider_data()
            .downcast_ref::<GankSubscriber>()
            .is_some()
    );
    let sent = hosts.v2_sent().await;
    assert_eq!(sent.len(), 2);
    assert_eq!(
        sent[0].query,
        q!(
            "active" => "true",
            "search_nickname_pattern" => "o",
            "membership_setting_id" => "0d6c3f8e-4b1a-4c57-9a57-2f0b1d7e9c11",
            "page" => "1",
        )
    );
    assert_eq!(sent[1].query("active"), ["false"]);
    insta::assert_json_snapshot!(subs);

    let only_active = collect(
        Subscribers::list_subscribers(&client, SubscriberQuery::new().active_only()),
        None,
    )
    .await
    .unwrap();
    assert_eq!(only_active.len(), 2);
}

#[tokio::test]
async fn subscribers_cannot_be_searched_by_email() {
    let hosts = Hosts::start().await;
    hosts.fallbacks().await;
    let err = collect(
        Subscribers::list_subscribers(
            &hosts.client(),
            SubscriberQuery::new().search(PersonSearch::Email("fan@example.com".into())),
        ),
        None,
    )
    .await
    .unwrap_err();
    assert!(err.is_unsupported(), "{err:?}");
    assert!(hosts.v2_sent().await.is_empty());
}

#[tokio::test]
async fn subscription_status_accepts_payment_ids_and_subscriber_ids() {
    let hosts = Hosts::start().await;
    hosts
        .v2_get(
            "/payment/creator/subscription/pay-1/status",
            "subscription_status_inactive.json",
        )
        .await;
    Mock::given(method("GET"))
        .and(path("/payment/creator/subscribers/export"))
        .and(query_param("active", "true"))
        .respond_with(ok_fixture("subscribers_export.json"))
        .mount(&hosts.v2)
        .await;
    Mock::given(method("GET"))
        .and(path("/payment/creator/subscribers/export"))
        .and(query_param("active", "false"))
        .respond_with(ok_fixture("subscribers_inactive.json"))
        .mount(&hosts.v2)
        .await;
    hosts.fallbacks().await;
    let client = hosts.client();
    assert_eq!(
        client.subscription_status("pay-1").await.unwrap(),
        SubscriptionStatus::Inactive
    );
    assert_eq!(
        client
            .subscription_status(
                "a3e51c07-9d2b-4f68-b1e4-7c8d0f2a6b53:0d6c3f8e-4b1a-4c57-9a57-2f0b1d7e9c11"
            )
            .await
            .unwrap(),
        SubscriptionStatus::Active
    );
    assert_eq!(
        client
            .subscription_status(
                "c91f0e2d-5a7b-4c3e-8f1d-2b6a9e0c4d78:8a41d2c6-1f5e-4b9d-b7a3-0c6e2f8d1a95"
            )
            .await
            .unwrap(),
        SubscriptionStatus::Inactive
    );
    assert!(
        client
            .subscription_status("nobody:0d6c3f8e")
            .await
            .unwrap_err()
            .is_not_found()
    );
}

/// [CODE], undocumented: the wallet list (see transactions.rs).
#[tokio::test]
async fn sales_come_from_the_wallet_list_with_filters_applied_per_row() {
    let hosts = Hosts::start().await;
    // 2 rows on a page of 100 is the last page: the fallback answers 599 to anything more.
    Mock::given(method("GET"))
        .and(path("/payment/transactions"))
        .and(query_param("page", "1"))
        .respond_with(ok_fixture("transactions_page1.json"))
        .mount(&hosts.v2)
        .await;
    hosts.fallbacks().await;
    let client = hosts.client();
    let all = collect(client.list_sales(SaleQuery::new()), None)
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    assert!(
        all[0]
            .provider_data()
            .downcast_ref::<Transaction>()
            .is_some()
    );
    let sent = hosts.v2_sent().await;
    assert_eq!(
        sent[0].query,
        q!("page" => "1", "per_page" => "100", "usecases_client" => "WALLET_GANK_EARNING_TX")
    );
    assert_eq!(sent[0].token, "login");
    insta::assert_json_snapshot!(all);

    let ids = |sales: Vec<creator_core::Sale>| sales.into_iter().map(|s| s.id).collect::<Vec<_>>();
    let by_product = collect(
        client.list_sales(SaleQuery::new().product("4ae9d5c2-959f-42d6-a463-6c0003c95c8c")),
        None,
    )
    .await
    .unwrap();
    assert_eq!(ids(by_product), ["DG-260227-5U7OZOIXN"]);
    let by_email = collect(
        client.list_sales(SaleQuery::new().email("NOTRUFF4@example.com")),
        None,
    )
    .await
    .unwrap();
    assert_eq!(ids(by_email), ["UM-260105-5UOW4VDKN"]);
    let since_february = collect(
        client.list_sales(SaleQuery::new().after(time::macros::date!(2026 - 02 - 01))),
        None,
    )
    .await
    .unwrap();
    assert_eq!(ids(since_february), ["DG-260227-5U7OZOIXN"]);
    let before_february = collect(
        client.list_sales(SaleQuery::new().before(time::macros::date!(2026 - 02 - 01))),
        None,
    )
    .await
    .unwrap();
    assert_eq!(ids(before_february), ["UM-260105-5UOW4VDKN"]);
}

#[tokio::test]
async fn one_sale_is_the_transaction_detail() {
    let hosts = Hosts::start().await;
    hosts
        .v1_get(
            "/v1/payment/transaction/UM-260105-5UOW4VDKN",
            "transaction_membership.json",
        )
        .await;
    hosts.fallbacks().await;
    let sale = hosts.client().sale("UM-260105-5UOW4VDKN").await.unwrap();
    assert_eq!(sale.amount.map(|m| m.minor_units()), Some(500));
    assert_eq!(sale.customer.nickname.as_deref(), Some("notruff4"));
    insta::assert_json_snapshot!(sale);
}

fn unsigned_hooks(hosts: &Hosts) -> GankWebhooks {
    unsigned_hooks_of(hosts, Some(USER))
}

/// A receiver that accepts unsigned deliveries and confirms through a client
/// for `user` (`None`: ask `/v1/users/me`).
fn unsigned_hooks_of(hosts: &Hosts, user: Option<&str>) -> GankWebhooks {
    let mut builder = hosts.builder().login_token(crate::common::LOGIN);
    if let Some(user) = user {
        builder = builder.user_id(user);
    }
    GankWebhooks::builder()
        .verifier(Unverified)
        .client(builder.build().unwrap())
        .build()
        .unwrap()
}

fn received(hooks: &GankWebhooks, fixture_name: &str) -> WebhookEvent {
    hooks
        .receive(&WebhookDelivery::with_content_type(
            "application/json",
            fixture(fixture_name),
        ))
        .unwrap()
}

fn unconfirmed_reason(result: creator_core::Result<WebhookEvent>) -> String {
    match result {
        Err(Error::Webhook(e @ WebhookError::Unconfirmed { .. })) => {
            assert!(e.is_verification_failure());
            e.to_string()
        }
        other => panic!("expected Unconfirmed, got {other:?}"),
    }
}

/// Hosts answering `GET /v1/payment/transaction/UM-250925-NWKBIKATC` (the
/// documented membership delivery's payment), and a receiver confirming through them.
async fn hooks_reading_the_membership_payment() -> (Hosts, GankWebhooks) {
    let hosts = Hosts::start().await;
    hosts
        .v1_get(
            "/v1/payment/transaction/UM-250925-NWKBIKATC",
            "transaction_webhook_membership.json",
        )
        .await;
    hosts.fallbacks().await;
    let hooks = unsigned_hooks(&hosts);
    (hosts, hooks)
}

#[tokio::test]
async fn confirm_re_reads_the_transaction_by_human_id_before_anything_is_granted() {
    let (hosts, hooks) = hooks_reading_the_membership_payment().await;
    let delivery = WebhookDelivery::with_content_type(
        "application/json",
        fixture("webhook_user_membership.json"),
    );
    let event = hooks.receive(&delivery).unwrap();
    let confirmed = hooks.confirm(&event).await.unwrap();
    let sent = crate::common::only(&hosts.v1).await;
    assert_eq!(
        sent.line(),
        "GET /v1/payment/transaction/UM-250925-NWKBIKATC"
    );
    assert_eq!(sent.token, "login");
    assert_eq!(confirmed.kind, EventKind::MembershipPayment);
    assert_eq!(confirmed.identity(), event.identity());
    let sale = confirmed.sale.as_ref().unwrap();
    assert_eq!(
        sale.amount.map(|m| m.minor_units()),
        Some(515),
        "the API adds the amount"
    );
    assert!(
        confirmed
            .provider_data()
            .downcast_ref::<Transaction>()
            .is_some()
    );
    insta::assert_json_snapshot!(confirmed);
}

#[tokio::test]
async fn confirm_refuses_an_event_the_api_contradicts() {
    let hosts = Hosts::start().await;
    hosts
        .v1_get(
            "/v1/payment/transaction/UM-250925-NWKBIKATC",
            "transaction_pending.json",
        )
        .await;
    hosts
        .v1_get(
            "/v1/payment/transaction/DG-260227-5U7OZOIXN",
            "transaction_membership.json",
        )
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/payment/transaction/DG-FORGED"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_raw(r#"{"message":"not found"}"#, "application/json"),
        )
        .mount(&hosts.v1)
        .await;
    hosts.fallbacks().await;
    let hooks = unsigned_hooks(&hosts);
    let parse = |name: &str| {
        hooks
            .parse(&WebhookDelivery::with_content_type(
                "application/json",
                fixture(name),
            ))
            .unwrap()
    };

    let pending = hooks
        .confirm(&parse("webhook_user_membership.json"))
        .await
        .unwrap_err();
    assert!(
        matches!(&pending, Error::Webhook(WebhookError::Unconfirmed { reason }) if reason.contains("PENDING")),
        "{pending:?}"
    );
    let mismatched = hooks
        .confirm(&parse("webhook_digital_goods.json"))
        .await
        .unwrap_err();
    assert!(
        matches!(&mismatched, Error::Webhook(WebhookError::Unconfirmed { reason }) if reason.contains("UM-260105-5UOW4VDKN")),
        "{mismatched:?}"
    );
    let forged = hooks
        .confirm(
            &hooks
                .parse(&WebhookDelivery::with_content_type(
                    "application/json",
                    &br#"{"event":"DIGITAL_GOODS.TX_SUCCEED","data":{"human_id":"DG-FORGED"}}"#[..],
                ))
                .unwrap(),
        )
        .await
        .unwrap_err();
    assert!(forged.is_not_found(), "{forged:?}");
    let no_subject = hooks
        .parse(&WebhookDelivery::with_content_type(
            "application/json",
            &br#"{"event":"PAYOUT.TX_SUCCEED","data":{}}"#[..],
        ))
        .unwrap();
    assert!(
        hooks
            .confirm(&no_subject)
            .await
            .unwrap_err()
            .is_unsupported()
    );
}

#[tokio::test]
async fn confirm_refuses_a_payment_of_another_creator() {
    let hosts = Hosts::start().await;
    hosts
        .v1_get(
            "/v1/payment/transaction/UM-250925-NWKBIKATC",
            "transaction_webhook_membership.json",
        )
        .await;
    hosts.fallbacks().await;
    // The transaction's creator_user_id is fba1aaba-…, the fixtures' creator.
    let hooks = unsigned_hooks_of(&hosts, Some("0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"));
    let event = received(&hooks, "webhook_user_membership.json");
    let reason = unconfirmed_reason(hooks.confirm(&event).await);
    assert!(
        reason.contains("belongs to creator `fba1aaba-ffb5-42ae-8571-6ec0eb337802`"),
        "{reason}"
    );
}

#[tokio::test]
async fn confirm_asks_users_me_for_the_creator_when_no_user_id_is_configured() {
    let hosts = Hosts::start().await;
    hosts
        .v1_get(
            "/v1/payment/transaction/DG-260227-5U7OZOIXN",
            "transaction_digital_goods_enveloped.json",
        )
        .await;
    hosts.v1_get("/v1/users/me", "users_me.json").await;
    hosts.fallbacks().await;
    let hooks = unsigned_hooks_of(&hosts, None);
    let confirmed = hooks
        .confirm(&received(&hooks, "webhook_digital_goods.json"))
        .await
        .unwrap();
    assert_eq!(confirmed.kind, EventKind::Sale);
    let lines: Vec<String> = crate::common::sent(&hosts.v1)
        .await
        .iter()
        .map(|s| s.line())
        .collect();
    assert_eq!(
        lines,
        [
            "GET /v1/payment/transaction/DG-260227-5U7OZOIXN",
            "GET /v1/users/me"
        ]
    );
}

#[tokio::test]
async fn confirm_refuses_a_claim_of_the_wrong_usecase() {
    // The membership payment, under the digital-goods event's human_id: a
    // DIGITAL_GOODS.TX_SUCCEED claim on it must not confirm.
    let membership = String::from_utf8(fixture("transaction_webhook_membership.json"))
        .unwrap()
        .replace("UM-250925-NWKBIKATC", "DG-260227-5U7OZOIXN");
    let hosts = Hosts::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/payment/transaction/DG-260227-5U7OZOIXN"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(membership, "application/json"))
        .mount(&hosts.v1)
        .await;
    hosts.fallbacks().await;
    let hooks = unsigned_hooks(&hosts);
    let reason = unconfirmed_reason(
        hooks
            .confirm(&received(&hooks, "webhook_digital_goods.json"))
            .await,
    );
    assert!(
        reason.contains("claims a DIGITAL_GOODS payment")
            && reason.contains("USER_MEMBERSHIP_RECURRING"),
        "{reason}"
    );
}

#[tokio::test]
async fn confirm_never_takes_the_product_from_the_delivery() {
    // A transaction detail in the documented sample's shape, naming no listing
    // (fixtures/gank/transaction_digital_goods_minimal.json, synthesized).
    let hosts = Hosts::start().await;
    hosts
        .v1_get(
            "/v1/payment/transaction/DG-260227-5U7OZOIXN",
            "transaction_digital_goods_minimal.json",
        )
        .await;
    hosts.fallbacks().await;
    let hooks = unsigned_hooks(&hosts);
    let event = received(&hooks, "webhook_digital_goods.json");
    let delivered = event.sale.as_ref().unwrap();
    assert!(delivered.product_id.is_some() && delivered.product_name.is_some());
    let confirmed = hooks.confirm(&event).await.unwrap();
    let sale = confirmed.sale.as_ref().unwrap();
    assert_eq!(sale.product_id, None, "not the delivery's catalog_id");
    assert_eq!(sale.product_name, None, "not the delivery's catalog_title");
    assert_eq!(sale.amount, None);
    assert_eq!(
        sale.customer.id.as_deref(),
        Some("211376af-8e3c-4d1b-9f6a-2c7e5b0d4a18"),
        "what the API says is kept"
    );
    assert!(confirmed.subscriber.is_none());
}

#[tokio::test]
async fn confirm_without_a_client_is_a_config_error_before_any_request() {
    let hooks = GankWebhooks::builder()
        .verifier(Unverified)
        .build()
        .unwrap();
    let event = received(&hooks, "webhook_digital_goods.json");
    let err = hooks.confirm(&event).await.unwrap_err();
    assert!(
        matches!(&err, Error::Config(m) if m.contains("needs a client")),
        "{err:?}"
    );
}

/// `confirm` and `Sales::sale` map the transaction with one function
/// (normalize.rs), so they return equal values for one payment; and the
/// delivery's sale names the same customer as the API's.
#[tokio::test]
async fn confirm_and_sales_sale_return_equal_values_for_one_payment() {
    let (hosts, hooks) = hooks_reading_the_membership_payment().await;
    let event = received(&hooks, "webhook_user_membership.json");
    let confirmed = hooks.confirm(&event).await.unwrap();
    let client = hosts
        .builder()
        .login_token(crate::common::LOGIN)
        .build()
        .unwrap();
    let read = client.sale("UM-250925-NWKBIKATC").await.unwrap();
    let confirmed_sale = confirmed.sale.as_ref().unwrap();
    creator_testkit::assert_same_sale::<Transaction>(confirmed_sale, &read);
    let delivered = event.sale.as_ref().unwrap();
    assert_eq!(delivered.customer, read.customer);
    assert_eq!(delivered.id, read.id);
}
