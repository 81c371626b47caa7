//! Categories, SKUs, reviews and price comparables of products (2026 API).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::de::{nullable, opt_i64, opt_string, ts};

/// A product category (`GET /v2/categories`). Send its `path` as a
/// product's `category`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Category {
    /// Numeric taxonomy id (also accepted as `taxonomy_id`).
    #[serde(default, deserialize_with = "opt_i64")]
    pub id: Option<i64>,
    /// Slug, e.g. `figma`.
    #[serde(default, deserialize_with = "opt_string")]
    pub name: Option<String>,
    /// Display label, e.g. `Figma`.
    #[serde(default, deserialize_with = "opt_string")]
    pub label: Option<String>,
    /// Full path, e.g. `design/ui-and-web/figma`.
    #[serde(default, deserialize_with = "opt_string")]
    pub path: Option<String>,
    /// Parent category id; `None` for a top-level category.
    #[serde(default, deserialize_with = "opt_i64")]
    pub parent_id: Option<i64>,
}

/// A SKU of a product (`GET /v2/products/:id/skus`): a combination of
/// variant options, or, for physical products without SKUs, a variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Sku {
    /// External id.
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    /// Name, e.g. `Red - Large`.
    #[serde(default, deserialize_with = "opt_string")]
    pub name: Option<String>,
    /// Description.
    #[serde(default, deserialize_with = "opt_string")]
    pub description: Option<String>,
    /// Price added to the product price, product currency minor units.
    #[serde(default, deserialize_with = "opt_i64")]
    pub price_difference_cents: Option<i64>,
    /// Inventory limit.
    #[serde(default, deserialize_with = "opt_i64")]
    pub max_purchase_count: Option<i64>,
    /// The seller's own SKU code, when set.
    #[serde(default, deserialize_with = "opt_string")]
    pub custom_sku: Option<String>,
}

/// A review shown on a product page (`GET /v2/products/:id/reviews`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProductReview {
    /// External id.
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    /// Stars, 1–5.
    #[serde(default, deserialize_with = "opt_i64")]
    pub rating: Option<i64>,
    /// The buyer's text.
    #[serde(default, deserialize_with = "opt_string")]
    pub message: Option<String>,
    /// When it was written.
    #[serde(default, with = "ts")]
    pub created_at: Option<OffsetDateTime>,
    /// The reviewed sale.
    #[serde(default, deserialize_with = "opt_string")]
    pub purchase_id: Option<String>,
    /// The reviewer's name, or `Anonymous`.
    #[serde(default, deserialize_with = "opt_string")]
    pub rater_name: Option<String>,
    /// The seller's public reply.
    #[serde(default)]
    pub response: Option<ReviewResponse>,
}

/// The seller's reply to a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReviewResponse {
    /// Reply text.
    #[serde(default, deserialize_with = "opt_string")]
    pub message: Option<String>,
    /// When it was written.
    #[serde(default, with = "ts")]
    pub created_at: Option<OffsetDateTime>,
}

/// What comparable public products on Gumroad charge
/// (`GET /v2/products/comps`, used by the official CLI's `products comps`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PriceComparables {
    /// How many priced products matched.
    #[serde(default, deserialize_with = "opt_i64")]
    pub count: Option<i64>,
    /// Currency of the prices (`usd` when the server omits it).
    #[serde(default, deserialize_with = "opt_string")]
    pub currency: Option<String>,
    /// Price quartiles in minor units.
    #[serde(default)]
    pub price_cents: Option<PriceQuartiles>,
    /// Top matching products.
    #[serde(default, deserialize_with = "nullable")]
    pub examples: Vec<ComparableProduct>,
}

/// Price quartiles; each `None` when there were too few products.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PriceQuartiles {
    /// 25th percentile.
    #[serde(default, deserialize_with = "opt_i64")]
    pub p25: Option<i64>,
    /// Median.
    #[serde(default, deserialize_with = "opt_i64")]
    pub p50: Option<i64>,
    /// 75th percentile.
    #[serde(default, deserialize_with = "opt_i64")]
    pub p75: Option<i64>,
}

/// One comparable product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ComparableProduct {
    /// Name.
    #[serde(default, deserialize_with = "opt_string")]
    pub name: Option<String>,
    /// Price as shown, e.g. `"$12"`.
    #[serde(default, deserialize_with = "opt_string")]
    pub price: Option<String>,
    /// Product URL.
    #[serde(default, deserialize_with = "opt_string")]
    pub url: Option<String>,
}
