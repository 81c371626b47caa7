//! The client and its builder.

use std::fmt;
use std::sync::Arc;

use creator_core::http::{Auth, ClientOptions, Request, Response, Transport};
use creator_core::{Error, Provider, Result, Secret};
use serde::de::DeserializeOwned;

use crate::GumroadClassifier;

/// The default base URL. Paths start with `/v2/`.
pub const DEFAULT_BASE_URL: &str = "https://api.gumroad.com";

/// The default `User-Agent`. Gumroad has served a maintenance page to
/// agents starting with `PHP` or `WordPress`; this one is safe.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "gumroad-api-rust/",
    env!("CARGO_PKG_VERSION"),
    " (creator-commerce)"
);

/// A Gumroad API v2 client. Cheap to clone (clones share the connection
/// pool); `Send + Sync`; its `Debug` never shows the token.
///
/// ```no_run
/// use gumroad_api::GumroadClient;
///
/// # async fn run() -> creator_core::Result<()> {
/// let client = GumroadClient::builder(std::env::var("GUMROAD_TOKEN").unwrap_or_default()).build()?;
/// let me = client.user().get().await?;
/// println!("{:?}", me.name);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct GumroadClient {
    transport: Transport,
}

impl fmt::Debug for GumroadClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GumroadClient")
            .field("transport", &self.transport)
            .finish()
    }
}

/// Builds a [`GumroadClient`]; start with [`GumroadClient::builder`] or
/// [`GumroadClient::unauthenticated`]. It takes the credentials and the host;
/// timeout, retries, clock, `User-Agent` and rate limiter come in one
/// [`ClientOptions`].
///
/// ```
/// use std::time::Duration;
/// use creator_core::http::ClientOptions;
/// use gumroad_api::GumroadClient;
///
/// let client = GumroadClient::builder("my-token")
///     .base_url("http://127.0.0.1:8080")
///     .options(ClientOptions::new().timeout(Duration::from_secs(10)))
///     .build()?;
/// # let _ = client;
/// # Ok::<(), creator_core::Error>(())
/// ```
pub struct GumroadClientBuilder {
    token: Option<Secret>,
    base_url: String,
    options: ClientOptions,
}

impl fmt::Debug for GumroadClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GumroadClientBuilder")
            .field("token", &self.token)
            .field("base_url", &self.base_url)
            .field("options", &self.options)
            .finish()
    }
}

