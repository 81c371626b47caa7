//! [`GankWebhooks`]: the creator-core [`Webhooks`] receiver for Gank, with
//! its verifier, parse limits and (for [`Webhooks::confirm`]) a client.

use std::fmt;
use std::sync::Arc;

use creator_core::verify::Verifier;
use creator_core::{
    Error, ParseLimits, Provider, ProviderData, Result, Verified, WebhookDelivery, WebhookError,
    WebhookEvent, Webhooks, async_trait,
};

use super::GankEvent;
use crate::GankClient;
use crate::normalize::membership_subscriber;
use crate::{PaymentStatus, Transaction, UsecaseData, UsecasePayload};

const GANK: Provider = Provider::Gank;

/// Receives Gank deliveries: verifies them with the configured
/// [`Verifier`], parses them into [`GankEvent`] (within its
/// [`ParseLimits`]) and normalizes them into [`WebhookEvent`]; built with a
/// client, [`confirm`](Webhooks::confirm) re-reads the payment through the API.
///
/// Gank's signature scheme is not documented (see the [module docs](super)),
/// so the verifier is yours to choose from [`creator_core::verify`]: an
/// [`Hmac`](creator_core::verify::Hmac) keyed by the registration `key`, a
/// [`UrlToken`](creator_core::verify::UrlToken), an
/// [`AllOf`](creator_core::verify::AllOf) of both, or
/// [`Unverified`](creator_core::verify::Unverified) together with `confirm`.
///
/// ```
/// use creator_core::verify::Hmac;
/// use creator_core::{WebhookDelivery, Webhooks};
/// use gank_api::GankWebhooks;
///
/// let hmac = Hmac::builder("X-Signature").key("key-from-registration").build()?;
/// let body = br#"{"event":"DIGITAL_GOODS.TX_SUCCEED","data":{"human_id":"DG-1"}}"#;
/// let mut delivery = WebhookDelivery::with_content_type("application/json", &body[..]);
/// delivery.headers.insert("x-signature", hmac.sign(body).parse().unwrap());
/// let hooks = GankWebhooks::builder().verifier(hmac).build()?;
/// assert_eq!(hooks.receive(&delivery)?.subject_id, "DG-1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct GankWebhooks {
    verifier: Arc<dyn Verifier>,
    limits: ParseLimits,
    client: Option<GankClient>,
}

impl fmt::Debug for GankWebhooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GankWebhooks")
            .field("verifier", &self.verifier)
            .field("limits", &self.limits)
            .field("client", &self.client)
            .finish()
    }
}

impl GankWebhooks {
    /// Starts a receiver: give it a verifier, and a client for
    /// [`confirm`](Webhooks::confirm).
    pub fn builder() -> GankWebhooksBuilder {
        GankWebhooksBuilder::default()
    }
}

/// Builds a [`GankWebhooks`]; from [`GankWebhooks::builder`].
#[derive(Debug, Clone, Default)]
pub struct GankWebhooksBuilder {
    verifier: Option<Arc<dyn Verifier>>,
    limits: ParseLimits,
    client: Option<GankClient>,
}

impl GankWebhooksBuilder {
    /// The verifier every delivery must pass (required; see [`creator_core::verify`]).
    pub fn verifier(mut self, verifier: impl Verifier + 'static) -> Self {
        self.verifier = Some(Arc::new(verifier));
        self
    }

    /// Limits on the size, field count and nesting of the bodies parsed
    /// (default [`ParseLimits::default`]).
    pub fn limits(mut self, limits: ParseLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The client [`confirm`](Webhooks::confirm) reads through
    /// (`GET /v1/payment/transaction/{human_id}`, with the login token).
    pub fn client(mut self, client: GankClient) -> Self {
        self.client = Some(client);
        self
    }

    /// Builds the receiver.
    ///
    /// # Errors
    /// [`Error::Config`] without a verifier.
    pub fn build(self) -> Result<GankWebhooks> {
        let verifier = self.verifier.ok_or_else(|| {
            Error::Config(
                "a Gank webhook receiver needs a verifier: an Hmac keyed by the `key` returned \
                 when the webhook was registered (client.webhook_registration().get()), a \
                 UrlToken, or Unverified together with confirm()"
                    .into(),
            )
        })?;
        Ok(GankWebhooks {
            verifier,
            limits: self.limits,
            client: self.client,
        })
    }
}

/// Verified by the configured [`Verifier`], parsed with
/// [`GankEvent::parse_with_limits`], and confirmed by re-reading the transaction.
#[async_trait]
impl Webhooks for GankWebhooks {
    fn provider(&self) -> Provider {
        GANK
    }

