//! Shop listings (`GET /v1/catalogs/services`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Amount;
use crate::de;

/// A shop listing (service or digital good). Its `id` is the `catalog_id` of
/// a `DIGITAL_GOODS` transaction.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Listing {
    /// The listing id (a UUID).
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// Title.
    #[serde(default)]
    pub name: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Price options (`servicePrices`; `null` reads as none).
    #[serde(
        default,
        rename = "servicePrices",
        alias = "service_prices",
        deserialize_with = "de::nullable"
    )]
    pub service_prices: Vec<ServicePrice>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Listing {
    /// The first price option's `rate_usd`.
    pub fn base_price(&self) -> Option<&Amount> {
        self.service_prices.iter().find_map(|p| p.rate_usd.as_ref())
    }
}

/// One price option of a listing.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct ServicePrice {
    /// The price option's id, when sent.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub id: Option<String>,
    /// The price in US dollars (a number or a string).
    #[serde(default)]
    pub rate_usd: Option<Amount>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// `{"data": [...]}` from the listings endpoint (`total` when sent).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct ListingPage {
    /// The listings (`data: null` reads as none).
    #[serde(default, deserialize_with = "de::nullable")]
    pub data: Vec<Listing>,
    /// The total count, when Gank sends one.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub total: Option<u64>,
}
