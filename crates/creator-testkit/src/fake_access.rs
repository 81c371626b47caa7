//! [`Access`] and [`SaleActions`] on the in-memory [`FakeProvider`].
//!
//! The fake keeps purchases with the state flags the real platforms report
//! (refunded, charged back, disputed, revoked, license disabled, uses,
//! subscription state) and derives verdicts from them with the same rules
//! the provider crates apply, so a verdict can change after a write.

use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use creator_core::time::OffsetDateTime;
use creator_core::{
    Access, AccessQuery, AccessReason, AccessSource, AccessVerdict, ActionOutcome, Error,
    IdempotencyKey, KeyHandling, Person, Provider, RefundAmount, Result, SaleActions, decide,
    validate_query, validate_refund,
};

use crate::FakeProvider;
use crate::fake::FAKE;

/// The state of a fake subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FakeSubscription {
    /// Running.
    Active,
    /// Cancelled; access until the given time.
    CancelledUntil(OffsetDateTime),
    /// Cancelled and over.
    Cancelled,
    /// Ended (fixed length reached).
    Ended,
    /// Payments failed for good.
    Failed,
}

/// One fake purchase and the flags that decide access.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct FakePurchase {
    /// Sale id.
    pub sale_id: String,
    /// Product id.
    pub product_id: String,
    /// Buyer email.
    pub email: String,
    /// Buyer user id.
    pub user_id: Option<String>,
    /// License key, when the product is licensed.
    pub license_key: Option<String>,
    /// When it was bought.
    pub created_at: Option<OffsetDateTime>,
    /// Fully refunded.
    pub refunded: bool,
    /// Partly refunded.
    pub partially_refunded: bool,
    /// Charged back.
    pub chargedback: bool,
    /// Disputed (not won).
    pub disputed: bool,
    /// Access revoked by the seller.
    pub access_revoked: bool,
    /// License disabled.
    pub license_disabled: bool,
    /// License uses counted.
    pub uses: u64,
    /// Subscription state, for memberships.
    pub subscription: Option<FakeSubscription>,
}

impl FakePurchase {
    /// A purchase of `product_id` by `email` with no flags set.
    pub fn new(
        sale_id: impl Into<String>,
        product_id: impl Into<String>,
        email: impl Into<String>,
    ) -> Self {
        Self {
            sale_id: sale_id.into(),
            product_id: product_id.into(),
            email: email.into(),
            ..Self::default()
        }
    }

    /// The verdict for this purchase at `now`, checking the flags in the
    /// order the provider crates do: revoked, refunds, chargeback, dispute,
    /// license, subscription.
    fn verdict(
        &self,
        now: OffsetDateTime,
        max_uses: Option<u64>,
        by_license: bool,
    ) -> AccessVerdict {
        let reason = if self.access_revoked {
            AccessReason::AccessRevoked
        } else if self.refunded {
            AccessReason::Refunded
        } else if self.partially_refunded {
            AccessReason::PartiallyRefunded
        } else if self.chargedback {
            AccessReason::ChargedBack
        } else if self.disputed {
            AccessReason::Disputed
        } else if by_license && self.license_disabled {
            AccessReason::LicenseDisabled
        } else if by_license && max_uses.is_some_and(|m| self.uses > m) {
            AccessReason::UsesExceeded
        } else {
            match self.subscription {
                Some(FakeSubscription::Active) => AccessReason::ActiveSubscription,
                Some(FakeSubscription::CancelledUntil(t)) if t > now => {
                    AccessReason::ActiveSubscription
                }
                Some(FakeSubscription::CancelledUntil(_) | FakeSubscription::Cancelled) => {
                    AccessReason::SubscriptionCancelled
                }
                Some(FakeSubscription::Ended) => AccessReason::SubscriptionEnded,
                Some(FakeSubscription::Failed) => AccessReason::SubscriptionFailed,
                None if by_license => AccessReason::LicenseValid,
                None => AccessReason::LifetimePurchase,
            }
        };
        let until = match self.subscription {
            Some(FakeSubscription::CancelledUntil(t)) => Some(t),
            _ => None,
        };
        AccessVerdict::new(FAKE, reason, Some(AccessSource::new("sale", &self.sale_id)))
            .since(self.created_at)
            .until(until)
    }
}