    fn verify(&self, delivery: &WebhookDelivery) -> Result<Verified, WebhookError> {
        self.verifier.verify(delivery)
    }

    fn parse(&self, delivery: &WebhookDelivery) -> Result<WebhookEvent, WebhookError> {
        Ok(GankEvent::parse_with_limits(&delivery.body, &self.limits)?.to_event())
    }

    /// Re-reads the payment with `GET /v1/payment/transaction/{human_id}`
    /// (login token) and checks it agrees with what the event claims: the
    /// same `human_id`; for a `<USECASE>.TX_<STATUS>` event, that payment
    /// status and (when the API says) a usecase of that kind; and, when the
    /// API names the payment's creator (`creator_user_id`), that it is this
    /// client's user (the builder's `user_id`, else `GET /v1/users/me`).
    ///
    /// Returns the event rebuilt from the transaction alone: its sale (and,
    /// for a membership naming its setting, its subscriber) carries only what
    /// the API says, never a product, tier or amount from the unverified
    /// delivery; `provider_data` holds the [`Transaction`].
    ///
    /// # Errors
    /// [`Error::Webhook`] ([`WebhookError::Unconfirmed`]) when the API
    /// disagrees with the event; [`Error::Unsupported`] for an event without a
    /// `human_id`; [`Error::Config`] without a client; request errors (a
    /// made-up `human_id` is [`Error::NotFound`]).
    async fn confirm(&self, event: &WebhookEvent) -> Result<WebhookEvent> {
        if event.subject_id.starts_with("sha256:") || event.subject_id.is_empty() {
            return Err(Error::Unsupported {
                provider: GANK,
                operation: "webhooks: confirm an event that carries no human_id",
            });
        }
        let client = self.client.as_ref().ok_or_else(|| {
            Error::Config(
                "GankWebhooks::confirm needs a client: build it with \
                 GankWebhooks::builder().client(..) (a GankClient with the login token)"
                    .into(),
            )
        })?;
        let tx = client.transactions().get(&event.subject_id).await?;
        claim_agrees(event, &tx)?;
        if let Some(creator) = tx_creator(&tx) {
            let me = client.user_id().await?;
            if creator != me {
                return Err(unconfirmed(format!(
                    "payment `{}` belongs to creator `{creator}`, not to this client's user `{me}`",
                    event.subject_id
                )));
            }
        }
        let mut fresh = event.clone();
        let sale = tx.to_sale()?;
        fresh.subscriber = match tx.usecase_data.as_ref().and_then(UsecaseData::membership) {
            Some(m) => membership_subscriber(m, &sale.customer, ProviderData::new(tx.clone())),
            None => None,
        };
        fresh.sale = Some(sale);
        fresh.provider_data = ProviderData::new(tx);
        Ok(fresh)
    }
}

fn unconfirmed(reason: String) -> Error {
    WebhookError::Unconfirmed { reason }.into()
}

/// The transaction's `human_id`, status and usecase against the event's
/// subject and name (`USER_MEMBERSHIP.TX_SUCCEED`: a `USER_MEMBERSHIP…`
/// usecase, `SUCCEED`).
fn claim_agrees(event: &WebhookEvent, tx: &Transaction) -> Result<()> {
    if let Some(h) = &tx.human_id
        && h != &event.subject_id
    {
        return Err(unconfirmed(format!(
            "the API returned transaction `{h}` for event subject `{}`",
            event.subject_id
        )));
    }
    let Some((usecase, status)) = event.name.split_once(".TX_") else {
        return Ok(());
    };
    let actual = tx.payment_status.as_ref().map(PaymentStatus::as_str);
    if actual != Some(status) {
        return Err(unconfirmed(format!(
            "event `{}` claims {status} but the API reports payment `{}` as {}",
            event.name,
            event.subject_id,
            actual.unwrap_or("(no payment_status)")
        )));
    }
    if let Some(actual) = tx.usecase()
        && !actual.as_str().starts_with(usecase)
    {
        return Err(unconfirmed(format!(
            "event `{}` claims a {usecase} payment but the API reports payment `{}` as {}",
            event.name,
            event.subject_id,
            actual.as_str()
        )));
    }
    Ok(())
}

/// `creator_user_id` of the transaction's payload, when it names one.
fn tx_creator(tx: &Transaction) -> Option<&str> {
    match tx.usecase_data.as_ref().map(|u| &u.data) {
        Some(UsecasePayload::Membership(m)) => m.creator_user_id.as_deref(),
        Some(UsecasePayload::DigitalGoods(d)) => d.creator_user_id.as_deref(),
        _ => None,
    }
}
