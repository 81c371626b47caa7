//! The gateway client and its builder.

use std::fmt;
use std::sync::Arc;

use creator_core::http::{
    Auth, ClientOptions, RateLimiter, Transport, TransportBuilder, WindowLimiter,
};
use creator_core::{Error, Provider, Result, Secret};
use gumroad_api::GumroadClient;

use crate::classify::{MatonClassifier, UpstreamShape};

/// The current single host for both the gateway and the control plane
/// (Maton's docs since 2026-04-30).
pub const DEFAULT_BASE_URL: &str = "https://api.maton.ai";

/// The gateway host of Maton's older docs (until 2026-04-29), still shown
/// in some guides (`https://gateway.maton.ai/gumroad/v2/user`). Whether it
/// still answers is not verified; use it with
/// [`MatonClientBuilder::gateway_base_url`] if you must.
pub const LEGACY_GATEWAY_URL: &str = "https://gateway.maton.ai";

/// The control-plane host of Maton's older docs (`https://ctrl.maton.ai/connections`);
/// use it with [`MatonClientBuilder::control_base_url`].
pub const LEGACY_CONTROL_URL: &str = "https://ctrl.maton.ai";

/// The environment variable holding the Maton API key.
pub const API_KEY_ENV: &str = "MATON_API_KEY";

/// The environment variable that overrides the base URL (as in the Maton CLI ≥ 0.2.0).
pub const API_URL_ENV: &str = "MATON_API_URL";

/// Maton's documented account limit: 10 requests per second.
pub const DEFAULT_REQUESTS_PER_SECOND: usize = 10;

/// The header that picks a connection.
pub const CONNECTION_HEADER: &str = "maton-connection";

/// The default `User-Agent`.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "maton-gateway-rust/",
    env!("CARGO_PKG_VERSION"),
    " (creator-commerce)"
);

/// What every transport of one client shares.
pub(crate) struct Config {
    api_key: Secret,
    gateway: String,
    control: String,
    pub(crate) connection: Option<String>,
    /// Resolved: one clock, limiter and connection pool for every transport.
    options: ClientOptions,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("api_key", &self.api_key)
            .field("gateway", &self.gateway)
            .field("control", &self.control)
            .field("connection", &self.connection)
            .finish_non_exhaustive()
    }
}

impl Config {
    fn transport(&self, base: String, classifier: MatonClassifier) -> TransportBuilder {
        Transport::builder(Provider::Maton, base)
            .auth(Auth::Bearer(self.api_key.clone()))
            .classifier(Arc::new(
                classifier.with_clock(self.options.clock_or_system()),
            ))
            .options(&self.options)
    }

    fn app_base(&self, app: &str) -> String {
        format!("{}/{app}", self.gateway.trim_end_matches('/'))
    }

    /// The transport for `{gateway}/{app}`; the `Maton-Connection` header is
    /// added per request by [`AppProxy`].
    pub(crate) fn app_transport(
        &self,
        app: &str,
        upstream: Option<UpstreamShape>,
    ) -> std::result::Result<Transport, String> {
        validate_app(app)?;
        self.transport(self.app_base(app), MatonClassifier::app(app, upstream))
            .build()
            .map_err(|e| e.to_string())
    }

    fn gumroad_transport(&self, connection: Option<&str>) -> Result<Transport> {
        let mut builder = self.transport(self.app_base("gumroad"), MatonClassifier::gumroad());
        if let Some(id) = connection {
            builder = builder.default_header(CONNECTION_HEADER, id, false);
        }
        builder.build()
    }
}

/// App names are one path segment: `gumroad`, `google-mail`, `zoho-crm`.
fn validate_app(app: &str) -> std::result::Result<(), String> {
    let ok = !app.is_empty()
        && app != "."
        && app != ".."
        && app
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{app}` is not a Maton app name (one path segment of letters, digits, `-`, `_` or `.`, \
             such as `gumroad` or `google-mail`)"
        ))
    }
}

fn validate_connection(id: &str) -> Result<()> {
    if id.trim().is_empty() {
        return Err(Error::Config("the Maton connection id is empty".into()));
    }
    http::HeaderValue::from_str(id)
        .map(|_| ())
        .map_err(|_| Error::Config("the Maton connection id is not a valid header value".into()))
}

/// A client for the Maton API gateway: the connections control plane
/// ([`MatonClient::connections`]), any app through the gateway
/// ([`MatonClient::app`]) and the full Gumroad client routed through Maton
/// ([`MatonClient::gumroad`]).
///
/// Cheap to clone; clones share the connection pool and the rate limiter
/// (Maton's limit is per account). `Debug` never shows the API key.
///
/// ```no_run
/// use maton_gateway::MatonClient;
///
/// # async fn run() -> creator_core::Result<()> {
/// let maton = MatonClient::builder()
///     .api_key(std::env::var("MATON_API_KEY").unwrap_or_default())
///     .connection("e1a4444f-2bb8-4e09-9265-3afe71b74b1f")
///     .build()?;
/// let me = maton.gumroad().user().get().await?;
/// println!("{:?}", me.name);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct MatonClient {
    pub(crate) config: Arc<Config>,
    control: Transport,
    gumroad: GumroadClient,
}

