//! The arguments of each tool, with the JSON Schemas clients see (schemars).
//! Unknown arguments are refused: a mistyped `amount` must never turn a
//! partial refund into a full one.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::providers::ProviderName;

/// A platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// Gumroad, directly.
    Gumroad,
    /// Gank.
    Gank,
    /// Gumroad through the Maton API gateway.
    Maton,
}

impl From<Provider> for ProviderName {
    fn from(p: Provider) -> Self {
        match p {
            Provider::Gumroad => ProviderName::Gumroad,
            Provider::Gank => ProviderName::Gank,
            Provider::Maton => ProviderName::Maton,
        }
    }
}

/// The arguments of `products_list`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductsParams {
    /// The platform; the server's `--provider` (default gumroad) when left out.
    pub provider: Option<Provider>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<u32>,
}

/// The arguments of `sales_list`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SalesParams {
    /// The platform; the server's `--provider` when left out.
    pub provider: Option<Provider>,
    /// Only sales of this product id.
    pub product: Option<String>,
    /// Only sales to this email.
    pub email: Option<String>,
    /// Only sales on or after this day (`2025-03-14`).
    pub after: Option<String>,
    /// Only sales before this day (exclusive).
    pub before: Option<String>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<u32>,
}

/// The arguments of `sale_get`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SaleParams {
    /// The platform; the server's `--provider` when left out.
    pub provider: Option<Provider>,
    /// The sale (Gumroad) or transaction (Gank) id.
    pub sale_id: String,
}

/// The arguments of `subscribers_list`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscribersParams {
    /// The platform; the server's `--provider` when left out.
    pub provider: Option<Provider>,
    /// Only subscribers of this product or membership tier.
    pub product: Option<String>,
    /// Only subscribers with access now.
    #[serde(default)]
    pub active: bool,
    /// Only the subscriber with this email.
    pub email: Option<String>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<u32>,
}

/// The arguments of `license_verify`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyParams {
    /// The Gumroad product id (not the permalink).
    pub product_id: String,
    /// The license key.
    pub license_key: String,
    /// Count this check as a use (off by default, so checking is free).
    #[serde(default)]
    pub increment_uses: bool,
}

/// The arguments of `payouts_list`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PayoutsParams {
    /// gumroad or maton (Gank has no payouts API); the server's `--provider` when left out.
    pub provider: Option<Provider>,
    /// Include the upcoming payout first (default true).
    pub include_upcoming: Option<bool>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<u32>,
}

/// The arguments of `ledger_events`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventsParams {
    /// Only events of this provider (`gumroad` or `gank`; Gumroad through Maton delivers as `gumroad`).
    pub provider: Option<Provider>,
    /// Only this kind (`sale`, `refund`, …) or platform event name.
    pub kind: Option<String>,
    /// Only events received since: `2025-03-14`, `2025-03-14T10:00:00Z`, or an age like `24h`.
    pub since: Option<String>,
    /// At most this many, oldest first (default 50, at most 500).
    pub limit: Option<u32>,
    /// Include each event's raw body.
    #[serde(default)]
    pub with_body: bool,
}

/// The arguments of a write on one sale (`sale_resend_receipt`, `sale_revoke_access`, `sale_restore_access`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SaleWriteParams {
    /// gumroad or maton; the server's `--provider` when left out.
    pub provider: Option<Provider>,
    /// The Gumroad sale id.
    pub sale_id: String,
    /// Send it. Without `true` this is a dry run: the exact request comes back and nothing is sent.
    #[serde(default)]
    pub confirm: bool,
    /// A key unique to this intended change (a UUID): a retried call with the same key does not act twice.
    pub idempotency_key: String,
}

/// The arguments of `sale_refund`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundParams {
    /// gumroad or maton; the server's `--provider` when left out.
    pub provider: Option<Provider>,
    /// The Gumroad sale id.
    pub sale_id: String,
    /// A partial refund in major units of the sale's currency (`"5.00"`, `"500"` for JPY); leave out for a full refund.
    pub amount: Option<String>,
    /// Send it. Without `true` this is a dry run: the exact request comes back and nothing is sent.
    #[serde(default)]
    pub confirm: bool,
    /// A key unique to this intended refund (a UUID): a retried call with the same key does not refund twice.
    pub idempotency_key: String,
}

/// The arguments of `sale_mark_shipped`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipParams {
    /// gumroad or maton; the server's `--provider` when left out.
    pub provider: Option<Provider>,
    /// The Gumroad sale id.
    pub sale_id: String,
    /// The carrier's tracking URL.
    pub tracking_url: Option<String>,
    /// Send it. Without `true` this is a dry run: the exact request comes back and nothing is sent.
    #[serde(default)]
    pub confirm: bool,
    /// A key unique to this intended change (a UUID): a retried call with the same key does not act twice.
    pub idempotency_key: String,
}

/// The arguments of a write on one license (`license_enable`, `license_disable`, `license_rotate`, `license_decrement_uses`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LicenseWriteParams {
    /// gumroad or maton; the server's `--provider` when left out.
    pub provider: Option<Provider>,
    /// The Gumroad product id.
    pub product_id: String,
    /// The license key.
    pub license_key: String,
    /// Send it. Without `true` this is a dry run: the exact request comes back and nothing is sent.
    #[serde(default)]
    pub confirm: bool,
    /// A key unique to this intended change (a UUID): a retried call with the same key does not act twice.
    pub idempotency_key: String,
}

/// What every write takes: `confirm` and `idempotency_key`.
pub trait Guarded {
    /// `confirm`.
    fn confirm(&self) -> bool;
    /// `idempotency_key`.
    fn idempotency_key(&self) -> &str;
    /// `provider`.
    fn provider(&self) -> Option<Provider>;
}

macro_rules! guarded {
    ($($t:ty),*) => {$(
        impl Guarded for $t {
            fn confirm(&self) -> bool {
                self.confirm
            }
            fn idempotency_key(&self) -> &str {
                &self.idempotency_key
            }
            fn provider(&self) -> Option<Provider> {
                self.provider
            }
        }
    )*};
}

guarded!(
    SaleWriteParams,
    RefundParams,
    ShipParams,
    LicenseWriteParams
);
