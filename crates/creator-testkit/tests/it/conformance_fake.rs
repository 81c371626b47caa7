use creator_core::time::macros::date;
use creator_core::{DateRange, EventKind, PersonSearch, SubscriptionStatus, WebhookDelivery};
use creator_testkit::FakeProvider;
use creator_testkit::conformance::{
    self, AccessCase, ActionsCase, ProductsCase, SalesCase, SubscribersCase, WebhooksCase,
};
use creator_testkit::fake_sample as sample;

#[tokio::test]
async fn fake_provider_passes_products() {
    let fake = FakeProvider::sample();
    conformance::products(
        &fake,
        &ProductsCase {
            total: sample::PRODUCTS,
            known_id: "prod_ebook".into(),
            unknown_id: "nope".into(),
            pages: fake.pages_served.clone(),
        },
    )
    .await;
}

#[tokio::test]
async fn fake_provider_passes_sales() {
    let fake = FakeProvider::sample();
    // Sales are one a day back from 2025-03-01: 2025-02-20..2025-02-25 holds 5 days.
    let range = DateRange {
        after: Some(date!(2025 - 02 - 20)),
        before: Some(date!(2025 - 02 - 25)),
    };
    conformance::sales(
        &fake,
        &SalesCase {
            total: Some(sample::SALES),
            by_product: Some(("prod_membership".into(), sample::MEMBERSHIP_SALES)),
            by_email: Some(("buyer1@example.com".into(), sample::BUYER1_SALES)),
            by_range: Some((range, 5)),
            known_id: Some("sale_007".into()),
            unknown_id: "sale_999".into(),
            pages: fake.pages_served.clone(),
        },
    )
    .await;
}

#[tokio::test]
async fn fake_provider_passes_subscribers() {
    let fake = FakeProvider::sample();
    conformance::subscribers(
        &fake,
        &SubscribersCase {
            total: sample::SUBSCRIBERS,
            active: sample::ACTIVE_SUBSCRIBERS,
            by_product: Some(("prod_membership".into(), sample::SUBSCRIBERS)),
            searches: vec![
                (PersonSearch::Email("member3@example.com".into()), 1),
                (PersonSearch::NicknameExact("member1".into()), 1),
                (PersonSearch::NicknameContains("member1".into()), 3), // member1, member10, member11
            ],
            unsupported_searches: vec![],
            status_of: Some(("sub_003".into(), SubscriptionStatus::Cancelled)),
            unknown_id: "sub_999".into(),
            listed_statuses: vec![
                ("sub_000".into(), SubscriptionStatus::Active),
                ("sub_002".into(), SubscriptionStatus::PendingCancellation),
                ("sub_003".into(), SubscriptionStatus::Cancelled),
            ],
        },
    )
    .await;
}

#[tokio::test]
async fn fake_provider_passes_webhooks() {
    let fake = FakeProvider::sample();
    let valid = fake.delivery(r#"{"event":"sale","id":"sale_001"}"#);
    let mut tampered = valid.clone();
    tampered.body = r#"{"event":"sale","id":"sale_002"}"#.into();
    conformance::webhooks(
        &fake,
        &WebhooksCase {
            valid,
            valid_kind: EventKind::Sale,
            valid_subject: "sale_001".into(),
            tampered,
            unknown_event: Some(fake.delivery(r#"{"event":"payout.sent","id":"po_1"}"#)),
            malformed: Some(fake.delivery(r#"{"event":"sale","id":"#)),
        },
    )
    .await;
}

#[tokio::test]
async fn fake_provider_rejects_an_unsigned_delivery_and_confirm_is_unsupported() {
    use creator_core::Webhooks;
    let fake = FakeProvider::sample();
    let unsigned =
        WebhookDelivery::with_content_type("application/json", r#"{"event":"sale","id":"x"}"#);
    let err = fake.verify(&unsigned).unwrap_err();
    assert!(err.is_verification_failure());
    assert!(err.to_string().contains("x-fake-signature"));
    let event = fake
        .parse(&fake.delivery(r#"{"event":"sale","id":"sale_001"}"#))
        .unwrap();
    assert!(fake.confirm(&event).await.unwrap_err().is_unsupported());
}

#[tokio::test]
async fn fake_provider_passes_access_with_a_case_per_reason() {
    let fake = FakeProvider::sample();
    let case = AccessCase {
        verdicts: creator_testkit::sample_access_cases(),
        unsupported: vec![],
    };
    conformance::assert_covers_every_reason(&case);
    conformance::access(&fake, &case).await;
}

#[tokio::test]
async fn fake_provider_passes_sale_actions_and_the_verdict_follows_them() {
    let fake = FakeProvider::sample();
    let case = ActionsCase {
        sale_id: Some("fake_sale_lifetime".into()),
        unknown_sale_id: "fake_sale_nope".into(),
        partial: Some(creator_core::Money::from_minor(
            100,
            creator_core::Currency::USD,
        )),
        follow_up: Some(creator_core::AccessQuery::email(
            "prod_ebook",
            "lifetime@example.com",
        )),
    };
    conformance::sale_actions(&fake, Some(&fake), &case).await;
}
