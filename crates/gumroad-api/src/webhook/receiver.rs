//! [`GumroadWebhooks`]: verification, parsing and normalization, and the
//! creator-core [`Webhooks`] implementation.

use std::fmt;
use std::sync::Arc;

use creator_core::verify::{BasicAuth, TokenLocation, UrlToken, Verifier};
use creator_core::{
    Clock, Error, EventKind, ParseLimits, Provider, Result, Verified, WebhookDelivery,
    WebhookError, WebhookEvent, Webhooks,
};

use super::claims;
use super::payload::GumroadEvent;
use crate::GumroadClient;

/// Receives Gumroad deliveries: verifies what can be verified, parses into
/// [`GumroadEvent`], normalizes into [`WebhookEvent`], and (built with a
/// client) re-reads the subject through the API with [`Webhooks::confirm`].
///
/// **Gumroad does not sign deliveries** (see the [module docs](super) for
/// what each option protects against). Build it with
/// [`GumroadWebhooks::builder`], configuring at least one of
/// [`url_token`](super::GumroadWebhooksBuilder::url_token) and
/// [`basic_auth`](super::GumroadWebhooksBuilder::basic_auth) (with both, both must
/// match); an empty secret, or neither without
/// [`accept_unverified`](super::GumroadWebhooksBuilder::accept_unverified), is
/// refused when building.
///
/// ```no_run
/// use creator_core::Webhooks;
/// use gumroad_api::GumroadClient;
/// use gumroad_api::webhook::GumroadWebhooks;
///
/// # async fn run(delivery: creator_core::WebhookDelivery) -> creator_core::Result<()> {
/// let client = GumroadClient::builder(std::env::var("GUMROAD_TOKEN").unwrap_or_default()).build()?;
/// let hooks = GumroadWebhooks::builder()
///     .client(client)
///     .url_token(std::env::var("GUMROAD_HOOK_TOKEN").unwrap_or_default())
///     .build()?;
/// let event = hooks.receive(&delivery)?;     // verify + parse
/// let fresh = hooks.confirm(&event).await?;  // read the sale back before granting access
/// println!("{} {:?}", fresh.identity(), fresh.sale.map(|s| s.amount));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct GumroadWebhooks {
    /// The URL token, kept apart for [`callback_url`](Self::callback_url).
    pub(super) url_token: Option<UrlToken>,
    /// The Basic credentials, kept apart for [`callback_url`](Self::callback_url).
    pub(super) basic: Option<BasicAuth>,
    /// Everything configured, in one verifier (`AllOf` of the above, or `Unverified`).
    pub(super) verifier: Arc<dyn Verifier>,
    pub(super) limits: ParseLimits,
    pub(super) client: Option<GumroadClient>,
    pub(super) clock: Arc<dyn Clock>,
}

impl fmt::Debug for GumroadWebhooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GumroadWebhooks")
            .field("url_token", &self.url_token)
            .field("basic_auth", &self.basic)
            .field("limits", &self.limits)
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

