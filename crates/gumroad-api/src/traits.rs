//! The provider-agnostic traits of `creator-core`, implemented on top of the
//! typed endpoints, mapping with the functions of `normalize.rs`. Each normalized value keeps the native Gumroad model in
//! its `provider_data` (downcast to [`crate::Product`], [`crate::Sale`] or
//! [`crate::Subscriber`]).

use std::time::SystemTime;

use creator_core::futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use creator_core::{
    Error, PersonSearch, ProductQuery, Provider, Result, SaleQuery, SubscriberQuery,
    SubscriptionStatus, async_trait,
};
use time::OffsetDateTime;

use crate::normalize::{to_core_product, to_core_sale, to_core_status, to_core_subscriber};
use crate::{GumroadClient, SalesQuery, SubscribersQuery};

impl GumroadClient {
    fn now(&self) -> OffsetDateTime {
        let now: SystemTime = self.transport().clock().now();
        OffsetDateTime::from(now)
    }
}

#[async_trait]
impl creator_core::Products for GumroadClient {
    fn provider(&self) -> Provider {
        GumroadClient::provider(self)
    }

    /// Every product; follows `next_page_key` when Gumroad paginates.
    fn list_products(&self, query: ProductQuery) -> BoxStream<'_, Result<creator_core::Product>> {
        let provider = GumroadClient::provider(self);
        GumroadClient::products(self)
            .list_with_max_pages(query.max_pages)
            .map_ok(move |p| to_core_product(provider, p))
            .boxed()
    }

    async fn product(&self, id: &str) -> Result<creator_core::Product> {
        let product = GumroadClient::products(self).get(id).await?;
        Ok(to_core_product(GumroadClient::provider(self), product))
    }
}

#[async_trait]
impl creator_core::Sales for GumroadClient {
    fn provider(&self) -> Provider {
        GumroadClient::provider(self)
    }

    /// Sales, newest first. Every [`SaleQuery`] filter maps to a Gumroad
    /// parameter (`after`, `before`, `product_id`, `email`), sent on every page.
    fn list_sales(&self, query: SaleQuery) -> BoxStream<'_, Result<creator_core::Sale>> {
        let provider = GumroadClient::provider(self);
        let mut native = SalesQuery::new();
        native.after = query.range.after;
        native.before = query.range.before;
        native.product_id = query.product_id;
        native.email = query.email;
        native.max_pages = query.max_pages;
        let sales = GumroadClient::sales(self);
        match &query.windows {
            Some(windows) => sales.list_windowed(&native, windows),
            None => sales.list(&native),
        }
        .map_ok(move |s| to_core_sale(provider, s))
        .boxed()
    }

    async fn sale(&self, id: &str) -> Result<creator_core::Sale> {
        let sale = GumroadClient::sales(self).get(id).await?;
        Ok(to_core_sale(GumroadClient::provider(self), sale))
    }
}

#[async_trait]
impl creator_core::Subscribers for GumroadClient {
    fn provider(&self) -> Provider {
        GumroadClient::provider(self)
    }

    /// Subscribers; Gumroad lists subscribers per product and only active
    /// ones (including pending cancellations and retrying payments). With no
    /// product filter, every membership product is walked in turn.
    /// `max_pages` applies to each product's subscriber list. An email search
    /// is sent to Gumroad; nickname searches yield [`Error::Unsupported`] first.
    fn list_subscribers(
        &self,
        query: SubscriberQuery,
    ) -> BoxStream<'_, Result<creator_core::Subscriber>> {
        let provider = GumroadClient::provider(self);
        let email = match query.search {
            None => None,
            Some(PersonSearch::Email(email)) => Some(email),
            Some(_) => {
                return stream::once(async move {
                    Err(Error::Unsupported {
                        provider,
                        operation: "subscribers: search by nickname (Gumroad filters by email only)",
                    })
                })
                .boxed();
            }
        };
        let mut native = SubscribersQuery::new();
        native.email = email;
        native.max_pages = query.max_pages;
        let native_stream = match query.product_id {
            Some(product_id) => GumroadClient::subscribers(self).list(&product_id, &native),
            None => {
                let client = self.clone();
                GumroadClient::products(self)
                    .list()
                    .try_filter(|p| futures_ready(p.is_membership()))
                    .map_ok(move |p| GumroadClient::subscribers(&client).list(&p.id, &native))
                    .try_flatten()
                    .boxed()
            }
        };
        let now = self.now();
        let active_only = query.active_only;
        native_stream
            .map_ok(move |s| to_core_subscriber(provider, s, now))
            .try_filter(move |s| futures_ready(!active_only || s.status.has_access()))
            .boxed()
    }

    async fn subscription_status(&self, id: &str) -> Result<SubscriptionStatus> {
        let subscriber = GumroadClient::subscribers(self).get(id).await?;
        Ok(to_core_status(&subscriber, self.now()))
    }
}

fn futures_ready(value: bool) -> std::future::Ready<bool> {
    std::future::ready(value)
}
