//! Subscribing one URL to every Gumroad resource, idempotently.

use creator_core::Result;

use crate::{GumroadClient, GumroadEventName, ResourceSubscription};

/// What [`subscribe_all`] found or did for one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SubscribeOutcome {
    /// The resource.
    pub resource_name: GumroadEventName,
    /// The subscription that now delivers it to the URL.
    pub subscription: ResourceSubscription,
    /// True when this call created it; false when it already existed.
    pub created: bool,
}

/// Subscribes `post_url` to all eight resources (`sale`, `refund`,
/// `dispute`, `dispute_won`, `cancellation`, `subscription_updated`,
/// `subscription_ended`, `subscription_restarted`), creating only the
/// subscriptions that are missing.
///
/// Gumroad does not de-duplicate (subscribing twice delivers twice), so for
/// each resource this first lists the existing subscriptions
/// (`GET /v2/resource_subscriptions?resource_name=…`) and creates one
/// (`PUT /v2/resource_subscriptions`) only when none has exactly this
/// `post_url`. Running it again changes nothing. It never deletes.
///
/// Subscriptions need the `view_sales` scope, and stop silently if the
/// token that created them is revoked.
///
/// ```no_run
/// use gumroad_api::GumroadClient;
/// use gumroad_api::webhook::{GumroadWebhooks, subscribe_all};
///
/// # async fn run() -> creator_core::Result<()> {
/// let client = GumroadClient::builder(std::env::var("GUMROAD_TOKEN").unwrap_or_default()).build()?;
/// let hooks = GumroadWebhooks::builder()
///     .client(client.clone())
///     .url_token("a-long-random-token")
///     .build()?;
/// let url = hooks.callback_url("https://hooks.example.com/gumroad")?;
/// for outcome in subscribe_all(&client, &url).await? {
///     println!("{}: {}", outcome.resource_name, if outcome.created { "created" } else { "already there" });
/// }
/// # Ok(()) }
/// ```
///
/// # Errors
/// The first request error; subscriptions created before it stay (a rerun
/// completes the set without duplicating them).
pub async fn subscribe_all(
    client: &GumroadClient,
    post_url: &str,
) -> Result<Vec<SubscribeOutcome>> {
    let api = client.resource_subscriptions();
    let mut outcomes = Vec::with_capacity(GumroadEventName::ALL.len());
    for resource_name in GumroadEventName::ALL {
        let existing = api.list(&resource_name).await?;
        let found = existing
            .into_iter()
            .find(|s| s.post_url.as_deref() == Some(post_url));
        let (subscription, created) = match found {
            Some(s) => (s, false),
            None => (api.create(&resource_name, post_url).await?, true),
        };
        outcomes.push(SubscribeOutcome {
            resource_name,
            subscription,
            created,
        });
    }
    Ok(outcomes)
}
