//! The typed payloads of Gumroad's deliveries.

use std::collections::BTreeMap;

use creator_core::{Currency, FieldError, Money, WebhookError};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::fields::{self, Shape};
use super::form::{malformed, percent_decode_text};
use crate::{
    Card, CustomFieldValues, FieldValue, GumroadEventName, PurchaseIds, Recurrence, Variants,
};
use creator_core::de::field;

type R<T> = Result<T, WebhookError>;

/// How a delivery was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Encoding {
    /// `application/x-www-form-urlencoded` with Rails-style bracket keys (the default).
    Form,
    /// `application/json` (subscriptions to `*.zapier.com`, or a seller whose
    /// notification content type is JSON).
    Json,
}

/// A sale-shaped delivery: the settings Ping and the `sale`, `refund`,
/// `dispute` and `dispute_won` resources (`Purchase#payload_for_ping_notification`).
///
/// Every field Gumroad may leave out is an `Option`; `""` (how a form body
/// spells `nil`) reads as `None`, for integers too. Money is in **USD
/// cents** whatever the product's `currency` — use [`SalePing::price_money`].
/// Fields this library does not model are kept in [`SalePing::extra`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SalePing {
    /// The resource this delivery is for; `None` for the settings Ping.
    pub resource_name: Option<GumroadEventName>,
    /// The sale's id (`FO8TXN-dvxYabdavG97Y-Q==`); a refund or dispute reuses it.
    pub sale_id: String,
    /// The numeric order number.
    pub order_number: Option<i64>,
    /// When the sale happened (not when a refund or dispute did).
    #[serde(serialize_with = "crate::de::ts::serialize")]
    pub sale_timestamp: Option<OffsetDateTime>,
    /// The seller's id.
    pub seller_id: Option<String>,
    /// The product's id.
    pub product_id: Option<String>,
    /// The product's name.
    pub product_name: Option<String>,
    /// Deprecated: the product's general permalink (not a URL).
    pub permalink: Option<String>,
    /// The product's full URL.
    pub product_permalink: Option<String>,
    /// The product's short code.
    pub short_product_id: Option<String>,
    /// The buyer's email.
    pub email: Option<String>,
    /// The buyer's name (also the shipping name for physical products).
    pub full_name: Option<String>,
    /// The buyer's account id (numeric string); absent for guest checkout.
    pub purchaser_id: Option<String>,
    /// The subscription this sale belongs to (memberships).
    pub subscription_id: Option<String>,
    /// What was paid, in **USD cents**.
    pub price: Option<i64>,
    /// Gumroad's fee, in USD cents.
    pub gumroad_fee: Option<i64>,
    /// The product's currency, lower-case (`eur`); `price` is still USD.
    pub currency: Option<String>,
    /// Quantity (seats for multi-seat licenses).
    pub quantity: Option<i64>,
    /// Whether the Gumroad Discover fee was charged.
    pub discover_fee_charged: Option<bool>,
    /// Whether the buyer agreed to be contacted.
    pub can_contact: Option<bool>,
    /// Referrer URL, or `direct`.
    pub referrer: Option<String>,
    /// Card summary (`bin` and `expiry_*` are legacy and always empty).
    pub card: Option<Card>,
    /// URL parameters of the product page the buyer came from.
    pub url_params: Option<BTreeMap<String, String>>,
    /// Variant picked per category (`{"Size": "Large"}`).
    pub variants: Option<Variants>,
    /// The offer code used (the code itself).
    pub offer_code: Option<String>,
    /// True for test purchases (the seller's own, or a settings "send test ping").
    pub test: Option<bool>,
    /// True for a membership renewal charge.
    pub is_recurring_charge: Option<bool>,
    /// True for a pre-order authorization.
    pub is_preorder_authorization: Option<bool>,
    /// Custom field answers (name → answer). Gumroad also repeats each answer
    /// as a top-level key named after the field; those copies are folded in
    /// here, not reported as unknown fields.
    pub custom_fields: Option<CustomFieldValues>,
    /// License key, for licensed products.
    pub license_key: Option<String>,
    /// Whether the license is multi-seat (licensed memberships only).
    pub is_multiseat_license: Option<bool>,
    /// Buyer's country *name* from the IP (`United Kingdom`).
    pub ip_country: Option<String>,
    /// Billing period, for memberships.
    pub recurrence: Option<Recurrence>,
    /// Shipping address, nested (physical products; missing parts are `None`).
    pub shipping_information: Option<ShippingInformation>,
    /// Shipping street (top-level copy).
    pub street_address: Option<String>,
    /// Shipping city (top-level copy).
    pub city: Option<String>,
    /// Shipping state (top-level copy).
    pub state: Option<String>,
    /// Shipping ZIP / postal code (top-level copy).
    pub zip_code: Option<String>,
    /// Shipping country (top-level copy).
    pub country: Option<String>,
    /// Shipping cost, USD cents (physical products).
    pub shipping_rate: Option<i64>,
    /// The affiliate's email.
    pub affiliate: Option<String>,
    /// The affiliate's credit, USD cents.
    pub affiliate_credit_amount_cents: Option<i64>,
    /// Whether this purchase was received as a gift.
    pub is_gift_receiver_purchase: Option<bool>,
    /// What the giver paid, USD cents.
    pub gift_price: Option<i64>,
    /// The giver's email.
    pub gifter_email: Option<String>,
    /// SKU id (`pid_<product id>` without SKUs) for SKU and physical products.
    pub sku_id: Option<String>,
    /// The SKU's external id when a custom SKU name is set.
    pub original_sku_id: Option<String>,
    /// Whether the sale is refunded.
    pub refunded: Option<bool>,
    /// Whether the sale is charged back.
    pub disputed: Option<bool>,
    /// Whether a chargeback was reversed in the seller's favour.
    pub dispute_won: Option<bool>,
    /// `1`, `2` or `3` on Gumroad's retries of a failed delivery; `None` on the first.
    pub retry_count: Option<u32>,
    /// A fingerprint of the delivery's content without `retry_count`
    /// ([`creator_core::fingerprint`] of the decoded body): the same on every
    /// retry of this delivery, different for any other change.
    #[serde(skip)]
    pub fingerprint: String,
    /// Standard keys whose value a custom field of the same name replaced
    /// (Gumroad merges custom fields into the payload by name; for keys it
    /// sets before that merge — `email`, `full_name`, `price`, … — the
    /// custom answer wins). Those fields read as `None` here; the answer is
    /// in [`SalePing::custom_fields`]. Read the sale back through the API for the real value.
    pub shadowed_by_custom_fields: Vec<String>,
    /// Fields that could not be read (`order_number=12a`): each is `None`
    /// above, its raw value is in [`extra`](Self::extra), and the delivery
    /// is still accepted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub field_errors: Vec<FieldError>,
    /// Every field this library does not model, and the raw value of each
    /// field in [`field_errors`](Self::field_errors), as received.
    pub extra: Map<String, Value>,
}

