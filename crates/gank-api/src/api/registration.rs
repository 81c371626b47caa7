//! Webhook registration and the webhook event names.

use creator_core::http::Path;
use creator_core::retry::Idempotency;
use creator_core::{Error, Result};
use serde::Serialize;

use crate::client::{GankClient, Host, TokenKind};
use crate::{GankEventName, WebhookRegistration};

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
