//! The reqwest-based transport with retries, timeouts, tracing and redaction.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::Method;
use http::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, USER_AGENT,
};
use serde::de::DeserializeOwned;
use tracing::Instrument;
use url::Url;

use super::{
    ClientOptions, DefaultClassifier, Path, RateLimiter, ResponseClassifier, default_error,
};
use crate::retry::{Decision, Failure, Idempotency, RetryPolicy, parse_retry_after};
use crate::{Clock, Error, Provider, Result, Secret, SystemClock};

/// How requests are authenticated. Values are sent in sensitive headers only.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum Auth {
    /// No credentials (public endpoints such as Gumroad license verification).
    #[default]
    None,
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// A custom header carrying the whole value.
    Header {
        /// The header name.
        name: HeaderName,
        /// The header value.
        value: Secret,
    },
}

impl Auth {
    /// Bearer token auth.
    pub fn bearer(token: impl Into<Secret>) -> Self {
        Auth::Bearer(token.into())
    }

    fn header(&self) -> Result<Option<(HeaderName, HeaderValue)>> {
        let (name, raw) = match self {
            Auth::None => return Ok(None),
            Auth::Bearer(token) => (AUTHORIZATION, format!("Bearer {}", token.expose())),
            Auth::Header { name, value } => (name.clone(), value.expose().to_owned()),
        };
        let mut value = HeaderValue::from_str(&raw).map_err(|_| {
            Error::Config("the credential contains characters not allowed in an HTTP header".into())
        })?;
        value.set_sensitive(true);
        Ok(Some((name, value)))
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("Auth::None"),
            Auth::Bearer(_) => f.write_str("Auth::Bearer(<redacted>)"),
            Auth::Header { name, .. } => write!(f, "Auth::Header({name}: <redacted>)"),
        }
    }
}

/// A response whose status has been checked: status, headers and the whole body.
#[derive(Clone)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body, exactly as received.
    pub body: Bytes,
}

impl Response {
    /// A header value as text, if present and valid.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// True for 2xx statuses.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Decodes the JSON body into `T`, reporting the failing field path.
    ///
    /// # Errors
    /// [`Error::Decode`] with the path (`.sales[3].price`) and the raw body.
    pub fn json<T: DeserializeOwned>(&self, provider: Provider) -> Result<T> {
        // Decode without path tracking first (the common, fast case); only a
        // failure is decoded again to name the field that broke.
        serde_json::from_slice(&self.body).map_err(|plain| {
            let de = &mut serde_json::Deserializer::from_slice(&self.body);
            match serde_path_to_error::deserialize::<_, T>(de) {
                Err(e) => {
                    let path = e.path().to_string();
                    Error::decode(provider, path, e.into_inner(), self.body.clone())
                }
                Ok(_) => Error::decode(provider, ".", plain, self.body.clone()),
            }
        })
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("body", &crate::RawBody::new(self.body.clone()))
            .finish_non_exhaustive()
    }
}

struct Inner {
    http: reqwest::Client,
    provider: Provider,
    base: Url,
    auth: Option<(HeaderName, HeaderValue)>,
    auth_kind: Auth,
    retry: RetryPolicy,
    timeout: Duration,
    clock: Arc<dyn Clock>,
    classifier: Arc<dyn ResponseClassifier>,
    limiter: Option<Arc<dyn RateLimiter>>,
    headers: HeaderMap,
    /// Until when the platform asked every request to wait (a 429), so one
    /// "too many requests" slows all clones down, not only the request that
    /// got it (windowed listings send several at once).
    hold: std::sync::Mutex<Option<std::time::SystemTime>>,
}

/// An HTTP client bound to one provider and one base URL. Cheap to clone;
/// clones share the connection pool and the rate limiter.
#[derive(Clone)]
pub struct Transport {
    inner: Arc<Inner>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("provider", &self.inner.provider)
            .field("base_url", &self.inner.base.as_str())
            .field("auth", &self.inner.auth_kind)
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .field("rate_limiter", &self.inner.limiter)
            .finish()
    }
}

/// Builds a [`Transport`].
///
/// ```
/// use creator_core::http::{Auth, Transport};
/// use creator_core::Provider;
///
/// let t = Transport::builder(Provider::Gumroad, "https://api.gumroad.com")
///     .auth(Auth::bearer("token"))
///     .build()?;
/// assert_eq!(t.base_url().as_str(), "https://api.gumroad.com/");
/// assert!(!format!("{t:?}").contains("token\""));
/// # Ok::<(), creator_core::Error>(())
/// ```
pub struct TransportBuilder {
    provider: Provider,
    base_url: String,
    auth: Auth,
    retry: RetryPolicy,
    timeout: Duration,
    user_agent: String,
    clock: Arc<dyn Clock>,
    classifier: Arc<dyn ResponseClassifier>,
    limiter: Option<Arc<dyn RateLimiter>>,
    headers: Vec<(String, Secret, bool)>,
    http: Option<reqwest::Client>,
}

