//! Subscribers of your memberships and subscription status.

use creator_core::Result;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::de;

creator_core::string_enum! {
    /// The kind of the latest subscription payment (`subscription_type_latest`).
    pub enum SubscriptionType {
        /// `RECURRING`: renews automatically.
        Recurring = "RECURRING",
    }
}

/// One row of `GET {V2}/payment/creator/subscribers`: a Gank user subscribed
/// to one of your membership settings.
///
/// Timestamps are kept as sent (their format is not documented); read them
/// with [`GankSubscriber::started_at`] and [`GankSubscriber::ends_at`].
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct GankSubscriber {
    /// The subscriber's Gank user id.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub supporter_user_id: Option<String>,
    /// The subscriber's nickname.
    #[serde(default)]
    pub supporter_nickname: Option<String>,
    /// Avatar URL (often `null`).
    #[serde(default)]
    pub supporter_avatar: Option<String>,
    /// The membership setting (tier) subscribed to.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub membership_setting_id: Option<String>,
    /// Start of the subscription, as sent.
    #[serde(default)]
    pub subscription_start: Option<String>,
    /// End of the current period, as sent (its meaning for recurring plans is not documented).
    #[serde(default)]
    pub subscription_end: Option<String>,
    /// Kind of the latest payment (`RECURRING`).
    #[serde(default)]
    pub subscription_type_latest: Option<SubscriptionType>,
    /// Billing period in months, as sent (a number or numeric string).
    #[serde(default, deserialize_with = "de::opt_u32")]
    pub subscription_period: Option<u32>,
    /// The membership detail (billing option) of the latest payment.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub latest_membership_detail_id: Option<String>,
    /// Months covered by the latest membership detail.
    #[serde(default, deserialize_with = "de::opt_u32")]
    pub latest_membership_detail_month: Option<u32>,
}

impl GankSubscriber {
    /// [`subscription_start`](Self::subscription_start) parsed (see
    /// [`parse_timestamp`](crate::parse_timestamp)); `None` when absent or unreadable.
    pub fn started_at(&self) -> Option<OffsetDateTime> {
        self.subscription_start
            .as_deref()
            .and_then(crate::parse_timestamp)
    }

    /// [`subscription_end`](Self::subscription_end) parsed; `None` when absent or unreadable.
    pub fn ends_at(&self) -> Option<OffsetDateTime> {
        self.subscription_end
            .as_deref()
            .and_then(crate::parse_timestamp)
    }

    /// The identity of this row across pages: the supporter and the setting
    /// (a user subscribed to two settings has two rows).
    pub fn row_key(&self) -> Option<String> {
        let user = self.supporter_user_id.as_deref()?;
        Some(match &self.membership_setting_id {
            Some(setting) => format!("{user}:{setting}"),
            None => user.to_owned(),
        })
    }
}

/// `{"data": [...], "total": n}` from the subscriber list and export endpoints.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct SubscriberPage {
    /// The rows (`data: null` reads as none).
    #[serde(default, deserialize_with = "de::nullable")]
    pub data: Vec<GankSubscriber>,
    /// The number of rows matching the filters, over all pages.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub total: Option<u64>,
}

/// `{"active": true}` from the subscription status endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct GankSubscriptionStatus {
    /// Whether the subscription is active (a boolean, or `"true"`/`"false"`).
    #[serde(deserialize_with = "required_bool")]
    pub active: bool,
}

fn required_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    de::opt_bool(d)?.ok_or_else(|| serde::de::Error::custom("`active` is null"))
}
