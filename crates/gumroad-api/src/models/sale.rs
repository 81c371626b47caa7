//! Sales (`/v2/sales`).

use creator_core::{Currency, Money};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::de::{opt_bool, opt_i64, opt_string, ts};
use crate::models::{Card, CustomFieldValues, OfferCodeUsed, Recurrence, Variants};

/// A sale as `GET /v2/sales` and `GET /v2/sales/:id` return it.
///
/// Gumroad **removes keys whose value is nil**, so most fields are absent
/// rather than `null` (guest buyers have no `purchaser_id`, non-recurring
/// sales no `subscription_id`, unrefunded ones may lack `refunded`).
/// `price` and `gumroad_fee` are **USD cents** whatever the product currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Sale {
    /// External id (the same value as a ping's `sale_id`).
    pub id: String,
    /// Buyer email (account email if the buyer has an account).
    #[serde(default, deserialize_with = "opt_string")]
    pub email: Option<String>,
    /// Email entered at checkout.
    #[serde(default, deserialize_with = "opt_string")]
    pub purchase_email: Option<String>,
    /// Seller id (equals the user's `user_id`).
    #[serde(default, deserialize_with = "opt_string")]
    pub seller_id: Option<String>,
    /// When it happened (UTC, second precision).
    #[serde(default, with = "ts")]
    pub created_at: Option<OffsetDateTime>,
    /// Human text such as `"about 2 months ago"`.
    #[serde(default, deserialize_with = "opt_string")]
    pub timestamp: Option<String>,
    /// Seller-time-zone date text; may start with a space (`" 5 Jan 2021 11:38 AM"`).
    #[serde(default, deserialize_with = "opt_string")]
    pub daystamp: Option<String>,
    /// Product id.
    #[serde(default, deserialize_with = "opt_string")]
    pub product_id: Option<String>,
    /// Product name at the time of sale.
    #[serde(default, deserialize_with = "opt_string")]
    pub product_name: Option<String>,
    /// Product short permalink (`"XCBbJ"`), not a URL.
    #[serde(default, deserialize_with = "opt_string")]
    pub product_permalink: Option<String>,
    /// Price paid, **USD cents**.
    #[serde(default, deserialize_with = "opt_i64")]
    pub price: Option<i64>,
    /// Gumroad's fee, USD cents.
    #[serde(default, deserialize_with = "opt_i64")]
    pub gumroad_fee: Option<i64>,
    /// Sale currency, lower-case (2026 API).
    #[serde(default, deserialize_with = "opt_string")]
    pub currency: Option<String>,
    /// Currency symbol of the display price.
    #[serde(default, deserialize_with = "opt_string")]
    pub currency_symbol: Option<String>,
    /// Display price, e.g. `"$10 a month"`.
    #[serde(default, deserialize_with = "opt_string")]
    pub formatted_display_price: Option<String>,
    /// Total price as shown.
    #[serde(default, deserialize_with = "opt_string")]
    pub formatted_total_price: Option<String>,
    /// Refundable amount in the sale currency, formatted without symbol (`"8"`).
    #[serde(default, deserialize_with = "opt_string")]
    pub amount_refundable_in_currency: Option<String>,
    /// Quantity.
    #[serde(default, deserialize_with = "opt_i64")]
    pub quantity: Option<i64>,
    /// Numeric order number.
    #[serde(default, deserialize_with = "opt_i64")]
    pub order_id: Option<i64>,
    /// Buyer's numeric account id as a string; absent for guest checkout.
    #[serde(default, deserialize_with = "opt_string")]
    pub purchaser_id: Option<String>,
    /// Buyer's full name, when given.
    #[serde(default, deserialize_with = "opt_string")]
    pub full_name: Option<String>,
    /// Fully refunded. Absent when the processor has not set it; read it
    /// with [`Sale::is_refunded`].
    #[serde(default, deserialize_with = "opt_bool")]
    pub refunded: Option<bool>,
    /// Partly refunded.
    #[serde(default, deserialize_with = "opt_bool")]
    pub partially_refunded: Option<bool>,
    /// Charged back (and not reversed).
    #[serde(default, deserialize_with = "opt_bool")]
    pub chargedback: Option<bool>,
    /// Disputed.
    #[serde(default, deserialize_with = "opt_bool")]
    pub disputed: Option<bool>,
    /// Dispute won by the seller.
    #[serde(default, deserialize_with = "opt_bool")]
    pub dispute_won: Option<bool>,
    /// Money changed hands (`price != 0`).
    #[serde(default, deserialize_with = "opt_bool")]
    pub paid: Option<bool>,
    /// The product has variants.
    #[serde(default, deserialize_with = "opt_bool")]
    pub product_has_variants: Option<bool>,
    /// The buyer picked variants.
    #[serde(default, deserialize_with = "opt_bool")]
    pub has_variants: Option<bool>,
    /// Variants picked (an object here; a string on license responses).
    #[serde(default)]
    pub variants: Option<Variants>,
    /// Variants and quantity as text, e.g. `"(Red, Qty: 2)"`.
    #[serde(default, deserialize_with = "opt_string")]
    pub variants_and_quantity: Option<String>,
    /// The buyer answered custom fields.
    #[serde(default, deserialize_with = "opt_bool")]
    pub has_custom_fields: Option<bool>,
    /// Custom field answers (an object here; a list on license responses).
    #[serde(default)]
    pub custom_fields: Option<CustomFieldValues>,
    /// Offer code used.
    #[serde(default)]
    pub offer_code: Option<OfferCodeUsed>,
    /// Affiliate credited.
    #[serde(default)]
    pub affiliate: Option<Affiliate>,
    /// Card summary.
    #[serde(default)]
    pub card: Option<Card>,
    /// Billing period, for recurring products.
    #[serde(default)]
    pub subscription_duration: Option<Recurrence>,
    /// The product is recurring.
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_recurring_billing: Option<bool>,
    /// Subscription id, for membership sales.
    #[serde(default, deserialize_with = "opt_string")]
    pub subscription_id: Option<String>,
    /// The subscription was cancelled.
    #[serde(default, deserialize_with = "opt_bool")]
    pub cancelled: Option<bool>,
    /// The subscription is dead.
    #[serde(default, deserialize_with = "opt_bool")]
    pub dead: Option<bool>,
    /// The subscription ended.
    #[serde(default, deserialize_with = "opt_bool")]
    pub ended: Option<bool>,
    /// The free trial is over.
    #[serde(default, deserialize_with = "opt_bool")]
    pub free_trial_ended: Option<bool>,
    /// Free trial end, as sent.
    #[serde(default, deserialize_with = "opt_string")]
    pub free_trial_ends_on: Option<String>,
    /// A renewal charge rather than the first purchase.
    #[serde(default, deserialize_with = "opt_bool")]
    pub recurring_charge: Option<bool>,
    /// A physical product.
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_product_physical: Option<bool>,
    /// Shipped (present only once a shipment exists).
    #[serde(default, deserialize_with = "opt_bool")]
    pub shipped: Option<bool>,
    /// Tracking URL (present only once a shipment exists).
    #[serde(default, deserialize_with = "opt_string")]
    pub tracking_url: Option<String>,
    /// Shipping street.
    #[serde(default, deserialize_with = "opt_string")]
    pub street_address: Option<String>,
    /// Shipping city.
    #[serde(default, deserialize_with = "opt_string")]
    pub city: Option<String>,
    /// State (may come from IP geolocation).
    #[serde(default, deserialize_with = "opt_string")]
    pub state: Option<String>,
    /// ZIP / postal code.
    #[serde(default, deserialize_with = "opt_string")]
    pub zip_code: Option<String>,
    /// Country name (may come from IP geolocation).
    #[serde(default, deserialize_with = "opt_string")]
    pub country: Option<String>,
    /// Two-letter country code.
    #[serde(default, deserialize_with = "opt_string")]
    pub country_iso2: Option<String>,
    /// Shipping cost as shown.
    #[serde(default, deserialize_with = "opt_string")]
    pub formatted_shipping_amount: Option<String>,
    /// Referrer URL or `"direct"`.
    #[serde(default, deserialize_with = "opt_string")]
    pub referrer: Option<String>,
    /// The buyer agreed to be contacted.
    #[serde(default, deserialize_with = "opt_bool")]
    pub can_contact: Option<bool>,
    /// The buyer follows the seller.
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_following: Option<bool>,
    /// Gumroad Discover fee charged.
    #[serde(default, deserialize_with = "opt_bool")]
    pub discover_fee_charged: Option<bool>,
    /// Gift: the recipient's email.
    #[serde(default, deserialize_with = "opt_string")]
    pub giftee_email: Option<String>,
    /// Gift: the giver's email.
    #[serde(default, deserialize_with = "opt_string")]
    pub gifter_email: Option<String>,
    /// This purchase was sent as a gift.
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_gift_sender_purchase: Option<bool>,
    /// This purchase was received as a gift.
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_gift_receiver_purchase: Option<bool>,
    /// License key, for licensed products.
    #[serde(default, deserialize_with = "opt_string")]
    pub license_key: Option<String>,
    /// License id.
    #[serde(default, deserialize_with = "opt_string")]
    pub license_id: Option<String>,
    /// The license is disabled.
    #[serde(default, deserialize_with = "opt_bool")]
    pub license_disabled: Option<bool>,
    /// License uses (2026 API).
    #[serde(default, deserialize_with = "opt_i64")]
    pub license_uses: Option<i64>,
    /// A multi-seat license (memberships).
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_multiseat_license: Option<bool>,
    /// SKU id.
    #[serde(default, deserialize_with = "opt_string")]
    pub sku_id: Option<String>,
    /// Purchasing-power-parity discount applied.
    #[serde(default)]
    pub ppp: Option<Ppp>,
    /// Rating the buyer gave.
    #[serde(default, deserialize_with = "opt_i64")]
    pub product_rating: Option<i64>,
    /// Access revoked by the seller (2026 API).
    #[serde(default, deserialize_with = "opt_bool")]
    pub access_revoked: Option<bool>,
    /// Seller dashboard URL for this transaction.
    #[serde(default, deserialize_with = "opt_string")]
    pub transaction_url_for_seller: Option<String>,
    /// A bundle purchase (not in the docs).
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_bundle_purchase: Option<bool>,
    /// A product bought as part of a bundle (not in the docs).
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_bundle_product_purchase: Option<bool>,
    /// An additional contribution (not in the docs).
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_additional_contribution: Option<bool>,
    /// A membership upgrade charge (not in the docs).
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_upgrade_purchase: Option<bool>,
    /// Bought from a "more like this" recommendation (not in the docs).
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_more_like_this_recommended: Option<bool>,
    /// PayPal's refund window has passed (not in the docs).
    #[serde(default, deserialize_with = "opt_bool")]
    pub paypal_refund_expired: Option<bool>,
    /// Discover fee percentage, when charged.
    #[serde(default, deserialize_with = "opt_i64")]
    pub discover_fee_percentage: Option<i64>,
    /// Number of reviews, when the product shows reviews.
    #[serde(default, deserialize_with = "opt_i64")]
    pub reviews_count: Option<i64>,
    /// Average rating, when the product shows reviews.
    #[serde(default)]
    pub average_rating: Option<f64>,
    /// Pre-order cancelled.
    #[serde(default, deserialize_with = "opt_bool")]
    pub preorder_cancelled: Option<bool>,
    /// A pre-order authorization (not yet charged).
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_preorder_authorization: Option<bool>,
    /// Still a pre-order.
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_in_preorder_state: Option<bool>,
    /// SKU external id.
    #[serde(default, deserialize_with = "opt_string")]
    pub sku_external_id: Option<String>,
    /// Upsell details, kept as sent.
    #[serde(default)]
    pub upsell: Option<serde_json::Value>,
    /// Tip, sale currency minor units (2026 API).
    #[serde(default, deserialize_with = "opt_i64")]
    pub tip_cents: Option<i64>,
    /// Tax, sale currency minor units (2026 API).
    #[serde(default, deserialize_with = "opt_i64")]
    pub tax_cents: Option<i64>,
    /// Shipping, sale currency minor units (2026 API).
    #[serde(default, deserialize_with = "opt_i64")]
    pub shipping_cents: Option<i64>,
    /// Tax label, e.g. `"VAT"` (2026 API).
    #[serde(default, deserialize_with = "opt_string")]
    pub tax_label: Option<String>,
    /// Tax is included in the price (2026 API).
    #[serde(default, deserialize_with = "opt_bool")]
    pub tax_included_in_price: Option<bool>,
    /// Processor, e.g. `"stripe"` (2026 API).
    #[serde(default, deserialize_with = "opt_string")]
    pub payment_processor: Option<String>,
    /// The processor's transaction id (2026 API).
    #[serde(default, deserialize_with = "opt_string")]
    pub processor_transaction_id: Option<String>,
    /// Processor fee in minor units of `processor_fee_currency` (2026 API).
    #[serde(default, deserialize_with = "opt_i64")]
    pub processor_fee_cents: Option<i64>,
    /// Currency of the processor fee (2026 API).
    #[serde(default, deserialize_with = "opt_string")]
    pub processor_fee_currency: Option<String>,
    /// Subscription cancellation date as sent (2026 API).
    #[serde(default, deserialize_with = "opt_string")]
    pub cancellation_date: Option<String>,
    /// Subscription end date as sent (2026 API).
    #[serde(default, deserialize_with = "opt_string")]
    pub subscription_end_date: Option<String>,
    /// UTM source (2026 API).
    #[serde(default, deserialize_with = "opt_string")]
    pub utm_source: Option<String>,
    /// UTM medium (2026 API).
    #[serde(default, deserialize_with = "opt_string")]
    pub utm_medium: Option<String>,
    /// UTM campaign (2026 API).
    #[serde(default, deserialize_with = "opt_string")]
    pub utm_campaign: Option<String>,
    /// UTM term (2026 API).
    #[serde(default, deserialize_with = "opt_string")]
    pub utm_term: Option<String>,
    /// UTM content (2026 API).
    #[serde(default, deserialize_with = "opt_string")]
    pub utm_content: Option<String>,
    /// What the buyer was charged in their own currency (2026 API).
    #[serde(default)]
    pub buyer_presentment: Option<BuyerPresentment>,
}

