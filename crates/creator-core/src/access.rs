//! "Does this person have access right now?": one question for every platform.
//!
//! [`Access::check`] answers an [`AccessQuery`] (a product or tier, and a
//! person by email, platform user id or license key) with an
//! [`AccessVerdict`]: granted or denied, the [`AccessReason`], since and
//! until when, and which platform object decided it. [`AccessChecker`] asks
//! several providers in turn (a shop on Gumroad and Gank).
//!
//! ```
//! use creator_core::{Access, AccessQuery, Result};
//!
//! /// Unlocks the app when any purchase or subscription still grants access.
//! async fn may_start(shop: &dyn Access, key: &str) -> Result<bool> {
//!     let verdict = shop.check(AccessQuery::license_key("prod_1", key)).await?;
//!     Ok(verdict.granted)
//! }
//! ```

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use serde::Serialize;
use time::OffsetDateTime;

use crate::{Error, Provider, Result};

/// Who is asking for access.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "by", content = "value")]
#[non_exhaustive]
pub enum Person {
    /// The purchase or subscription email.
    Email(String),
    /// The platform's user id (Gumroad `purchaser_id`, Gank user id).
    UserId(String),
    /// A license key (Gumroad). Never printed by `Debug` or serialized in full.
    #[serde(serialize_with = "serialize_key_hint")]
    LicenseKey(String),
}

fn serialize_key_hint<S: serde::Serializer>(
    key: &str,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&key_hint(key))
}

/// The last four characters of a license key, for logs (`…9166`).
pub fn key_hint(key: &str) -> String {
    let tail: String = key
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("…{tail}")
}

impl fmt::Debug for Person {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Person::Email(e) => f.debug_tuple("Email").field(e).finish(),
            Person::UserId(id) => f.debug_tuple("UserId").field(id).finish(),
            Person::LicenseKey(k) => f.debug_tuple("LicenseKey").field(&key_hint(k)).finish(),
        }
    }
}

/// What [`Access::check`] is asked: one product (or membership tier) and one person.
///
/// ```
/// use creator_core::{AccessQuery, Person};
///
/// let q = AccessQuery::email("prod_1", "a@example.com").max_uses(3);
/// assert_eq!(q.person, Person::Email("a@example.com".into()));
/// assert_eq!(q.max_uses, Some(3));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AccessQuery {
    /// The product, listing or membership tier id on the platform asked.
    pub product_id: String,
    /// Who.
    pub person: Person,
    /// Deny with [`AccessReason::UsesExceeded`] once a license has been used
    /// more than this many times (the platforms count, the seller sets the limit).
    pub max_uses: Option<u64>,
    /// The moment the verdict is for; `None` means now (the provider's clock).
    #[serde(with = "time::serde::rfc3339::option")]
    pub at: Option<OffsetDateTime>,
}

impl AccessQuery {
    /// A query for `person` and `product_id`.
    pub fn new(product_id: impl Into<String>, person: Person) -> Self {
        Self {
            product_id: product_id.into(),
            person,
            max_uses: None,
            at: None,
        }
    }

    /// Access to `product_id` for the purchase or subscription email `email`.
    pub fn email(product_id: impl Into<String>, email: impl Into<String>) -> Self {
        Self::new(product_id, Person::Email(email.into()))
    }

    /// Access to `product_id` for the platform user `user_id`.
    pub fn user_id(product_id: impl Into<String>, user_id: impl Into<String>) -> Self {
        Self::new(product_id, Person::UserId(user_id.into()))
    }

    /// Access to `product_id` for the holder of license `key`.
    pub fn license_key(product_id: impl Into<String>, key: impl Into<String>) -> Self {
        Self::new(product_id, Person::LicenseKey(key.into()))
    }

    /// Limits the uses of a license (see [`AccessQuery::max_uses`]).
    pub fn max_uses(mut self, uses: u64) -> Self {
        self.max_uses = Some(uses);
        self
    }

    /// Asks about the moment `at` instead of now.
    pub fn at(mut self, at: OffsetDateTime) -> Self {
        self.at = Some(at);
        self
    }

    /// The same query for another product id (the same product on another platform).
    pub fn for_product(&self, product_id: impl Into<String>) -> Self {
        let mut q = self.clone();
        q.product_id = product_id.into();
        q
    }
}