/// A shipping address (`shipping_information[…]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ShippingInformation {
    /// Recipient.
    pub full_name: Option<String>,
    /// Street.
    pub street_address: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State or region.
    pub state: Option<String>,
    /// ZIP / postal code.
    pub zip_code: Option<String>,
    /// Country name.
    pub country: Option<String>,
}

creator_core::string_enum! {
    /// The direction of a tiered-membership change (`type` of `subscription_updated`).
    pub enum PlanChange {
        /// To a more expensive plan.
        Upgrade = "upgrade",
        /// To a cheaper plan.
        Downgrade = "downgrade",
    }
}

creator_core::string_enum! {
    /// Why a subscription ended (`ended_reason` of `subscription_ended`).
    pub enum EndedReason {
        /// It was cancelled.
        Cancelled = "cancelled",
        /// Payments failed.
        FailedPayment = "failed_payment",
        /// A fixed-length membership reached its last charge.
        FixedSubscriptionPeriodEnded = "fixed_subscription_period_ended",
    }
}

/// Who cancelled a subscription, from the `cancelled_by_*` flags of a `cancellation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CancelledBy {
    /// Gumroad staff.
    Admin,
    /// The buyer.
    Buyer,
    /// The seller.
    Seller,
    /// Nobody: payments failed (`cancelled_due_to_payment_failures`).
    PaymentFailures,
}

/// A membership tier (`old_plan[tier][…]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Tier {
    /// Tier (variant) id.
    pub id: Option<String>,
    /// Tier name.
    pub name: Option<String>,
}

/// A plan before or after a `subscription_updated` change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Plan {
    /// The tier.
    pub tier: Option<Tier>,
    /// Billing period.
    pub recurrence: Option<Recurrence>,
    /// Price per period in the smallest unit of the **product's** currency
    /// (not USD; the reference notes mark the currency as uncertain).
    pub price_cents: Option<i64>,
    /// Seats.
    pub quantity: Option<i64>,
}

/// A subscription-shaped delivery: `cancellation`, `subscription_updated`,
/// `subscription_ended` and `subscription_restarted`
/// (`Subscription#payload_for_ping_notification`). There is no `sale_id`,
/// `price` or `email` here; `user_email` is the subscription's email.
///
/// The fields after `resource_name` are filled only by the resource that
/// sends them (see each field).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SubscriptionPing {
    /// The resource this delivery is for.
    pub resource_name: GumroadEventName,
    /// The subscription's id.
    pub subscription_id: String,
    /// The product's id.
    pub product_id: Option<String>,
    /// The product's name.
    pub product_name: Option<String>,
    /// The buyer's numeric account id; `None` without an account (`""` on the wire).
    pub user_id: Option<String>,
    /// The subscription's email (not necessarily an account email).
    pub user_email: Option<String>,
    /// The subscription's charges (`purchase_ids[]=…`).
    pub purchase_ids: PurchaseIds,
    /// When the subscription started.
    #[serde(serialize_with = "crate::de::ts::serialize")]
    pub created_at: Option<OffsetDateTime>,
    /// Number of charges of a fixed-length membership; `None` otherwise (`""` on the wire).
    pub charge_occurrence_count: Option<i64>,
    /// Billing period.
    pub recurrence: Option<Recurrence>,
    /// End of the free trial.
    #[serde(serialize_with = "crate::de::ts::serialize")]
    pub free_trial_ends_at: Option<OffsetDateTime>,
    /// Custom field answers of the original purchase.
    pub custom_fields: Option<CustomFieldValues>,
    /// License key, for licensed products.
    pub license_key: Option<String>,
    /// `cancellation`: always `true`.
    pub cancelled: Option<bool>,
    /// `cancellation`: when access ends (usually the end of the paid period,
    /// so often in the future), or when payment failed.
    #[serde(serialize_with = "crate::de::ts::serialize")]
    pub cancelled_at: Option<OffsetDateTime>,
    /// `cancellation`: cancelled by Gumroad staff.
    pub cancelled_by_admin: Option<bool>,
    /// `cancellation`: cancelled by the buyer.
    pub cancelled_by_buyer: Option<bool>,
    /// `cancellation`: cancelled by the seller.
    pub cancelled_by_seller: Option<bool>,
    /// `cancellation`: cancelled because payments failed.
    pub cancelled_due_to_payment_failures: Option<bool>,
    /// `subscription_updated`: upgrade or downgrade (the `type` key).
    pub change_type: Option<PlanChange>,
    /// `subscription_updated`: when the change takes effect.
    #[serde(serialize_with = "crate::de::ts::serialize")]
    pub effective_as_of: Option<OffsetDateTime>,
    /// `subscription_updated`: the plan before.
    pub old_plan: Option<Plan>,
    /// `subscription_updated`: the plan after.
    pub new_plan: Option<Plan>,
    /// `subscription_ended`: when it ended.
    #[serde(serialize_with = "crate::de::ts::serialize")]
    pub ended_at: Option<OffsetDateTime>,
    /// `subscription_ended`: why.
    pub ended_reason: Option<EndedReason>,
    /// `subscription_restarted`: when it restarted.
    #[serde(serialize_with = "crate::de::ts::serialize")]
    pub restarted_at: Option<OffsetDateTime>,
    /// `1`, `2` or `3` on Gumroad's retries of a failed delivery; `None` on the first.
    pub retry_count: Option<u32>,
    /// A fingerprint of the delivery's content without `retry_count`
    /// ([`creator_core::fingerprint`] of the decoded body): the same on every
    /// retry of this delivery, different for any other change.
    #[serde(skip)]
    pub fingerprint: String,
    /// Fields that could not be read: each is `None` above, its raw value is
    /// in [`extra`](Self::extra), and the delivery is still accepted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub field_errors: Vec<FieldError>,
    /// Every field this library does not model, and the raw value of each
    /// field in [`field_errors`](Self::field_errors), as received.
    pub extra: Map<String, Value>,
}

