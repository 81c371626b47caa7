//! [`Access`] and [`SaleActions`] for Gumroad, read and written live.
//!
//! - By **license key**: `POST /v2/licenses/verify` with
//!   `increment_uses_count=false` (a check is not a use). Gumroad's 404s
//!   name the reason: "This license key has been disabled." is
//!   [`AccessReason::LicenseDisabled`], "Access to the purchase associated
//!   with this license has expired." is [`AccessReason::AccessRevoked`], and
//!   "That license does not exist for the provided product." is
//!   [`AccessReason::NotFound`] (Gumroad answers the same for a key of
//!   another product). A verified purchase is then read like
//!   [`LicensePurchase::grants_access_at`], reason by reason.
//! - By **email**: `GET /v2/sales?product_id=…&email=…` (every page), each
//!   sale read for `access_revoked`, refunds, chargebacks and disputes; a
//!   membership sale is decided by its subscription
//!   (`GET /v2/subscribers/:id`, once per subscription).
//! - By **user id**: [`Error::Unsupported`] — Gumroad cannot look sales up
//!   by buyer id.
//!
//! Writes ([`SaleActions`]) are sent once, never retried. Gumroad takes no
//! idempotency key: a full refund and revoke/restore read the sale first
//! and do nothing when it is already in that state ([`KeyHandling::ByState`]);
//! a partial refund cannot be deduplicated ([`KeyHandling::NotHonoured`]).

use std::collections::HashMap;

use creator_core::futures::TryStreamExt;
use creator_core::retry::Idempotency;
use creator_core::{
    Access, AccessQuery, AccessReason, AccessSource, AccessVerdict, ActionOutcome, Error,
    IdempotencyKey, KeyHandling, Person, Provider, RefundAmount, Result, SaleActions, async_trait,
    decide, validate_query, validate_refund,
};
use time::OffsetDateTime;

use crate::{
    GumroadClient, License, LicenseHolder, LicensePurchase, Refund, Sale, SalesQuery, Subscriber,
    SubscriberStatus, VerifyLicense, to_core_sale,
};

/// How many pages of sales an email check reads at most (10 sales a page).
pub const MAX_SALE_PAGES: u32 = 20;

const DISABLED: &str = "This license key has been disabled.";
const EXPIRED: &str = "Access to the purchase associated with this license has expired.";

/// The verdict for a verified license at `now` (no request: the decision
/// [`Access::check`] applies to the answer of `POST /v2/licenses/verify`).
///
/// `product_id` is the product asked about; a purchase of another product
/// is [`AccessReason::ProductMismatch`].
pub fn license_verdict(
    provider: Provider,
    license: &License,
    product_id: &str,
    max_uses: Option<u64>,
    now: OffsetDateTime,
) -> AccessVerdict {
    let uses_exceeded = max_uses
        .zip(license.uses)
        .is_some_and(|(max, uses)| uses > 0 && uses as u64 > max);
    let p = match &license.holder {
        LicenseHolder::Purchase(p) => p,
        LicenseHolder::ImportedCustomer(c) => {
            let source = AccessSource::new("imported_customer", c.id.clone().unwrap_or_default());
            let reason = if uses_exceeded {
                AccessReason::UsesExceeded
            } else {
                AccessReason::LicenseValid
            };
            return AccessVerdict::new(provider, reason, Some(source)).since(c.created_at);
        }
    };
    let source = AccessSource::new(
        "sale",
        p.id.clone()
            .or_else(|| p.sale_id.clone())
            .unwrap_or_default(),
    );
    let (reason, until) = purchase_reason(p, product_id, now);
    let reason = match reason {
        AccessReason::LicenseValid | AccessReason::ActiveSubscription if uses_exceeded => {
            AccessReason::UsesExceeded
        }
        other => other,
    };
    AccessVerdict::new(provider, reason, Some(source))
        .since(p.created_at.or(p.sale_timestamp))
        .until(until)
}

/// The reason a license purchase grants or denies, and the end time that goes with it.
fn purchase_reason(
    p: &LicensePurchase,
    product_id: &str,
    now: OffsetDateTime,
) -> (AccessReason, Option<OffsetDateTime>) {
    let yes = |b: Option<bool>| b == Some(true);
    let passed = |t: Option<OffsetDateTime>| t.filter(|t| *t <= now);
    if p.product_id.as_deref().is_some_and(|id| id != product_id) {
        return (AccessReason::ProductMismatch, None);
    }
    if yes(p.refunded) {
        return (AccessReason::Refunded, None);
    }
    if yes(p.chargebacked) {
        return (AccessReason::ChargedBack, None);
    }
    if yes(p.disputed) && !yes(p.dispute_won) {
        return (AccessReason::Disputed, None);
    }
    if let Some(t) = passed(p.subscription_failed_at) {
        return (AccessReason::SubscriptionFailed, Some(t));
    }
    if let Some(t) = passed(p.subscription_ended_at) {
        return (AccessReason::SubscriptionEnded, Some(t));
    }
    if let Some(t) = passed(p.subscription_cancelled_at) {
        return (AccessReason::SubscriptionCancelled, Some(t));
    }
    if p.subscription_id.is_some() {
        // Still running; a future cancellation date is when access ends.
        let until = p
            .subscription_cancelled_at
            .or(p.subscription_ended_at)
            .or(p.subscription_failed_at);
        return (AccessReason::ActiveSubscription, until);
    }
    (AccessReason::LicenseValid, None)
}

