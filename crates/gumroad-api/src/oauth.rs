//! OAuth helpers: the authorize URL, code exchange, refresh, and scopes.
//!
//! Gumroad uses Doorkeeper. Tokens do not expire (no `expires_in`) until
//! revoked; a refresh token is issued too. A personal token from
//! "Generate access token" in the app settings needs none of this.
//!
//! ```no_run
//! use gumroad_api::oauth::{OAuthApp, Scope};
//!
//! # async fn run(code_from_redirect: &str) -> creator_core::Result<()> {
//! let app = OAuthApp::builder("client-id", "client-secret", "https://app.example.com/callback").build()?;
//! let url = app.authorize_url(&[Scope::ViewSales, Scope::EditProducts], Some("csrf-state"))?;
//! println!("send the seller to {url}");
//! // … the seller approves; Gumroad redirects back with ?code=…
//! let token = app.exchange_code(code_from_redirect).await?;
//! let client = token.client()?;
//! # let _ = client;
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use creator_core::http::{Auth, ClientOptions, Transport};
use creator_core::retry::Idempotency;
use creator_core::{Error, Provider, Result, Secret};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use url::Url;

use crate::{DEFAULT_BASE_URL, DEFAULT_USER_AGENT, GumroadClassifier, GumroadClient};

/// Where sellers approve an app.
pub const AUTHORIZE_URL: &str = "https://gumroad.com/oauth/authorize";

creator_core::string_enum! {
    /// An OAuth scope.
    pub enum Scope {
        /// Read public profile info and products.
        ViewProfile = "view_profile",
        /// Read and write products, variants, offer codes, custom fields.
        EditProducts = "edit_products",
        /// Read sales; also needed for resource subscriptions (webhooks).
        ViewSales = "view_sales",
        /// Mark sales as shipped.
        MarkSalesAsShipped = "mark_sales_as_shipped",
        /// Refund sales (classic scope; still accepted).
        RefundSales = "refund_sales",
        /// Refunds, access changes, resending receipts (2026).
        EditSales = "edit_sales",
        /// Edit the profile (2026).
        EditProfile = "edit_profile",
        /// Emails to customers (2026).
        EditEmails = "edit_emails",
        /// Read payouts (2026).
        ViewPayouts = "view_payouts",
        /// Read tax data (2026).
        ViewTaxData = "view_tax_data",
        /// Full access to most endpoints (2026).
        Account = "account",
        /// The default scope when none is asked for.
        ViewPublic = "view_public",
        /// Revenue share (personal tokens carry it).
        RevenueShare = "revenue_share",
        /// IFTTT (personal tokens carry it).
        Ifttt = "ifttt",
    }
}

/// A space-separated scope list, as in a token response (`"edit_products view_sales"`).
///
/// ```
/// use gumroad_api::oauth::{Scope, Scopes};
///
/// let scopes = Scopes::parse("view_sales  edit_products future_scope");
/// assert!(scopes.contains(&Scope::ViewSales));
/// assert_eq!(scopes.to_string(), "view_sales edit_products future_scope");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes(pub Vec<Scope>);

impl Scopes {
    /// Splits on whitespace; unknown scopes are kept as [`Scope::Unknown`].
    pub fn parse(text: &str) -> Self {
        Scopes(text.split_whitespace().map(Scope::parse).collect())
    }

    /// True when `scope` is in the list.
    pub fn contains(&self, scope: &Scope) -> bool {
        self.0.contains(scope)
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(s.as_str())?;
        }
        Ok(())
    }
}

impl Serialize for Scopes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// An access token from the token endpoint. `Debug` never shows the tokens.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AccessToken {
    /// The bearer token.
    pub access_token: Secret,
    /// Usually `"Bearer"`.
    pub token_type: Option<String>,
    /// The refresh token, when issued.
    pub refresh_token: Option<Secret>,
    /// Granted scopes.
    pub scopes: Scopes,
    /// When the token was created.
    pub created_at: Option<OffsetDateTime>,
    /// Lifetime, if the server ever sends one (Gumroad does not: tokens last until revoked).
    pub expires_in: Option<Duration>,
    /// The API base URL clients built with [`AccessToken::client`] use.
    base_url: String,
}

