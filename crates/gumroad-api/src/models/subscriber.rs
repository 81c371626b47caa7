//! Subscribers (`/v2/products/:id/subscribers`, `/v2/subscribers/:id`).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::de::{opt_i64, opt_string, ts};
use crate::models::{PurchaseIds, Recurrence};

creator_core::string_enum! {
    /// The state of a Gumroad subscription.
    pub enum SubscriberStatus {
        /// Paid up.
        Alive = "alive",
        /// Cancelled, running until the end of the paid period.
        PendingCancellation = "pending_cancellation",
        /// A charge failed and is being retried.
        PendingFailure = "pending_failure",
        /// Ended after failed payments.
        FailedPayment = "failed_payment",
        /// A fixed-length membership reached its end.
        FixedSubscriptionPeriodEnded = "fixed_subscription_period_ended",
        /// Cancelled and over.
        Cancelled = "cancelled",
    }
}

/// A subscription to a membership product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Subscriber {
    /// Subscription id.
    pub id: String,
    /// Subscription email (account email, else purchase or giftee email).
    #[serde(default, deserialize_with = "opt_string")]
    pub email: Option<String>,
    /// Product id.
    #[serde(default, deserialize_with = "opt_string")]
    pub product_id: Option<String>,
    /// Product name.
    #[serde(default, deserialize_with = "opt_string")]
    pub product_name: Option<String>,
    /// Buyer's numeric account id; `null` without an account.
    #[serde(default, deserialize_with = "opt_string")]
    pub user_id: Option<String>,
    /// Buyer's account email; `null` without an account (use `email`).
    #[serde(default, deserialize_with = "opt_string")]
    pub user_email: Option<String>,
    /// Ids of the subscription's charges.
    #[serde(default)]
    pub purchase_ids: PurchaseIds,
    /// When it started.
    #[serde(default, with = "ts")]
    pub created_at: Option<OffsetDateTime>,
    /// When the buyer asked to cancel.
    #[serde(default, with = "ts")]
    pub user_requested_cancellation_at: Option<OffsetDateTime>,
    /// Number of charges, for fixed-length memberships.
    #[serde(default, deserialize_with = "opt_i64")]
    pub charge_occurrence_count: Option<i64>,
    /// Billing period.
    #[serde(default)]
    pub recurrence: Option<Recurrence>,
    /// When access ends or ended after a cancellation (may be in the future).
    #[serde(default, with = "ts")]
    pub cancelled_at: Option<OffsetDateTime>,
    /// When it ended.
    #[serde(default, with = "ts")]
    pub ended_at: Option<OffsetDateTime>,
    /// When payment failed.
    #[serde(default, with = "ts")]
    pub failed_at: Option<OffsetDateTime>,
    /// End of the free trial.
    #[serde(default, with = "ts")]
    pub free_trial_ends_at: Option<OffsetDateTime>,
    /// Status.
    #[serde(default)]
    pub status: Option<SubscriberStatus>,
    /// License key, for licensed products.
    #[serde(default, deserialize_with = "opt_string")]
    pub license_key: Option<String>,
}

impl Subscriber {
    /// The best email for the subscriber: `email`, else `user_email`.
    pub fn best_email(&self) -> Option<&str> {
        self.email.as_deref().or(self.user_email.as_deref())
    }
}