/// Why access is granted or denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AccessReason {
    /// Granted: a subscription or membership that is running (also one
    /// cancelled but paid until [`AccessVerdict::until`]).
    ActiveSubscription,
    /// Granted: a one-off purchase that has not been undone.
    LifetimePurchase,
    /// Granted: a license key that verifies for this product.
    LicenseValid,
    /// Denied: the purchase was refunded.
    Refunded,
    /// Denied: the purchase was partly refunded. The platforms keep access
    /// after a partial refund; this reason lets the caller decide
    /// ([`AccessVerdict::is_partial_refund`]), and is a denial by default.
    PartiallyRefunded,
    /// Denied: the payment was charged back.
    ChargedBack,
    /// Denied: the payment is disputed (and the dispute not won).
    Disputed,
    /// Denied: the subscription was cancelled and its paid period is over.
    SubscriptionCancelled,
    /// Denied: the subscription ended (fixed length reached, or ended without a reason given).
    SubscriptionEnded,
    /// Denied: the subscription's payments failed for good.
    SubscriptionFailed,
    /// Denied: the seller revoked access to the purchase.
    AccessRevoked,
    /// Denied: the license key was disabled.
    LicenseDisabled,
    /// Denied: the license was used more often than [`AccessQuery::max_uses`].
    UsesExceeded,
    /// Denied: the license or purchase belongs to another product.
    ProductMismatch,
    /// Denied: no purchase, subscription or license for this person and product.
    NotFound,
}

impl AccessReason {
    /// Every reason, grants first.
    pub const ALL: [AccessReason; 15] = [
        AccessReason::ActiveSubscription,
        AccessReason::LifetimePurchase,
        AccessReason::LicenseValid,
        AccessReason::Refunded,
        AccessReason::PartiallyRefunded,
        AccessReason::ChargedBack,
        AccessReason::Disputed,
        AccessReason::SubscriptionCancelled,
        AccessReason::SubscriptionEnded,
        AccessReason::SubscriptionFailed,
        AccessReason::AccessRevoked,
        AccessReason::LicenseDisabled,
        AccessReason::UsesExceeded,
        AccessReason::ProductMismatch,
        AccessReason::NotFound,
    ];

    /// True for the reasons that grant access.
    pub fn grants(self) -> bool {
        matches!(
            self,
            AccessReason::ActiveSubscription
                | AccessReason::LifetimePurchase
                | AccessReason::LicenseValid
        )
    }

    /// The snake_case name used in JSON, the ledger and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessReason::ActiveSubscription => "active_subscription",
            AccessReason::LifetimePurchase => "lifetime_purchase",
            AccessReason::LicenseValid => "license_valid",
            AccessReason::Refunded => "refunded",
            AccessReason::PartiallyRefunded => "partially_refunded",
            AccessReason::ChargedBack => "charged_back",
            AccessReason::Disputed => "disputed",
            AccessReason::SubscriptionCancelled => "subscription_cancelled",
            AccessReason::SubscriptionEnded => "subscription_ended",
            AccessReason::SubscriptionFailed => "subscription_failed",
            AccessReason::AccessRevoked => "access_revoked",
            AccessReason::LicenseDisabled => "license_disabled",
            AccessReason::UsesExceeded => "uses_exceeded",
            AccessReason::ProductMismatch => "product_mismatch",
            AccessReason::NotFound => "not_found",
        }
    }

    /// The reason named `name` ([`AccessReason::as_str`]), if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

impl fmt::Display for AccessReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The platform object that decided a verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AccessSource {
    /// What it is: `sale`, `subscription`, `license`, `transaction`, `subscriber`.
    pub kind: &'static str,
    /// Its id on the platform (a sale id for a license, never the key itself).
    pub id: String,
}

impl AccessSource {
    /// A source of `kind` with `id`.
    pub fn new(kind: &'static str, id: impl Into<String>) -> Self {
        Self {
            kind,
            id: id.into(),
        }
    }
}

/// The answer of [`Access::check`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AccessVerdict {
    /// The platform that answered.
    pub provider: Provider,
    /// Whether to grant access (always `reason.grants()`).
    pub granted: bool,
    /// Why.
    pub reason: AccessReason,
    /// Since when the person has (or had) access: the purchase or subscription start.
    #[serde(with = "time::serde::rfc3339::option")]
    pub since: Option<OffsetDateTime>,
    /// Until when: the end of a paid period, or when access ended; `None`
    /// for a lifetime purchase or when the platform does not say.
    #[serde(with = "time::serde::rfc3339::option")]
    pub until: Option<OffsetDateTime>,
    /// The object that decided it; `None` for [`AccessReason::NotFound`].
    pub decided_by: Option<AccessSource>,
}