impl fmt::Debug for MatonClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MatonClient")
            .field("gateway_base_url", &self.config.gateway)
            .field("control", &self.control)
            .field("connection", &self.config.connection)
            .field(
                "rate_limiter",
                &self.config.options.rate_limiter_in_effect(),
            )
            .finish_non_exhaustive()
    }
}

/// Builds a [`MatonClient`]; start with [`MatonClient::builder`].
pub struct MatonClientBuilder {
    api_key: Option<Secret>,
    gateway: String,
    control: String,
    connection: Option<String>,
    options: ClientOptions,
}

impl fmt::Debug for MatonClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MatonClientBuilder")
            .field("api_key", &self.api_key)
            .field("gateway_base_url", &self.gateway)
            .field("control_base_url", &self.control)
            .field("connection", &self.connection)
            .field("options", &self.options)
            .finish()
    }
}

impl MatonClientBuilder {
    /// Sets the Maton API key (from <https://maton.ai/settings>). Sent only
    /// as `Authorization: Bearer …`, never logged.
    pub fn api_key(mut self, key: impl Into<Secret>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Reads the API key from `MATON_API_KEY` and, when set, the base URL
    /// from `MATON_API_URL` (as the Maton CLI does). Values set on the
    /// builder before this call are replaced only by variables that are set.
    pub fn env(self) -> Self {
        self.apply_env(|name| std::env::var(name).ok())
    }

    fn apply_env(mut self, lookup: impl Fn(&str) -> Option<String>) -> Self {
        if let Some(key) = lookup(API_KEY_ENV).filter(|k| !k.trim().is_empty()) {
            self.api_key = Some(Secret::new(key.trim()));
        }
        if let Some(url) = lookup(API_URL_ENV).filter(|u| !u.trim().is_empty()) {
            let url = if url.contains("://") {
                url.trim().to_owned()
            } else {
                // The CLI's `--hostname` style: a bare host.
                format!("https://{}", url.trim())
            };
            self = self.base_url(url);
        }
        self
    }

    /// Sets one base URL for both the gateway and the control plane
    /// (default [`DEFAULT_BASE_URL`]). A path prefix is kept and `http://`
    /// is accepted.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        let url = url.into();
        self.gateway = url.clone();
        self.control = url;
        self
    }

    /// Sets the gateway (proxy) base URL only; for the older split hosts use
    /// [`LEGACY_GATEWAY_URL`] here and [`LEGACY_CONTROL_URL`] with
    /// [`MatonClientBuilder::control_base_url`].
    ///
    /// ```
    /// use maton_gateway::{MatonClient, LEGACY_CONTROL_URL, LEGACY_GATEWAY_URL};
    ///
    /// let maton = MatonClient::builder()
    ///     .api_key("key")
    ///     .gateway_base_url(LEGACY_GATEWAY_URL)
    ///     .control_base_url(LEGACY_CONTROL_URL)
    ///     .build()?;
    /// assert_eq!(maton.control_base_url(), "https://ctrl.maton.ai/");
    /// assert_eq!(maton.gumroad().transport().base_url().as_str(), "https://gateway.maton.ai/gumroad");
    /// # Ok::<(), creator_core::Error>(())
    /// ```
    pub fn gateway_base_url(mut self, url: impl Into<String>) -> Self {
        self.gateway = url.into();
        self
    }

    /// Sets the control-plane (`/connections`) base URL only.
    pub fn control_base_url(mut self, url: impl Into<String>) -> Self {
        self.control = url.into();
        self
    }

    /// Sends `Maton-Connection: <id>` with every proxied request (the
    /// Gumroad client and [`MatonClient::app`] requests). Without it the
    /// header is absent and Maton picks the connection; Maton asks you to
    /// always send it when you have several connections for an app.
    pub fn connection(mut self, connection_id: impl Into<String>) -> Self {
        self.connection = Some(connection_id.into());
        self
    }