/// A delivery for a resource this library does not know, kept whole.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct UnknownPing {
    /// The resource name as sent.
    pub resource_name: String,
    /// Every other field, decoded into a tree (form scalars are strings).
    pub fields: Map<String, Value>,
    /// A fingerprint of the delivery's content without `retry_count`
    /// ([`creator_core::fingerprint`] of the decoded body): the same on every
    /// retry of this delivery, different for any other change.
    #[serde(skip)]
    pub fingerprint: String,
}

impl UnknownPing {
    /// The `sale_id`, `subscription_id` or `id` field, if one is sent; else a
    /// stable fingerprint of the fields (without `retry_count`), so a retried
    /// delivery still gets the same subject.
    pub fn subject_id(&self) -> String {
        for key in ["sale_id", "subscription_id", "id"] {
            if let Some(Value::String(s)) = self.fields.get(key)
                && !s.is_empty()
            {
                return s.clone();
            }
        }
        let mut fields = self.fields.clone();
        fields.remove("retry_count");
        let canonical = Value::Object(fields).to_string();
        // FNV-1a, 64 bit: stable across runs and platforms.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in canonical.as_bytes() {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        format!("fnv1a:{hash:016x}")
    }
}

/// One Gumroad delivery, typed: the settings Ping, one of the eight
/// resource-subscription events, or an unknown resource kept whole.
///
/// ```
/// use gumroad_api::webhook::GumroadEvent;
///
/// let body = b"sale_id=FO8TXN-dvxYabdavG97Y-Q%3D%3D&resource_name=refund&price=1249&refunded=true";
/// let event = GumroadEvent::parse(Some("application/x-www-form-urlencoded"), body)?;
/// match &event {
///     GumroadEvent::Refund(sale) => {
///         assert_eq!(sale.sale_id, "FO8TXN-dvxYabdavG97Y-Q==");
///         assert_eq!(sale.price_money().map(|m| m.minor_units()), Some(1249));
///     }
///     other => panic!("unexpected {other:?}"),
/// }
/// assert_eq!(event.resource_name(), "refund");
/// # Ok::<(), creator_core::WebhookError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", content = "payload", rename_all = "snake_case")]
#[non_exhaustive]
pub enum GumroadEvent {
    /// The settings Ping (Settings → Advanced → Ping URL): a sale without `resource_name`.
    Ping(Box<SalePing>),
    /// `sale`.
    Sale(Box<SalePing>),
    /// `refund` (same `sale_id` as the sale).
    Refund(Box<SalePing>),
    /// `dispute`: a chargeback was opened.
    Dispute(Box<SalePing>),
    /// `dispute_won`: a chargeback was reversed.
    DisputeWon(Box<SalePing>),
    /// `cancellation`: a cancellation was requested or forced.
    Cancellation(Box<SubscriptionPing>),
    /// `subscription_updated`: a tiered membership changed plan.
    SubscriptionUpdated(Box<SubscriptionPing>),
    /// `subscription_ended`.
    SubscriptionEnded(Box<SubscriptionPing>),
    /// `subscription_restarted`.
    SubscriptionRestarted(Box<SubscriptionPing>),
    /// A resource this library does not know yet.
    Unknown(UnknownPing),
}

impl GumroadEvent {
    /// The resource name: `sale` for the settings Ping, the raw name for unknown ones.
    pub fn resource_name(&self) -> &str {
        match self {
            GumroadEvent::Ping(_) | GumroadEvent::Sale(_) => "sale",
            GumroadEvent::Refund(_) => "refund",
            GumroadEvent::Dispute(_) => "dispute",
            GumroadEvent::DisputeWon(_) => "dispute_won",
            GumroadEvent::Cancellation(_) => "cancellation",
            GumroadEvent::SubscriptionUpdated(_) => "subscription_updated",
            GumroadEvent::SubscriptionEnded(_) => "subscription_ended",
            GumroadEvent::SubscriptionRestarted(_) => "subscription_restarted",
            GumroadEvent::Unknown(u) => &u.resource_name,
        }
    }

    /// True for the settings Ping (no `resource_name`).
    pub fn is_settings_ping(&self) -> bool {
        matches!(self, GumroadEvent::Ping(_))
    }

    /// The sale payload, for the Ping and the four sale resources.
    pub fn sale(&self) -> Option<&SalePing> {
        match self {
            GumroadEvent::Ping(s)
            | GumroadEvent::Sale(s)
            | GumroadEvent::Refund(s)
            | GumroadEvent::Dispute(s)
            | GumroadEvent::DisputeWon(s) => Some(s),
            _ => None,
        }
    }

    /// The subscription payload, for the four subscription resources.
    pub fn subscription(&self) -> Option<&SubscriptionPing> {
        match self {
            GumroadEvent::Cancellation(s)
            | GumroadEvent::SubscriptionUpdated(s)
            | GumroadEvent::SubscriptionEnded(s)
            | GumroadEvent::SubscriptionRestarted(s) => Some(s),
            _ => None,
        }
    }

