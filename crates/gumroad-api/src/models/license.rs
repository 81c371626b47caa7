//! License keys (`/v2/licenses/*`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::de::{opt_bool, opt_i64, opt_string, ts};
use crate::models::{Card, CustomFieldValues, OfferCodeUsed, Recurrence, Variants};

/// What verify, enable, disable, decrement and rotate return:
/// the license's use count and who holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct License {
    /// How many times the license has been verified with increment on.
    pub uses: Option<i64>,
    /// The purchase or imported customer the license belongs to.
    pub holder: LicenseHolder,
}

impl License {
    /// The purchase, when the license belongs to one.
    pub fn purchase(&self) -> Option<&LicensePurchase> {
        match &self.holder {
            LicenseHolder::Purchase(p) => Some(p),
            LicenseHolder::ImportedCustomer(_) => None,
        }
    }
}

/// Who a license belongs to.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LicenseHolder {
    /// A Gumroad purchase (`"purchase"` in the response).
    Purchase(Box<LicensePurchase>),
    /// A customer imported by the seller (`"imported_customer"`).
    ImportedCustomer(ImportedCustomer),
}

/// The purchase behind a license.
///
/// This is **not** the sales-API shape: it is the ping payload merged with
/// a few version-1 fields, so `variants` is a string (`"(Premium)"`),
/// `custom_fields` is a list of `"Name: value"` strings, and every custom
/// field also appears as a top-level key (kept in [`LicensePurchase::other`]).
/// Recurring products carry `subscription_*_at` end times; one-off products
/// carry `chargebacked`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LicensePurchase {
    /// Sale id.
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    /// Sale id again (ping field).
    #[serde(default, deserialize_with = "opt_string")]
    pub sale_id: Option<String>,
    /// When the purchase was made; never changes on renewals.
    #[serde(default, with = "ts")]
    pub created_at: Option<OffsetDateTime>,
    /// Same as `created_at` (ping field).
    #[serde(default, with = "ts")]
    pub sale_timestamp: Option<OffsetDateTime>,
    /// Seller id.
    #[serde(default, deserialize_with = "opt_string")]
    pub seller_id: Option<String>,
    /// Product id.
    #[serde(default, deserialize_with = "opt_string")]
    pub product_id: Option<String>,
    /// Product name.
    #[serde(default, deserialize_with = "opt_string")]
    pub product_name: Option<String>,
    /// Deprecated general permalink.
    #[serde(default, deserialize_with = "opt_string")]
    pub permalink: Option<String>,
    /// Product URL (here a full URL, unlike on sales).
    #[serde(default, deserialize_with = "opt_string")]
    pub product_permalink: Option<String>,
    /// Product short code.
    #[serde(default, deserialize_with = "opt_string")]
    pub short_product_id: Option<String>,
    /// Buyer email.
    #[serde(default, deserialize_with = "opt_string")]
    pub email: Option<String>,
    /// Buyer name.
    #[serde(default, deserialize_with = "opt_string")]
    pub full_name: Option<String>,
    /// Buyer account id; absent for guest purchases.
    #[serde(default, deserialize_with = "opt_string")]
    pub purchaser_id: Option<String>,
    /// Price, USD cents.
    #[serde(default, deserialize_with = "opt_i64")]
    pub price: Option<i64>,
    /// Gumroad fee, USD cents.
    #[serde(default, deserialize_with = "opt_i64")]
    pub gumroad_fee: Option<i64>,
    /// Product currency (lower-case); `price` is still USD.
    #[serde(default, deserialize_with = "opt_string")]
    pub currency: Option<String>,
    /// Quantity (seats, for multi-seat licenses).
    #[serde(default, deserialize_with = "opt_i64")]
    pub quantity: Option<i64>,
    /// Order number.
    #[serde(default, deserialize_with = "opt_i64")]
    pub order_number: Option<i64>,
    /// The license key.
    #[serde(default, deserialize_with = "opt_string")]
    pub license_key: Option<String>,
    /// Multi-seat license (memberships only).
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_multiseat_license: Option<bool>,
    /// Variants as a formatted string (`"(Premium)"` or `""`).
    #[serde(default)]
    pub variants: Option<Variants>,
    /// Custom fields as `"Name: value"` strings.
    #[serde(default)]
    pub custom_fields: Option<CustomFieldValues>,
    /// Offer code used (an object here).
    #[serde(default)]
    pub offer_code: Option<OfferCodeUsed>,
    /// Refunded.
    #[serde(default, deserialize_with = "opt_bool")]
    pub refunded: Option<bool>,
    /// Charged back (one-off products).
    #[serde(default, deserialize_with = "opt_bool")]
    pub chargebacked: Option<bool>,
    /// Disputed.
    #[serde(default, deserialize_with = "opt_bool")]
    pub disputed: Option<bool>,
    /// Dispute won.
    #[serde(default, deserialize_with = "opt_bool")]
    pub dispute_won: Option<bool>,
    /// Subscription id (memberships).
    #[serde(default, deserialize_with = "opt_string")]
    pub subscription_id: Option<String>,
    /// When the subscription ended (memberships).
    #[serde(default, with = "ts")]
    pub subscription_ended_at: Option<OffsetDateTime>,
    /// When access ends after a cancellation (memberships; an end time, not the request time).
    #[serde(default, with = "ts")]
    pub subscription_cancelled_at: Option<OffsetDateTime>,
    /// When payment failed for good (memberships).
    #[serde(default, with = "ts")]
    pub subscription_failed_at: Option<OffsetDateTime>,
    /// Billing period (memberships).
    #[serde(default)]
    pub recurrence: Option<Recurrence>,
    /// A test purchase.
    #[serde(default, deserialize_with = "opt_bool")]
    pub test: Option<bool>,
    /// Buyer country name from IP.
    #[serde(default, deserialize_with = "opt_string")]
    pub ip_country: Option<String>,
    /// Referrer.
    #[serde(default, deserialize_with = "opt_string")]
    pub referrer: Option<String>,
    /// Card summary.
    #[serde(default)]
    pub card: Option<Card>,
    /// The buyer agreed to be contacted.
    #[serde(default, deserialize_with = "opt_bool")]
    pub can_contact: Option<bool>,
    /// Discover fee charged.
    #[serde(default, deserialize_with = "opt_bool")]
    pub discover_fee_charged: Option<bool>,
    /// Received as a gift.
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_gift_receiver_purchase: Option<bool>,
    /// Every other key, kept as sent — including the top-level copy of each
    /// custom field (`"Company": "Acme"`) and shipping fields.
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

