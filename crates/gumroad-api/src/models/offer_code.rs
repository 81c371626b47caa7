//! Offer codes (`/v2/products/:id/offer_codes`).

use serde::{Deserialize, Serialize};

use crate::de::{opt_bool, opt_i64, opt_string};

/// An offer (discount) code. Exactly one of `amount_cents` and `percent_off`
/// is sent; see [`OfferCode::discount`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OfferCode {
    /// External id.
    pub id: String,
    /// The code buyers type at checkout.
    #[serde(default, deserialize_with = "opt_string")]
    pub name: Option<String>,
    /// Fixed discount in the product currency's minor units.
    #[serde(default, deserialize_with = "opt_i64")]
    pub amount_cents: Option<i64>,
    /// Percentage discount.
    #[serde(default, deserialize_with = "opt_i64")]
    pub percent_off: Option<i64>,
    /// Usage limit.
    #[serde(default, deserialize_with = "opt_i64")]
    pub max_purchase_count: Option<i64>,
    /// Applies to all of the seller's products.
    #[serde(default, deserialize_with = "opt_bool")]
    pub universal: Option<bool>,
    /// Purchases that used it (the docs omit it on update; the server sends it).
    #[serde(default, deserialize_with = "opt_i64")]
    pub times_used: Option<i64>,
    /// Minimum order amount (2026 API).
    #[serde(default, deserialize_with = "opt_i64")]
    pub minimum_amount_cents: Option<i64>,
}

/// The discount an offer code gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Discount {
    /// A fixed amount in the product currency's minor units.
    Cents(i64),
    /// A percentage.
    Percent(i64),
}

impl OfferCode {
    /// The discount, from whichever of `amount_cents` / `percent_off` was sent.
    pub fn discount(&self) -> Option<Discount> {
        match (self.amount_cents, self.percent_off) {
            (Some(c), _) => Some(Discount::Cents(c)),
            (None, Some(p)) => Some(Discount::Percent(p)),
            (None, None) => None,
        }
    }
}
