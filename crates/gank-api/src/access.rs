//! [`Access`] for Gank, read live; [`SaleActions`] is unsupported.
//!
//! The product is a membership setting (tier) id or a shop listing
//! (`catalog_id`). A check reads:
//!
//! 1. for a **user id**, the subscriber export of that tier
//!    (`GET /payment/creator/subscribers/export?membership_setting_id=…`,
//!    creator token), first `active=true` ([`AccessReason::ActiveSubscription`]
//!    until `subscription_end`), then `active=false` (a subscription that is
//!    over: [`AccessReason::SubscriptionEnded`], or
//!    [`AccessReason::SubscriptionFailed`] when the person's latest
//!    membership payment did not succeed — Gank says nothing more);
//! 2. the wallet transactions (`GET /payment/transactions`, login token,
//!    at most [`MAX_TRANSACTION_PAGES`] pages): a successful
//!    `DIGITAL_GOODS` payment for the listing is a
//!    [`AccessReason::LifetimePurchase`]. For an **email**, the transactions
//!    also name the Gank user ids paid with that email
//!    (`subscriber_user_email`, `buyer_user_email`), which step 1 then checks.
//!
//! A [`AccessReason::NotFound`] needs both reads, so both tokens; without
//! one the check fails with [`Error::Config`] naming it rather than deny.
//! License keys do not exist on Gank ([`Error::Unsupported`]). Gank has no
//! refund or access-revocation API, so every [`SaleActions`] call is
//! [`Error::Unsupported`], and no Gank payment ever yields
//! [`AccessReason::Refunded`] or a dispute.

use std::collections::BTreeSet;

use creator_core::futures::TryStreamExt;
use creator_core::{
    Access, AccessQuery, AccessReason, AccessSource, AccessVerdict, ActionOutcome, Error,
    IdempotencyKey, Person, Provider, RefundAmount, Result, SaleActions, async_trait, decide,
    validate_query,
};

use crate::{
    GankClient, GankSubscriber, PaymentStatus, SubscriberFilter, Transaction, TransactionFilter,
    UsecasePayload,
};

/// How many pages of wallet transactions a check reads at most (100 a page).
pub const MAX_TRANSACTION_PAGES: u32 = 10;

const GANK: Provider = Provider::Gank;

fn subscriber_source(row: &GankSubscriber) -> AccessSource {
    AccessSource::new("subscriber", row.row_key().unwrap_or_default())
}

/// Who paid a transaction, and for what: `(user id, email, listing id)`.
fn payer(tx: &Transaction) -> (Option<&str>, Option<&str>, Option<&str>) {
    match tx.usecase_data.as_ref().map(|u| &u.data) {
        Some(UsecasePayload::Membership(m)) => (
            m.subscriber_user_id.as_deref(),
            m.subscriber_user_email.as_deref(),
            None,
        ),
        Some(UsecasePayload::DigitalGoods(d)) => (
            d.buyer_user_id.as_deref(),
            d.buyer_user_email.as_deref(),
            d.catalog_id.as_deref(),
        ),
        _ => (None, None, None),
    }
}

fn succeeded(tx: &Transaction) -> bool {
    tx.payment_status == Some(PaymentStatus::Succeed)
}

fn is_membership(tx: &Transaction) -> bool {
    matches!(
        tx.usecase_data.as_ref().map(|u| &u.data),
        Some(UsecasePayload::Membership(_))
    )
}

impl GankClient {
    async fn wallet(&self) -> Result<Vec<Transaction>> {
        let filter = TransactionFilter::new().max_pages(MAX_TRANSACTION_PAGES);
        self.transactions().list(filter).try_collect().await
    }

