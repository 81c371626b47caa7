//! The four provider-agnostic traits. All are object-safe, so an application
//! can hold `Arc<dyn Sales>` or `Vec<Box<dyn Subscribers>>` across providers.

use async_trait::async_trait;
use futures::stream::BoxStream;

use crate::{
    Error, Product, ProductQuery, Provider, Result, Sale, SaleQuery, Subscriber, SubscriberQuery,
    SubscriptionStatus, Verified, WebhookDelivery, WebhookError, WebhookEvent,
};

/// Products, listings and membership tiers.
#[async_trait]
pub trait Products: Send + Sync {
    /// The platform behind this implementation.
    fn provider(&self) -> Provider;

    /// Every product, fetched lazily page by page.
    fn list_products(&self, query: ProductQuery) -> BoxStream<'_, Result<Product>>;

    /// One product by id.
    ///
    /// # Errors
    /// [`Error::NotFound`] when it does not exist, or any request error.
    async fn product(&self, id: &str) -> Result<Product>;
}

/// Sales, charges and transactions.
#[async_trait]
pub trait Sales: Send + Sync {
    /// The platform behind this implementation.
    fn provider(&self) -> Provider;

    /// Sales matching `query`, newest first where the platform orders them,
    /// fetched lazily page by page. A filter the platform cannot apply yields
    /// [`Error::Unsupported`] as the first item, never a silently wider list.
    fn list_sales(&self, query: SaleQuery) -> BoxStream<'_, Result<Sale>>;

    /// One sale by id.
    ///
    /// # Errors
    /// [`Error::NotFound`] when it does not exist, [`Error::Unsupported`] when
    /// the platform cannot look sales up, or any request error.
    async fn sale(&self, id: &str) -> Result<Sale>;
}

/// Subscribers and members of recurring products.
#[async_trait]
pub trait Subscribers: Send + Sync {
    /// The platform behind this implementation.
    fn provider(&self) -> Provider;

    /// Subscribers matching `query`, fetched lazily page by page.
    fn list_subscribers(&self, query: SubscriberQuery) -> BoxStream<'_, Result<Subscriber>>;

    /// The current status of one subscription.
    ///
    /// # Errors
    /// [`Error::NotFound`] when it does not exist, or any request error.
    async fn subscription_status(&self, id: &str) -> Result<SubscriptionStatus>;
}

/// Receiving webhook deliveries: verify first, then parse.
///
/// The two steps are separate so that a new event type is reported by
/// `parse` as [`EventKind::Unknown`](crate::EventKind::Unknown), never as a bad signature.
#[async_trait]
pub trait Webhooks: Send + Sync {
    /// The platform behind this implementation.
    fn provider(&self) -> Provider;

    /// Checks that a delivery is authentic, on its raw bytes.
    ///
    /// # Errors
    /// A [`WebhookError`] for which
    /// [`is_verification_failure`](WebhookError::is_verification_failure) is true.
    fn verify(&self, delivery: &WebhookDelivery) -> Result<Verified, WebhookError>;

    /// Parses a delivery into an event. Call only after [`Webhooks::verify`].
    ///
    /// Returns the same error type as [`Webhooks::verify`]; tell the two
    /// apart with [`WebhookError::is_verification_failure`].
    ///
    /// # Errors
    /// [`WebhookError::Malformed`] or [`WebhookError::UnsupportedContentType`].
    fn parse(&self, delivery: &WebhookDelivery) -> Result<WebhookEvent, WebhookError>;

    /// Verifies, then parses.
    ///
    /// # Errors
    /// As [`Webhooks::verify`] and [`Webhooks::parse`].
    fn receive(&self, delivery: &WebhookDelivery) -> Result<WebhookEvent, WebhookError> {
        self.verify(delivery)?;
        self.parse(delivery)
    }

    /// Re-reads the event's subject through the API (the defence the platforms
    /// recommend before granting anything) and returns the fresh event.
    ///
    /// # Errors
    /// [`Error::Unsupported`] by default; implementations return request errors.
    async fn confirm(&self, event: &WebhookEvent) -> Result<WebhookEvent> {
        let _ = event;
        Err(Error::Unsupported {
            provider: self.provider(),
            operation: "webhooks: confirm an event through the API",
        })
    }
}
