//! AccessChecker over several providers: the first grant wins, every denial
//! is kept, and one provider's error never hides another's grant.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use creator_core::{
    Access, AccessChecker, AccessQuery, AccessReason, AccessVerdict, Error, Provider, Result,
    async_trait,
};
use creator_testkit::FakeProvider;

/// Always fails, counting its calls.
#[derive(Default)]
struct Down(AtomicUsize);

#[async_trait]
impl Access for Down {
    fn provider(&self) -> Provider {
        Provider::Other("down")
    }
    async fn check(&self, _query: AccessQuery) -> Result<AccessVerdict> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Err(Error::Config("down for the test".into()))
    }
}

fn fake() -> Arc<dyn Access> {
    Arc::new(FakeProvider::sample())
}

#[tokio::test]
async fn an_error_before_a_grant_is_kept_and_does_not_hide_it() {
    let down = Arc::new(Down::default());
    let checker = AccessChecker::new().provider(down.clone()).provider(fake());
    let out = checker
        .check(AccessQuery::email("prod_ebook", "lifetime@example.com"))
        .await;
    assert!(out.is_granted());
    assert_eq!(out.granted.unwrap().reason, AccessReason::LifetimePurchase);
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].provider, Provider::Other("down"));
}

#[tokio::test]
async fn the_first_grant_wins_and_later_providers_are_not_asked() {
    let down = Arc::new(Down::default());
    let checker = AccessChecker::new().provider(fake()).provider(down.clone());
    let out = checker
        .check(AccessQuery::email("prod_ebook", "lifetime@example.com"))
        .await;
    assert!(out.is_granted());
    assert_eq!(down.0.load(Ordering::SeqCst), 0, "asked after a grant");
    assert!(out.errors.is_empty());
}

#[tokio::test]
async fn every_denial_reason_is_kept_and_an_error_makes_the_denial_inconclusive() {
    let down = Arc::new(Down::default());
    // The same person, refunded on one "platform", charged back on another
    // (the product has another id there).
    let checker = AccessChecker::new()
        .provider(fake())
        .provider(down.clone())
        .provider_as(fake(), "prod_membership");
    let out = checker
        .check(AccessQuery::email("prod_ebook", "refunded@example.com"))
        .await;
    assert!(!out.is_granted());
    assert_eq!(
        out.denial_reasons(),
        vec![AccessReason::Refunded, AccessReason::NotFound]
    );
    assert_eq!(out.errors.len(), 1);
    assert!(!out.is_conclusive());

    let sure = AccessChecker::new().provider(fake());
    let out = sure
        .check(AccessQuery::email("prod_ebook", "chargeback@example.com"))
        .await;
    assert_eq!(out.denial_reasons(), vec![AccessReason::ChargedBack]);
    assert!(out.is_conclusive());
}

#[tokio::test]
async fn a_product_alias_is_used_for_its_provider_only() {
    let checker = AccessChecker::new()
        .provider(fake())
        .provider_as(fake(), "prod_membership");
    let out = checker
        .check(AccessQuery::email("prod_other", "member@example.com"))
        .await;
    let grant = out.granted.clone().expect("granted through the alias");
    assert_eq!(grant.reason, AccessReason::ActiveSubscription);
    assert_eq!(out.denial_reasons(), vec![AccessReason::NotFound]);
}

#[tokio::test]
async fn the_write_trait_is_object_safe() {
    let writer: Arc<dyn creator_core::SaleActions> = Arc::new(FakeProvider::sample());
    let key = creator_core::IdempotencyKey::new("k-1").unwrap();
    let out = writer
        .revoke_access("fake_sale_lifetime", &key)
        .await
        .unwrap();
    assert!(!out.already_done);
    let again = writer
        .revoke_access("fake_sale_lifetime", &key)
        .await
        .unwrap();
    assert!(again.already_done, "a repeated revoke changes nothing");
}