/// The fake's purchases, shared by clones of the [`FakeProvider`].
#[derive(Debug, Clone, Default)]
pub struct FakePurchases(Arc<Mutex<Vec<FakePurchase>>>);

impl FakePurchases {
    /// Holds `purchases`.
    pub fn new(purchases: Vec<FakePurchase>) -> Self {
        Self(Arc::new(Mutex::new(purchases)))
    }

    /// The purchases (a poisoned lock is taken over: the data is plain flags).
    pub fn lock(&self) -> MutexGuard<'_, Vec<FakePurchase>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds one purchase.
    pub fn push(&self, purchase: FakePurchase) {
        self.lock().push(purchase);
    }
}

/// The sample purchases: one person per verdict reason, product
/// `prod_ebook` (licensed) and `prod_membership`; see
/// [`sample_access_cases`] for the queries and the reasons they yield.
pub(crate) fn sample_purchases() -> Vec<FakePurchase> {
    use creator_core::time::macros::datetime;
    let at = datetime!(2025-03-01 12:00:00 UTC);
    let ebook = |n: &str| {
        let mut p = FakePurchase::new(
            format!("fake_sale_{n}"),
            "prod_ebook",
            format!("{n}@example.com"),
        );
        p.license_key = Some(format!("KEY-{n}"));
        p.user_id = Some(format!("user_{n}"));
        p.created_at = Some(at);
        p.uses = 2;
        p
    };
    let member = |n: &str, s: FakeSubscription| {
        let mut p = ebook(n);
        p.product_id = "prod_membership".into();
        p.license_key = None;
        p.subscription = Some(s);
        p
    };
    let mut refunded = ebook("refunded");
    refunded.refunded = true;
    let mut partial = ebook("partial");
    partial.partially_refunded = true;
    let mut chargeback = ebook("chargeback");
    chargeback.chargedback = true;
    let mut disputed = ebook("disputed");
    disputed.disputed = true;
    let mut revoked = ebook("revoked");
    revoked.access_revoked = true;
    let mut disabled = ebook("disabled");
    disabled.license_disabled = true;
    let mut worn = ebook("worn");
    worn.uses = 9;
    vec![
        ebook("lifetime"),
        refunded,
        partial,
        chargeback,
        disputed,
        revoked,
        disabled,
        worn,
        member("member", FakeSubscription::Active),
        member(
            "leaving",
            FakeSubscription::CancelledUntil(datetime!(2999-01-01 00:00:00 UTC)),
        ),
        member("cancelled", FakeSubscription::Cancelled),
        member("ended", FakeSubscription::Ended),
        member("failed", FakeSubscription::Failed),
    ]
}

/// A query per verdict reason against [`FakeProvider::sample`], with the
/// reason it must yield: every [`AccessReason`] appears at least once.
pub fn sample_access_cases() -> Vec<(AccessQuery, AccessReason)> {
    use AccessReason as R;
    let email = |p: &str, n: &str| AccessQuery::email(p, format!("{n}@example.com"));
    let key = |p: &str, n: &str| AccessQuery::license_key(p, format!("KEY-{n}")).max_uses(5);
    vec![
        (email("prod_ebook", "lifetime"), R::LifetimePurchase),
        (key("prod_ebook", "lifetime"), R::LicenseValid),
        (
            AccessQuery::user_id("prod_membership", "user_member"),
            R::ActiveSubscription,
        ),
        (email("prod_membership", "leaving"), R::ActiveSubscription),
        (email("prod_ebook", "refunded"), R::Refunded),
        (email("prod_ebook", "partial"), R::PartiallyRefunded),
        (email("prod_ebook", "chargeback"), R::ChargedBack),
        (email("prod_ebook", "disputed"), R::Disputed),
        (
            email("prod_membership", "cancelled"),
            R::SubscriptionCancelled,
        ),
        (email("prod_membership", "ended"), R::SubscriptionEnded),
        (email("prod_membership", "failed"), R::SubscriptionFailed),
        (email("prod_ebook", "revoked"), R::AccessRevoked),
        (key("prod_ebook", "disabled"), R::LicenseDisabled),
        (key("prod_ebook", "worn"), R::UsesExceeded),
        (key("prod_membership", "lifetime"), R::ProductMismatch),
        (email("prod_ebook", "nobody"), R::NotFound),
        (email("prod_membership", "lifetime"), R::NotFound),
    ]
}

