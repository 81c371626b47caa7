//! The creator-core traits on [`MatonClient`], served by Gumroad through the gateway.

use creator_core::futures::stream::BoxStream;
use creator_core::{
    Product, ProductQuery, Products, Provider, Result, Sale, SaleQuery, Sales, Subscriber,
    SubscriberQuery, Subscribers, SubscriptionStatus, async_trait,
};

use crate::MatonClient;

/// Products of the Gumroad account behind the gateway (the default
/// connection), exactly as [`MatonClient::gumroad`] returns them.
#[async_trait]
impl Products for MatonClient {
    fn provider(&self) -> Provider {
        Provider::Maton
    }

    fn list_products(&self, query: ProductQuery) -> BoxStream<'_, Result<Product>> {
        Products::list_products(self.gumroad_ref(), query)
    }

    async fn product(&self, id: &str) -> Result<Product> {
        Products::product(self.gumroad_ref(), id).await
    }
}

/// Sales of the Gumroad account behind the gateway.
#[async_trait]
impl Sales for MatonClient {
    fn provider(&self) -> Provider {
        Provider::Maton
    }

    fn list_sales(&self, query: SaleQuery) -> BoxStream<'_, Result<Sale>> {
        Sales::list_sales(self.gumroad_ref(), query)
    }

    async fn sale(&self, id: &str) -> Result<Sale> {
        Sales::sale(self.gumroad_ref(), id).await
    }
}

/// Subscribers of the Gumroad account behind the gateway.
#[async_trait]
impl Subscribers for MatonClient {
    fn provider(&self) -> Provider {
        Provider::Maton
    }

    fn list_subscribers(&self, query: SubscriberQuery) -> BoxStream<'_, Result<Subscriber>> {
        Subscribers::list_subscribers(self.gumroad_ref(), query)
    }

    async fn subscription_status(&self, id: &str) -> Result<SubscriptionStatus> {
        Subscribers::subscription_status(self.gumroad_ref(), id).await
    }
}
