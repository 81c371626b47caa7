//! The client, its builder and token handling.

use std::fmt;
use std::sync::Arc;

use creator_core::http::{Auth, ClientOptions, Transport};
use creator_core::{Clock, Error, Provider, Result, Secret};
use serde::de::DeserializeOwned;
use tokio::sync::OnceCell;

/// The default V1 host (Gank's own site API, paths start with `/v1`).
pub const V1_BASE_URL: &str = "https://api.ganknow.com/";
/// The default V2 host (the Creator API).
pub const V2_BASE_URL: &str = "https://api-v2.ganknow.com/";

/// The default `User-Agent`.
pub const DEFAULT_USER_AGENT: &str = concat!("creator-commerce/", env!("CARGO_PKG_VERSION"));

/// Which of Gank's two kinds of JWT an endpoint takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// The JWT Ganknow issues when you log in; used by webhook registration,
    /// minting creator tokens and every V1 endpoint.
    Login,
    /// The Creator API JWT (from the Payment Widget dashboard or
    /// [`CreatorTokensApi::mint`](crate::CreatorTokensApi::mint)); used by the subscriber endpoints.
    Creator,
}

impl TokenKind {
    fn missing_message(self, endpoint: &str) -> String {
        match self {
            TokenKind::Login => format!(
                "`{endpoint}` needs the Gank login token, which was not configured. It is the JWT \
                 Ganknow issues when you log in: copy the `Authorization` header of any request \
                 to api.ganknow.com in your browser's developer tools (or the `auth._token.local` \
                 cookie on .ganknow.com) and pass it to `GankClient::builder().login_token(..)`"
            ),
            TokenKind::Creator => format!(
                "`{endpoint}` needs the Gank creator token, which was not configured. Generate \
                 one in the Ganknow dashboard (Widgets > Payment Widget) or mint one with \
                 `client.creator_tokens().mint()` (which needs the login token and revokes the \
                 previous creator token), then pass it to `GankClient::builder().creator_token(..)`"
            ),
        }
    }

    fn name(self) -> &'static str {
        match self {
            TokenKind::Login => "login token",
            TokenKind::Creator => "creator token",
        }
    }
}

/// Which host a request goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Host {
    V1,
    V2,
}

pub(crate) struct Inner {
    pub(crate) v1: Transport,
    pub(crate) v2: Transport,
    login_token: Option<Secret>,
    creator_token: Option<Secret>,
    configured_user_id: Option<String>,
    user_id: OnceCell<String>,
    pub(crate) clock: Arc<dyn Clock>,
    /// Page requests a page-numbered listing keeps in flight.
    pub(crate) page_concurrency: usize,
}

/// A client for the Gank Creator API (V2), the V1 endpoints creators need,
/// and webhook registration (deliveries go to [`GankWebhooks`](crate::GankWebhooks)).
///
/// Cheap to clone (clones share connection pools). Build it with
/// [`GankClient::builder`]. Each endpoint sends the token the Gank docs show
/// for it; calling one whose token was not configured fails with
/// [`Error::Config`] before any request is made.
///
/// ```no_run
/// use gank_api::{GankClient, SubscriberFilter};
/// use futures::TryStreamExt;
///
/// # async fn run() -> creator_core::Result<()> {
/// let client = GankClient::builder()
///     .creator_token(std::env::var("GANK_CREATOR_TOKEN").unwrap_or_default())
///     .build()?;
/// let active: Vec<_> = client
///     .subscribers()
///     .list(SubscriberFilter::new().active(true))
///     .try_collect()
///     .await?;
/// println!("{} active subscribers", active.len());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct GankClient {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for GankClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GankClient")
            .field("v1", &self.inner.v1)
            .field("v2", &self.inner.v2)
            .field(
                "login_token",
                &self.inner.login_token.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "creator_token",
                &self.inner.creator_token.as_ref().map(|_| "<redacted>"),
            )
            .field("user_id", &self.inner.configured_user_id)
            .finish()
    }
}

/// Builds a [`GankClient`].
///
/// ```
/// use std::time::Duration;
/// use gank_api::{ClientOptions, GankClient};
///
/// let client = GankClient::builder()
///     .login_token("eyJhbGciOiJIUzI1NiJ9.login.sig")
///     .creator_token("eyJhbGciOiJIUzI1NiJ9.creator.sig")
///     .v1_base_url("http://127.0.0.1:8001")
///     .v2_base_url("http://127.0.0.1:8002")
///     .options(ClientOptions::new().timeout(Duration::from_secs(10)))
///     .build()?;
/// assert!(!format!("{client:?}").contains("login.sig"));
/// # Ok::<(), creator_core::Error>(())
/// ```
pub struct GankClientBuilder {
    login_token: Option<Secret>,
    creator_token: Option<Secret>,
    v1_base_url: String,
    v2_base_url: String,
    options: ClientOptions,
    user_id: Option<String>,
    page_concurrency: usize,
}