impl GumroadWebhooks {
    /// The URL to register with Gumroad: `base` with the configured token
    /// (as the query parameter, or appended as the last path segment) and
    /// Basic credentials (as `user:password@`). The result contains the
    /// secrets, so hand it to [`subscribe_all`](super::subscribe_all) and do not log it.
    ///
    /// ```
    /// use gumroad_api::webhook::{GumroadWebhooks, TokenLocation};
    ///
    /// let hooks = GumroadWebhooks::builder().url_token("s3cr3t").build()?;
    /// assert_eq!(
    ///     hooks.callback_url("https://example.com/hooks/gumroad")?,
    ///     "https://example.com/hooks/gumroad?token=s3cr3t"
    /// );
    /// let hooks = GumroadWebhooks::builder()
    ///     .url_token("s3cr3t")
    ///     .token_location(TokenLocation::LastPathSegment)
    ///     .basic_auth("gumroad", "pw")
    ///     .build()?;
    /// assert_eq!(
    ///     hooks.callback_url("https://example.com/hooks/gumroad")?,
    ///     "https://gumroad:pw@example.com/hooks/gumroad/s3cr3t"
    /// );
    /// # Ok::<(), creator_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `base` is not an http(s) URL.
    pub fn callback_url(&self, base: &str) -> Result<String> {
        let mut url = url::Url::parse(base)
            .map_err(|e| Error::InvalidInput(format!("callback URL `{base}` is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::InvalidInput(format!(
                "callback URL `{base}` must be http(s)"
            )));
        }
        if let Some(token) = &self.url_token {
            match token.location() {
                TokenLocation::Query(name) | TokenLocation::QueryOrLastPathSegment(name) => {
                    url.query_pairs_mut()
                        .append_pair(name, token.secret().expose());
                }
                TokenLocation::LastPathSegment => {
                    url.path_segments_mut()
                        .map_err(|()| {
                            Error::InvalidInput(format!("callback URL `{base}` cannot take a path"))
                        })?
                        .pop_if_empty()
                        .push(token.secret().expose());
                }
            }
        }
        if let Some(basic) = &self.basic {
            url.set_username(basic.user().expose())
                .and_then(|()| url.set_password(Some(basic.password().expose())))
                .map_err(|()| {
                    Error::InvalidInput(format!("callback URL `{base}` cannot carry credentials"))
                })?;
        }
        Ok(url.into())
    }

    /// Checks the delivery's URL token and/or Basic credentials, with
    /// creator-core's [`UrlToken`] and [`BasicAuth`] (in an
    /// [`AllOf`](creator_core::verify::AllOf) when both are configured).
    ///
    /// Returns [`Verified::UrlToken`] when a token is configured (and, if
    /// Basic credentials are configured too, they matched as well),
    /// [`Verified::BasicAuth`] when only Basic credentials are, and
    /// [`Verified::Unverified`] only when the receiver was built with
    /// [`accept_unverified`](super::GumroadWebhooksBuilder::accept_unverified) and
    /// nothing to check. Comparisons are constant-time in the content
    /// of the secret (not in its length, which is not a secret worth hiding
    /// for a long random token).
    ///
    /// # Errors
    /// [`WebhookError::Unauthenticated`], saying what was missing or wrong
    /// (never the secret).
    pub fn verify_delivery(
        &self,
        delivery: &WebhookDelivery,
    ) -> std::result::Result<Verified, WebhookError> {
        self.verifier.verify(delivery)
    }

    /// Parses a delivery into the typed event (no verification).
    ///
    /// # Errors
    /// [`WebhookError::Malformed`] or [`WebhookError::UnsupportedContentType`].
    pub fn parse_event(
        &self,
        delivery: &WebhookDelivery,
    ) -> std::result::Result<GumroadEvent, WebhookError> {
        GumroadEvent::parse_with_limits(
            delivery.content_type().as_deref(),
            &delivery.body,
            &self.limits,
        )
    }

    /// Normalizes a typed event into a [`WebhookEvent`], keeping the typed
    /// event as its provider data (`event.provider_data().downcast_ref::<GumroadEvent>()`).
    ///
    /// - `name` is the resource name (`sale` for the settings Ping) and
    ///   `subject_id` the `sale_id` or `subscription_id`, so the dedup key
    ///   is the same on every retry and differs between a sale and its refund;
    /// - `sale` is filled for sale resources (amount in USD, `refunded` also
    ///   for a `refund` event), `subscriber` for subscription resources;
    /// - `field_errors` lists the fields that could not be read (the event
    ///   is kept with the rest);
    /// - `occurred_at` is the sale time for `sale` and the Ping,
    ///   `effective_as_of`/`ended_at`/`restarted_at` for those resources, and
    ///   `None` where the payload does not say when the event happened
    ///   (`refund`, `dispute`, `dispute_won`, `cancellation`).
    pub fn normalize(&self, event: GumroadEvent) -> WebhookEvent {
        crate::normalize::event(event, self.clock.now())
    }
}

/// Fails when the delivery names another product than the API does for the
/// same subject: a forged body reusing a real sale or subscription id.
fn same_product(
    claimed: Option<&str>,
    actual: Option<&str>,
    what: &str,
    subject: &str,
) -> std::result::Result<(), WebhookError> {
    match (claimed, actual) {
        (Some(claimed), Some(actual)) if claimed != actual => Err(WebhookError::Unconfirmed {
            reason: format!(
                "the delivery names product `{claimed}` for {what} `{subject}`, the API says `{actual}`"
            ),
        }),
        _ => Ok(()),
    }
}

