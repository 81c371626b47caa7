//! Products (`/v2/products`).

use std::collections::BTreeMap;

use creator_core::{Currency, Money};
use serde::{Deserialize, Serialize};

use crate::de::{nullable, opt_bool, opt_i64, opt_string};
use crate::models::{Cover, CustomField, Recurrence, RichContentPage};

creator_core::string_enum! {
    /// What kind of product it is (`native_type`; used when creating products).
    pub enum NativeType {
        /// A digital download (the default).
        Digital = "digital",
        /// A course.
        Course = "course",
        /// An ebook.
        Ebook = "ebook",
        /// A membership.
        Membership = "membership",
        /// A bundle of products.
        Bundle = "bundle",
        /// A "buy me a coffee" product.
        Coffee = "coffee",
        /// A booked call.
        Call = "call",
        /// A commission.
        Commission = "commission",
        /// A physical product (cannot be created through the API).
        Physical = "physical",
    }
}

/// A product as `GET /v2/products` and `GET /v2/products/:id` return it.
///
/// `price` is in the **product's own currency** (minor units: cents for
/// `usd`, whole yen for `jpy`) — unlike sales, whose prices are USD cents.
/// Use [`Product::price_money`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Product {
    /// External id (`A-m3CDDC5dlrSdKZp0RFhA==`).
    pub id: String,
    /// Name.
    #[serde(default, deserialize_with = "opt_string")]
    pub name: Option<String>,
    /// HTML description.
    #[serde(default, deserialize_with = "opt_string")]
    pub description: Option<String>,
    /// Custom permalink, if set.
    #[serde(default, deserialize_with = "opt_string")]
    pub custom_permalink: Option<String>,
    /// Custom receipt text.
    #[serde(default, deserialize_with = "opt_string")]
    pub custom_receipt: Option<String>,
    /// Custom summary.
    #[serde(default, deserialize_with = "opt_string")]
    pub custom_summary: Option<String>,
    /// Checkout fields (the seller's global ones and the product's own).
    #[serde(default, deserialize_with = "nullable")]
    pub custom_fields: Vec<CustomField>,
    /// Pay what you want.
    #[serde(default, deserialize_with = "opt_bool")]
    pub customizable_price: Option<bool>,
    /// Physical product that needs a shipping address.
    #[serde(default, deserialize_with = "opt_bool")]
    pub require_shipping: Option<bool>,
    /// Preview URL.
    #[serde(default, deserialize_with = "opt_string")]
    pub preview_url: Option<String>,
    /// Billing period, for memberships.
    #[serde(default)]
    pub subscription_duration: Option<Recurrence>,
    /// Deprecated, always `null`.
    #[serde(default, deserialize_with = "opt_string")]
    pub url: Option<String>,
    /// Default price in the product currency's minor units.
    #[serde(default, deserialize_with = "opt_i64")]
    pub price: Option<i64>,
    /// Lower-case ISO currency code (`usd`, `jpy`).
    #[serde(default, deserialize_with = "opt_string")]
    pub currency: Option<String>,
    /// Public URL, e.g. `https://sahil.gumroad.com/l/pencil`.
    #[serde(default, deserialize_with = "opt_string")]
    pub short_url: Option<String>,
    /// Thumbnail URL.
    #[serde(default, deserialize_with = "opt_string")]
    pub thumbnail_url: Option<String>,
    /// Tags.
    #[serde(default, deserialize_with = "nullable")]
    pub tags: Vec<String>,
    /// Price as shown, e.g. `"$1"`.
    #[serde(default, deserialize_with = "opt_string")]
    pub formatted_price: Option<String>,
    /// Live: not disabled, banned or deleted.
    #[serde(default, deserialize_with = "opt_bool")]
    pub published: Option<bool>,
    /// Deleted.
    #[serde(default, deserialize_with = "opt_bool")]
    pub deleted: Option<bool>,
    /// Legacy file info (`{}` unless the product has exactly one file).
    #[serde(default)]
    pub file_info: Option<serde_json::Value>,
    /// Purchase limit.
    #[serde(default, deserialize_with = "opt_i64")]
    pub max_purchase_count: Option<i64>,
    /// A membership with tiers.
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_tiered_membership: Option<bool>,
    /// Billing periods offered, for tiered memberships.
    #[serde(default)]
    pub recurrences: Option<Vec<Recurrence>>,
    /// Variant categories with their options (tiers for memberships).
    #[serde(default, deserialize_with = "nullable")]
    pub variants: Vec<ProductVariantCategory>,
    /// Purchasing-power-parity prices by ISO country, when the seller enabled PPP.
    #[serde(default)]
    pub purchasing_power_parity_prices: Option<BTreeMap<String, i64>>,
    /// Number of sales (only with `view_sales`; documented as a string, sent as an integer — both accepted).
    #[serde(default, deserialize_with = "opt_i64")]
    pub sales_count: Option<i64>,
    /// Revenue in USD cents, net of refunds (only with `view_sales`).
    #[serde(default, deserialize_with = "opt_i64")]
    pub sales_usd_cents: Option<i64>,
    /// Deprecated.
    #[serde(default, deserialize_with = "opt_string")]
    pub custom_delivery_url: Option<String>,
    /// A pre-order product.
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_preorder: Option<bool>,
    /// Still in pre-order.
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_in_preorder_state: Option<bool>,
    /// Pre-order release time, as sent.
    #[serde(default, deserialize_with = "opt_string")]
    pub release_at: Option<String>,
    /// Product type (2026 API), e.g. `digital`, `membership`.
    #[serde(default)]
    pub native_type: Option<NativeType>,
    /// Taxonomy id (2026 API).
    #[serde(default, deserialize_with = "opt_string")]
    pub taxonomy_id: Option<String>,
    /// Category slug (2026 API).
    #[serde(default, deserialize_with = "opt_string")]
    pub category: Option<String>,
    /// Category label (2026 API).
    #[serde(default, deserialize_with = "opt_string")]
    pub category_label: Option<String>,
    /// Files (2026 API, single product only).
    #[serde(default)]
    pub files: Option<Vec<ProductFile>>,
    /// Refund policy (2026 API, single product only).
    #[serde(default)]
    pub refund_policy: Option<RefundPolicy>,
    /// Cover images and videos in display order (2026 API).
    #[serde(default)]
    pub covers: Option<Vec<Cover>>,
    /// The main (first) cover's id (2026 API).
    #[serde(default, deserialize_with = "opt_string")]
    pub main_cover_id: Option<String>,
    /// Content pages (2026 API, single product only).
    #[serde(default)]
    pub rich_content: Option<Vec<RichContentPage>>,
    /// One content for all variants, or per-variant content (2026 API, single product only).
    #[serde(default, deserialize_with = "opt_bool")]
    pub has_same_rich_content_for_all_variants: Option<bool>,
    /// The custom landing page, when one is set (2026 API).
    #[serde(default, deserialize_with = "opt_string")]
    pub custom_html: Option<String>,
    /// The products in a bundle (2026 API), kept as sent.
    #[serde(default)]
    pub bundle_products: Option<Vec<serde_json::Value>>,
}