impl Sale {
    /// The price as money: always **USD** cents on the sales API, whatever
    /// the product currency.
    pub fn price_money(&self) -> Option<Money> {
        Some(Money::from_minor(self.price?, Currency::USD))
    }

    /// Fully or partly refunded; an absent `refunded` key counts as not refunded.
    pub fn is_refunded(&self) -> bool {
        self.refunded == Some(true) || self.partially_refunded == Some(true)
    }
}

/// The affiliate credited on a sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Affiliate {
    /// Affiliate email.
    #[serde(default, deserialize_with = "opt_string")]
    pub email: Option<String>,
    /// Their credit as shown, e.g. `"$2.50"`.
    #[serde(default, deserialize_with = "opt_string")]
    pub amount: Option<String>,
}

/// A purchasing-power-parity discount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Ppp {
    /// Buyer country.
    #[serde(default, deserialize_with = "opt_string")]
    pub country: Option<String>,
    /// Discount as shown, e.g. `"40%"`.
    #[serde(default, deserialize_with = "opt_string")]
    pub discount: Option<String>,
}

/// The amounts in the currency the buyer was charged in (`buyer_presentment`,
/// 2026 API). Differs from the sale's USD `price` when Gumroad charged a
/// card in the buyer's local currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BuyerPresentment {
    /// Lower-case ISO code of the charge, e.g. `"cad"`.
    #[serde(default, deserialize_with = "opt_string")]
    pub currency: Option<String>,
    /// Product price, minor units of `currency`.
    #[serde(default, deserialize_with = "opt_i64")]
    pub price_cents: Option<i64>,
    /// Tip.
    #[serde(default, deserialize_with = "opt_i64")]
    pub tip_cents: Option<i64>,
    /// Tax collected for the seller.
    #[serde(default, deserialize_with = "opt_i64")]
    pub seller_tax_cents: Option<i64>,
    /// Tax collected by Gumroad.
    #[serde(default, deserialize_with = "opt_i64")]
    pub gumroad_tax_cents: Option<i64>,
    /// Shipping.
    #[serde(default, deserialize_with = "opt_i64")]
    pub shipping_cents: Option<i64>,
    /// Everything charged.
    #[serde(default, deserialize_with = "opt_i64")]
    pub total_cents: Option<i64>,
    /// The exchange rate as a decimal string (`"1.4005"`), `null` when none applied.
    #[serde(default, deserialize_with = "opt_string")]
    pub fx_rate: Option<String>,
    /// Refunded so far.
    #[serde(default, deserialize_with = "opt_i64")]
    pub refunded_cents: Option<i64>,
}

impl BuyerPresentment {
    /// The total charged, with its currency, when both are present and valid.
    pub fn total_money(&self) -> Option<Money> {
        let currency = Currency::new(self.currency.as_deref()?).ok()?;
        Some(Money::from_minor(self.total_cents?, currency))
    }
}
