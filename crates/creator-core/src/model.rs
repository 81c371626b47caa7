//! Normalized domain types shared by every provider.
//!
//! Each keeps the provider's own typed model in [`ProviderData`], so nothing
//! is lost by normalizing: `sale.provider_data().downcast_ref::<gumroad_api::Sale>()`.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use time::OffsetDateTime;

use crate::{Money, Provider};

/// The provider's own model behind a normalized value (for example a
/// `gumroad_api::Sale` behind a [`Sale`]), reachable by downcasting.
///
/// Not serialized; `Debug` prints only the type name.
#[derive(Clone, Default)]
pub struct ProviderData(Option<Arc<dyn Any + Send + Sync>>, &'static str);

impl ProviderData {
    /// Wraps a provider model.
    pub fn new<T: Any + Send + Sync>(value: T) -> Self {
        Self(Some(Arc::new(value)), std::any::type_name::<T>())
    }

    /// No provider model (values built by hand or by a fake).
    pub fn none() -> Self {
        Self(None, "")
    }

    /// The provider model, if it is a `T`.
    pub fn downcast_ref<T: Any>(&self) -> Option<&T> {
        self.0.as_deref()?.downcast_ref::<T>()
    }

    /// The Rust type name of the wrapped model, empty when there is none.
    pub fn type_name(&self) -> &'static str {
        self.1
    }
}

impl fmt::Debug for ProviderData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(_) => write!(f, "ProviderData({})", self.1),
            None => f.write_str("ProviderData(none)"),
        }
    }
}

/// What kind of thing a [`Product`] sells.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProductKind {
    /// A one-off digital product (file, course, license).
    Digital,
    /// A physical product that is shipped.
    Physical,
    /// A recurring membership or subscription (a Gumroad membership, a Gank membership tier).
    Membership,
    /// A service listing or commission (Gank shop listings).
    Service,
    /// A value this library does not know yet, kept as sent.
    Unknown(String),
}

/// A person who buys or subscribes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Customer {
    /// The platform's user id, when the buyer has an account.
    pub id: Option<String>,
    /// Email address, when the platform shares it.
    pub email: Option<String>,
    /// Full name, when given.
    pub name: Option<String>,
    /// Public nickname (Gank).
    pub nickname: Option<String>,
}

impl Customer {
    /// A customer known only by email.
    pub fn with_email(email: impl Into<String>) -> Self {
        Self {
            email: Some(email.into()),
            ..Self::default()
        }
    }

    /// A customer with every field given (use `None` for what is unknown).
    pub fn new(
        id: Option<String>,
        email: Option<String>,
        name: Option<String>,
        nickname: Option<String>,
    ) -> Self {
        Self {
            id,
            email,
            name,
            nickname,
        }
    }
}

/// Something a creator sells: a product, a listing or a membership tier.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Product {
    /// Which platform it lives on.
    pub provider: Provider,
    /// The platform's id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What it is.
    pub kind: ProductKind,
    /// Base price, in the product's own currency, when it has one.
    pub price: Option<Money>,
    /// Whether buyers can purchase it now, when known.
    pub published: Option<bool>,
    /// Public URL, when known.
    pub url: Option<String>,
    /// The provider's own model.
    #[serde(skip)]
    pub provider_data: ProviderData,
}

impl Product {
    /// A product with the required fields; the rest start empty.
    pub fn new(
        provider: Provider,
        id: impl Into<String>,
        name: impl Into<String>,
        kind: ProductKind,
    ) -> Self {
        Self {
            provider,
            id: id.into(),
            name: name.into(),
            kind,
            price: None,
            published: None,
            url: None,
            provider_data: ProviderData::none(),
        }
    }

    /// The provider's own model.
    pub fn provider_data(&self) -> &ProviderData {
        &self.provider_data
    }
}

/// One completed payment: a sale, a membership charge, a Gank transaction.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Sale {
    /// Which platform it happened on.
    pub provider: Provider,
    /// The platform's id for the sale.
    pub id: String,
    /// The product (or tier) bought, when known.
    pub product_id: Option<String>,
    /// The product's name at the time of sale, when known.
    pub product_name: Option<String>,
    /// Who paid.
    pub customer: Customer,
    /// What was paid, in the currency the platform reports it in
    /// (Gumroad: USD cents whatever the product currency).
    pub amount: Option<Money>,
    /// When it happened.
    #[serde(with = "time::serde::rfc3339::option")]
    pub created_at: Option<OffsetDateTime>,
    /// Whether it has been (fully or partly) refunded.
    pub refunded: bool,
    /// Whether it was a test purchase.
    pub test: bool,
    /// The subscription this charge belongs to, for recurring charges.
    pub subscription_id: Option<String>,
    /// The provider's own model.
    #[serde(skip)]
    pub provider_data: ProviderData,
}