    /// The id that is the same on every delivery of this event: `sale_id`
    /// for sale resources, `subscription_id` for subscription ones (see
    /// [`UnknownPing::subject_id`] for the rest). Pair it with
    /// [`resource_name`](Self::resource_name): a refund reuses its sale's `sale_id`.
    pub fn subject_id(&self) -> String {
        if let Some(s) = self.sale() {
            return s.sale_id.clone();
        }
        if let Some(s) = self.subscription() {
            return s.subscription_id.clone();
        }
        match self {
            GumroadEvent::Unknown(u) => u.subject_id(),
            _ => String::new(),
        }
    }

    /// `retry_count`: `0` on the first delivery, then `1`, `2`, `3` on Gumroad's retries.
    pub fn retry_count(&self) -> u32 {
        if let Some(s) = self.sale() {
            return s.retry_count.unwrap_or(0);
        }
        if let Some(s) = self.subscription() {
            return s.retry_count.unwrap_or(0);
        }
        match self {
            GumroadEvent::Unknown(u) => match u.fields.get("retry_count") {
                Some(Value::String(s)) => s.parse().unwrap_or(0),
                Some(Value::Number(n)) => {
                    n.as_u64().and_then(|n| u32::try_from(n).ok()).unwrap_or(0)
                }
                _ => 0,
            },
            _ => 0,
        }
    }

    /// The content fingerprint of the delivery without `retry_count`: equal
    /// for a first attempt and its retries, different for any other change
    /// (two `subscription_updated` deliveries of one subscription, a test
    /// ping and the live sale it copies).
    pub fn fingerprint(&self) -> &str {
        if let Some(s) = self.sale() {
            return &s.fingerprint;
        }
        if let Some(s) = self.subscription() {
            return &s.fingerprint;
        }
        match self {
            GumroadEvent::Unknown(u) => &u.fingerprint,
            _ => "",
        }
    }

    /// Adds fields that could not be read before the typed payload was
    /// built (a value that is not UTF-8), first in the list.
    pub(crate) fn add_field_errors(&mut self, mut early: Vec<FieldError>) {
        if early.is_empty() {
            return;
        }
        let list = match self {
            GumroadEvent::Ping(s)
            | GumroadEvent::Sale(s)
            | GumroadEvent::Refund(s)
            | GumroadEvent::Dispute(s)
            | GumroadEvent::DisputeWon(s) => &mut s.field_errors,
            GumroadEvent::Cancellation(s)
            | GumroadEvent::SubscriptionUpdated(s)
            | GumroadEvent::SubscriptionEnded(s)
            | GumroadEvent::SubscriptionRestarted(s) => &mut s.field_errors,
            GumroadEvent::Unknown(_) => return,
        };
        early.append(list);
        *list = early;
    }

    /// Fields of the delivery that could not be read (each `None` in the
    /// payload, its raw value kept in `extra`); empty for an unknown resource,
    /// which is kept whole.
    pub fn field_errors(&self) -> &[FieldError] {
        if let Some(s) = self.sale() {
            return &s.field_errors;
        }
        if let Some(s) = self.subscription() {
            return &s.field_errors;
        }
        &[]
    }

    /// True for test purchases (`test=true`).
    pub fn is_test(&self) -> bool {
        self.sale().is_some_and(|s| s.test == Some(true))
    }
}

impl SalePing {
    /// [`price`](Self::price) as money: always **USD**, whatever [`currency`](Self::currency) says.
    ///
    /// ```
    /// use gumroad_api::webhook::GumroadEvent;
    ///
    /// let event = GumroadEvent::from_form(b"sale_id=x%3D%3D&resource_name=sale&price=1249&currency=eur")?;
    /// let sale = event.sale().unwrap();
    /// assert_eq!(sale.currency.as_deref(), Some("eur"));
    /// assert_eq!(sale.price_money().unwrap().to_decimal_string(), "12.49");
    /// assert_eq!(sale.price_money().unwrap().currency().code(), "USD");
    /// # Ok::<(), creator_core::WebhookError>(())
    /// ```
    pub fn price_money(&self) -> Option<Money> {
        usd(self.price)
    }

    /// [`gumroad_fee`](Self::gumroad_fee) as USD money.
    pub fn gumroad_fee_money(&self) -> Option<Money> {
        usd(self.gumroad_fee)
    }

    /// [`shipping_rate`](Self::shipping_rate) as USD money.
    pub fn shipping_rate_money(&self) -> Option<Money> {
        usd(self.shipping_rate)
    }

    /// [`gift_price`](Self::gift_price) as USD money.
    pub fn gift_price_money(&self) -> Option<Money> {
        usd(self.gift_price)
    }

    /// [`affiliate_credit_amount_cents`](Self::affiliate_credit_amount_cents) as USD money.
    pub fn affiliate_credit_money(&self) -> Option<Money> {
        usd(self.affiliate_credit_amount_cents)
    }

    /// The answer to the custom field `name`, as text.
    pub fn custom_field(&self, name: &str) -> Option<String> {
        self.custom_fields.as_ref()?.get_text(name)
    }

    /// The URL parameter `name` of the page the buyer came from.
    pub fn url_param(&self, name: &str) -> Option<&str> {
        self.url_params.as_ref()?.get(name).map(String::as_str)
    }
}

impl SubscriptionPing {
    /// Who cancelled, for a `cancellation`.
    pub fn cancelled_by(&self) -> Option<CancelledBy> {
        if self.cancelled_due_to_payment_failures == Some(true) {
            Some(CancelledBy::PaymentFailures)
        } else if self.cancelled_by_buyer == Some(true) {
            Some(CancelledBy::Buyer)
        } else if self.cancelled_by_seller == Some(true) {
            Some(CancelledBy::Seller)
        } else if self.cancelled_by_admin == Some(true) {
            Some(CancelledBy::Admin)
        } else {
            None
        }
    }

    /// The answer to the custom field `name`, as text.
    pub fn custom_field(&self, name: &str) -> Option<String> {
        self.custom_fields.as_ref()?.get_text(name)
    }
}

fn usd(cents: Option<i64>) -> Option<Money> {
    Some(Money::from_minor(cents?, Currency::USD))
}