/// The default of [`GankClientBuilder::page_concurrency`].
pub const DEFAULT_PAGE_CONCURRENCY: usize = 4;

impl fmt::Debug for GankClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GankClientBuilder")
            .field("login_token", &self.login_token)
            .field("creator_token", &self.creator_token)
            .field("v1_base_url", &self.v1_base_url)
            .field("v2_base_url", &self.v2_base_url)
            .field("options", &self.options)
            .field("user_id", &self.user_id)
            .field("page_concurrency", &self.page_concurrency)
            .finish_non_exhaustive()
    }
}

impl Default for GankClientBuilder {
    fn default() -> Self {
        Self {
            login_token: None,
            creator_token: None,
            v1_base_url: V1_BASE_URL.to_owned(),
            v2_base_url: V2_BASE_URL.to_owned(),
            options: ClientOptions::new(),
            page_concurrency: DEFAULT_PAGE_CONCURRENCY,
            user_id: None,
        }
    }
}

impl GankClientBuilder {
    /// The login JWT (used by webhook registration, creator-token minting and V1).
    ///
    /// A value copied with its `Bearer ` prefix (from an `Authorization`
    /// header) is accepted, and so is the URL-encoded value of the
    /// `auth._token.local` cookie (`Bearer%20eyJ…`); the prefix is removed.
    pub fn login_token(mut self, token: impl Into<Secret>) -> Self {
        self.login_token = Some(token.into());
        self
    }

    /// The creator JWT (used by the subscriber endpoints).
    ///
    /// A value with a `Bearer ` prefix is accepted; the prefix is removed.
    pub fn creator_token(mut self, token: impl Into<Secret>) -> Self {
        self.creator_token = Some(token.into());
        self
    }

    /// The V1 host (default [`V1_BASE_URL`]); a path prefix is kept and `http://` is allowed.
    pub fn v1_base_url(mut self, url: impl Into<String>) -> Self {
        self.v1_base_url = url.into();
        self
    }

    /// The V2 host (default [`V2_BASE_URL`]); a path prefix is kept and `http://` is allowed.
    pub fn v2_base_url(mut self, url: impl Into<String>) -> Self {
        self.v2_base_url = url.into();
        self
    }

    /// The transport settings of both hosts (timeout, retry policy, clock,
    /// `User-Agent`, rate limiter); writes are never re-sent whatever the
    /// retry policy. Webhook deliveries are checked by
    /// [`GankWebhooks`](crate::GankWebhooks) with its own verifier.
    pub fn options(mut self, options: ClientOptions) -> Self {
        self.options = options;
        self
    }

