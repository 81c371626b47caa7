//! Variant categories and variants (`/v2/products/:id/variant_categories`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::de::{opt_bool, opt_i64, opt_string};

/// A variant category of a product (`{"id", "title"}`), e.g. "Size".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VariantCategory {
    /// External id.
    pub id: String,
    /// Title shown at checkout.
    #[serde(default, deserialize_with = "opt_string")]
    pub title: Option<String>,
}

/// One option of a variant category, e.g. "Large".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Variant {
    /// External id.
    pub id: String,
    /// Name.
    #[serde(default, deserialize_with = "opt_string")]
    pub name: Option<String>,
    /// Description.
    #[serde(default, deserialize_with = "opt_string")]
    pub description: Option<String>,
    /// Price added to the product price, in the product currency's minor units.
    #[serde(default, deserialize_with = "opt_i64")]
    pub price_difference_cents: Option<i64>,
    /// Purchase limit for this option.
    #[serde(default, deserialize_with = "opt_i64")]
    pub max_purchase_count: Option<i64>,
    /// Pay what you want (tiered memberships only; not in the docs).
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_customizable_price: Option<bool>,
    /// Tier prices per billing period (tiered memberships only; not in the docs).
    #[serde(default)]
    pub recurrence_price_values: Option<BTreeMap<String, RecurrencePriceValue>>,
    /// The variant's own content pages (2026 API; used when the product has
    /// per-variant content).
    #[serde(default)]
    pub rich_content: Option<Vec<crate::RichContentPage>>,
}

/// A tier's price for one billing period, as variants report it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecurrencePriceValue {
    /// Whether this billing period is offered.
    #[serde(default, deserialize_with = "opt_bool")]
    pub enabled: Option<bool>,
    /// Price, product currency minor units.
    #[serde(default, deserialize_with = "opt_i64")]
    pub price_cents: Option<i64>,
    /// Suggested price for pay-what-you-want tiers.
    #[serde(default, deserialize_with = "opt_i64")]
    pub suggested_price_cents: Option<i64>,
    /// Price in major units as text (`"5"`), as sent.
    #[serde(default, deserialize_with = "opt_string")]
    pub price: Option<String>,
    /// Suggested price in major units as text, as sent.
    #[serde(default, deserialize_with = "opt_string")]
    pub suggested_price: Option<String>,
}
