//! Sign-in for **public** OAuth clients (command-line tools, desktop apps)
//! that cannot keep a client secret: the authorization-code flow with PKCE
//! (S256) and a loopback redirect, and the OAuth device authorization flow.
//!
//! This is how the official `gumroad` CLI logs in (`antiwork/gumroad-cli`,
//! `internal/oauth`): authorize and token endpoints on `app.gumroad.com`,
//! a redirect to `http://127.0.0.1:<free port>/callback`, a 32-byte PKCE
//! verifier, a random `state`, and the scopes `account edit_profile
//! view_profile`. Register your own application (Settings → Advanced →
//! Applications) and use its client id; the device flow also needs device
//! authorization enabled for that application (the server answers
//! `unauthorized_client` otherwise).
//!
//! ```no_run
//! use std::time::Duration;
//! use gumroad_api::login::PublicClient;
//! use gumroad_api::oauth::Scope;
//!
//! # async fn run() -> creator_core::Result<()> {
//! let app = PublicClient::builder("my-client-id").build()?;
//! let token = app
//!     .loopback_login(&[Scope::Account], Duration::from_secs(120), |url| {
//!         println!("Open {url} in your browser");
//!     })
//!     .await?;
//! let client = token.client()?;
//! # let _ = client;
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use creator_core::http::{Auth, ClientOptions, Transport};
use creator_core::retry::Idempotency;
use creator_core::{Clock, Error, Provider, Result, RetryPolicy, Secret};
use futures::StreamExt as _;
use futures::future::Either;
use futures::stream::FuturesUnordered;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

use crate::DEFAULT_BASE_URL;
use crate::oauth::{AccessToken, Scope, oauth_transport, request_token, scope_param};

/// The host serving `/oauth/authorize`, `/oauth/token` and
/// `/oauth/device/code` for public clients (as the official CLI uses it).
pub const DEFAULT_OAUTH_BASE_URL: &str = "https://app.gumroad.com";

/// The device-code grant type (RFC 8628).
pub const DEVICE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The poll interval used when the server sends none (RFC 8628 default).
const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(5);

/// How much `slow_down` adds when the server does not say (RFC 8628 §3.5).
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

/// The device-code lifetime used when the server sends none.
const DEFAULT_DEVICE_LIFETIME: Duration = Duration::from_secs(900);

/// The longest a device flow polls, whatever `expires_in` says: a
/// seller approves within minutes, and an absurd lifetime from the server
/// must neither overflow the clock nor keep the client polling for ever.
pub const MAX_DEVICE_LIFETIME: Duration = Duration::from_secs(60 * 60);

/// The longest request line and headers the loopback listener reads.
const MAX_CALLBACK_REQUEST: usize = 16 * 1024;

/// How long one connection to the loopback listener may take to send its
/// request head before it is closed (the default of
/// [`LoopbackListener::connection_timeout`]).
pub const DEFAULT_CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections the loopback listener serves at once; more are closed at
/// once (a browser opens one or two).
const MAX_CONNECTIONS: usize = 32;

/// The pause after a failed `accept` (no file descriptors left, for
/// example), doubled on every failure in a row up to [`MAX_ACCEPT_BACKOFF`].
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// The longest pause between two failed `accept`s.
const MAX_ACCEPT_BACKOFF: Duration = Duration::from_secs(1);

/// Random bytes from the operating system.
fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf)
        .map_err(|e| Error::Config(format!("no secure random source available: {e}")))?;
    Ok(buf)
}

/// A PKCE pair (RFC 7636): a secret verifier kept by the client and its
/// S256 challenge sent in the authorize URL. `Debug` hides the verifier.
///
/// ```
/// use gumroad_api::login::Pkce;
///
/// // The RFC 7636 appendix B example.
/// let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
/// assert_eq!(pkce.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
/// assert_eq!(pkce.method(), "S256");
/// ```
#[derive(Clone)]
pub struct Pkce {
    verifier: Secret,
    challenge: String,
}