impl Product {
    /// The default price with its currency, when both are present and the
    /// currency code is valid. Minor units follow the currency: `jpy` 1200 is ¥1200.
    ///
    /// ```
    /// # let product: gumroad_api::Product = serde_json::from_str(
    /// #     r#"{"id":"x","price":1200,"currency":"jpy"}"#).unwrap();
    /// let price = product.price_money().unwrap();
    /// assert_eq!(price.to_string(), "1200 JPY");
    /// ```
    pub fn price_money(&self) -> Option<Money> {
        let currency = Currency::new(self.currency.as_deref()?).ok()?;
        Some(Money::from_minor(self.price?, currency))
    }

    /// True for memberships (a billing period or tiers).
    pub fn is_membership(&self) -> bool {
        self.subscription_duration.is_some()
            || self.is_tiered_membership == Some(true)
            || self.native_type == Some(NativeType::Membership)
    }
}

/// A variant category on a product (`variants` of [`Product`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProductVariantCategory {
    /// Category title (`"Size"`, `"Tier"`).
    #[serde(default, deserialize_with = "opt_string")]
    pub title: Option<String>,
    /// Options.
    #[serde(default, deserialize_with = "nullable")]
    pub options: Vec<ProductVariantOption>,
}

/// One option of a [`ProductVariantCategory`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProductVariantOption {
    /// Option name.
    #[serde(default, deserialize_with = "opt_string")]
    pub name: Option<String>,
    /// Price added to the product price, product currency minor units.
    #[serde(default, deserialize_with = "opt_i64")]
    pub price_difference: Option<i64>,
    /// Pay what you want.
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_pay_what_you_want: Option<bool>,
    /// Tier prices per billing period (tiered memberships only).
    #[serde(default)]
    pub recurrence_prices: Option<BTreeMap<String, RecurrencePrice>>,
    /// Always `null`.
    #[serde(default, deserialize_with = "opt_string")]
    pub url: Option<String>,
    /// PPP prices by country, when enabled.
    #[serde(default)]
    pub purchasing_power_parity_prices: Option<BTreeMap<String, i64>>,
}

/// A tier's price for one billing period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecurrencePrice {
    /// Price, product currency minor units.
    #[serde(default, deserialize_with = "opt_i64")]
    pub price_cents: Option<i64>,
    /// Suggested price for pay-what-you-want tiers.
    #[serde(default, deserialize_with = "opt_i64")]
    pub suggested_price_cents: Option<i64>,
    /// PPP prices by country, when enabled.
    #[serde(default)]
    pub purchasing_power_parity_prices: Option<BTreeMap<String, i64>>,
}

/// A file attached to a product (2026 API). `url` is a signed download
/// link, so `Debug` never prints it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProductFile {
    /// File id.
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    /// File name.
    #[serde(default, deserialize_with = "opt_string")]
    pub name: Option<String>,
    /// Size in bytes.
    #[serde(default, deserialize_with = "opt_i64")]
    pub size: Option<i64>,
    /// Download URL (signed; not the canonical upload URL).
    #[serde(default, deserialize_with = "opt_string")]
    pub url: Option<String>,
    /// Extension, e.g. `pdf`.
    #[serde(default, deserialize_with = "opt_string")]
    pub filetype: Option<String>,
    /// Group, e.g. `document`.
    #[serde(default, deserialize_with = "opt_string")]
    pub filegroup: Option<String>,
}

impl std::fmt::Debug for ProductFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProductFile")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("size", &self.size)
            .field("url", &self.url.as_ref().map(|_| "<signed url>"))
            .field("filetype", &self.filetype)
            .field("filegroup", &self.filegroup)
            .finish()
    }
}

/// A product's refund policy (2026 API).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RefundPolicy {
    /// Refund window, e.g. `"30"` days or `"0"` for none, as sent.
    #[serde(default, deserialize_with = "opt_string")]
    pub refund_period: Option<String>,
    /// Title.
    #[serde(default, deserialize_with = "opt_string")]
    pub title: Option<String>,
    /// Fine print.
    #[serde(default, deserialize_with = "opt_string")]
    pub fine_print: Option<String>,
    /// Inherited from the account policy.
    #[serde(default, deserialize_with = "opt_bool")]
    pub inherited: Option<bool>,
}