impl fmt::Debug for TransportBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportBuilder")
            .field("provider", &self.provider)
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl TransportBuilder {
    /// Sets the base URL; a path prefix (`https://proxy/gumroad`) is kept, and `http://` is allowed.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Sets the credentials.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Sets the retry policy (default: 3 attempts, full-jitter backoff).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sets the per-attempt timeout (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the `User-Agent` (default `creator-commerce/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Sets the clock used for retry sleeps and `Retry-After` dates.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Sets the provider's response classifier.
    pub fn classifier(mut self, classifier: Arc<dyn ResponseClassifier>) -> Self {
        self.classifier = classifier;
        self
    }

    /// Sets (or with `None`, removes) a rate limiter every attempt waits on.
    pub fn rate_limiter(mut self, limiter: Option<Arc<dyn RateLimiter>>) -> Self {
        self.limiter = limiter;
        self
    }

    /// Adds a header sent with every request. Mark it `sensitive` if it carries a secret.
    pub fn default_header(
        mut self,
        name: impl Into<String>,
        value: impl Into<Secret>,
        sensitive: bool,
    ) -> Self {
        self.headers.push((name.into(), value.into(), sensitive));
        self
    }

    /// Uses an existing reqwest client (its own timeouts and proxies apply too).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Applies the settings a client's [`ClientOptions`] has set; the
    /// others keep this builder's values.
    pub fn options(self, options: &ClientOptions) -> Self {
        options.apply(self)
    }

    /// Builds the transport.
    ///
    /// # Errors
    /// [`Error::Config`] for a base URL that is not an absolute http(s) URL,
    /// a credential or header that cannot be sent in a header, or a failure to
    /// set up TLS.
    pub fn build(self) -> Result<Transport> {
        let mut base = Url::parse(self.base_url.trim()).map_err(|e| {
            Error::Config(format!("base URL `{}` is not valid: {e}", self.base_url))
        })?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(Error::Config(format!(
                "base URL `{}` must be an http(s) URL",
                self.base_url
            )));
        }
        if base.query().is_some() || !base.username().is_empty() || base.password().is_some() {
            return Err(Error::Config(
                "base URL must not carry a query or credentials; pass credentials through `auth`"
                    .into(),
            ));
        }
        base.set_fragment(None);
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(
            USER_AGENT,
            HeaderValue::from_str(&self.user_agent)
                .map_err(|_| Error::Config("invalid User-Agent".into()))?,
        );
        for (name, value, sensitive) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::Config(format!("invalid header name `{name}`")))?;
            let mut value = HeaderValue::from_str(value.expose())
                .map_err(|_| Error::Config(format!("invalid value for header `{name}`")))?;
            value.set_sensitive(*sensitive);
            headers.insert(name, value);
        }
        let http = match self.http {
            Some(client) => client,
            None => reqwest::Client::builder()
                .build()
                .map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))?,
        };
        Ok(Transport {
            inner: Arc::new(Inner {
                http,
                provider: self.provider,
                base,
                auth: self.auth.header()?,
                auth_kind: self.auth,
                retry: self.retry,
                timeout: self.timeout,
                clock: self.clock,
                classifier: self.classifier,
                limiter: self.limiter,
                headers,
                hold: std::sync::Mutex::new(None),
            }),
        })
    }
}

impl Transport {
    /// The default per-attempt timeout.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

    /// Starts building a transport for `provider` at `base_url`.
    pub fn builder(provider: Provider, base_url: impl Into<String>) -> TransportBuilder {
        TransportBuilder {
            provider,
            base_url: base_url.into(),
            auth: Auth::None,
            retry: RetryPolicy::default(),
            timeout: Self::DEFAULT_TIMEOUT,
            user_agent: concat!("creator-commerce/", env!("CARGO_PKG_VERSION")).to_owned(),
            clock: Arc::new(SystemClock),
            classifier: Arc::new(DefaultClassifier),
            limiter: None,
            headers: Vec::new(),
            http: None,
        }
    }

