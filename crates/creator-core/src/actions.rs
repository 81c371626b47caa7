//! Writes the platforms share: refunds and revoking or restoring access.
//!
//! [`SaleActions`] is a trait of its own (not part of [`Sales`](crate::Sales))
//! because a read-only token, a gateway or a fake may read sales without being
//! allowed to change them. Every call:
//!
//! - is **never retried automatically** (a repeated partial refund refunds
//!   twice); the caller decides, with the same [`IdempotencyKey`];
//! - takes an [`IdempotencyKey`] that the implementation honours where the
//!   platform can, and says how in [`ActionOutcome::idempotency`];
//! - returns [`Error::Unsupported`](crate::Error::Unsupported) where the
//!   platform has no such call.

use std::fmt;

use async_trait::async_trait;
use serde::Serialize;

use crate::{Error, Money, Provider, Result, Sale};

/// A caller-chosen key that makes a repeated write harmless where the
/// platform allows it (1 to 255 visible ASCII characters).
///
/// ```
/// use creator_core::IdempotencyKey;
///
/// assert!(IdempotencyKey::new("refund-order-1042").is_ok());
/// assert!(IdempotencyKey::new("").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// The longest key accepted.
    pub const MAX_LEN: usize = 255;

    /// Checks and wraps `key`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty key, one longer than
    /// [`IdempotencyKey::MAX_LEN`], or one with characters outside visible ASCII.
    pub fn new(key: impl Into<String>) -> Result<Self> {
        let key = key.into();
        if key.is_empty() || key.len() > Self::MAX_LEN || !key.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(Error::InvalidInput(format!(
                "an idempotency key is 1 to {} visible ASCII characters",
                Self::MAX_LEN
            )));
        }
        Ok(Self(key))
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("IdempotencyKey").field(&self.0).finish()
    }
}

/// How much to refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RefundAmount {
    /// Everything not yet refunded.
    Full,
    /// Part of it, in the sale's currency.
    Partial(Money),
}

/// How an implementation honoured the [`IdempotencyKey`] of one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum KeyHandling {
    /// The key was sent to the platform, which deduplicates on it.
    SentToPlatform,
    /// The platform takes no key, but the write is idempotent by state: the
    /// state was read (or the refusal recognised) so a repeat does nothing
    /// (a full refund of a refunded sale, revoking a revoked sale).
    ByState,
    /// Neither: a repeat would act twice (a partial refund on Gumroad).
    /// The caller must not repeat the call with the same intent.
    NotHonoured,
}

/// What a write did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ActionOutcome {
    /// The platform written to.
    pub provider: Provider,
    /// The sale after the write, when the platform returned it.
    pub sale: Option<Sale>,
    /// How the idempotency key was honoured.
    pub idempotency: KeyHandling,
    /// True when nothing had to change (already refunded, already revoked).
    pub already_done: bool,
}

impl ActionOutcome {
    /// An outcome with the given fields.
    pub fn new(
        provider: Provider,
        sale: Option<Sale>,
        idempotency: KeyHandling,
        already_done: bool,
    ) -> Self {
        Self {
            provider,
            sale,
            idempotency,
            already_done,
        }
    }
}

/// Refunds and access changes on sales. Object-safe; never retried automatically.
#[async_trait]
pub trait SaleActions: Send + Sync {
    /// The platform behind this implementation.
    fn provider(&self) -> Provider;

    /// Refunds sale `sale_id` fully or partly.
    ///
    /// # Errors
    /// [`Error::Unsupported`] where the platform cannot refund through its
    /// API, [`Error::InvalidInput`] for a zero or negative partial amount,
    /// or any request error.
    async fn refund(
        &self,
        sale_id: &str,
        amount: RefundAmount,
        key: &IdempotencyKey,
    ) -> Result<ActionOutcome>;

    /// Takes access to sale `sale_id` away without refunding it.
    ///
    /// # Errors
    /// [`Error::Unsupported`] where the platform has no such call, or any request error.
    async fn revoke_access(&self, sale_id: &str, key: &IdempotencyKey) -> Result<ActionOutcome>;

    /// Gives back access taken by [`SaleActions::revoke_access`].
    ///
    /// # Errors
    /// As [`SaleActions::revoke_access`].
    async fn restore_access(&self, sale_id: &str, key: &IdempotencyKey) -> Result<ActionOutcome>;
}

/// Checks a partial refund amount before any request.
///
/// # Errors
/// [`Error::InvalidInput`] when the amount is zero or negative.
pub fn validate_refund(amount: &RefundAmount) -> Result<()> {
    match amount {
        RefundAmount::Partial(m) if m.minor_units() <= 0 => Err(Error::InvalidInput(
            "a partial refund needs an amount above zero".into(),
        )),
        _ => Ok(()),
    }
}
