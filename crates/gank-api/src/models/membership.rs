//! Membership settings (tiers) and their details.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Amount;
use crate::de;

/// A membership setting: one tier a creator offers.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct MembershipSetting {
    /// The setting id (what subscribers' `membership_setting_id` refers to).
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// The tier's title, when sent as `title`.
    #[serde(default)]
    pub title: Option<String>,
    /// The tier's name, when sent as `name`.
    #[serde(default)]
    pub name: Option<String>,
    /// The billing options of this tier (`membershipDetails`; `null` reads as none).
    #[serde(
        default,
        rename = "membershipDetails",
        alias = "membership_details",
        deserialize_with = "de::nullable"
    )]
    pub membership_details: Vec<MembershipDetail>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl MembershipSetting {
    /// `title`, else `name`.
    pub fn display_name(&self) -> Option<&str> {
        self.title.as_deref().or(self.name.as_deref())
    }

    /// The price of the shortest billing option that has a price (usually the
    /// monthly one).
    pub fn base_price(&self) -> Option<&Amount> {
        self.membership_details
            .iter()
            .filter(|d| d.price.is_some())
            .min_by_key(|d| d.month.unwrap_or(u32::MAX))
            .and_then(|d| d.price.as_ref())
    }
}

/// A membership detail: one billing option (a number of months and a price) of a setting.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct MembershipDetail {
    /// The detail id (what `latest_membership_detail_id` refers to).
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// Months covered, when sent as `month`.
    #[serde(default, deserialize_with = "de::opt_u32")]
    pub month: Option<u32>,
    /// Price in dollars, when sent as `price` (a string or a number).
    #[serde(default)]
    pub price: Option<Amount>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}