/// The verdict for one sale, before its subscription is looked at
/// (`None`: the sale itself grants; a membership still needs its subscription).
fn sale_denial(sale: &Sale) -> Option<AccessReason> {
    let yes = |b: Option<bool>| b == Some(true);
    if yes(sale.access_revoked) {
        Some(AccessReason::AccessRevoked)
    } else if yes(sale.refunded) {
        Some(AccessReason::Refunded)
    } else if yes(sale.partially_refunded) {
        Some(AccessReason::PartiallyRefunded)
    } else if yes(sale.chargedback) {
        Some(AccessReason::ChargedBack)
    } else if yes(sale.disputed) && !yes(sale.dispute_won) {
        Some(AccessReason::Disputed)
    } else {
        None
    }
}

/// The verdict a subscription gives at `now`: its `status` when sent,
/// else its end, failure and cancellation times.
pub fn subscription_verdict(
    provider: Provider,
    s: &Subscriber,
    now: OffsetDateTime,
) -> AccessVerdict {
    let reason = match &s.status {
        Some(SubscriberStatus::Alive | SubscriberStatus::PendingFailure) => {
            AccessReason::ActiveSubscription
        }
        Some(SubscriberStatus::PendingCancellation) => AccessReason::ActiveSubscription,
        Some(SubscriberStatus::FailedPayment) => AccessReason::SubscriptionFailed,
        Some(SubscriberStatus::FixedSubscriptionPeriodEnded) => AccessReason::SubscriptionEnded,
        Some(SubscriberStatus::Cancelled) => AccessReason::SubscriptionCancelled,
        Some(SubscriberStatus::Unknown(_)) | None => {
            if s.failed_at.is_some_and(|t| t <= now) {
                AccessReason::SubscriptionFailed
            } else if s.ended_at.is_some_and(|t| t <= now) {
                AccessReason::SubscriptionEnded
            } else if s.cancelled_at.is_some_and(|t| t <= now) {
                AccessReason::SubscriptionCancelled
            } else {
                AccessReason::ActiveSubscription
            }
        }
    };
    AccessVerdict::new(
        provider,
        reason,
        Some(AccessSource::new("subscription", &s.id)),
    )
    .since(s.created_at)
    .until(s.failed_at.or(s.ended_at).or(s.cancelled_at))
}

/// A license error that is a verdict, not a failure: Gumroad's 404 texts.
fn license_error_verdict(provider: Provider, error: &Error) -> Option<AccessVerdict> {
    let Error::NotFound { message, .. } = error else {
        return None;
    };
    let reason = if message.contains(DISABLED) {
        AccessReason::LicenseDisabled
    } else if message.contains(EXPIRED) {
        AccessReason::AccessRevoked
    } else {
        return Some(AccessVerdict::not_found(provider));
    };
    Some(AccessVerdict::new(
        provider,
        reason,
        Some(AccessSource::new("license", "")),
    ))
}

impl GumroadClient {
    fn access_now(&self, query: &AccessQuery) -> OffsetDateTime {
        query
            .at
            .unwrap_or_else(|| OffsetDateTime::from(self.transport().clock().now()))
    }

    async fn check_license(&self, query: &AccessQuery, key: &str) -> Result<AccessVerdict> {
        let provider = self.provider();
        let request = VerifyLicense::new(&query.product_id, key).increment_uses_count(false);
        match self.licenses().verify(&request).await {
            Ok(license) => Ok(license_verdict(
                provider,
                &license,
                &query.product_id,
                query.max_uses,
                self.access_now(query),
            )),
            Err(e) => license_error_verdict(provider, &e).ok_or(e),
        }
    }