    /// Sets the transport settings (timeout, retry policy, clock,
    /// `User-Agent`, default [`DEFAULT_USER_AGENT`], reqwest client, rate
    /// limiter). The rate limiter every attempt waits on is shared by all
    /// clones and all requests of the client (control plane, proxy,
    /// Gumroad); by default at most [`DEFAULT_REQUESTS_PER_SECOND`] in any
    /// one-second window, Maton's per-account limit.
    /// [`ClientOptions::rate_limiter`]`(None)` turns it off (tests; or when
    /// several processes share a key and you limit elsewhere).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use creator_core::http::{ClientOptions, WindowLimiter};
    /// use maton_gateway::MatonClient;
    ///
    /// let maton = MatonClient::builder()
    ///     .api_key("key")
    ///     .options(ClientOptions::new().rate_limiter(Some(Arc::new(WindowLimiter::per_second(5)))))
    ///     .build()?;
    /// assert!(maton.rate_limiter().is_some());
    /// # Ok::<(), creator_core::Error>(())
    /// ```
    pub fn options(mut self, options: ClientOptions) -> Self {
        self.options = options;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::Config`] when no API key was given (neither
    /// [`api_key`](Self::api_key) nor `MATON_API_KEY` through
    /// [`env`](Self::env)), for an empty key or connection id, an invalid
    /// base URL or `User-Agent`, or when the HTTP client cannot be set up.
    pub fn build(self) -> Result<MatonClient> {
        let api_key = match self.api_key {
            Some(key) if !key.expose().trim().is_empty() => key,
            Some(_) => return Err(Error::Config("the Maton API key is empty".into())),
            None => {
                return Err(Error::Config(format!(
                    "no Maton API key: call `.api_key(..)` or set {API_KEY_ENV} and use \
                     `MatonClient::from_env()`"
                )));
            }
        };
        if let Some(id) = &self.connection {
            validate_connection(id)?;
        }
        let options = self.options.resolved(
            DEFAULT_USER_AGENT,
            Some(Arc::new(WindowLimiter::per_second(
                DEFAULT_REQUESTS_PER_SECOND,
            ))),
        )?;
        let config = Config {
            api_key,
            gateway: self.gateway.trim().to_owned(),
            control: self.control.trim().to_owned(),
            connection: self.connection,
            options,
        };
        let control = config
            .transport(config.control.clone(), MatonClassifier::control())
            .build()?;
        let gumroad =
            GumroadClient::from_transport(config.gumroad_transport(config.connection.as_deref())?);
        Ok(MatonClient {
            config: Arc::new(config),
            control,
            gumroad,
        })
    }
}

impl MatonClient {
    /// Starts building a client. Give the key with
    /// [`api_key`](MatonClientBuilder::api_key) or read it with
    /// [`env`](MatonClientBuilder::env).
    ///
    /// ```
    /// use maton_gateway::MatonClient;
    ///
    /// let maton = MatonClient::builder().api_key("mtn_live_secret").build()?;
    /// assert!(!format!("{maton:?}").contains("mtn_live_secret"));
    /// # Ok::<(), creator_core::Error>(())
    /// ```
    pub fn builder() -> MatonClientBuilder {
        MatonClientBuilder {
            api_key: None,
            gateway: DEFAULT_BASE_URL.to_owned(),
            control: DEFAULT_BASE_URL.to_owned(),
            connection: None,
            options: ClientOptions::new(),
        }
    }

    /// A client with the defaults, the key from `MATON_API_KEY` and the
    /// base URL from `MATON_API_URL` when set.
    ///
    /// # Errors
    /// [`Error::Config`] when `MATON_API_KEY` is not set, or as
    /// [`MatonClientBuilder::build`].
    pub fn from_env() -> Result<MatonClient> {
        Self::builder().env().build()
    }

    /// The full [`gumroad_api::GumroadClient`] — every endpoint and its
    /// creator-core trait implementations — routed through Maton: base URL
    /// `{gateway}/gumroad`, the Maton key as credentials (Maton injects the
    /// Gumroad OAuth token), the default `Maton-Connection`, this client's
    /// rate limiter, retry policy and clock, and [`MatonClassifier::gumroad`]
    /// to tell Maton's errors from Gumroad's.
    ///
    /// Values it returns are tagged [`Provider::Maton`]; errors carry
    /// [`Provider::Maton`] when Maton produced them and
    /// [`Provider::Gumroad`] when Gumroad did.
    ///
    /// ```no_run
    /// use creator_core::{collect, Products, ProductQuery};
    /// use maton_gateway::MatonClient;
    ///
    /// # async fn run() -> creator_core::Result<()> {
    /// let gumroad = MatonClient::from_env()?.gumroad();
    /// // The trait method, not the inherent `products()` endpoint group:
    /// let products = collect(gumroad.list_products(ProductQuery::new()), None).await?;
    /// println!("{} products", products.len());
    /// # Ok(()) }
    /// ```
    pub fn gumroad(&self) -> GumroadClient {
        self.gumroad.clone()
    }

    pub(crate) fn gumroad_ref(&self) -> &GumroadClient {
        &self.gumroad
    }

    /// A Gumroad webhook receiver, still to be given its URL token or Basic
    /// credentials and built, whose [`confirm`](creator_core::Webhooks::confirm)
    /// reads events back through the gateway. Gumroad delivers webhooks
    /// (Ping and resource subscriptions, also those created through Maton)
    /// straight to your URL, unsigned; configure the receiver's URL token or
    /// Basic credentials as for Gumroad itself.
    ///
    /// ```
    /// use maton_gateway::MatonClient;
    ///
    /// let maton = MatonClient::builder().api_key("key").build()?;
    /// let hooks = maton.gumroad_webhooks().url_token("a-long-random-url-token").build()?;
    /// # let _ = hooks;
    /// # Ok::<(), creator_core::Error>(())
    /// ```
    pub fn gumroad_webhooks(&self) -> gumroad_api::webhook::GumroadWebhooksBuilder {
        gumroad_api::webhook::GumroadWebhooks::builder().client(self.gumroad())
    }

    /// [`MatonClient::gumroad`] through another connection (`Maton-Connection: <id>`).
    ///
    /// # Errors
    /// [`Error::Config`] for an empty id or one that cannot be sent in a header.
    pub fn gumroad_with_connection(&self, connection_id: &str) -> Result<GumroadClient> {
        validate_connection(connection_id)?;
        Ok(GumroadClient::from_transport(
            self.config.gumroad_transport(Some(connection_id))?,
        ))
    }

    /// The control-plane transport, for Maton endpoints this crate does not
    /// model (`/triggers`, …).
    pub fn control_transport(&self) -> &Transport {
        &self.control
    }

    /// The default connection id sent as `Maton-Connection`, if any.
    pub fn connection_id(&self) -> Option<&str> {
        self.config.connection.as_deref()
    }

    /// The control-plane base URL.
    pub fn control_base_url(&self) -> &str {
        self.control.base_url().as_str()
    }

    /// The gateway base URL, as configured.
    pub fn gateway_base_url(&self) -> &str {
        &self.config.gateway
    }

    /// The rate limiter shared by every request of this client and its clones.
    pub fn rate_limiter(&self) -> Option<&Arc<dyn RateLimiter>> {
        self.config.options.rate_limiter_in_effect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_supplies_key_and_base_url() {
        let vars = |name: &str| match name {
            API_KEY_ENV => Some(" mtn_env_key ".to_owned()),
            API_URL_ENV => Some("api.example.test".to_owned()),
            _ => None,
        };
        let client = MatonClient::builder()
            .apply_env(vars)
            .options(ClientOptions::new().rate_limiter(None))
            .build()
            .unwrap();
        assert_eq!(client.control_base_url(), "https://api.example.test/");
        assert_eq!(client.gateway_base_url(), "https://api.example.test");
        assert_eq!(client.config.api_key.expose(), "mtn_env_key");
    }

    #[test]
    fn missing_env_key_is_a_config_error_naming_the_variable() {
        let err = MatonClient::builder()
            .apply_env(|_| None)
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)));
        assert!(err.to_string().contains(API_KEY_ENV), "{err}");
    }

    #[test]
    fn empty_env_values_are_ignored() {
        let client = MatonClient::builder()
            .api_key("from_builder")
            .apply_env(|_| Some("  ".into()))
            .build()
            .unwrap();
        assert_eq!(client.config.api_key.expose(), "from_builder");
        assert_eq!(client.control_base_url(), "https://api.maton.ai/");
    }

    #[test]
    fn app_names_are_single_segments() {
        for ok in ["gumroad", "google-mail", "zoho_crm", "a.b"] {
            assert!(validate_app(ok).is_ok(), "{ok}");
        }
        for bad in ["", ".", "..", "a/b", "a b", "a?b", "slack#x", "ü"] {
            assert!(validate_app(bad).is_err(), "{bad}");
        }
    }
}
