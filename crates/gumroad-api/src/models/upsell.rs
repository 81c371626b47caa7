//! Upsells and cross-sells (`/v2/upsells`).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::Discount;
use crate::de::{nullable, opt_bool, opt_i64, opt_string, ts};

creator_core::string_enum! {
    /// How an upsell's discount is expressed.
    pub enum UpsellDiscountType {
        /// A fixed amount off (`cents`).
        Fixed = "fixed",
        /// A percentage off (`percents`).
        Percent = "percent",
    }
}

/// An upsell (a different version of the product being bought) or a
/// cross-sell (another product, offered to buyers of selected products or
/// of every product when [`Upsell::universal`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Upsell {
    /// External id.
    pub id: String,
    /// Name (shown to the seller).
    #[serde(default, deserialize_with = "opt_string")]
    pub name: Option<String>,
    /// True for a cross-sell, false for a version upsell.
    #[serde(default, deserialize_with = "opt_bool")]
    pub cross_sell: Option<bool>,
    /// The offered product replaces the selected products in the cart.
    #[serde(default, deserialize_with = "opt_bool")]
    pub replace_selected_products: Option<bool>,
    /// Offered to buyers of every product.
    #[serde(default, deserialize_with = "opt_bool")]
    pub universal: Option<bool>,
    /// Headline shown to the buyer.
    #[serde(default, deserialize_with = "opt_string")]
    pub text: Option<String>,
    /// Description shown to the buyer.
    #[serde(default, deserialize_with = "opt_string")]
    pub description: Option<String>,
    /// Paused upsells are not offered.
    #[serde(default, deserialize_with = "opt_bool")]
    pub paused: Option<bool>,
    /// The offered product.
    #[serde(default)]
    pub product: Option<UpsellProduct>,
    /// The discount on the offered product, if any.
    #[serde(default)]
    pub discount: Option<UpsellDiscount>,
    /// The products whose buyers see a cross-sell.
    #[serde(default, deserialize_with = "nullable")]
    pub selected_products: Vec<NamedRef>,
    /// The version upgrades of an upsell.
    #[serde(default, deserialize_with = "nullable")]
    pub upsell_variants: Vec<UpsellVariant>,
}

/// An id and a name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NamedRef {
    /// External id.
    pub id: String,
    /// Name.
    #[serde(default, deserialize_with = "opt_string")]
    pub name: Option<String>,
}

/// The product an upsell offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UpsellProduct {
    /// External id.
    pub id: String,
    /// Name.
    #[serde(default, deserialize_with = "opt_string")]
    pub name: Option<String>,
    /// The product's currency, lower-case (`usd`).
    #[serde(default, deserialize_with = "opt_string")]
    pub currency_type: Option<String>,
    /// The offered version of a cross-sold product.
    #[serde(default)]
    pub variant: Option<NamedRef>,
}

/// A version upgrade: buyers of `selected_variant` are offered `offered_variant`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UpsellVariant {
    /// External id.
    pub id: String,
    /// The version in the cart.
    pub selected_variant: NamedRef,
    /// The version offered instead.
    pub offered_variant: NamedRef,
}

/// An upsell's discount (the offer code behind it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UpsellDiscount {
    /// Fixed or percentage.
    #[serde(default, rename = "type")]
    pub kind: Option<UpsellDiscountType>,
    /// Amount off in the offered product's currency minor units (fixed discounts).
    #[serde(default, deserialize_with = "opt_i64")]
    pub cents: Option<i64>,
    /// Percentage off (percentage discounts).
    #[serde(default, deserialize_with = "opt_i64")]
    pub percents: Option<i64>,
    /// The products it applies to (`None` when universal).
    #[serde(default)]
    pub product_ids: Option<Vec<String>>,
    /// Expiry.
    #[serde(default, with = "ts")]
    pub expires_at: Option<OffsetDateTime>,
    /// Minimum quantity.
    #[serde(default, deserialize_with = "opt_i64")]
    pub minimum_quantity: Option<i64>,
    /// For memberships: how many billing cycles it lasts.
    #[serde(default, deserialize_with = "opt_i64")]
    pub duration_in_billing_cycles: Option<i64>,
    /// Minimum order amount in minor units.
    #[serde(default, deserialize_with = "opt_i64")]
    pub minimum_amount_cents: Option<i64>,
}

impl UpsellDiscount {
    /// The discount as an amount or a percentage, whichever the type says.
    pub fn discount(&self) -> Option<Discount> {
        match (&self.kind, self.cents, self.percents) {
            (Some(UpsellDiscountType::Fixed), Some(c), _) => Some(Discount::Cents(c)),
            (Some(UpsellDiscountType::Percent), _, Some(p)) => Some(Discount::Percent(p)),
            (_, Some(c), None) => Some(Discount::Cents(c)),
            (_, None, Some(p)) => Some(Discount::Percent(p)),
            _ => None,
        }
    }
}