impl LicensePurchase {
    /// True when the purchase still grants access at `now`: not refunded,
    /// not charged back, not disputed (unless the dispute was won), and for
    /// memberships not ended, not failed and not past a cancellation date.
    pub fn grants_access_at(&self, now: OffsetDateTime) -> bool {
        let yes = |b: Option<bool>| b == Some(true);
        let passed = |t: Option<OffsetDateTime>| t.is_some_and(|t| t <= now);
        !(yes(self.refunded)
            || yes(self.chargebacked)
            || (yes(self.disputed) && !yes(self.dispute_won))
            || passed(self.subscription_ended_at)
            || passed(self.subscription_failed_at)
            || passed(self.subscription_cancelled_at))
    }
}

/// A customer the seller imported, holding a license.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ImportedCustomer {
    /// Id.
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    /// Email.
    #[serde(default, deserialize_with = "opt_string")]
    pub email: Option<String>,
    /// Purchase email.
    #[serde(default, deserialize_with = "opt_string")]
    pub purchase_email: Option<String>,
    /// When imported.
    #[serde(default, with = "ts")]
    pub created_at: Option<OffsetDateTime>,
    /// Human time text.
    #[serde(default, deserialize_with = "opt_string")]
    pub timestamp: Option<String>,
    /// Product name (old key).
    #[serde(default, deserialize_with = "opt_string")]
    pub link_name: Option<String>,
    /// Product name.
    #[serde(default, deserialize_with = "opt_string")]
    pub product_name: Option<String>,
    /// Always `null`.
    #[serde(default, deserialize_with = "opt_i64")]
    pub price: Option<i64>,
    /// Always `true`.
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_imported_customer: Option<bool>,
}

/// The raw response shape; turned into [`License`].
#[derive(Deserialize)]
pub(crate) struct LicenseEnvelope {
    #[serde(default)]
    pub(crate) success: Option<bool>,
    #[serde(default, deserialize_with = "opt_i64")]
    pub(crate) uses: Option<i64>,
    #[serde(default)]
    pub(crate) purchase: Option<Box<LicensePurchase>>,
    #[serde(default)]
    pub(crate) imported_customer: Option<ImportedCustomer>,
}