    /// The subscriber verdict of `user` on tier `setting`, if Gank lists them.
    async fn subscriber_verdict(
        &self,
        setting: &str,
        user: &str,
        wallet: &[Transaction],
    ) -> Result<Option<AccessVerdict>> {
        for active in [true, false] {
            let filter = SubscriberFilter::new()
                .active(active)
                .membership_setting_id(setting);
            let rows = self.subscribers().export(&filter).await?;
            let Some(row) = rows.data.iter().find(|r| {
                r.supporter_user_id.as_deref() == Some(user)
                    && r.membership_setting_id
                        .as_deref()
                        .is_none_or(|s| s == setting)
            }) else {
                continue;
            };
            let reason = if active {
                AccessReason::ActiveSubscription
            } else {
                // The newest membership payment of this person (the wallet is newest first).
                let latest = wallet
                    .iter()
                    .find(|tx| is_membership(tx) && payer(tx).0 == Some(user));
                match latest {
                    Some(tx) if !succeeded(tx) => AccessReason::SubscriptionFailed,
                    _ => AccessReason::SubscriptionEnded,
                }
            };
            return Ok(Some(
                AccessVerdict::new(GANK, reason, Some(subscriber_source(row)))
                    .since(row.started_at())
                    .until(row.ends_at()),
            ));
        }
        Ok(None)
    }
}

/// Live entitlement checks against Gank (see the [module docs](self)).
#[async_trait]
impl Access for GankClient {
    fn provider(&self) -> Provider {
        GANK
    }

    async fn check(&self, query: AccessQuery) -> Result<AccessVerdict> {
        validate_query(&query)?;
        let product = query.product_id.as_str();
        let wallet = self.wallet().await?;
        let mut users: BTreeSet<String> = BTreeSet::new();
        let mut verdicts = Vec::new();
        let is_me = |user: Option<&str>, email: Option<&str>| match &query.person {
            Person::UserId(u) => user == Some(u.as_str()),
            Person::Email(e) => email.is_some_and(|x| x.trim().eq_ignore_ascii_case(e.trim())),
            _ => false,
        };
        match &query.person {
            Person::UserId(u) => {
                users.insert(u.clone());
            }
            Person::Email(_) => {}
            _ => {
                return Err(Error::Unsupported {
                    provider: GANK,
                    operation: "access: check a license key (Gank has no license keys)",
                });
            }
        }
        for tx in &wallet {
            let (user, email, listing) = payer(tx);
            if !is_me(user, email) {
                continue;
            }
            if let Some(u) = user {
                users.insert(u.to_owned());
            }
            if listing == Some(product) && succeeded(tx) {
                let id = tx.key().unwrap_or_default();
                verdicts.push(
                    AccessVerdict::new(
                        GANK,
                        AccessReason::LifetimePurchase,
                        Some(AccessSource::new("transaction", id)),
                    )
                    .since(tx.created_at()),
                );
            }
        }
        if !verdicts.iter().any(|v| v.granted) {
            for user in &users {
                if let Some(v) = self.subscriber_verdict(product, user, &wallet).await? {
                    verdicts.push(v);
                }
            }
        }
        Ok(decide(GANK, verdicts))
    }
}

fn unsupported(operation: &'static str) -> Error {
    Error::Unsupported {
        provider: GANK,
        operation,
    }
}

/// Gank documents no refund or access API: every call is [`Error::Unsupported`].
#[async_trait]
impl SaleActions for GankClient {
    fn provider(&self) -> Provider {
        GANK
    }

    async fn refund(
        &self,
        _sale_id: &str,
        _amount: RefundAmount,
        _key: &IdempotencyKey,
    ) -> Result<ActionOutcome> {
        Err(unsupported("sales: refund (Gank has no refund API)"))
    }

    async fn revoke_access(&self, _sale_id: &str, _key: &IdempotencyKey) -> Result<ActionOutcome> {
        Err(unsupported("sales: revoke access (Gank has no such API)"))
    }

    async fn restore_access(&self, _sale_id: &str, _key: &IdempotencyKey) -> Result<ActionOutcome> {
        Err(unsupported("sales: restore access (Gank has no such API)"))
    }
}
