//! Webhook registration and the webhook event names.

use std::fmt;

use creator_core::http::Path;
use creator_core::retry::Idempotency;
use creator_core::{Error, Result, Secret};
use serde::{Deserialize, Serialize};

use crate::client::{GankClient, Host, TokenKind};
use crate::de;

creator_core::string_enum! {
    /// A Gank webhook event name, `<USECASE>.TX_<STATUS>`.
    ///
    /// Only the two `TX_SUCCEED` events are documented; any other name (Gank may
    /// add `DONATION.TX_SUCCEED` or failure events) is kept in
    /// [`GankEventName::Unknown`] with its exact spelling.
    ///
    /// ```
    /// use gank_api::GankEventName;
    ///
    /// let e: GankEventName = "USER_MEMBERSHIP.TX_SUCCEED".parse().unwrap();
    /// assert_eq!(e, GankEventName::UserMembershipTxSucceed);
    /// let other: GankEventName = "DONATION.TX_SUCCEED".parse().unwrap();
    /// assert_eq!(other.usecase(), Some("DONATION"));
    /// assert_eq!(other.tx_status(), Some("SUCCEED"));
    /// assert_eq!(other.as_str(), "DONATION.TX_SUCCEED");
    /// ```
    pub enum GankEventName {
        /// `USER_MEMBERSHIP.TX_SUCCEED`: a membership payment succeeded.
        UserMembershipTxSucceed = "USER_MEMBERSHIP.TX_SUCCEED",
        /// `DIGITAL_GOODS.TX_SUCCEED`: a digital-goods purchase succeeded
        /// (Gank enables it on request).
        DigitalGoodsTxSucceed = "DIGITAL_GOODS.TX_SUCCEED",
    }
}

impl GankEventName {
    /// The part before `.TX_` (`USER_MEMBERSHIP`, `DIGITAL_GOODS`), when the
    /// name follows the `<USECASE>.TX_<STATUS>` pattern.
    pub fn usecase(&self) -> Option<&str> {
        self.as_str().split_once(".TX_").map(|(u, _)| u)
    }

    /// The part after `.TX_` (`SUCCEED`), when the name follows the pattern.
    pub fn tx_status(&self) -> Option<&str> {
        self.as_str().split_once(".TX_").map(|(_, s)| s)
    }
}

/// The registered webhook: `{id, owner_user_id, key, external_callback_url, events}`.
///
/// `key` is the secret Gank says to check webhook signatures with; it is held
/// as a [`Secret`] and serialized as `"<redacted>"`.
#[derive(Clone, Deserialize, Serialize)]
#[non_exhaustive]
pub struct WebhookRegistration {
    /// The registration's id.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub id: Option<String>,
    /// Your Gank user id.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub owner_user_id: Option<String>,
    /// The signing key for webhook payloads.
    #[serde(default, serialize_with = "redact_opt")]
    pub key: Option<Secret>,
    /// Where Gank sends deliveries.
    #[serde(default)]
    pub external_callback_url: Option<String>,
    /// The subscribed events (`null` reads as none).
    #[serde(default, deserialize_with = "de::nullable")]
    pub events: Vec<GankEventName>,
}

fn redact_opt<S: serde::Serializer>(key: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
    match key {
        Some(_) => s.serialize_some("<redacted>"),
        None => s.serialize_none(),
    }
}

impl fmt::Debug for WebhookRegistration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookRegistration")
            .field("id", &self.id)
            .field("owner_user_id", &self.owner_user_id)
            .field("key", &self.key)
            .field("external_callback_url", &self.external_callback_url)
            .field("events", &self.events)
            .finish()
    }
}

#[derive(Serialize)]
struct RegisterBody<'a> {
    external_callback_url: &'a str,
    events: &'a [GankEventName],
}

#[derive(Serialize)]
struct EventsBody<'a> {
    events: &'a [GankEventName],
}

/// Webhook registration endpoints (login token, V2 host); from
/// [`GankClient::webhook_registration`].
#[derive(Debug, Clone, Copy)]
pub struct WebhookRegistrationApi<'a> {
    client: &'a GankClient,
}

const REGISTER: &str = "/auth/external-callback/register";

impl<'a> WebhookRegistrationApi<'a> {
    pub(crate) fn new(client: &'a GankClient) -> Self {
        Self { client }
    }

    /// Registers `callback_url` for `events` and returns the registration with
    /// its signing `key`.
    ///
    /// **Registering replaces the previous callback URL**: Gank keeps one per
    /// account and stops sending to the old one. Sent as JSON with
    /// `Content-Type: application/json`; not retried automatically.
    ///
    /// ```no_run
    /// use gank_api::GankEventName;
    /// # async fn run(client: gank_api::GankClient) -> creator_core::Result<()> {
    /// let reg = client
    ///     .webhook_registration()
    ///     .register("https://example.com/gank-webhook", &[GankEventName::UserMembershipTxSucceed])
    ///     .await?;
    /// let key = reg.key.expect("Gank returns the signing key");
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `callback_url` is not an absolute http(s)
    /// URL; [`Error::Config`] without a login token; request and decode errors.
    pub async fn register(
        &self,
        callback_url: &str,
        events: &[GankEventName],
    ) -> Result<WebhookRegistration> {
        check_callback_url(callback_url)?;
        let auth = self
            .client
            .bearer(TokenKind::Login, "POST /auth/external-callback/register")?;
        self.client
            .transport(Host::V2)
            .post(Path::fixed(REGISTER))
            .auth(auth)
            .json_body(&RegisterBody {
                external_callback_url: callback_url,
                events,
            })
            .json()
            .await
    }

    /// The current registration (the docs show it includes the `key`).
    ///
    /// # Errors
    /// [`Error::Config`] without a login token; request and decode errors.
    pub async fn get(&self) -> Result<WebhookRegistration> {
        let auth = self
            .client
            .bearer(TokenKind::Login, "GET /auth/external-callback/register")?;
        self.client
            .transport(Host::V2)
            .get(Path::fixed(REGISTER))
            .auth(auth)
            .json()
            .await
    }

    /// Replaces the set of subscribed events. Setting the same set twice has
    /// the same effect, so this PATCH may be retried.
    ///
    /// The docs do not show the response. When Gank answers with the
    /// registration object it is returned; an empty body, or JSON carrying
    /// none of the registration fields, gives `None` (call
    /// [`WebhookRegistrationApi::get`] to read the result).
    ///
    /// # Errors
    /// [`Error::Config`] without a login token; request and decode errors.
    pub async fn update_events(
        &self,
        events: &[GankEventName],
    ) -> Result<Option<WebhookRegistration>> {
        let auth = self.client.bearer(
            TokenKind::Login,
            "PATCH /auth/external-callback/register/events",
        )?;
        let response = self
            .client
            .transport(Host::V2)
            .patch(Path::fixed("/auth/external-callback/register/events"))
            .auth(auth)
            .idempotency(Idempotency::Safe)
            .json_body(&EventsBody { events })
            .send()
            .await?;
        if response.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        let reg: WebhookRegistration = response.json(creator_core::Provider::Gank)?;
        let empty = reg.id.is_none()
            && reg.owner_user_id.is_none()
            && reg.key.is_none()
            && reg.external_callback_url.is_none()
            && reg.events.is_empty();
        Ok((!empty).then_some(reg))
    }
}

fn check_callback_url(url: &str) -> Result<()> {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(()),
        _ => Err(Error::InvalidInput(format!(
            "the webhook callback URL `{url}` must be an absolute http(s) URL"
        ))),
    }
}
