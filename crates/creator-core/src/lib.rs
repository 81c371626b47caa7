//! # creator-core
//!
//! The provider-agnostic layer of creator-commerce: four object-safe traits
//! ([`Products`], [`Sales`], [`Subscribers`], [`Webhooks`]), normalized domain
//! types ([`Product`], [`Sale`], [`Subscriber`], [`WebhookEvent`], [`Money`]),
//! lazy pagination ([`paginate`]), the error type ([`Error`]), a pure retry
//! policy ([`RetryPolicy`]), secrets ([`Secret`]), an injectable [`Clock`],
//! and the webhook verifiers every provider shares ([`verify`]: a
//! [`Verifier`] trait with URL-token, HTTP Basic and HMAC checks that
//! compose with `AllOf` / `AnyOf`).
//!
//! With the `http` feature it also provides the shared reqwest [`http::Transport`]
//! that every provider crate uses. Code written only against the traits does
//! not need that feature and never compiles an HTTP stack.
//!
//! ```
//! use creator_core::{collect, Sales, SaleQuery, Result, Sale};
//!
//! /// Works the same on Gumroad, Gank or through Maton.
//! async fn recent_sales(shop: &dyn Sales) -> Result<Vec<Sale>> {
//!     collect(shop.list_sales(SaleQuery::new().max_pages(5)), Some(100)).await
//! }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

mod access;
mod actions;
mod clock;
pub mod de;
mod error;
mod lenient;
mod limiter;
mod model;
mod money;
mod paginate;
mod provider;
mod query;
mod redact;
pub mod retry;
mod secret;
mod string_enum;
mod traits;
mod webhook;
pub mod window;

#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub mod http;

pub use access::{
    Access, AccessChecker, AccessOutcome, AccessQuery, AccessReason, AccessSource, AccessVerdict,
    Person, ProviderFailure, decide, key_hint, validate_query,
};
pub use actions::{
    ActionOutcome, IdempotencyKey, KeyHandling, RefundAmount, SaleActions, validate_refund,
};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{Error, RawBody, Result, WebhookError};
pub use lenient::{Lenient, from_value_lenient};
pub use limiter::{RateLimiter, SpacedLimiter, WindowLimiter};
pub use model::{
    Customer, Product, ProductKind, ProviderData, Sale, Subscriber, SubscriptionStatus,
};
pub use money::{Currency, Money, MoneyError};
pub use paginate::{
    NumberedPage, Page, collect, paginate, paginate_numbered, paginate_numbered_concurrent,
};
pub use provider::Provider;
pub use query::{DateRange, PersonSearch, ProductQuery, SaleQuery, SubscriberQuery};
pub use redact::{is_secret_field, redact_secrets};
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use traits::{Products, Sales, Subscribers, Webhooks};
/// Whether a delivery repeats a stored event or is a new event with the same content.
pub use webhook::repeat;
/// Composable webhook verifiers: URL token, HTTP Basic, HMAC, all-of, any-of, unverified.
pub use webhook::verify;
pub use webhook::verify::Verifier;
pub use webhook::{
    EventKind, FieldError, ParseLimits, Verified, WebhookDelivery, WebhookEvent, fingerprint,
};

/// Re-exported so implementors can write `#[creator_core::async_trait]`.
pub use async_trait::async_trait;
/// Re-exported for the stream types in the trait signatures.
pub use futures;
/// Re-exported for timestamps in the domain types.
pub use time;

/// Not public API: paths used by the exported macros.
#[doc(hidden)]
pub mod __private {
    pub use serde;
}