    /// Your Gank user id, used by the [`creator_core::Products`] implementation.
    /// When not set it is read once from `GET /v1/users/me` (login token).
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = Some(user_id.into());
        self
    }

    /// Page requests the subscriber list keeps in flight (default
    /// [`DEFAULT_PAGE_CONCURRENCY`]; 1 reads page after page). Its first
    /// page's `total` says how many pages there are; the rest are fetched
    /// this many at a time, still yielded in page order (see
    /// [`creator_core::paginate_numbered_concurrent`]). A rate limiter set in
    /// [`options`](Self::options) spaces every request whatever this is.
    pub fn page_concurrency(mut self, requests: usize) -> Self {
        self.page_concurrency = requests.max(1);
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::Config`] for an invalid base URL, or a token that is empty or
    /// cannot be sent in an HTTP header.
    pub fn build(self) -> Result<GankClient> {
        let login_token = self
            .login_token
            .map(|t| clean_token(t, TokenKind::Login))
            .transpose()?;
        let creator_token = self
            .creator_token
            .map(|t| clean_token(t, TokenKind::Creator))
            .transpose()?;
        // One clock, limiter and connection pool for both hosts.
        let options = self.options.resolved(DEFAULT_USER_AGENT, None)?;
        let clock = options.clock_or_system();
        let transport = |base: &str| {
            Transport::builder(Provider::Gank, base)
                .auth(Auth::None)
                .options(&options)
                .build()
        };
        let v1 = transport(&self.v1_base_url)?;
        let v2 = transport(&self.v2_base_url)?;
        if let Some(id) = &self.user_id
            && id.trim().is_empty()
        {
            return Err(Error::Config("the Gank user id is empty".into()));
        }
        Ok(GankClient {
            inner: Arc::new(Inner {
                v1,
                v2,
                login_token,
                creator_token,
                configured_user_id: self.user_id.clone(),
                user_id: OnceCell::new_with(self.user_id),
                clock,
                page_concurrency: self.page_concurrency,
            }),
        })
    }
}

/// Trims a token, URL-decodes it when it was copied from the `auth._token.local`
/// cookie (`Bearer%20eyJ…`), removes a `Bearer ` prefix, and checks it can
/// travel in a header.
fn clean_token(token: Secret, kind: TokenKind) -> Result<Secret> {
    // JWTs never contain `%`, so one means the value is URL-encoded.
    let decoded = percent_decode(token.expose().trim());
    let raw = decoded.trim();
    let raw = match (raw.get(..6), raw.get(6..)) {
        (Some(word), Some(rest))
            if word.eq_ignore_ascii_case("bearer")
                && (rest.is_empty() || rest.starts_with(char::is_whitespace)) =>
        {
            rest.trim()
        }
        _ => raw,
    };
    if raw.is_empty() {
        return Err(Error::Config(format!("the Gank {} is empty", kind.name())));
    }
    if http::HeaderValue::from_str(raw).is_err() || raw.contains(char::is_whitespace) {
        return Err(Error::Config(format!(
            "the Gank {} contains characters that cannot be sent in an HTTP header",
            kind.name()
        )));
    }
    Ok(Secret::new(raw))
}

/// Decodes `%XX` escapes; anything that is not a valid escape is kept as is.
fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |j: usize| bytes.get(j).and_then(|c| char::from(*c).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl GankClient {
    /// Starts building a client. No token is required to build; each
    /// endpoint checks for the token it needs when called.
    pub fn builder() -> GankClientBuilder {
        GankClientBuilder::default()
    }

    /// A copy of this client using another creator token, for example the one
    /// [`CreatorTokensApi::mint`](crate::CreatorTokensApi::mint) just returned (minting revokes the old one).
    ///
    /// # Errors
    /// [`Error::Config`] when the token is empty or not header-safe.
    pub fn with_creator_token(&self, token: impl Into<Secret>) -> Result<GankClient> {
        let token = clean_token(token.into(), TokenKind::Creator)?;
        let inner = &self.inner;
        Ok(GankClient {
            inner: Arc::new(Inner {
                v1: inner.v1.clone(),
                v2: inner.v2.clone(),
                login_token: inner.login_token.clone(),
                creator_token: Some(token),
                configured_user_id: inner.configured_user_id.clone(),
                user_id: OnceCell::new_with(inner.user_id.get().cloned()),
                clock: inner.clock.clone(),
                page_concurrency: inner.page_concurrency,
            }),
        })
    }

    /// True when a token of this kind was configured.
    pub fn has_token(&self, kind: TokenKind) -> bool {
        match kind {
            TokenKind::Login => self.inner.login_token.is_some(),
            TokenKind::Creator => self.inner.creator_token.is_some(),
        }
    }

    /// Your Gank user id: the configured one, or `GET /v1/users/me` (read once and kept).
    ///
    /// # Errors
    /// As [`UsersApi::me`](crate::UsersApi::me).
    pub async fn user_id(&self) -> Result<String> {
        self.inner
            .user_id
            .get_or_try_init(|| async { self.users().me().await.map(|u| u.id) })
            .await
            .cloned()
    }

    // ---- internals ----

    /// Page requests a page-numbered listing keeps in flight.
    pub(crate) fn page_concurrency(&self) -> usize {
        self.inner.page_concurrency
    }

    pub(crate) fn transport(&self, host: Host) -> &Transport {
        match host {
            Host::V1 => &self.inner.v1,
            Host::V2 => &self.inner.v2,
        }
    }

    /// The bearer auth for `kind`, or the configuration error naming the token.
    pub(crate) fn bearer(&self, kind: TokenKind, endpoint: &str) -> Result<Auth> {
        let token = match kind {
            TokenKind::Login => &self.inner.login_token,
            TokenKind::Creator => &self.inner.creator_token,
        };
        token
            .as_ref()
            .map(|t| Auth::Bearer(t.clone()))
            .ok_or_else(|| Error::Config(kind.missing_message(endpoint)))
    }

    /// The login token's bearer auth when configured, else no credentials.
    pub(crate) fn optional_login(&self) -> Auth {
        self.inner
            .login_token
            .as_ref()
            .map(|t| Auth::Bearer(t.clone()))
            .unwrap_or(Auth::None)
    }
}

/// `{"data": T, "total": n}` with `data` possibly null.
#[derive(serde::Deserialize)]
pub(crate) struct Envelope<T> {
    #[serde(default = "Option::default")]
    pub(crate) data: Option<T>,
}

/// Unwraps a single-object `{"data": ...}` envelope; `data: null` is a 404-like answer.
pub(crate) fn unwrap_data<T: DeserializeOwned>(
    response: &creator_core::http::Response,
    what: &str,
) -> Result<T> {
    let env: Envelope<T> = response.json(Provider::Gank)?;
    env.data.ok_or_else(|| Error::NotFound {
        provider: Provider::Gank,
        status: response.status,
        message: format!("Gank answered `data: null` for {what}"),
        body: creator_core::RawBody::new(response.body.clone()),
    })
}