impl fmt::Debug for Pkce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkce")
            .field("verifier", &self.verifier)
            .field("challenge", &self.challenge)
            .finish()
    }
}

impl Pkce {
    /// A fresh pair: 32 random bytes, base64url without padding (43 characters).
    ///
    /// # Errors
    /// [`Error::Config`] when the system has no secure random source.
    pub fn generate() -> Result<Self> {
        Ok(Self::from_verifier(
            URL_SAFE_NO_PAD.encode(random_bytes::<32>()?),
        ))
    }

    /// The pair for a given verifier (for tests and resumed flows).
    pub fn from_verifier(verifier: impl Into<String>) -> Self {
        let verifier = verifier.into();
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        Self {
            verifier: Secret::new(verifier),
            challenge,
        }
    }

    /// The secret verifier, sent only to the token endpoint.
    pub fn verifier(&self) -> &Secret {
        &self.verifier
    }

    /// The S256 challenge sent in the authorize URL.
    pub fn challenge(&self) -> &str {
        &self.challenge
    }

    /// Always `S256` (the `plain` method is never used).
    pub fn method(&self) -> &'static str {
        "S256"
    }
}

/// A random CSRF `state` value: 16 bytes as 32 hexadecimal characters.
///
/// # Errors
/// [`Error::Config`] when the system has no secure random source.
pub fn generate_state() -> Result<String> {
    Ok(random_bytes::<16>()?
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// One authorization attempt: the URL to open, and what the redirect must
/// be checked against and exchanged with.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuthorizationRequest {
    /// The authorize URL to open in the browser.
    pub url: Url,
    /// The redirect URI sent in it (the token exchange must repeat it).
    pub redirect_uri: String,
    /// The CSRF state the redirect must carry back.
    pub state: String,
    /// The PKCE pair; the verifier goes to the token endpoint.
    pub pkce: Pkce,
}

/// What the loopback redirect delivered: the authorization code.
#[derive(Clone)]
#[non_exhaustive]
pub struct Callback {
    /// The single-use authorization code.
    pub code: Secret,
}

impl fmt::Debug for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callback")
            .field("code", &self.code)
            .finish()
    }
}

/// A listener on `127.0.0.1` (a free port) that waits for the OAuth
/// redirect to `/callback`.
///
/// Requests with a wrong or missing `state` are answered 400 and ignored,
/// so a local attacker cannot end the wait with a forged code; the first
/// request with the right `state` ends it, with the code or with the
/// `error` the authorization server sent. Connections are served side by
/// side, each closed when it has not sent its request within
/// [`LoopbackListener::connection_timeout`], so an idle or slow one (a
/// browser's speculative preconnect, a local prober) never holds up the
/// redirect.
#[derive(Debug)]
pub struct LoopbackListener {
    listener: TcpListener,
    redirect_uri: String,
    connection_timeout: Duration,
}