#[async_trait::async_trait]
impl Webhooks for GumroadWebhooks {
    fn provider(&self) -> Provider {
        Provider::Gumroad
    }

    fn verify(&self, delivery: &WebhookDelivery) -> std::result::Result<Verified, WebhookError> {
        self.verify_delivery(delivery)
    }

    fn parse(&self, delivery: &WebhookDelivery) -> std::result::Result<WebhookEvent, WebhookError> {
        Ok(self.normalize(self.parse_event(delivery)?))
    }

    /// Reads the event's subject back through the API, and checks the API
    /// agrees with the claim, not just the subject: the sale
    /// (`GET /v2/sales/:sale_id`) for the Ping and the sale resources, the
    /// subscription (`GET /v2/subscribers/:subscription_id`) for the
    /// subscription resources. Returns the event with `sale` / `subscriber`
    /// replaced by what the API says (whose provider data is the API model).
    ///
    /// The API must report the same product as the delivery, and the state
    /// the event claims: refunded or partially refunded for `refund`,
    /// disputed for `dispute`, dispute won for `dispute_won`; for
    /// `cancellation` a pending or ended cancellation (or failed payments),
    /// for `subscription_ended` an ended subscription (for the delivery's
    /// `ended_reason`), for `subscription_restarted` a running one, for
    /// `subscription_updated` one not ended. An honest delivery the state has
    /// moved on from (a `cancellation` after a restart) fails too: act on what
    /// holds now.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a subject that does not exist;
    /// [`WebhookError::Unconfirmed`] when the API disagrees with the delivery
    /// (a forged body reusing a real id); [`Error::Config`] without a client;
    /// [`Error::Unsupported`] for an unknown resource. Grant access from the
    /// returned event, not the delivery.
    async fn confirm(&self, event: &WebhookEvent) -> Result<WebhookEvent> {
        let Some(client) = &self.client else {
            return Err(Error::Config(
                "GumroadWebhooks::confirm needs a client: build it with GumroadWebhooks::builder().client(..)".into(),
            ));
        };
        let typed = event.provider_data().downcast_ref::<GumroadEvent>();
        let mut fresh = event.clone();
        match &event.kind {
            EventKind::Sale | EventKind::Refund | EventKind::Dispute | EventKind::DisputeWon => {
                let api = client.sales().get(&event.subject_id).await?;
                let claimed = typed
                    .and_then(GumroadEvent::sale)
                    .and_then(|s| s.product_id.as_deref());
                same_product(
                    claimed,
                    api.product_id.as_deref(),
                    "sale",
                    &event.subject_id,
                )?;
                claims::sale_agrees(&event.kind, &api)?;
                // The same mapping as `Sales::sale` on this client (so through
                // Maton the sale is tagged `Provider::Maton`, as there). The
                // API's sale does not say whether it was a test purchase:
                // only the delivery does (`test=true`), so it is kept from it.
                let mut sale = crate::to_core_sale(client.provider(), api);
                sale.test = event.test;
                fresh.sale = Some(sale);
            }
            EventKind::SubscriptionCancelled
            | EventKind::SubscriptionUpdated
            | EventKind::SubscriptionEnded
            | EventKind::SubscriptionRestarted => {
                let api = client.subscribers().get(&event.subject_id).await?;
                let delivered = typed.and_then(GumroadEvent::subscription);
                same_product(
                    delivered.and_then(|s| s.product_id.as_deref()),
                    api.product_id.as_deref(),
                    "subscription",
                    &event.subject_id,
                )?;
                let now = self.clock.now();
                claims::subscription_agrees(&event.kind, &api, delivered, now.into())?;
                fresh.subscriber = Some(crate::to_core_subscriber(
                    client.provider(),
                    api,
                    now.into(),
                ));
            }
            _ => {
                return Err(Error::Unsupported {
                    provider: Provider::Gumroad,
                    operation: "webhooks: confirm an event of an unknown resource",
                });
            }
        }
        Ok(fresh)
    }
}