// ---------------------------------------------------------------------------
// From a decoded tree to a typed event.
// ---------------------------------------------------------------------------

/// Standard sale keys Gumroad sets *before* merging custom fields into the
/// payload by name: a custom field with one of these names replaces the value.
const SET_BEFORE_CUSTOM_FIELDS: &[&str] = &[
    "affiliate_credit_amount_cents",
    "can_contact",
    "card",
    "city",
    "country",
    "currency",
    "discover_fee_charged",
    "email",
    "full_name",
    "gumroad_fee",
    "is_preorder_authorization",
    "is_recurring_charge",
    "offer_code",
    "order_number",
    "permalink",
    "price",
    "product_id",
    "product_name",
    "product_permalink",
    "purchaser_id",
    "quantity",
    "referrer",
    "sale_id",
    "sale_timestamp",
    "seller_id",
    "shipping_information",
    "short_product_id",
    "state",
    "street_address",
    "subscription_id",
    "test",
    "url_params",
    "variants",
    "zip_code",
];

/// Standard keys Gumroad sets *after* the merge (so the standard value wins).
const SET_AFTER_CUSTOM_FIELDS: &[&str] = &[
    "affiliate",
    "custom_fields",
    "dispute_won",
    "disputed",
    "gift_price",
    "gifter_email",
    "ip_country",
    "is_gift_receiver_purchase",
    "is_multiseat_license",
    "license_key",
    "original_sku_id",
    "recurrence",
    "refunded",
    "resource_name",
    "retry_count",
    "shipping_rate",
    "sku_id",
];

/// Builds the typed event from a decoded tree (shared by both encodings).
///
/// A JSON body whose values are still percent-encoded is a relayed form
/// body, so it is read with form rules from then on (custom field answers
/// `"true"`/`"false"` are checkboxes).
pub(crate) fn event_from_tree(
    mut map: Map<String, Value>,
    mut encoding: Encoding,
) -> R<GumroadEvent> {
    if looks_percent_encoded(&map) {
        map = decode_tree(map);
        encoding = Encoding::Form;
    }
    // Gumroad's retries resend the same parameters with `retry_count` merged in.
    let fingerprint = creator_core::fingerprint(&map, &["retry_count"]);
    let resource = match map.get("resource_name") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(percent_decode_text(s).unwrap_or_else(|| s.clone())),
        Some(other) => {
            return Err(malformed(format!(
                "field `resource_name`: expected text, got {other}"
            )));
        }
    };
    let Some(name) = resource else {
        if map.contains_key("sale_id") {
            return Ok(GumroadEvent::Ping(Box::new(sale_from_tree(
                map,
                encoding,
                None,
                fingerprint,
            )?)));
        }
        return Err(malformed(if map.is_empty() {
            "the body is empty: no `resource_name` and no `sale_id`".to_owned()
        } else {
            "neither `resource_name` nor `sale_id` is present: this is not a Gumroad delivery"
                .to_owned()
        }));
    };
    let resource = GumroadEventName::parse(&name);
    Ok(match resource {
        GumroadEventName::Sale => GumroadEvent::Sale(Box::new(sale_from_tree(
            map,
            encoding,
            Some(resource),
            fingerprint,
        )?)),
        GumroadEventName::Refund => GumroadEvent::Refund(Box::new(sale_from_tree(
            map,
            encoding,
            Some(resource),
            fingerprint,
        )?)),
        GumroadEventName::Dispute => GumroadEvent::Dispute(Box::new(sale_from_tree(
            map,
            encoding,
            Some(resource),
            fingerprint,
        )?)),
        GumroadEventName::DisputeWon => GumroadEvent::DisputeWon(Box::new(sale_from_tree(
            map,
            encoding,
            Some(resource),
            fingerprint,
        )?)),
        GumroadEventName::Cancellation => GumroadEvent::Cancellation(Box::new(
            subscription_from_tree(map, encoding, resource, fingerprint)?,
        )),
        GumroadEventName::SubscriptionUpdated => GumroadEvent::SubscriptionUpdated(Box::new(
            subscription_from_tree(map, encoding, resource, fingerprint)?,
        )),
        GumroadEventName::SubscriptionEnded => GumroadEvent::SubscriptionEnded(Box::new(
            subscription_from_tree(map, encoding, resource, fingerprint)?,
        )),
        GumroadEventName::SubscriptionRestarted => GumroadEvent::SubscriptionRestarted(Box::new(
            subscription_from_tree(map, encoding, resource, fingerprint)?,
        )),
        GumroadEventName::Unknown(name) => {
            map.remove("resource_name");
            GumroadEvent::Unknown(UnknownPing {
                resource_name: name,
                fields: map,
                fingerprint,
            })
        }
    })
}

/// True when values that always contain `=`, `@` or `:` only show them
/// percent-encoded: the whole delivery went through a relay that did not
/// decode it (a JSON body carrying form-encoded values, or a form body
/// encoded twice).
fn looks_percent_encoded(map: &Map<String, Value>) -> bool {
    let has = |key: &str, needle: &str| {
        matches!(map.get(key), Some(Value::String(s))
            if s.len() >= 3 && s.to_ascii_uppercase().contains(needle))
    };
    let clean =
        |key: &str, raw: char| matches!(map.get(key), Some(Value::String(s)) if s.contains(raw));
    ["sale_id", "subscription_id", "product_id", "seller_id"]
        .iter()
        .any(|k| has(k, "%3D") && !clean(k, '='))
        || ["email", "user_email"]
            .iter()
            .any(|k| has(k, "%40") && !clean(k, '@'))
        || ["sale_timestamp", "created_at"]
            .iter()
            .any(|k| has(k, "%3A") && !clean(k, ':'))
}

/// Percent-decodes every key and text value once (values that are not valid
/// escapes are kept as they are).
fn decode_tree(map: Map<String, Value>) -> Map<String, Value> {
    map.into_iter()
        .map(|(k, v)| (percent_decode_text(&k).unwrap_or(k), decode_value(v)))
        .collect()
}