impl AccessVerdict {
    /// A verdict for `reason`, granted exactly when the reason grants.
    pub fn new(provider: Provider, reason: AccessReason, decided_by: Option<AccessSource>) -> Self {
        Self {
            provider,
            granted: reason.grants(),
            reason,
            since: None,
            until: None,
            decided_by,
        }
    }

    /// Nothing found for this person and product.
    pub fn not_found(provider: Provider) -> Self {
        Self::new(provider, AccessReason::NotFound, None)
    }

    /// Sets [`AccessVerdict::since`].
    pub fn since(mut self, since: Option<OffsetDateTime>) -> Self {
        self.since = since;
        self
    }

    /// Sets [`AccessVerdict::until`].
    pub fn until(mut self, until: Option<OffsetDateTime>) -> Self {
        self.until = until;
        self
    }

    /// The same verdict answered by `provider` (a gateway answering for the platform behind it).
    pub fn answered_by(mut self, provider: Provider) -> Self {
        self.provider = provider;
        self
    }

    /// True for a denial only because of a partial refund (which the
    /// platforms themselves do not treat as a loss of access).
    pub fn is_partial_refund(&self) -> bool {
        self.reason == AccessReason::PartiallyRefunded
    }
}

/// Entitlement checks: the one call every creator integration needs.
///
/// Object-safe like the other core traits: hold `Arc<dyn Access>`.
#[async_trait]
pub trait Access: Send + Sync {
    /// The platform behind this implementation.
    fn provider(&self) -> Provider;

    /// Whether `query.person` has access to `query.product_id`, read live
    /// from the platform. A denial is an `Ok` verdict; `Err` means the
    /// platform could not be asked or could not answer.
    ///
    /// # Errors
    /// [`Error::Unsupported`] when the platform cannot look the person up
    /// that way (Gank has no license keys), [`Error::InvalidInput`] for an
    /// empty product or person, or any request error.
    async fn check(&self, query: AccessQuery) -> Result<AccessVerdict>;
}

/// Rejects an empty product id or person before any request.
///
/// # Errors
/// [`Error::InvalidInput`] naming what is empty.
pub fn validate_query(query: &AccessQuery) -> Result<()> {
    if query.product_id.trim().is_empty() {
        return Err(Error::InvalidInput(
            "an access check needs a product id".into(),
        ));
    }
    let (what, value) = match &query.person {
        Person::Email(v) => ("email", v),
        Person::UserId(v) => ("user id", v),
        Person::LicenseKey(v) => ("license key", v),
    };
    if value.trim().is_empty() {
        return Err(Error::InvalidInput(format!(
            "an access check by {what} needs a non-empty {what}"
        )));
    }
    Ok(())
}

/// Of several verdicts about one person (one per sale or subscription), the
/// one that decides: the first grant, else the denial of the newest object
/// (by `since`), else not found.
pub fn decide(provider: Provider, verdicts: Vec<AccessVerdict>) -> AccessVerdict {
    if let Some(grant) = verdicts.iter().find(|v| v.granted) {
        return grant.clone();
    }
    verdicts
        .into_iter()
        .max_by_key(|v| v.since)
        .unwrap_or_else(|| AccessVerdict::not_found(provider))
}

/// One provider's failure in an [`AccessChecker`] run.
#[derive(Debug)]
#[non_exhaustive]
pub struct ProviderFailure {
    /// The provider that failed.
    pub provider: Provider,
    /// What went wrong.
    pub error: Error,
}

/// What [`AccessChecker::check`] found across providers.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct AccessOutcome {
    /// The first grant, in the order the providers were added.
    pub granted: Option<AccessVerdict>,
    /// Every denial, in provider order.
    pub denials: Vec<AccessVerdict>,
    /// Every provider that could not answer (never hiding another's grant).
    pub errors: Vec<ProviderFailure>,
}

impl AccessOutcome {
    /// True when some provider granted access.
    pub fn is_granted(&self) -> bool {
        self.granted.is_some()
    }

    /// True when the answer is certain: granted, or denied by every provider
    /// asked with no provider failing.
    pub fn is_conclusive(&self) -> bool {
        self.granted.is_some() || self.errors.is_empty()
    }