impl GumroadClientBuilder {
    /// Sets the base URL (default [`DEFAULT_BASE_URL`]). A path prefix is kept
    /// (`https://proxy.example/gumroad`) and `http://` is accepted.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Sets the transport settings (timeout, retry policy, clock,
    /// `User-Agent`, default [`DEFAULT_USER_AGENT`], rate limiter: Gumroad
    /// sits behind Cloudflare, which can block bursty clients).
    pub fn options(mut self, options: ClientOptions) -> Self {
        self.options = options;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::Config`] for an empty token, an invalid base URL or
    /// `User-Agent`, or a token that cannot be sent in a header.
    pub fn build(self) -> Result<GumroadClient> {
        let auth = match self.token {
            Some(token) if token.expose().trim().is_empty() => {
                return Err(Error::Config(
                    "the Gumroad access token is empty; use GumroadClient::unauthenticated() \
                     for license verification without a token"
                        .into(),
                ));
            }
            Some(token) => Auth::Bearer(token),
            None => Auth::None,
        };
        let transport = Transport::builder(Provider::Gumroad, self.base_url)
            .auth(auth)
            .user_agent(DEFAULT_USER_AGENT)
            .classifier(Arc::new(GumroadClassifier))
            .options(&self.options)
            .build()?;
        Ok(GumroadClient::from_transport(transport))
    }
}

impl GumroadClient {
    /// Starts building a client authenticated with an OAuth access token
    /// (sent as `Authorization: Bearer …`, never in the URL).
    ///
    /// ```
    /// use gumroad_api::GumroadClient;
    ///
    /// let client = GumroadClient::builder("my-token").build()?;
    /// assert!(!format!("{client:?}").contains("my-token"));
    /// # Ok::<(), creator_core::Error>(())
    /// ```
    pub fn builder(access_token: impl Into<Secret>) -> GumroadClientBuilder {
        GumroadClientBuilder {
            token: Some(access_token.into()),
            ..Self::unauthenticated()
        }
    }

    /// Starts building a client **without** a token, for the endpoints
    /// that need none (license verification).
    ///
    /// ```
    /// use gumroad_api::GumroadClient;
    ///
    /// let client = GumroadClient::unauthenticated().build()?;
    /// # let _ = client;
    /// # Ok::<(), creator_core::Error>(())
    /// ```
    pub fn unauthenticated() -> GumroadClientBuilder {
        GumroadClientBuilder {
            token: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            options: ClientOptions::new(),
        }
    }

    /// Wraps a transport built elsewhere — for a proxy or the Maton gateway,
    /// which supplies its own base URL (`https://api.maton.ai/gumroad`),
    /// credentials, extra headers and rate limiter. Every endpoint and trait
    /// implementation works unchanged: paths (`/v2/…`) are appended to the
    /// transport's base URL.
    ///
    /// Give the transport [`GumroadClassifier`] (or a classifier that calls
    /// [`GumroadClassifier::classify_gumroad`]) so Gumroad's error shapes are
    /// mapped; the client also checks `"success": false` bodies itself, so
    /// those never pass as data even with another classifier.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use creator_core::http::{Auth, Transport};
    /// use creator_core::Provider;
    /// use gumroad_api::{GumroadClassifier, GumroadClient};
    ///
    /// let transport = Transport::builder(Provider::Maton, "https://api.maton.ai/gumroad")
    ///     .auth(Auth::bearer("maton-key"))
    ///     .default_header("Maton-Connection", "e1a4444f-2bb8-4e09-9265-3afe71b74b1f", false)
    ///     .classifier(Arc::new(GumroadClassifier))
    ///     .build()?;
    /// let client = GumroadClient::from_transport(transport);
    /// assert_eq!(client.transport().base_url().as_str(), "https://api.maton.ai/gumroad");
    /// # Ok::<(), creator_core::Error>(())
    /// ```
    pub fn from_transport(transport: Transport) -> Self {
        Self { transport }
    }

    /// The underlying transport (for requests to endpoints this crate does not model).
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// The provider errors and normalized values are reported under:
    /// the transport's ([`Provider::Gumroad`] unless built elsewhere).
    pub fn provider(&self) -> Provider {
        self.transport.provider()
    }

    /// Sends a request and decodes the JSON envelope, turning a
    /// `"success": false` body into the classifier's error even if the
    /// transport was built without [`GumroadClassifier`].
    pub(crate) async fn call<T: DeserializeOwned + Envelope>(
        &self,
        request: Request<'_>,
    ) -> Result<T> {
        let response = request.send().await?;
        self.decode(&response)
    }

    pub(crate) fn decode<T: DeserializeOwned + Envelope>(&self, response: &Response) -> Result<T> {
        let provider = self.provider();
        // `Response::json` decodes fast and tracks the field path only on failure.
        match response.json::<T>(provider) {
            Ok(value) if value.success() == Some(false) => Err(success_false(provider, response)
                .unwrap_or_else(|| {
                    GumroadClassifier::success_false(
                        provider,
                        response.status,
                        None,
                        creator_core::RawBody::new(response.body.clone()),
                    )
                })),
            Ok(value) => Ok(value),
            Err(decode_error) => Err(success_false(provider, response).unwrap_or(decode_error)),
        }
    }
}

/// The classifier's error for a 2xx `success: false` body, if that is what it is.
fn success_false(provider: Provider, response: &Response) -> Option<Error> {
    GumroadClassifier::classify_gumroad(provider, response)
}

/// A response envelope: `{"success": …, "<key>": …}`.
pub(crate) trait Envelope {
    /// The `success` flag, when sent.
    fn success(&self) -> Option<bool>;
}

/// Declares a private envelope struct around one payload key.
macro_rules! envelope {
    ($name:ident { $key:ident : [$item:ty] }) => {
        #[derive(serde::Deserialize)]
        pub(crate) struct $name {
            #[serde(default)]
            success: Option<bool>,
            #[serde(deserialize_with = "crate::de::nullable")]
            $key: Vec<$item>,
            #[serde(default)]
            next_page_key: Option<String>,
            #[serde(default)]
            next_page_url: Option<String>,
        }
        impl $crate::client::Envelope for $name {
            fn success(&self) -> Option<bool> {
                self.success
            }
        }
        impl $crate::client::Paged for $name {
            type Item = $item;
            fn into_page(self) -> $crate::ListPage<$item> {
                $crate::ListPage::new(self.$key, self.next_page_key, self.next_page_url)
            }
        }
    };
    ($name:ident { $key:ident : $ty:ty }) => {
        #[derive(serde::Deserialize)]
        pub(crate) struct $name {
            #[serde(default)]
            success: Option<bool>,
            pub(crate) $key: $ty,
        }
        impl $crate::client::Envelope for $name {
            fn success(&self) -> Option<bool> {
                self.success
            }
        }
    };
}
pub(crate) use envelope;

/// A list envelope with Gumroad's cursor keys.
pub(crate) trait Paged: Envelope + DeserializeOwned {
    /// The list's item type.
    type Item;
    /// The items and the cursor.
    fn into_page(self) -> crate::ListPage<Self::Item>;
}

impl GumroadClient {
    /// One page of a list endpoint.
    pub(crate) async fn page<E: Paged>(
        &self,
        request: Request<'_>,
    ) -> Result<crate::ListPage<E::Item>> {
        let env: E = self.call(request).await?;
        Ok(env.into_page())
    }
}

/// `{"success": true, "message": …}` (deletes) and `{"success": true}`.
#[derive(serde::Deserialize)]
pub(crate) struct MessageEnvelope {
    #[serde(default)]
    success: Option<bool>,
    #[serde(default)]
    pub(crate) message: Option<String>,
}

impl Envelope for MessageEnvelope {
    fn success(&self) -> Option<bool> {
        self.success
    }
}

impl Envelope for crate::models::LicenseEnvelope {
    fn success(&self) -> Option<bool> {
        self.success
    }
}

/// Rejects an empty id before it turns `/v2/sales/{id}` into `/v2/sales/`.
pub(crate) fn require(what: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(Error::InvalidInput(format!("{what} must not be empty")))
    } else {
        Ok(())
    }
}

/// `true`/`false` as Gumroad's handlers compare them (`params[:x] == "true"`).
pub(crate) fn bool_str(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// `(key, YYYY-MM-DD)` for each day that is set, in order: the date filters
/// and ranges of sales, summaries, exports and payouts.
pub(crate) fn day_pairs<const N: usize>(
    days: [(&'static str, Option<time::Date>); N],
) -> Vec<(&'static str, String)> {
    days.into_iter()
        .filter_map(|(key, day)| Some((key, ymd(day?))))
        .collect()
}

/// `YYYY-MM-DD`.
fn ymd(date: time::Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}