impl LoopbackListener {
    /// Binds `127.0.0.1:0`.
    ///
    /// # Errors
    /// [`Error::Config`] when no loopback port can be bound.
    pub async fn bind() -> Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| Error::Config(format!("could not bind a loopback port: {e}")))?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::Config(format!("could not read the loopback port: {e}")))?
            .port();
        Ok(Self {
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}/callback"),
            connection_timeout: DEFAULT_CONNECTION_TIMEOUT,
        })
    }

    /// How long one connection may take to send its request before it is
    /// closed (default [`DEFAULT_CONNECTION_TIMEOUT`]), measured with the
    /// clock given to [`LoopbackListener::wait`].
    pub fn connection_timeout(mut self, timeout: Duration) -> Self {
        self.connection_timeout = timeout;
        self
    }

    /// `http://127.0.0.1:<port>/callback`.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits for the redirect carrying `state`, at most `timeout` (measured
    /// with `clock`).
    ///
    /// # Errors
    /// [`Error::Timeout`] when nothing valid arrived in time;
    /// [`Error::Api`] with the server's `error` code (for example
    /// `access_denied`) when the seller declined; [`Error::InvalidInput`]
    /// when the redirect had the right state but no code.
    pub async fn wait(
        &self,
        state: &str,
        timeout: Duration,
        clock: &dyn Clock,
    ) -> Result<Callback> {
        let deadline = clock.sleep(timeout);
        let serve = self.serve(state, clock);
        futures::pin_mut!(serve);
        match futures::future::select(deadline, serve).await {
            Either::Left(((), _)) => Err(Error::Timeout {
                provider: Provider::Gumroad,
                after: timeout,
                attempts: 1,
            }),
            Either::Right((outcome, _)) => outcome,
        }
    }

    /// Accepts and serves connections side by side until one brings the
    /// callback for `state`. A failed `accept` is followed by a growing
    /// pause on `clock` (never a spin), during which open connections are
    /// still served.
    async fn serve(&self, state: &str, clock: &dyn Clock) -> Result<Callback> {
        let mut connections = FuturesUnordered::new();
        let mut failures = 0u32;
        let mut accept = Box::pin(accept_after(&self.listener, None, clock));
        loop {
            let event = if connections.is_empty() {
                Either::Left((&mut accept).await)
            } else {
                match futures::future::select(&mut accept, connections.next()).await {
                    Either::Left((accepted, _)) => Either::Left(accepted),
                    Either::Right((served, _)) => Either::Right(served),
                }
            };
            match event {
                Either::Left(Ok((stream, _))) => {
                    failures = 0;
                    if connections.len() < MAX_CONNECTIONS {
                        connections.push(serve_connection(
                            stream,
                            state,
                            self.connection_timeout,
                            clock,
                        ));
                    }
                    accept = Box::pin(accept_after(&self.listener, None, clock));
                }
                Either::Left(Err(_)) => {
                    failures = failures.saturating_add(1);
                    let pause = accept_backoff(failures);
                    accept = Box::pin(accept_after(&self.listener, Some(pause), clock));
                }
                Either::Right(Some(Some(outcome))) => return outcome,
                Either::Right(_) => {}
            }
        }
    }
}

/// Waits `pause` (after a failed accept), then accepts.
async fn accept_after(
    listener: &TcpListener,
    pause: Option<Duration>,
    clock: &dyn Clock,
) -> std::io::Result<(TcpStream, std::net::SocketAddr)> {
    if let Some(pause) = pause {
        clock.sleep(pause).await;
    }
    listener.accept().await
}

/// The pause after the `failures`-th failed accept in a row: 50 ms, doubled
/// each time, at most one second.
fn accept_backoff(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    ACCEPT_BACKOFF
        .saturating_mul(1 << doublings)
        .min(MAX_ACCEPT_BACKOFF)
}

/// Serves one connection, closing it when its request has not arrived
/// within `timeout`; `None` when it was not the callback for `state`.
async fn serve_connection(
    stream: TcpStream,
    state: &str,
    timeout: Duration,
    clock: &dyn Clock,
) -> Option<Result<Callback>> {
    let handled = handle_callback(stream, state);
    futures::pin_mut!(handled);
    match futures::future::select(handled, clock.sleep(timeout)).await {
        Either::Left((outcome, _)) => outcome,
        Either::Right(((), _)) => None,
    }
}