impl Sale {
    /// A sale with the required fields; the rest start empty.
    pub fn new(provider: Provider, id: impl Into<String>) -> Self {
        Self {
            provider,
            id: id.into(),
            product_id: None,
            product_name: None,
            customer: Customer::default(),
            amount: None,
            created_at: None,
            refunded: false,
            test: false,
            subscription_id: None,
            provider_data: ProviderData::none(),
        }
    }

    /// The provider's own model.
    pub fn provider_data(&self) -> &ProviderData {
        &self.provider_data
    }
}

/// The state of a subscription or membership.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SubscriptionStatus {
    /// Paid up and running.
    Active,
    /// Cancelled by someone, still running until the end of the paid period.
    PendingCancellation,
    /// A charge failed; the platform is retrying.
    PastDue,
    /// Cancelled and over.
    Cancelled,
    /// Ended for another reason (failed payments, fixed length reached).
    Ended,
    /// Not active, and the platform does not say why (Gank's `{"active": false}`).
    Inactive,
    /// A value this library does not know yet, kept as sent.
    Unknown(String),
}

impl SubscriptionStatus {
    /// True when the subscriber currently has access
    /// ([`Active`](Self::Active), [`PendingCancellation`](Self::PendingCancellation) or [`PastDue`](Self::PastDue)).
    pub fn has_access(&self) -> bool {
        matches!(
            self,
            SubscriptionStatus::Active
                | SubscriptionStatus::PendingCancellation
                | SubscriptionStatus::PastDue
        )
    }
}

/// A member or subscriber of a recurring product.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Subscriber {
    /// Which platform it lives on.
    pub provider: Provider,
    /// The subscription's id.
    pub id: String,
    /// The product or membership tier subscribed to.
    pub product_id: Option<String>,
    /// Who subscribes.
    pub customer: Customer,
    /// Current state.
    pub status: SubscriptionStatus,
    /// When the subscription started.
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    /// When access ends or ended, when known.
    #[serde(with = "time::serde::rfc3339::option")]
    pub ends_at: Option<OffsetDateTime>,
    /// The provider's own model.
    #[serde(skip)]
    pub provider_data: ProviderData,
}

impl Subscriber {
    /// A subscriber with the required fields; the rest start empty.
    pub fn new(provider: Provider, id: impl Into<String>, status: SubscriptionStatus) -> Self {
        Self {
            provider,
            id: id.into(),
            product_id: None,
            customer: Customer::default(),
            status,
            started_at: None,
            ends_at: None,
            provider_data: ProviderData::none(),
        }
    }

    /// The provider's own model.
    pub fn provider_data(&self) -> &ProviderData {
        &self.provider_data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_data_downcasts_to_the_wrapped_type_only() {
        #[derive(Debug, PartialEq)]
        struct Native(u32);
        let mut sale = Sale::new(Provider::Other("test"), "s1");
        sale.provider_data = ProviderData::new(Native(7));
        assert_eq!(
            sale.provider_data().downcast_ref::<Native>(),
            Some(&Native(7))
        );
        assert_eq!(sale.provider_data().downcast_ref::<String>(), None);
        assert!(format!("{sale:?}").contains("Native"));
        assert_eq!(ProviderData::none().downcast_ref::<Native>(), None);
    }

    #[test]
    fn normalized_types_serialize_without_provider_data() {
        let mut sub = Subscriber::new(
            Provider::Gank,
            "sub_1",
            SubscriptionStatus::Unknown("frozen".into()),
        );
        sub.started_at = Some(time::macros::datetime!(2025-09-25 10:00:00 UTC));
        let json = serde_json::to_value(&sub).unwrap();
        assert_eq!(json["provider"], "gank");
        assert_eq!(json["status"], serde_json::json!({"unknown": "frozen"}));
        assert_eq!(json["started_at"], "2025-09-25T10:00:00Z");
        assert!(json.get("provider_data").is_none());
    }
}
