//! The account-level refund policy (`/v2/refund_policy`).

use serde::{Deserialize, Serialize};

use crate::de::{opt_bool, opt_string};

creator_core::string_enum! {
    /// How long buyers may ask for a refund. Sent and received as these strings.
    pub enum RefundPeriod {
        /// No refunds (not allowed for digital products).
        NoRefunds = "none",
        /// 7 days.
        Days7 = "7",
        /// 14 days.
        Days14 = "14",
        /// 30 days.
        Days30 = "30",
        /// 6 months.
        Days183 = "183",
    }
}

/// The seller's account-level refund policy, shown to buyers while
/// [`AccountRefundPolicy::in_effect`] (products can carry their own policy
/// instead, see [`crate::RefundPolicy`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AccountRefundPolicy {
    /// The refund window.
    #[serde(default)]
    pub refund_period: Option<RefundPeriod>,
    /// Display title derived from the period, e.g. `"30-day money back guarantee"`.
    #[serde(default, deserialize_with = "opt_string")]
    pub title: Option<String>,
    /// Fine print (HTML stripped).
    #[serde(default, deserialize_with = "opt_string")]
    pub fine_print: Option<String>,
    /// Whether this policy is the one buyers see.
    #[serde(default, deserialize_with = "opt_bool")]
    pub in_effect: Option<bool>,
}