/// Reads one request; `None` when it was not the callback for `state`.
async fn handle_callback(mut stream: TcpStream, state: &str) -> Option<Result<Callback>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < MAX_CALLBACK_REQUEST {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf);
    let target = head
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("GET "))
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_default();
    let url = Url::parse("http://127.0.0.1").ok()?.join(target).ok();
    let pairs: Vec<(String, String)> = url
        .as_ref()
        .filter(|u| u.path() == "/callback")
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default();
    let value = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let state_ok = value("state").is_some_and(|s| Secret::new(s).matches(state.as_bytes()));
    if !state_ok {
        respond(
            &mut stream,
            400,
            "Something went wrong",
            "Close this tab and try again.",
        )
        .await;
        return None;
    }
    let outcome = if let Some(error) = value("error") {
        let message = value("error_description").unwrap_or(error).to_owned();
        Err(Error::Api {
            provider: Provider::Gumroad,
            status: 400,
            code: Some(error.to_owned()),
            message,
            body: creator_core::RawBody::new(Vec::new()),
        })
    } else if let Some(code) = value("code").filter(|c| !c.is_empty()) {
        Ok(Callback {
            code: Secret::new(code),
        })
    } else {
        Err(Error::InvalidInput(
            "the OAuth redirect carried no authorization code".into(),
        ))
    };
    match &outcome {
        Ok(_) => {
            respond(
                &mut stream,
                200,
                "Authorization complete",
                "You can close this tab and return to the application.",
            )
            .await
        }
        Err(_) => {
            respond(
                &mut stream,
                400,
                "Authorization failed",
                "Close this tab and try again.",
            )
            .await
        }
    }
    Some(outcome)
}

async fn respond(stream: &mut TcpStream, status: u16, title: &str, message: &str) {
    let reason = if status == 200 { "OK" } else { "Bad Request" };
    let body = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><h1>{title}</h1><p>{message}</p></body></html>"
    );
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    // The browser may already have gone; the outcome does not depend on it.
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// The answer to `POST /oauth/device/code`. `Debug` hides the device code.
#[derive(Clone, Deserialize)]
#[non_exhaustive]
pub struct DeviceAuthorization {
    /// The secret code the client polls with.
    pub device_code: Secret,
    /// The short code the seller confirms on the verification page.
    #[serde(default, deserialize_with = "crate::de::opt_string")]
    pub user_code: Option<String>,
    /// The verification page.
    #[serde(default, deserialize_with = "crate::de::opt_string")]
    pub verification_uri: Option<String>,
    /// The verification page with the user code filled in.
    #[serde(default, deserialize_with = "crate::de::opt_string")]
    pub verification_uri_complete: Option<String>,
    /// Lifetime of the device code in seconds.
    #[serde(default, deserialize_with = "crate::de::opt_i64")]
    pub expires_in: Option<i64>,
    /// Minimum seconds between polls.
    #[serde(default, deserialize_with = "crate::de::opt_i64")]
    pub interval: Option<i64>,
}

impl fmt::Debug for DeviceAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceAuthorization")
            .field("device_code", &self.device_code)
            .field("user_code", &self.user_code)
            .field("verification_uri", &self.verification_uri)
            .field("verification_uri_complete", &self.verification_uri_complete)
            .field("expires_in", &self.expires_in)
            .field("interval", &self.interval)
            .finish()
    }
}

impl DeviceAuthorization {
    /// The page to show the seller: the complete URI when sent, else the plain one.
    pub fn verification_url(&self) -> Option<&str> {
        self.verification_uri_complete
            .as_deref()
            .filter(|u| !u.trim().is_empty())
            .or(self.verification_uri.as_deref())
    }

    fn poll_interval(&self) -> Duration {
        self.interval
            .and_then(|s| u64::try_from(s).ok())
            .filter(|s| *s > 0)
            .map_or(DEFAULT_POLL_INTERVAL, Duration::from_secs)
    }

    /// How long to poll: `expires_in` (900 s when absent or negative), at
    /// most [`MAX_DEVICE_LIFETIME`].
    fn lifetime(&self) -> Duration {
        self.expires_in
            .and_then(|s| u64::try_from(s).ok())
            .map_or(DEFAULT_DEVICE_LIFETIME, Duration::from_secs)
            .min(MAX_DEVICE_LIFETIME)
    }
}

/// What one device-token poll answered, when it was not a token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PollStatus {
    /// `authorization_pending`: the seller has not decided yet.
    Pending,
    /// `slow_down`: wait longer; the server's new interval when it sent one.
    SlowDown(Option<Duration>),
}

/// A registered **public** OAuth application (no client secret).
#[derive(Clone)]
pub struct PublicClient {
    client_id: String,
    authorize_url: String,
    api_base_url: String,
    transport: Transport,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for PublicClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicClient")
            .field("client_id", &self.client_id)
            .field("authorize_url", &self.authorize_url)
            .field("api_base_url", &self.api_base_url)
            .field("transport", &self.transport)
            .finish_non_exhaustive()
    }
}