fn decode_value(v: Value) -> Value {
    match v {
        Value::String(s) => Value::String(percent_decode_text(&s).unwrap_or(s)),
        Value::Array(items) => Value::Array(items.into_iter().map(decode_value).collect()),
        Value::Object(map) => Value::Object(decode_tree(map)),
        other => other,
    }
}

/// Folds the top-level copies of custom field answers into `custom_fields`,
/// returning the standard keys a custom answer replaced.
fn fold_custom_field_copies(map: &mut Map<String, Value>) -> Vec<String> {
    let Some(Value::Object(answers)) = map.get("custom_fields") else {
        return Vec::new();
    };
    let copies: Vec<String> = answers
        .iter()
        .filter(|(name, answer)| {
            name.as_str() != "custom_fields"
                && !SET_AFTER_CUSTOM_FIELDS.contains(&name.as_str())
                && map.get(name.as_str()) == Some(answer)
        })
        .map(|(name, _)| name.clone())
        .collect();
    let mut shadowed = Vec::new();
    for name in copies {
        map.remove(&name);
        if SET_BEFORE_CUSTOM_FIELDS.contains(&name.as_str()) {
            shadowed.push(name);
        }
    }
    shadowed
}

/// Custom field answers as read ([`fields::custom_fields`]), typed.
fn custom_fields(answers: Option<Value>, encoding: Encoding) -> Option<CustomFieldValues> {
    match answers? {
        Value::Object(map) => Some(CustomFieldValues::Map(
            map.into_iter()
                .map(|(name, answer)| (name, field_value(answer, encoding)))
                .collect(),
        )),
        // License-style `["Name: value"]` lists, should a relay send them.
        Value::Array(items) => Some(CustomFieldValues::List(
            items
                .into_iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect(),
        )),
        _ => None,
    }
}

/// A custom field answer. A form body cannot tell a checkbox `true` from
/// the text "true", so `"true"`/`"false"` read as booleans there, as JSON sends them.
fn field_value(answer: Value, encoding: Encoding) -> FieldValue {
    match answer {
        Value::Bool(b) => FieldValue::Bool(b),
        Value::String(s) if encoding == Encoding::Form && (s == "true" || s == "false") => {
            FieldValue::Bool(s == "true")
        }
        Value::String(s) => FieldValue::Text(s),
        other => FieldValue::Other(other),
    }
}

// The shadow structs: the wire form of each payload, read by serde with
// the lenient readers of `fields`, then fixed up into the public types.
// Fields are declared in the order field errors are reported.

/// `card[…]`.
#[derive(Deserialize)]
struct CardWire {
    #[serde(default, deserialize_with = "field::text")]
    visual: Option<String>,
    #[serde(default, rename = "type", deserialize_with = "field::text")]
    kind: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    bin: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    expiry_month: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    expiry_year: Option<String>,
}

/// `shipping_information[…]`.
#[derive(Deserialize)]
struct ShippingWire {
    #[serde(default, deserialize_with = "field::text")]
    full_name: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    street_address: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    city: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    state: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    zip_code: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    country: Option<String>,
}

/// `old_plan[tier][…]`.
#[derive(Deserialize)]
struct TierWire {
    #[serde(default, deserialize_with = "fields::ident")]
    id: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    name: Option<String>,
}

/// `old_plan[…]` / `new_plan[…]`.
#[derive(Deserialize)]
struct PlanWire {
    #[serde(default, deserialize_with = "field::object")]
    tier: Option<TierWire>,
    #[serde(default, deserialize_with = "field::text")]
    recurrence: Option<String>,
    #[serde(default, deserialize_with = "field::int")]
    price_cents: Option<i64>,
    #[serde(default, deserialize_with = "field::int")]
    quantity: Option<i64>,
}

impl PlanWire {
    fn fix(self) -> Plan {
        Plan {
            tier: self.tier.map(|t| Tier {
                id: t.id,
                name: t.name,
            }),
            recurrence: self.recurrence.map(|r| Recurrence::parse(&r)),
            price_cents: self.price_cents,
            quantity: self.quantity,
        }
    }
}

/// A sale-shaped delivery on the wire.
#[derive(Deserialize)]
struct SaleWire {
    /// Read before: it picks the payload type.
    #[serde(default)]
    resource_name: serde::de::IgnoredAny,
    #[serde(default, deserialize_with = "fields::ident")]
    sale_id: Option<String>,
    #[serde(default, deserialize_with = "field::int")]
    order_number: Option<i64>,
    #[serde(default, deserialize_with = "fields::time")]
    sale_timestamp: Option<OffsetDateTime>,
    #[serde(default, deserialize_with = "fields::ident")]
    seller_id: Option<String>,
    #[serde(default, deserialize_with = "fields::ident")]
    product_id: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    product_name: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    permalink: Option<String>,
    #[serde(default, deserialize_with = "fields::url")]
    product_permalink: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    short_product_id: Option<String>,
    #[serde(default, deserialize_with = "fields::ident")]
    email: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    full_name: Option<String>,
    #[serde(default, deserialize_with = "fields::ident")]
    purchaser_id: Option<String>,
    #[serde(default, deserialize_with = "fields::ident")]
    subscription_id: Option<String>,
    #[serde(default, deserialize_with = "field::int")]
    price: Option<i64>,
    #[serde(default, deserialize_with = "field::int")]
    gumroad_fee: Option<i64>,
    #[serde(default, deserialize_with = "field::text")]
    currency: Option<String>,
    #[serde(default, deserialize_with = "field::int")]
    quantity: Option<i64>,
    #[serde(default, deserialize_with = "field::flag")]
    discover_fee_charged: Option<bool>,
    #[serde(default, deserialize_with = "field::flag")]
    can_contact: Option<bool>,
    #[serde(default, deserialize_with = "fields::url")]
    referrer: Option<String>,
    #[serde(default, deserialize_with = "field::object")]
    card: Option<CardWire>,
    #[serde(default, deserialize_with = "fields::text_map")]
    url_params: Option<BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "fields::text_map")]
    variants: Option<BTreeMap<String, String>>,
    #[serde(default, deserialize_with = "field::text")]
    offer_code: Option<String>,
    #[serde(default, deserialize_with = "field::flag")]
    test: Option<bool>,
    #[serde(default, deserialize_with = "field::flag")]
    is_recurring_charge: Option<bool>,
    #[serde(default, deserialize_with = "field::flag")]
    is_preorder_authorization: Option<bool>,
    #[serde(default, deserialize_with = "fields::custom_fields")]
    custom_fields: Option<Value>,
    #[serde(default, deserialize_with = "fields::ident")]
    license_key: Option<String>,
    #[serde(default, deserialize_with = "field::flag")]
    is_multiseat_license: Option<bool>,
    #[serde(default, deserialize_with = "field::text")]
    ip_country: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    recurrence: Option<String>,
    #[serde(default, deserialize_with = "field::object")]
    shipping_information: Option<ShippingWire>,
    #[serde(default, deserialize_with = "field::text")]
    street_address: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    city: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    state: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    zip_code: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    country: Option<String>,
    #[serde(default, deserialize_with = "field::int")]
    shipping_rate: Option<i64>,
    #[serde(default, deserialize_with = "fields::ident")]
    affiliate: Option<String>,
    #[serde(default, deserialize_with = "field::int")]
    affiliate_credit_amount_cents: Option<i64>,
    #[serde(default, deserialize_with = "field::flag")]
    is_gift_receiver_purchase: Option<bool>,
    #[serde(default, deserialize_with = "field::int")]
    gift_price: Option<i64>,
    #[serde(default, deserialize_with = "fields::ident")]
    gifter_email: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    sku_id: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    original_sku_id: Option<String>,
    #[serde(default, deserialize_with = "field::flag")]
    refunded: Option<bool>,
    #[serde(default, deserialize_with = "field::flag")]
    disputed: Option<bool>,
    #[serde(default, deserialize_with = "field::flag")]
    dispute_won: Option<bool>,
    #[serde(default, deserialize_with = "field::count")]
    retry_count: Option<u32>,
}