    async fn check_email(&self, query: &AccessQuery, email: &str) -> Result<AccessVerdict> {
        let provider = self.provider();
        let now = self.access_now(query);
        let mut sales_query = SalesQuery::new().product_id(&query.product_id).email(email);
        sales_query.max_pages = Some(MAX_SALE_PAGES);
        let sales: Vec<Sale> = self.sales().list(&sales_query).try_collect().await?;
        let mut subscriptions: HashMap<String, AccessVerdict> = HashMap::new();
        let mut verdicts = Vec::new();
        for sale in sales {
            if sale
                .product_id
                .as_deref()
                .is_some_and(|p| p != query.product_id)
            {
                continue;
            }
            let source = Some(AccessSource::new("sale", &sale.id));
            if let Some(reason) = sale_denial(&sale) {
                verdicts.push(AccessVerdict::new(provider, reason, source).since(sale.created_at));
                continue;
            }
            match sale.subscription_id.clone() {
                Some(id) => {
                    if !subscriptions.contains_key(&id) {
                        let sub = self.subscribers().get(&id).await?;
                        subscriptions.insert(id.clone(), subscription_verdict(provider, &sub, now));
                    }
                    if let Some(v) = subscriptions.get(&id) {
                        verdicts.push(v.clone());
                    }
                }
                None => verdicts.push(
                    AccessVerdict::new(provider, AccessReason::LifetimePurchase, source)
                        .since(sale.created_at),
                ),
            }
        }
        Ok(decide(provider, verdicts))
    }

    async fn sale_write(&self, sale_id: &str, revoked: bool) -> Result<ActionOutcome> {
        let provider = self.provider();
        let before = self.sales().get(sale_id).await?;
        if before.access_revoked == Some(revoked) {
            return Ok(ActionOutcome::new(
                provider,
                Some(to_core_sale(provider, before)),
                KeyHandling::ByState,
                true,
            ));
        }
        let after = self
            .sales()
            .access(sale_id, revoked, Idempotency::Unsafe)
            .await?;
        Ok(ActionOutcome::new(
            provider,
            after.map(|s| to_core_sale(provider, s)),
            KeyHandling::ByState,
            false,
        ))
    }
}

/// Live entitlement checks against Gumroad (see the [module docs](self)).
#[async_trait]
impl Access for GumroadClient {
    fn provider(&self) -> Provider {
        GumroadClient::provider(self)
    }

    async fn check(&self, query: AccessQuery) -> Result<AccessVerdict> {
        validate_query(&query)?;
        match &query.person {
            Person::LicenseKey(key) => self.check_license(&query, key).await,
            Person::Email(email) => self.check_email(&query, email).await,
            _ => Err(Error::Unsupported {
                provider: GumroadClient::provider(self),
                operation: "access: look up purchases by buyer id (Gumroad filters sales by email or license key)",
            }),
        }
    }
}

/// Refunds (`PUT /v2/sales/:id/refund`) and access changes
/// (`PUT /v2/sales/:id/revoke_access`, `…/undo_revoke_access`), each sent
/// once. The idempotency key is not sent (Gumroad takes none): see the
/// [module docs](self) for how each call is made safe to repeat, or not.
#[async_trait]
impl SaleActions for GumroadClient {
    fn provider(&self) -> Provider {
        GumroadClient::provider(self)
    }

    /// A partial amount is in the sale's currency; Gumroad's sales report
    /// prices in USD, so a partial refund in another currency than the
    /// sale's `currency` is refused before any request.
    async fn refund(
        &self,
        sale_id: &str,
        amount: RefundAmount,
        _key: &IdempotencyKey,
    ) -> Result<ActionOutcome> {
        validate_refund(&amount)?;
        let provider = GumroadClient::provider(self);
        let sale = self.sales().get(sale_id).await?;
        let (refund, handling) = match amount {
            RefundAmount::Partial(money) => {
                if let Some(currency) = &sale.currency
                    && !currency.eq_ignore_ascii_case(money.currency().code())
                {
                    return Err(Error::InvalidInput(format!(
                        "sale {sale_id} is in {currency}; a partial refund must be in that currency, not {}",
                        money.currency().code()
                    )));
                }
                let cents = u64::try_from(money.minor_units()).unwrap_or_default();
                (
                    Refund::Partial {
                        amount_cents: cents,
                    },
                    KeyHandling::NotHonoured,
                )
            }
            _ => {
                if sale.refunded == Some(true) {
                    return Ok(ActionOutcome::new(
                        provider,
                        Some(to_core_sale(provider, sale)),
                        KeyHandling::ByState,
                        true,
                    ));
                }
                (Refund::Full, KeyHandling::ByState)
            }
        };
        let after = self.sales().refund(sale_id, refund).await?;
        Ok(ActionOutcome::new(
            provider,
            Some(to_core_sale(provider, after)),
            handling,
            false,
        ))
    }

    async fn revoke_access(&self, sale_id: &str, _key: &IdempotencyKey) -> Result<ActionOutcome> {
        self.sale_write(sale_id, true).await
    }

    async fn restore_access(&self, sale_id: &str, _key: &IdempotencyKey) -> Result<ActionOutcome> {
        self.sale_write(sale_id, false).await
    }
}