/// Builds a [`PublicClient`].
pub struct PublicClientBuilder {
    client_id: String,
    oauth_base_url: String,
    api_base_url: String,
    options: ClientOptions,
}

impl fmt::Debug for PublicClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicClientBuilder")
            .field("client_id", &self.client_id)
            .field("oauth_base_url", &self.oauth_base_url)
            .field("api_base_url", &self.api_base_url)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl PublicClientBuilder {
    /// The host serving `/oauth/*` (default [`DEFAULT_OAUTH_BASE_URL`]).
    pub fn oauth_base_url(mut self, url: impl Into<String>) -> Self {
        self.oauth_base_url = url.into();
        self
    }

    /// The API host clients built from the token use (default [`DEFAULT_BASE_URL`]).
    pub fn api_base_url(mut self, url: impl Into<String>) -> Self {
        self.api_base_url = url.into();
        self
    }

    /// Sets the transport settings (timeout, clock, `User-Agent`, rate
    /// limiter). The clock also paces device-flow polls and the loopback
    /// wait. The retry policy is not used: token requests are never
    /// repeated by the transport (codes are single-use, and the device poll
    /// loop does its own pacing).
    pub fn options(mut self, options: ClientOptions) -> Self {
        self.options = options;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::Config`] for an empty client id or invalid URLs.
    pub fn build(self) -> Result<PublicClient> {
        if self.client_id.trim().is_empty() {
            return Err(Error::Config("OAuth client id must not be empty".into()));
        }
        let clock = self.options.clock_or_system();
        // Token requests are never repeated by the transport: codes are
        // single-use, and the device poll loop below does its own pacing.
        let options = self.options.retry(RetryPolicy::none()).clock(clock.clone());
        let transport = oauth_transport(self.oauth_base_url, &options)?;
        let mut authorize = transport.url(&"/oauth/authorize".into());
        authorize.set_query(None);
        Ok(PublicClient {
            client_id: self.client_id,
            authorize_url: authorize.to_string(),
            api_base_url: self.api_base_url,
            transport,
            clock,
        })
    }
}

impl PublicClient {
    /// Starts building a public client for `client_id`.
    pub fn builder(client_id: impl Into<String>) -> PublicClientBuilder {
        PublicClientBuilder {
            client_id: client_id.into(),
            oauth_base_url: DEFAULT_OAUTH_BASE_URL.to_owned(),
            api_base_url: DEFAULT_BASE_URL.to_owned(),
            options: ClientOptions::new(),
        }
    }

    /// A new authorization attempt for `redirect_uri`: fresh PKCE pair and
    /// state, and the authorize URL with `response_type=code`, `client_id`,
    /// `redirect_uri`, space-separated `scope`, `code_challenge`,
    /// `code_challenge_method=S256` and `state`.
    ///
    /// # Errors
    /// [`Error::Config`] without a secure random source.
    pub fn authorization_request(
        &self,
        redirect_uri: &str,
        scopes: &[Scope],
    ) -> Result<AuthorizationRequest> {
        let pkce = Pkce::generate()?;
        let state = generate_state()?;
        Ok(self.authorization_request_with(redirect_uri, scopes, pkce, state))
    }

    /// As [`PublicClient::authorization_request`] with a given PKCE pair and state.
    pub fn authorization_request_with(
        &self,
        redirect_uri: &str,
        scopes: &[Scope],
        pkce: Pkce,
        state: String,
    ) -> AuthorizationRequest {
        let mut url = self.transport.url(&"/oauth/authorize".into());
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair("client_id", &self.client_id)
                .append_pair("redirect_uri", redirect_uri);
            if let Some(scope) = scope_param(scopes) {
                q.append_pair("scope", &scope);
            }
            q.append_pair("code_challenge", pkce.challenge())
                .append_pair("code_challenge_method", pkce.method())
                .append_pair("state", &state);
        }
        AuthorizationRequest {
            url,
            redirect_uri: redirect_uri.to_owned(),
            state,
            pkce,
        }
    }

    /// Exchanges a code for a token: `POST /oauth/token` with
    /// `grant_type=authorization_code`, `code`, `redirect_uri`, `client_id`
    /// and `code_verifier` (no client secret). Never retried.
    ///
    /// # Errors
    /// [`Error::Api`] with Doorkeeper's code (`invalid_grant` for a used,
    /// expired or wrongly verified code), or any request error.
    pub async fn exchange_code(
        &self,
        code: &Secret,
        request: &AuthorizationRequest,
    ) -> Result<AccessToken> {
        if code.expose().trim().is_empty() {
            return Err(Error::InvalidInput(
                "authorization code must not be empty".into(),
            ));
        }
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code.expose()),
            ("redirect_uri", &request.redirect_uri),
            ("client_id", &self.client_id),
            ("code_verifier", request.pkce.verifier().expose()),
        ])
        .await
    }

    /// The whole loopback flow: binds `127.0.0.1` on a free port, builds the
    /// authorize URL for `http://127.0.0.1:<port>/callback`, hands it to
    /// `open` (open a browser or print it), waits at most `timeout` for the
    /// redirect with the right `state`, and exchanges the code.
    ///
    /// # Errors
    /// As [`LoopbackListener::wait`] and [`PublicClient::exchange_code`].
    pub async fn loopback_login(
        &self,
        scopes: &[Scope],
        timeout: Duration,
        open: impl FnOnce(&Url),
    ) -> Result<AccessToken> {
        let listener = LoopbackListener::bind().await?;
        let request = self.authorization_request(listener.redirect_uri(), scopes)?;
        open(&request.url);
        let callback = listener
            .wait(&request.state, timeout, self.clock.as_ref())
            .await?;
        self.exchange_code(&callback.code, &request).await
    }

    /// Starts the device flow: `POST /oauth/device/code` with `client_id`
    /// and `scope`. Show the seller [`DeviceAuthorization::verification_url`]
    /// and the user code, then call [`PublicClient::poll_device_token`].
    /// Never retried.
    ///
    /// # Errors
    /// [`Error::Api`] with code `invalid_scope` or `unauthorized_client`
    /// (device authorization not enabled for the app),
    /// [`Error::Unauthorized`] (`invalid_client`), or any request error.
    pub async fn request_device_code(&self, scopes: &[Scope]) -> Result<DeviceAuthorization> {
        let scope = scope_param(scopes);
        let mut form: Vec<(&str, &str)> = vec![("client_id", &self.client_id)];
        if let Some(scope) = &scope {
            form.push(("scope", scope));
        }
        let device: DeviceAuthorization = self
            .transport
            .post("/oauth/device/code")
            .auth(Auth::None)
            .form(form)
            .idempotency(Idempotency::Unsafe)
            .json()
            .await?;
        if device.device_code.expose().is_empty() {
            return Err(Error::Decode {
                provider: Provider::Gumroad,
                path: ".device_code".into(),
                message: "the device authorization carried an empty device code".into(),
                body: creator_core::RawBody::new(Vec::new()),
            });
        }
        Ok(device)
    }

    /// One poll of the token endpoint (`grant_type` = [`DEVICE_GRANT_TYPE`],
    /// `client_id`, `device_code`): the token, or how to go on.
    ///
    /// # Errors
    /// [`Error::Api`] with code `access_denied` (the seller declined) or
    /// `expired_token` (the code expired or is unknown), or any other error
    /// the endpoint or the transport reports.
    pub async fn poll_device_token_once(
        &self,
        device: &DeviceAuthorization,
    ) -> Result<std::result::Result<AccessToken, PollStatus>> {
        let result = self
            .token(&[
                ("grant_type", DEVICE_GRANT_TYPE),
                ("client_id", &self.client_id),
                ("device_code", device.device_code.expose()),
            ])
            .await;
        match result {
            Ok(token) => Ok(Ok(token)),
            Err(Error::Api {
                code: Some(code),
                body,
                ..
            }) if code == "authorization_pending" || code == "slow_down" => {
                if code == "authorization_pending" {
                    return Ok(Err(PollStatus::Pending));
                }
                #[derive(Deserialize)]
                struct SlowDown {
                    #[serde(default, deserialize_with = "crate::de::opt_i64")]
                    interval: Option<i64>,
                }
                let interval = serde_json::from_slice::<SlowDown>(body.as_bytes())
                    .ok()
                    .and_then(|s| s.interval)
                    .and_then(|s| u64::try_from(s).ok())
                    .filter(|s| *s > 0)
                    .map(Duration::from_secs);
                Ok(Err(PollStatus::SlowDown(interval)))
            }
            Err(other) => Err(other),
        }
    }

    /// Polls until the seller approves, declines or the code expires,
    /// sleeping the server's `interval` between polls through the client's
    /// [`Clock`] (so tests never sleep for real). `slow_down` raises the
    /// interval (to the server's value, else by 5 s); a poll that failed in
    /// transport is retried at the next interval, since the authorization
    /// is still open on the server.
    ///
    /// Polling stops when `expires_in` passes locally, and after
    /// [`MAX_DEVICE_LIFETIME`] at the latest.
    ///
    /// # Errors
    /// [`Error::Api`] with code `access_denied` or `expired_token` (also
    /// when the lifetime passes locally), or any non-transient error.
    pub async fn poll_device_token(&self, device: &DeviceAuthorization) -> Result<AccessToken> {
        let mut interval = device.poll_interval();
        let now = self.clock.now();
        // Checked: a clock near its end must not turn a server value into a panic.
        let deadline = now.checked_add(device.lifetime()).unwrap_or(now);
        loop {
            let remaining = deadline
                .duration_since(self.clock.now())
                .unwrap_or(Duration::ZERO);
            if remaining.is_zero() {
                return Err(device_error(
                    "expired_token",
                    "the device code expired before approval",
                ));
            }
            self.clock.sleep(interval.min(remaining)).await;
            match self.poll_device_token_once(device).await {
                Ok(Ok(token)) => return Ok(token),
                Ok(Err(PollStatus::Pending)) => {}
                Ok(Err(PollStatus::SlowDown(asked))) => {
                    interval = asked.unwrap_or(interval.saturating_add(SLOW_DOWN_STEP));
                }
                Err(Error::Transport { .. } | Error::Timeout { .. })
                    if self.clock.now() < deadline => {}
                Err(other) => return Err(other),
            }
        }
    }

    /// The whole device flow: requests a code, hands it to `show` (print the
    /// verification URL and user code), then polls until done.
    ///
    /// # Errors
    /// As [`PublicClient::request_device_code`] and [`PublicClient::poll_device_token`].
    pub async fn device_login(
        &self,
        scopes: &[Scope],
        show: impl FnOnce(&DeviceAuthorization),
    ) -> Result<AccessToken> {
        let device = self.request_device_code(scopes).await?;
        show(&device);
        self.poll_device_token(&device).await
    }

    async fn token(&self, form: &[(&str, &str)]) -> Result<AccessToken> {
        request_token(&self.transport, form, &self.api_base_url).await
    }
}

fn device_error(code: &str, message: &str) -> Error {
    Error::Api {
        provider: Provider::Gumroad,
        status: 400,
        code: Some(code.to_owned()),
        message: message.to_owned(),
        body: creator_core::RawBody::new(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_failures_back_off_from_50_ms_doubling_to_one_second() {
        let pauses: Vec<u64> = (1..=8)
            .map(|n| accept_backoff(n).as_millis() as u64)
            .collect();
        assert_eq!(pauses, [50, 100, 200, 400, 800, 1000, 1000, 1000]);
        assert_eq!(accept_backoff(u32::MAX), MAX_ACCEPT_BACKOFF);
    }
}