impl FakeProvider {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    fn with_sale<T>(&self, sale_id: &str, f: impl FnOnce(&mut FakePurchase) -> T) -> Result<T> {
        let mut all = self.purchases.lock();
        let p = all
            .iter_mut()
            .find(|p| p.sale_id == sale_id)
            .ok_or_else(|| Error::NotFound {
                provider: FAKE,
                status: 404,
                message: format!("sale {sale_id} was not found"),
                body: creator_core::RawBody::default(),
            })?;
        Ok(f(p))
    }
}

#[async_trait]
impl Access for FakeProvider {
    fn provider(&self) -> Provider {
        FAKE
    }

    async fn check(&self, query: AccessQuery) -> Result<AccessVerdict> {
        validate_query(&query)?;
        let now = query.at.unwrap_or_else(|| self.now());
        let all = self.purchases.lock();
        let by_license = matches!(query.person, Person::LicenseKey(_));
        let mine: Vec<&FakePurchase> = all
            .iter()
            .filter(|p| match &query.person {
                Person::Email(e) => p.email.eq_ignore_ascii_case(e),
                Person::UserId(u) => p.user_id.as_ref() == Some(u),
                Person::LicenseKey(k) => p.license_key.as_ref() == Some(k),
                _ => false,
            })
            .collect();
        let for_product: Vec<AccessVerdict> = mine
            .iter()
            .filter(|p| p.product_id == query.product_id)
            .map(|p| p.verdict(now, query.max_uses, by_license))
            .collect();
        if for_product.is_empty()
            && by_license
            && let Some(other) = mine.first()
        {
            return Ok(AccessVerdict::new(
                FAKE,
                AccessReason::ProductMismatch,
                Some(AccessSource::new("sale", &other.sale_id)),
            ));
        }
        Ok(decide(FAKE, for_product))
    }
}

/// Refunds and access changes on the fake's purchases. A full refund of a
/// refunded sale and a revoke of a revoked one change nothing
/// ([`KeyHandling::ByState`]); a partial refund is [`KeyHandling::NotHonoured`],
/// as on Gumroad.
#[async_trait]
impl SaleActions for FakeProvider {
    fn provider(&self) -> Provider {
        FAKE
    }

    async fn refund(
        &self,
        sale_id: &str,
        amount: RefundAmount,
        _key: &IdempotencyKey,
    ) -> Result<ActionOutcome> {
        validate_refund(&amount)?;
        let (already, handling) = self.with_sale(sale_id, |p| match amount {
            RefundAmount::Partial(_) => {
                p.partially_refunded = true;
                (false, KeyHandling::NotHonoured)
            }
            _ => {
                let already = p.refunded;
                p.refunded = true;
                (already, KeyHandling::ByState)
            }
        })?;
        Ok(ActionOutcome::new(FAKE, None, handling, already))
    }

    async fn revoke_access(&self, sale_id: &str, _key: &IdempotencyKey) -> Result<ActionOutcome> {
        let already =
            self.with_sale(sale_id, |p| std::mem::replace(&mut p.access_revoked, true))?;
        Ok(ActionOutcome::new(
            FAKE,
            None,
            KeyHandling::ByState,
            already,
        ))
    }

    async fn restore_access(&self, sale_id: &str, _key: &IdempotencyKey) -> Result<ActionOutcome> {
        let was = self.with_sale(sale_id, |p| std::mem::replace(&mut p.access_revoked, false))?;
        Ok(ActionOutcome::new(FAKE, None, KeyHandling::ByState, !was))
    }
}
