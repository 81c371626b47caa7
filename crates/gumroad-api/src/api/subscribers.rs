//! `/v2/products/:product_id/subscribers` and `/v2/subscribers/:id`.

use creator_core::Result;
use creator_core::futures::stream::BoxStream;
use creator_core::http::Path;

use crate::api::resource;
use crate::client::{envelope, require};
use crate::{GumroadClient, ListPage, Subscriber};

envelope!(SubscriberEnvelope {
    subscriber: Subscriber
});
envelope!(SubscribersEnvelope {
    subscribers: [Subscriber]
});

/// Filters for listing a product's subscribers.
///
/// Gumroad lists only **active** subscriptions (including pending
/// cancellations); there is no way to list ended ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SubscribersQuery {
    /// Only subscribers whose purchase email is exactly this.
    pub email: Option<String>,
    /// Stop after this many pages (100 subscribers each), when set.
    pub max_pages: Option<u32>,
}

impl SubscribersQuery {
    /// All active subscribers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only one email.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Stops after `pages` pages.
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = Some(pages);
        self
    }

    /// The filter, and `paginated=true` (without it the server answers
    /// every subscriber at once).
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::with_capacity(2);
        if let Some(e) = &self.email {
            q.push(("email", e.clone()));
        }
        q.push(("paginated", "true".to_owned()));
        q
    }
}

/// `/v2/products/:id/subscribers`, rejecting an empty id.
fn subscribers_path(product_id: &str) -> Result<Path> {
    require("product id", product_id)?;
    Ok(Path::new("/v2/products/{}/subscribers", &[product_id]))
}

/// Subscribers. Get it with [`GumroadClient::subscribers`].
#[derive(Debug, Clone, Copy)]
pub struct SubscribersApi<'a> {
    pub(crate) client: &'a GumroadClient,
}

impl SubscribersApi<'_> {
    /// Every active subscriber of `product_id` as a lazy stream, 100 per
    /// page (`paginated=true`, then `page_key`), filters kept on every page.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// use gumroad_api::SubscribersQuery;
    /// # async fn run(client: gumroad_api::GumroadClient) -> creator_core::Result<()> {
    /// let subs: Vec<_> = client
    ///     .subscribers()
    ///     .list("Qm9vZk1lbWJlcnNoaXA==", &SubscribersQuery::new())
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn list(
        &self,
        product_id: &str,
        query: &SubscribersQuery,
    ) -> BoxStream<'static, Result<Subscriber>> {
        resource::stream::<SubscribersEnvelope>(
            self.client,
            subscribers_path(product_id),
            query.pairs(),
            query.max_pages,
        )
    }

    /// One page of `GET /v2/products/:id/subscribers?paginated=true`.
    ///
    /// # Errors
    /// [`Error::NotFound`](creator_core::Error::NotFound) for an unknown product, or any request error.
    pub async fn page(
        &self,
        product_id: &str,
        query: &SubscribersQuery,
        page_key: Option<&str>,
    ) -> Result<ListPage<Subscriber>> {
        let path = subscribers_path(product_id)?;
        resource::page::<SubscribersEnvelope>(self.client, path, query.pairs(), page_key).await
    }

    /// All active subscribers of `product_id` in **one** unpaginated
    /// response (the classic call, without `paginated`). Large memberships
    /// make this slow; prefer [`SubscribersApi::list`].
    ///
    /// # Errors
    /// [`Error::NotFound`](creator_core::Error::NotFound), or any request error.
    pub async fn all(&self, product_id: &str, email: Option<&str>) -> Result<Vec<Subscriber>> {
        let path = subscribers_path(product_id)?;
        let query: Vec<_> = email.map(|e| ("email", e.to_owned())).into_iter().collect();
        self.client
            .all_pages::<SubscribersEnvelope>(path, &query)
            .await
    }

    /// `GET /v2/subscribers/:id` (the response key is `subscriber`, not the
    /// documented `subscribers`).
    ///
    /// # Errors
    /// [`Error::NotFound`](creator_core::Error::NotFound) ("The subscriber was not found.", HTTP 200), or any request error.
    pub async fn get(&self, id: &str) -> Result<Subscriber> {
        require("subscriber id", id)?;
        let t = self.client.transport();
        let env: SubscriberEnvelope = self
            .client
            .call(t.get(Path::new("/v2/subscribers/{}", &[id])))
            .await?;
        Ok(env.subscriber)
    }
}
