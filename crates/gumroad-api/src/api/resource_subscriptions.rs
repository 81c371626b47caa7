//! `/v2/resource_subscriptions`: webhook registration.

use creator_core::http::Path;
use creator_core::retry::Idempotency;
use creator_core::{Error, Result};

use crate::client::{MessageEnvelope, envelope, require};
use crate::{Deleted, GumroadClient, GumroadEventName, ResourceSubscription};

envelope!(SubscriptionEnvelope {
    resource_subscription: ResourceSubscription
});
envelope!(SubscriptionsEnvelope {
    resource_subscriptions: [ResourceSubscription]
});

/// Webhook registrations. Get it with [`GumroadClient::resource_subscriptions`].
///
/// Deliveries are unsigned form posts; they stop silently if the token
/// used to subscribe is revoked or loses `view_sales`.
#[derive(Debug, Clone, Copy)]
pub struct ResourceSubscriptionsApi<'a> {
    pub(crate) client: &'a GumroadClient,
}

impl ResourceSubscriptionsApi<'_> {
    /// `GET /v2/resource_subscriptions?resource_name=…`: every live
    /// subscription of the user for that event (across all OAuth apps).
    ///
    /// # Errors
    /// Any request error.
    pub async fn list(
        &self,
        resource_name: &GumroadEventName,
    ) -> Result<Vec<ResourceSubscription>> {
        self.client
            .all_pages::<SubscriptionsEnvelope>(
                Path::fixed("/v2/resource_subscriptions"),
                &[("resource_name", resource_name.as_str().to_owned())],
            )
            .await
    }

    /// `PUT /v2/resource_subscriptions` (a PUT, not a POST): subscribes
    /// `post_url` to `resource_name`. Gumroad does not de-duplicate, so this
    /// is never retried automatically.
    ///
    /// ```no_run
    /// use gumroad_api::GumroadEventName;
    /// # async fn run(client: gumroad_api::GumroadClient) -> creator_core::Result<()> {
    /// let sub = client
    ///     .resource_subscriptions()
    ///     .create(&GumroadEventName::Sale, "https://hooks.example.com/gumroad/7f3a")
    ///     .await?;
    /// println!("subscribed: {}", sub.id);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a URL that is not http(s);
    /// [`Error::Api`] with Gumroad's message (`"Invalid post URL '…'"`), or
    /// any request error.
    pub async fn create(
        &self,
        resource_name: &GumroadEventName,
        post_url: &str,
    ) -> Result<ResourceSubscription> {
        let parsed = url::Url::parse(post_url)
            .map_err(|e| Error::InvalidInput(format!("post_url `{post_url}` is not a URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::InvalidInput(format!(
                "post_url `{post_url}` must be an http(s) URL"
            )));
        }
        let t = self.client.transport();
        let env: SubscriptionEnvelope = self
            .client
            .call(
                t.put("/v2/resource_subscriptions")
                    .form([
                        ("resource_name", resource_name.as_str()),
                        ("post_url", post_url),
                    ])
                    .idempotency(Idempotency::Unsafe),
            )
            .await?;
        Ok(env.resource_subscription)
    }

    /// `DELETE /v2/resource_subscriptions/:id` (only subscriptions created
    /// by the same OAuth app).
    ///
    /// # Errors
    /// [`Error::NotFound`], or any request error.
    pub async fn delete(&self, id: &str) -> Result<Deleted> {
        require("resource subscription id", id)?;
        let t = self.client.transport();
        let env: MessageEnvelope = self
            .client
            .call(t.delete(Path::new("/v2/resource_subscriptions/{}", &[id])))
            .await?;
        Ok(Deleted {
            message: env.message,
        })
    }
}