/// A subscription-shaped delivery on the wire.
#[derive(Deserialize)]
struct SubscriptionWire {
    /// Read before: it picks the payload type.
    #[serde(default)]
    resource_name: serde::de::IgnoredAny,
    #[serde(default, deserialize_with = "fields::ident")]
    subscription_id: Option<String>,
    #[serde(default, deserialize_with = "fields::purchase_ids")]
    purchase_ids: PurchaseIds,
    #[serde(default, deserialize_with = "fields::ident")]
    product_id: Option<String>,
    #[serde(default, deserialize_with = "field::text")]
    product_name: Option<String>,
    #[serde(default, deserialize_with = "fields::ident")]
    user_id: Option<String>,
    #[serde(default, deserialize_with = "fields::ident")]
    user_email: Option<String>,
    #[serde(default, deserialize_with = "fields::time")]
    created_at: Option<OffsetDateTime>,
    #[serde(default, deserialize_with = "field::int")]
    charge_occurrence_count: Option<i64>,
    #[serde(default, deserialize_with = "field::text")]
    recurrence: Option<String>,
    #[serde(default, deserialize_with = "fields::time")]
    free_trial_ends_at: Option<OffsetDateTime>,
    #[serde(default, deserialize_with = "fields::custom_fields")]
    custom_fields: Option<Value>,
    #[serde(default, deserialize_with = "fields::ident")]
    license_key: Option<String>,
    #[serde(default, deserialize_with = "field::flag")]
    cancelled: Option<bool>,
    #[serde(default, deserialize_with = "fields::time")]
    cancelled_at: Option<OffsetDateTime>,
    #[serde(default, deserialize_with = "field::flag")]
    cancelled_by_admin: Option<bool>,
    #[serde(default, deserialize_with = "field::flag")]
    cancelled_by_buyer: Option<bool>,
    #[serde(default, deserialize_with = "field::flag")]
    cancelled_by_seller: Option<bool>,
    #[serde(default, deserialize_with = "field::flag")]
    cancelled_due_to_payment_failures: Option<bool>,
    #[serde(default, rename = "type", deserialize_with = "field::text")]
    change_type: Option<String>,
    #[serde(default, deserialize_with = "fields::time")]
    effective_as_of: Option<OffsetDateTime>,
    #[serde(default, deserialize_with = "field::object")]
    old_plan: Option<PlanWire>,
    #[serde(default, deserialize_with = "field::object")]
    new_plan: Option<PlanWire>,
    #[serde(default, deserialize_with = "fields::time")]
    ended_at: Option<OffsetDateTime>,
    #[serde(default, deserialize_with = "field::text")]
    ended_reason: Option<String>,
    #[serde(default, deserialize_with = "fields::time")]
    restarted_at: Option<OffsetDateTime>,
    #[serde(default, deserialize_with = "field::count")]
    retry_count: Option<u32>,
}

fn plan_shape() -> Shape {
    Shape::of::<PlanWire>(vec![("tier", Shape::of::<TierWire>(vec![]))])
}

/// A shadow struct read, or the delivery refused for a field it cannot do without.
fn read_wire<T: serde::de::DeserializeOwned>(
    map: Map<String, Value>,
    shape: &Shape,
) -> R<fields::Read<T>> {
    fields::read(map, shape).map_err(|e| malformed(format!("field {e}")))
}