    /// The provider this transport talks to.
    pub fn provider(&self) -> Provider {
        self.inner.provider
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The clock in use.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// The absolute URL for a path, keeping the base URL's path prefix.
    pub fn url(&self, path: &Path) -> Url {
        let mut url = self.inner.base.clone();
        let prefix = url.path().trim_end_matches('/').to_owned();
        let rendered = path.rendered();
        let sep = if rendered.starts_with('/') { "" } else { "/" };
        url.set_path(&format!("{prefix}{sep}{rendered}"));
        url
    }

    /// Starts a request.
    pub fn request(&self, method: Method, path: impl Into<Path>) -> Request<'_> {
        Request {
            transport: self,
            method,
            path: path.into(),
            query: Vec::new(),
            body: Body::None,
            headers: HeaderMap::new(),
            auth: None,
            idempotency: Idempotency::ByMethod,
            limiter: None,
        }
    }

    /// Starts a GET request.
    pub fn get(&self, path: impl Into<Path>) -> Request<'_> {
        self.request(Method::GET, path)
    }

    /// Starts a POST request.
    pub fn post(&self, path: impl Into<Path>) -> Request<'_> {
        self.request(Method::POST, path)
    }

    /// Starts a PUT request.
    pub fn put(&self, path: impl Into<Path>) -> Request<'_> {
        self.request(Method::PUT, path)
    }

    /// Starts a PATCH request.
    pub fn patch(&self, path: impl Into<Path>) -> Request<'_> {
        self.request(Method::PATCH, path)
    }

    /// Starts a DELETE request.
    pub fn delete(&self, path: impl Into<Path>) -> Request<'_> {
        self.request(Method::DELETE, path)
    }
}

/// A request body, encoded once so every attempt sends the same bytes.
enum Body {
    None,
    Bytes(&'static str, Bytes),
    Invalid(String),
}

/// A request being built; send it with [`Request::send`] or [`Request::json`].
#[must_use = "a request does nothing until it is sent"]
pub struct Request<'t> {
    transport: &'t Transport,
    method: Method,
    path: Path,
    query: Vec<(String, String)>,
    body: Body,
    headers: HeaderMap,
    auth: Option<Auth>,
    idempotency: Idempotency,
    /// A limiter for this request on top of the client's (one listing's
    /// windows share one).
    limiter: Option<Arc<dyn RateLimiter>>,
}

impl fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path.template())
            .finish_non_exhaustive()
    }
}

impl<'t> Request<'t> {
    /// Adds a query parameter (repeated keys are kept, in order).
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Adds a query parameter when `value` is `Some`.
    pub fn query_opt(self, key: impl Into<String>, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }

    /// Adds many query parameters.
    pub fn query_pairs<K: Into<String>, V: Into<String>>(
        mut self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.query
            .extend(pairs.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Sends `pairs` as an `application/x-www-form-urlencoded` body (repeated
    /// keys such as `tags[]` are kept, in order).
    pub fn form<K: AsRef<str>, V: AsRef<str>>(
        mut self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            ser.append_pair(k.as_ref(), v.as_ref());
        }
        self.body = Body::Bytes(
            "application/x-www-form-urlencoded",
            Bytes::from(ser.finish()),
        );
        self
    }

    /// Sends `value` as a JSON body with `Content-Type: application/json`.
    ///
    /// # Panics
    /// Never; a value that cannot be serialized is reported by `send`.
    pub fn json_body<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        self.body = match serde_json::to_vec(value) {
            Ok(bytes) => Body::Bytes("application/json", Bytes::from(bytes)),
            Err(e) => Body::Invalid(e.to_string()),
        };
        self
    }

    /// Sends raw bytes with the given `Content-Type` (uploads, bodies that are
    /// neither JSON nor a form).
    pub fn body(mut self, content_type: &'static str, bytes: impl Into<Bytes>) -> Self {
        self.body = Body::Bytes(content_type, bytes.into());
        self
    }

    /// Adds a header to this request only.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// Uses other credentials for this request (`Auth::None` to send none).
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Declares whether this request may be repeated (default: by method).
    pub fn idempotency(mut self, idempotency: Idempotency) -> Self {
        self.idempotency = idempotency;
        self
    }

    /// Makes every attempt also wait on `limiter` (besides the client's);
    /// a 429 slows both down.
    pub fn rate_limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Sends the request and decodes a successful JSON response into `T`.
    ///
    /// # Errors
    /// As [`Request::send`], plus [`Error::Decode`].
    pub async fn json<T: DeserializeOwned>(self) -> Result<T> {
        let provider = self.transport.inner.provider;
        self.send().await?.json(provider)
    }

    /// Sends the request, retrying as the policy allows, and returns the
    /// response if the provider's classifier and the status say it succeeded.
    ///
    /// # Errors
    /// [`Error::Transport`], [`Error::Timeout`], or the error the classifier
    /// or the default mapping gives the final response.
    pub async fn send(self) -> Result<Response> {
        let inner = &self.transport.inner;
        let provider = inner.provider;
        if let Body::Invalid(reason) = &self.body {
            return Err(Error::InvalidInput(format!(
                "request body could not be serialized: {reason}"
            )));
        }
        let mut url = self.transport.url(&self.path);
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&self.query);
        }
        let auth = match &self.auth {
            Some(a) => a.header()?,
            None => inner.auth.clone(),
        };
        let span = tracing::debug_span!(
            "creator_http",
            provider = %provider,
            method = %self.method,
            path = self.path.template(),
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
        );
        let observer = super::observe::current();
        let mut attempt = 0u32;
        // The hold this request set itself (it already waited it out).
        let mut own_hold = None;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            if let Some(observer) = &observer
                && self.held(observer.as_ref(), &url, auth.as_ref(), attempt)
            {
                return Err(Error::NotSent {
                    provider,
                    method: self.method.to_string(),
                    path: self.path.template().to_owned(),
                });
            }
            let waited = inner.wait_for_hold(own_hold).await;
            for limiter in inner.limiter.iter().chain(&self.limiter) {
                limiter.acquire().await;
            }
            let started = std::time::Instant::now();
            let mut req = inner
                .http
                .request(self.method.clone(), url.clone())
                .timeout(inner.timeout)
                .headers(inner.headers.clone())
                .headers(self.headers.clone());
            if let Some((name, value)) = &auth {
                req = req.header(name.clone(), value.clone());
            }
            if let Body::Bytes(content_type, body) = &self.body {
                req = req.header(CONTENT_TYPE, *content_type).body(body.clone());
            }
            let result = async {
                let resp = req.send().await?;
                let status = resp.status().as_u16();
                let headers = resp.headers().clone();
                let body = resp.bytes().await?;
                Ok::<_, reqwest::Error>(Response {
                    status,
                    headers,
                    body,
                })
            }
            .instrument(span.clone())
            .await;
            if let Some(observer) = &observer {
                observed(
                    observer.as_ref(),
                    &self.method,
                    &url,
                    attempt,
                    &result,
                    started,
                    provider,
                );
            }

            // `Retry-After` read once: for the shared hold and for the retry policy.
            let retry_after = result
                .as_ref()
                .ok()
                .and_then(|r| r.header("retry-after"))
                .and_then(|v| parse_retry_after(v, inner.clock.now()));
            if let Ok(r) = &result {
                own_hold = inner.note_hold(r.status, retry_after, waited.or(own_hold));
                if let Some(until) = own_hold.filter(|_| r.status == 429) {
                    let wait = until
                        .duration_since(inner.clock.now())
                        .unwrap_or(Duration::ZERO);
                    for limiter in inner.limiter.iter().chain(&self.limiter) {
                        limiter.slow_down(wait);
                    }
                }
            }
            // Classify first: the retry policy decides on the error the
            // provider's classifier gives this answer, never on the bare status.
            let error = match result {
                Ok(response) => {
                    span.record("status", response.status);
                    match classify(inner, response) {
                        Ok(response) => return Ok(response),
                        Err(error) => error,
                    }
                }
                Err(e) if e.is_timeout() => Error::Timeout {
                    provider,
                    after: inner.timeout,
                    attempts: attempt,
                },
                Err(e) => Error::Transport {
                    provider,
                    source: Box::new(e.without_url()),
                },
            };
            let failure = Failure::of(&error).with_retry_after(retry_after);
            match inner
                .retry
                .decide(attempt, failure, &self.method, self.idempotency)
            {
                Decision::RetryAfter(delay) => {
                    // The class and status only: an error's message may quote the body.
                    let status = error.status();
                    tracing::debug!(parent: &span, class = ?failure.class, ?status, ?delay, "retrying");
                    inner.clock.sleep(delay).await;
                }
                Decision::Stop => return Err(error),
            }
        }
    }
}