impl AccessToken {
    /// A [`GumroadClient`] using this token (and the app's API base URL).
    ///
    /// # Errors
    /// As [`GumroadClientBuilder::build`](crate::GumroadClientBuilder::build).
    pub fn client(&self) -> Result<GumroadClient> {
        GumroadClient::builder(self.access_token.clone())
            .base_url(self.base_url.clone())
            .build()
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default, deserialize_with = "crate::de::opt_i64")]
    created_at: Option<i64>,
    #[serde(default, deserialize_with = "crate::de::opt_i64")]
    expires_in: Option<i64>,
}

/// A registered Gumroad OAuth application.
#[derive(Clone)]
pub struct OAuthApp {
    client_id: String,
    client_secret: Secret,
    redirect_uri: String,
    authorize_url: String,
    transport: Transport,
}

impl fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthApp")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("redirect_uri", &self.redirect_uri)
            .field("transport", &self.transport)
            .finish()
    }
}

/// Builds an [`OAuthApp`].
pub struct OAuthAppBuilder {
    client_id: String,
    client_secret: Secret,
    redirect_uri: String,
    authorize_url: String,
    api_base_url: String,
    options: ClientOptions,
}

impl fmt::Debug for OAuthAppBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthAppBuilder")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("redirect_uri", &self.redirect_uri)
            .field("api_base_url", &self.api_base_url)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl OAuthAppBuilder {
    /// The authorize page (default [`AUTHORIZE_URL`]).
    pub fn authorize_url(mut self, url: impl Into<String>) -> Self {
        self.authorize_url = url.into();
        self
    }

    /// The API host that serves `/oauth/token` (default [`DEFAULT_BASE_URL`]).
    pub fn api_base_url(mut self, url: impl Into<String>) -> Self {
        self.api_base_url = url.into();
        self
    }

    /// Sets the transport settings (timeout, retry policy, clock,
    /// `User-Agent`, rate limiter). Token exchanges are never retried
    /// whatever the policy: codes are single-use.
    pub fn options(mut self, options: ClientOptions) -> Self {
        self.options = options;
        self
    }

    /// Builds the app.
    ///
    /// # Errors
    /// [`Error::Config`] for an empty client id or secret, or invalid URLs.
    pub fn build(self) -> Result<OAuthApp> {
        if self.client_id.trim().is_empty() || self.client_secret.expose().trim().is_empty() {
            return Err(Error::Config(
                "OAuth client id and secret must not be empty".into(),
            ));
        }
        Url::parse(&self.authorize_url)
            .map_err(|e| Error::Config(format!("authorize URL is not valid: {e}")))?;
        Url::parse(&self.redirect_uri)
            .map_err(|e| Error::Config(format!("redirect URI is not valid: {e}")))?;
        let transport = oauth_transport(self.api_base_url, &self.options)?;
        Ok(OAuthApp {
            client_id: self.client_id,
            client_secret: self.client_secret,
            redirect_uri: self.redirect_uri,
            authorize_url: self.authorize_url,
            transport,
        })
    }
}

impl OAuthApp {
    /// Starts building an app from its credentials and registered redirect URI.
    pub fn builder(
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        redirect_uri: impl Into<String>,
    ) -> OAuthAppBuilder {
        OAuthAppBuilder {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            redirect_uri: redirect_uri.into(),
            authorize_url: AUTHORIZE_URL.to_owned(),
            api_base_url: DEFAULT_BASE_URL.to_owned(),
            options: ClientOptions::new(),
        }
    }