fn sale_from_tree(
    mut map: Map<String, Value>,
    encoding: Encoding,
    resource_name: Option<GumroadEventName>,
    fingerprint: String,
) -> R<SalePing> {
    let shadowed = fold_custom_field_copies(&mut map);
    let shape = Shape::of::<SaleWire>(vec![
        ("card", Shape::of::<CardWire>(vec![])),
        ("shipping_information", Shape::of::<ShippingWire>(vec![])),
    ]);
    let fields::Read {
        value: w,
        extra,
        field_errors,
    } = read_wire::<SaleWire>(map, &shape)?;
    let _ = w.resource_name;
    let Some(sale_id) = w.sale_id else {
        return Err(malformed(
            match field_errors.iter().find(|e| e.field == "sale_id") {
                Some(e) => format!("field {e}: the sale id is required"),
                None if shadowed.iter().any(|k| k == "sale_id") => {
                    "field `sale_id` is missing: a custom field named `sale_id` replaced it"
                        .to_owned()
                }
                None => "field `sale_id` is missing or empty".to_owned(),
            },
        ));
    };
    Ok(SalePing {
        resource_name,
        sale_id,
        order_number: w.order_number,
        sale_timestamp: w.sale_timestamp,
        seller_id: w.seller_id,
        product_id: w.product_id,
        product_name: w.product_name,
        permalink: w.permalink,
        product_permalink: w.product_permalink,
        short_product_id: w.short_product_id,
        email: w.email,
        full_name: w.full_name,
        purchaser_id: w.purchaser_id,
        subscription_id: w.subscription_id,
        price: w.price,
        gumroad_fee: w.gumroad_fee,
        currency: w.currency,
        quantity: w.quantity,
        discover_fee_charged: w.discover_fee_charged,
        can_contact: w.can_contact,
        referrer: w.referrer,
        card: w.card.map(|c| Card {
            visual: c.visual,
            kind: c.kind,
            bin: c.bin,
            expiry_month: c.expiry_month,
            expiry_year: c.expiry_year,
        }),
        url_params: w.url_params,
        variants: w.variants.map(Variants::Map),
        offer_code: w.offer_code,
        test: w.test,
        is_recurring_charge: w.is_recurring_charge,
        is_preorder_authorization: w.is_preorder_authorization,
        custom_fields: custom_fields(w.custom_fields, encoding),
        license_key: w.license_key,
        is_multiseat_license: w.is_multiseat_license,
        ip_country: w.ip_country,
        recurrence: w.recurrence.map(|r| Recurrence::parse(&r)),
        shipping_information: w.shipping_information.map(|s| ShippingInformation {
            full_name: s.full_name,
            street_address: s.street_address,
            city: s.city,
            state: s.state,
            zip_code: s.zip_code,
            country: s.country,
        }),
        street_address: w.street_address,
        city: w.city,
        state: w.state,
        zip_code: w.zip_code,
        country: w.country,
        shipping_rate: w.shipping_rate,
        affiliate: w.affiliate,
        affiliate_credit_amount_cents: w.affiliate_credit_amount_cents,
        is_gift_receiver_purchase: w.is_gift_receiver_purchase,
        gift_price: w.gift_price,
        gifter_email: w.gifter_email,
        sku_id: w.sku_id,
        original_sku_id: w.original_sku_id,
        refunded: w.refunded,
        disputed: w.disputed,
        dispute_won: w.dispute_won,
        retry_count: w.retry_count,
        fingerprint,
        shadowed_by_custom_fields: shadowed,
        field_errors,
        extra,
    })
}

fn subscription_from_tree(
    map: Map<String, Value>,
    encoding: Encoding,
    resource_name: GumroadEventName,
    fingerprint: String,
) -> R<SubscriptionPing> {
    let shape =
        Shape::of::<SubscriptionWire>(vec![("old_plan", plan_shape()), ("new_plan", plan_shape())]);
    let fields::Read {
        value: w,
        extra,
        field_errors,
    } = read_wire::<SubscriptionWire>(map, &shape)?;
    let _ = w.resource_name;
    let Some(subscription_id) = w.subscription_id else {
        return Err(malformed(
            match field_errors.iter().find(|e| e.field == "subscription_id") {
                Some(e) => format!("field {e}: the subscription id is required"),
                None => format!(
                    "field `subscription_id` is missing or empty in a `{resource_name}` delivery"
                ),
            },
        ));
    };
    Ok(SubscriptionPing {
        resource_name,
        subscription_id,
        product_id: w.product_id,
        product_name: w.product_name,
        user_id: w.user_id,
        user_email: w.user_email,
        purchase_ids: w.purchase_ids,
        created_at: w.created_at,
        charge_occurrence_count: w.charge_occurrence_count,
        recurrence: w.recurrence.map(|r| Recurrence::parse(&r)),
        free_trial_ends_at: w.free_trial_ends_at,
        custom_fields: custom_fields(w.custom_fields, encoding),
        license_key: w.license_key,
        cancelled: w.cancelled,
        cancelled_at: w.cancelled_at,
        cancelled_by_admin: w.cancelled_by_admin,
        cancelled_by_buyer: w.cancelled_by_buyer,
        cancelled_by_seller: w.cancelled_by_seller,
        cancelled_due_to_payment_failures: w.cancelled_due_to_payment_failures,
        change_type: w.change_type.map(|s| PlanChange::parse(&s)),
        effective_as_of: w.effective_as_of,
        old_plan: w.old_plan.map(PlanWire::fix),
        new_plan: w.new_plan.map(PlanWire::fix),
        ended_at: w.ended_at,
        ended_reason: w.ended_reason.map(|s| EndedReason::parse(&s)),
        restarted_at: w.restarted_at,
        retry_count: w.retry_count,
        fingerprint,
        field_errors,
        extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tree(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn unknown_subject_is_stable_across_retries() {
        let a = UnknownPing {
            resource_name: "x".into(),
            fields: tree(json!({"a": "1"})),
            fingerprint: String::new(),
        };
        let b = UnknownPing {
            resource_name: "x".into(),
            fields: tree(json!({"a": "1", "retry_count": "1"})),
            fingerprint: String::new(),
        };
        assert_eq!(a.subject_id(), b.subject_id());
        assert!(a.subject_id().starts_with("fnv1a:"));
        let c = UnknownPing {
            resource_name: "x".into(),
            fields: tree(json!({"id": "P1"})),
            fingerprint: String::new(),
        };
        assert_eq!(c.subject_id(), "P1");
    }

    #[test]
    fn before_and_after_lists_do_not_overlap() {
        for k in SET_BEFORE_CUSTOM_FIELDS {
            assert!(!SET_AFTER_CUSTOM_FIELDS.contains(k), "{k}");
        }
    }
}