    /// Every denial reason, in provider order.
    pub fn denial_reasons(&self) -> Vec<AccessReason> {
        self.denials.iter().map(|v| v.reason).collect()
    }
}

struct Entry {
    access: Arc<dyn Access>,
    product_id: Option<String>,
}

/// Asks several providers in turn; the first grant wins.
///
/// Providers are asked in the order they were added and asking stops at the
/// first grant. Denials and errors of the providers asked before it are kept
/// in the [`AccessOutcome`], so one platform's outage never hides another's
/// grant and never reads as a denial.
///
/// ```
/// use std::sync::Arc;
/// use creator_core::{Access, AccessChecker, AccessQuery};
///
/// async fn check(gumroad: Arc<dyn Access>, gank: Arc<dyn Access>) -> bool {
///     let checker = AccessChecker::new()
///         .provider(gumroad)
///         // the same product is a membership tier with another id on Gank
///         .provider_as(gank, "0d6c3f8e-tier");
///     checker.check(AccessQuery::email("prod_1", "a@example.com")).await.is_granted()
/// }
/// ```
#[derive(Default)]
pub struct AccessChecker {
    entries: Vec<Entry>,
}

impl fmt::Debug for AccessChecker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                self.entries
                    .iter()
                    .map(|e| (e.access.provider(), &e.product_id)),
            )
            .finish()
    }
}

impl AccessChecker {
    /// A checker with no providers (it answers not found, conclusively).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a provider, asked with the query's own product id.
    pub fn provider(mut self, access: Arc<dyn Access>) -> Self {
        self.entries.push(Entry {
            access,
            product_id: None,
        });
        self
    }

    /// Adds a provider on which the product has id `product_id`.
    pub fn provider_as(mut self, access: Arc<dyn Access>, product_id: impl Into<String>) -> Self {
        self.entries.push(Entry {
            access,
            product_id: Some(product_id.into()),
        });
        self
    }

    /// Asks each provider in turn until one grants.
    pub async fn check(&self, query: AccessQuery) -> AccessOutcome {
        let mut outcome = AccessOutcome::default();
        for entry in &self.entries {
            let q = match &entry.product_id {
                Some(id) => query.for_product(id.clone()),
                None => query.clone(),
            };
            match entry.access.check(q).await {
                Ok(v) if v.granted => {
                    outcome.granted = Some(v);
                    break;
                }
                Ok(v) => outcome.denials.push(v),
                Err(error) => outcome.errors.push(ProviderFailure {
                    provider: entry.access.provider(),
                    error,
                }),
            }
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_round_trips_by_name_and_only_three_grant() {
        for r in AccessReason::ALL {
            assert_eq!(AccessReason::from_name(r.as_str()), Some(r));
            let json = serde_json::to_value(r).unwrap();
            assert_eq!(json, r.as_str());
        }
        let grants: Vec<_> = AccessReason::ALL
            .into_iter()
            .filter(|r| r.grants())
            .collect();
        assert_eq!(grants.len(), 3);
    }

    #[test]
    fn a_license_key_is_never_printed_in_full() {
        let q = AccessQuery::license_key("p", "85DB562A-C11D4B06-A2335A6B-8C079166");
        let shown = format!("{q:?} {}", serde_json::to_string(&q).unwrap());
        assert!(!shown.contains("85DB562A"), "{shown}");
        assert!(shown.contains("…9166"));
    }

    #[test]
    fn empty_inputs_are_rejected() {
        assert!(validate_query(&AccessQuery::email("", "a@b")).is_err());
        assert!(validate_query(&AccessQuery::email("p", " ")).is_err());
        assert!(validate_query(&AccessQuery::email("p", "a@b")).is_ok());
    }

    #[test]
    fn decide_prefers_a_grant_then_the_newest_denial() {
        let t = |d| Some(OffsetDateTime::from_unix_timestamp(d).unwrap());
        let p = Provider::Other("t");
        let old = AccessVerdict::new(p, AccessReason::Refunded, None).since(t(1));
        let new = AccessVerdict::new(p, AccessReason::ChargedBack, None).since(t(2));
        assert_eq!(
            decide(p, vec![old.clone(), new.clone()]).reason,
            AccessReason::ChargedBack
        );
        let grant = AccessVerdict::new(p, AccessReason::LifetimePurchase, None).since(t(0));
        assert!(decide(p, vec![old, grant, new]).granted);
        assert_eq!(decide(p, vec![]).reason, AccessReason::NotFound);
    }
}