    /// The URL to send a seller to: `client_id`, `redirect_uri`,
    /// `response_type=code`, space-separated `scope` (Gumroad grants
    /// `view_public` when none is asked for) and an optional CSRF `state`.
    ///
    /// ```
    /// use gumroad_api::oauth::{OAuthApp, Scope};
    ///
    /// let app = OAuthApp::builder("abc", "shh", "https://app.example.com/cb").build()?;
    /// let url = app.authorize_url(&[Scope::ViewSales, Scope::EditProducts], Some("xyz"))?;
    /// assert_eq!(
    ///     url.as_str(),
    ///     "https://gumroad.com/oauth/authorize?client_id=abc&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&response_type=code&scope=view_sales+edit_products&state=xyz"
    /// );
    /// # Ok::<(), creator_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Config`] if the authorize URL cannot be parsed.
    pub fn authorize_url(&self, scopes: &[Scope], state: Option<&str>) -> Result<Url> {
        let mut url = Url::parse(&self.authorize_url)
            .map_err(|e| Error::Config(format!("authorize URL is not valid: {e}")))?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", &self.client_id)
                .append_pair("redirect_uri", &self.redirect_uri)
                .append_pair("response_type", "code");
            if let Some(scope) = scope_param(scopes) {
                q.append_pair("scope", &scope);
            }
            if let Some(state) = state {
                q.append_pair("state", state);
            }
        }
        Ok(url)
    }

    /// Exchanges the `code` from the redirect for a token
    /// (`POST /oauth/token`, `grant_type=authorization_code`). Never retried:
    /// codes are single-use and expire after ten minutes.
    ///
    /// # Errors
    /// [`Error::Api`] with code `invalid_grant` (and Doorkeeper's
    /// description) for a used or expired code; [`Error::Unauthorized`]
    /// (code `invalid_client`) for wrong app credentials; or any request error.
    pub async fn exchange_code(&self, code: &str) -> Result<AccessToken> {
        if code.trim().is_empty() {
            return Err(Error::InvalidInput(
                "authorization code must not be empty".into(),
            ));
        }
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &self.redirect_uri),
        ])
        .await
    }

    /// Gets a new token with a refresh token (`grant_type=refresh_token`).
    ///
    /// # Errors
    /// As [`OAuthApp::exchange_code`].
    pub async fn refresh(&self, refresh_token: &Secret) -> Result<AccessToken> {
        self.token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
        ])
        .await
    }

    async fn token(&self, grant: &[(&str, &str)]) -> Result<AccessToken> {
        let mut form: Vec<(&str, &str)> = vec![
            ("client_id", &self.client_id),
            ("client_secret", self.client_secret.expose()),
        ];
        form.extend_from_slice(grant);
        request_token(&self.transport, &form, self.transport.base_url().as_str()).await
    }
}

/// The `scope` parameter for `scopes`: space-separated, and `None` (the
/// parameter left out, so the server grants its default) when empty.
pub(crate) fn scope_param(scopes: &[Scope]) -> Option<String> {
    let scope = Scopes(scopes.to_vec()).to_string();
    (!scope.is_empty()).then_some(scope)
}

/// The transport of both OAuth flows ([`OAuthApp`] and
/// [`PublicClient`](crate::login::PublicClient)): no bearer token (each
/// request carries the client's own credentials), Gumroad's classifier and
/// user agent.
pub(crate) fn oauth_transport(base_url: String, options: &ClientOptions) -> Result<Transport> {
    Transport::builder(Provider::Gumroad, base_url)
        .user_agent(DEFAULT_USER_AGENT)
        .classifier(Arc::new(GumroadClassifier))
        .options(options)
        .build()
}

/// `POST /oauth/token` with `form` (never repeated: grants are single-use),
/// answered with a token for clients built against `api_base_url`.
pub(crate) async fn request_token(
    transport: &Transport,
    form: &[(&str, &str)],
    api_base_url: &str,
) -> Result<AccessToken> {
    let raw: TokenResponse = transport
        .post("/oauth/token")
        .auth(Auth::None)
        .form(form.iter().copied())
        .idempotency(Idempotency::Unsafe)
        .json()
        .await?;
    Ok(raw.into_token(api_base_url))
}

impl TokenResponse {
    /// The token, for clients built against `api_base_url`.
    fn into_token(self, api_base_url: &str) -> AccessToken {
        AccessToken {
            access_token: Secret::new(self.access_token),
            token_type: self.token_type,
            refresh_token: self.refresh_token.map(Secret::new),
            scopes: Scopes::parse(self.scope.as_deref().unwrap_or_default()),
            created_at: self
                .created_at
                .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok()),
            expires_in: self
                .expires_in
                .and_then(|s| u64::try_from(s).ok())
                .map(Duration::from_secs),
            base_url: api_base_url.to_owned(),
        }
    }
}
