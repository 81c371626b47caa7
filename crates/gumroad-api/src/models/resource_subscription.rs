//! Resource subscriptions: webhook registrations (`/v2/resource_subscriptions`).

use serde::{Deserialize, Serialize};

use crate::de::opt_string;

creator_core::string_enum! {
    /// The events a resource subscription can deliver.
    pub enum GumroadEventName {
        /// A sale.
        Sale = "sale",
        /// A refund (reuses the sale's `sale_id`).
        Refund = "refund",
        /// A dispute (chargeback).
        Dispute = "dispute",
        /// A dispute won by the seller.
        DisputeWon = "dispute_won",
        /// A subscription cancellation was requested or forced.
        Cancellation = "cancellation",
        /// A tiered membership was upgraded or downgraded.
        SubscriptionUpdated = "subscription_updated",
        /// A subscription ended.
        SubscriptionEnded = "subscription_ended",
        /// A subscription was restarted.
        SubscriptionRestarted = "subscription_restarted",
    }
}

impl GumroadEventName {
    /// The eight resource names Gumroad knows.
    pub const ALL: [GumroadEventName; 8] = [
        GumroadEventName::Sale,
        GumroadEventName::Refund,
        GumroadEventName::Dispute,
        GumroadEventName::DisputeWon,
        GumroadEventName::Cancellation,
        GumroadEventName::SubscriptionUpdated,
        GumroadEventName::SubscriptionEnded,
        GumroadEventName::SubscriptionRestarted,
    ];
}

/// A webhook registration: Gumroad POSTs `resource_name` events to `post_url`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResourceSubscription {
    /// External id.
    pub id: String,
    /// The event kind.
    pub resource_name: GumroadEventName,
    /// Where deliveries go.
    #[serde(default, deserialize_with = "opt_string")]
    pub post_url: Option<String>,
}