impl Request<'_> {
    /// Shows this attempt to the observer; true when it is to be held back.
    fn held(
        &self,
        observer: &dyn super::Observer,
        url: &Url,
        auth: Option<&(HeaderName, HeaderValue)>,
        attempt: u32,
    ) -> bool {
        let inner = &self.transport.inner;
        let mut headers = inner.headers.clone();
        headers.extend(self.headers.clone());
        if let Some((name, value)) = auth {
            headers.insert(name.clone(), value.clone());
        }
        let body: &[u8] = match &self.body {
            Body::Bytes(content_type, body) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
                body
            }
            _ => &[],
        };
        let request = super::OutgoingRequest {
            provider: inner.provider,
            method: &self.method,
            url,
            path_template: self.path.template(),
            headers: &headers,
            body,
            attempt,
        };
        observer.on_request(&request) == super::Verdict::Hold
    }
}

/// Tells the observer what became of an attempt.
fn observed(
    observer: &dyn super::Observer,
    method: &Method,
    url: &Url,
    attempt: u32,
    result: &std::result::Result<Response, reqwest::Error>,
    started: std::time::Instant,
    provider: Provider,
) {
    let empty = HeaderMap::new();
    let (status, headers, body_len, failure) = match result {
        Ok(r) => (Some(r.status), &r.headers, Some(r.body.len()), None),
        Err(e) => (None, &empty, None, Some(failure_text(e))),
    };
    observer.on_response(&super::ObservedResponse {
        provider,
        method,
        url,
        attempt,
        status,
        headers,
        body_len,
        failure,
        elapsed: started.elapsed(),
    });
}

/// A transport error's text without the URL it names (the URL can carry a
/// query the observer already shows its own way).
fn failure_text(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else {
        "transport error".to_owned()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let shown = cause.to_string();
        if !text.contains(&shown) {
            text.push_str(": ");
            text.push_str(&shown);
        }
        source = cause.source();
    }
    text
}

impl Inner {
    /// Waits out a hold another request set; returns the hold waited for.
    async fn wait_for_hold(
        &self,
        own: Option<std::time::SystemTime>,
    ) -> Option<std::time::SystemTime> {
        let until = (*self.hold.lock().unwrap_or_else(|p| p.into_inner()))?;
        if Some(until) == own {
            return Some(until);
        }
        if let Ok(wait) = until.duration_since(self.clock.now()) {
            let wait = wait.min(self.retry.max_retry_after);
            tracing::debug!(?wait, "waiting: the platform asked to slow down");
            self.clock.sleep(wait).await;
        }
        Some(until)
    }

    /// Sets the hold on a 429 (`retry_after`, the answer's `Retry-After` as
    /// the retry loop read it, else one second), or lifts the hold this
    /// request saw once it gets any other answer.
    fn note_hold(
        &self,
        status: u16,
        retry_after: Option<Duration>,
        seen: Option<std::time::SystemTime>,
    ) -> Option<std::time::SystemTime> {
        let mut hold = self.hold.lock().unwrap_or_else(|p| p.into_inner());
        if status == 429 {
            let now = self.clock.now();
            let asked = retry_after
                .unwrap_or(Duration::from_secs(1))
                .min(self.retry.max_retry_after);
            let until = now + asked;
            let until = hold.map_or(until, |h| h.max(until));
            *hold = Some(until);
            return Some(until);
        }
        if seen.is_some() && *hold == seen {
            *hold = None;
        }
        None
    }
}

fn classify(inner: &Inner, response: Response) -> Result<Response> {
    if let Some(err) = inner.classifier.classify(inner.provider, &response) {
        return Err(err);
    }
    if response.is_success() {
        Ok(response)
    } else {
        Err(default_error(inner.provider, &response, inner.clock.now()))
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::ManualClock;

    /// The hold a 429 sets is the `Retry-After` the retry loop read, handed
    /// in (never read from the answer a second time); without one, a second.
    #[test]
    fn a_429_holds_for_the_retry_after_the_loop_read() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let t = Transport::builder(Provider::Gumroad, "http://127.0.0.1:9")
            .clock(Arc::new(ManualClock::new(now)))
            .build()
            .unwrap();
        let held = t.inner.note_hold(429, Some(Duration::from_secs(7)), None);
        assert_eq!(held, Some(now + Duration::from_secs(7)));
        // A later, shorter hold never shortens the one in force.
        let held = t.inner.note_hold(429, None, None);
        assert_eq!(held, Some(now + Duration::from_secs(7)));
        // Another answer lifts the hold this request saw.
        assert_eq!(t.inner.note_hold(200, None, held), None);
        assert_eq!(
            t.inner.note_hold(429, None, None),
            Some(now + Duration::from_secs(1))
        );
    }
}
