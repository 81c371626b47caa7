//! Telling Maton's own errors apart from errors the target app passes through.

use std::fmt;
use std::sync::Arc;

use creator_core::http::{Response, ResponseClassifier, default_error, message_from_body};
use creator_core::retry::parse_retry_after;
use creator_core::{Clock, Error, Provider, RawBody, SystemClock};
use gumroad_api::GumroadClassifier;

/// `code` of the [`Error::Api`] for Maton's HTTP 400 on a proxied request.
pub const CODE_NO_CONNECTION: &str = "maton_no_connection";
/// `code` of the [`Error::Api`] for Maton's HTTP 500.
pub const CODE_SERVER_ERROR: &str = "maton_server_error";
/// `code` of the [`Error::Api`] for a 400 from the control plane (`/connections`).
pub const CODE_BAD_REQUEST: &str = "maton_bad_request";

/// Where Maton documents its API keys.
const KEYS_URL: &str = "https://maton.ai/settings";

/// One of the errors Maton itself documents (as opposed to an error the
/// target app passed through with its own status and body).
///
/// Recover it from an [`Error`] with [`MatonErrorKind::of`].
///
/// ```
/// use maton_gateway::MatonErrorKind;
///
/// # async fn run(maton: maton_gateway::MatonClient) {
/// match maton.gumroad().user().get().await {
///     Err(e) if MatonErrorKind::of(&e) == Some(MatonErrorKind::NoConnection) => {
///         let c = maton.connections().create(&maton_gateway::CreateConnection::new("gumroad")).await;
///         println!("open this URL to connect Gumroad: {:?}", c.ok().and_then(|c| c.url));
///     }
///     other => println!("{other:?}"),
/// }
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MatonErrorKind {
    /// HTTP 400 on a proxied request: Maton has no (active) connection for the
    /// app. Reported as [`Error::Api`] with code [`CODE_NO_CONNECTION`].
    NoConnection,
    /// HTTP 401: the Maton API key is invalid, missing or expired. Reported as
    /// [`Error::Unauthorized`] with provider [`Provider::Maton`].
    InvalidApiKey,
    /// HTTP 429: more than 10 requests per second on the account. Reported as
    /// [`Error::RateLimited`] with provider [`Provider::Maton`] (after the
    /// transport's retries, which honour `Retry-After`).
    RateLimited,
    /// HTTP 500: Maton's internal error, most often an expired upstream OAuth
    /// refresh token; the message says how to reconnect. Reported as
    /// [`Error::Api`] with code [`CODE_SERVER_ERROR`].
    ServerError,
    /// HTTP 400 from the control plane (a request Maton refused, such as an
    /// unknown app name). Reported as [`Error::Api`] with code [`CODE_BAD_REQUEST`].
    BadRequest,
}

impl MatonErrorKind {
    /// The Maton error kind of `error`, or `None` when the error did not come
    /// from Maton itself (a passthrough error of the target app, a transport
    /// failure, a decode error, …).
    ///
    /// ```
    /// use creator_core::{Error, Provider, RawBody};
    /// use maton_gateway::MatonErrorKind;
    ///
    /// let err = Error::Unauthorized { provider: Provider::Maton, status: 401, message: String::new(), body: RawBody::default() };
    /// assert_eq!(MatonErrorKind::of(&err), Some(MatonErrorKind::InvalidApiKey));
    /// let err = Error::Unauthorized { provider: Provider::Gumroad, status: 401, message: String::new(), body: RawBody::default() };
    /// assert_eq!(MatonErrorKind::of(&err), None);
    /// ```
    pub fn of(error: &Error) -> Option<Self> {
        match error {
            Error::Api {
                provider: Provider::Maton,
                code: Some(code),
                ..
            } => match code.as_str() {
                CODE_NO_CONNECTION => Some(Self::NoConnection),
                CODE_SERVER_ERROR => Some(Self::ServerError),
                CODE_BAD_REQUEST => Some(Self::BadRequest),
                _ => None,
            },
            Error::Unauthorized {
                provider: Provider::Maton,
                ..
            } => Some(Self::InvalidApiKey),
            Error::RateLimited {
                provider: Provider::Maton,
                ..
            } => Some(Self::RateLimited),
            _ => None,
        }
    }
}

/// Who produced an error response, as far as [`MatonClassifier`] can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorSource {
    /// Maton itself.
    Maton(MatonErrorKind),
    /// The target app (Gumroad, Slack, …), passed through unchanged.
    Upstream,
}

/// Decides whether an error response has the shape of the target app's own
/// errors. Used for proxied requests to tell them from Maton's errors.
pub type UpstreamShape = fn(&Response) -> bool;

#[derive(Clone)]
enum Route {
    /// `/connections`: every error is Maton's own.
    Control,
    /// `/gumroad/...`: Gumroad's shapes are known; passthrough errors go to
    /// [`GumroadClassifier`].
    Gumroad,
    /// `/{app}/...` for any other app.
    App {
        app: String,
        upstream: Option<UpstreamShape>,
    },
}

/// The [`ResponseClassifier`] for requests through Maton.
///
/// Maton documents its own errors only by status (400: no connection for
/// the app, 401: bad Maton key, 429: more than 10 requests per second,
/// 500: internal error, most often an expired upstream OAuth token) and
/// passes the target app's errors through *with their original status and
/// body*. It does not document the body of its own errors, nor a header
/// that marks them. So telling the two apart is a **heuristic**, applied to
/// error responses (non-2xx) of proxied requests:
///
/// 1. If the response has the shape of the target app's errors, it is a
///    passthrough. For Gumroad these shapes are known (see the Gumroad
///    reference notes): a JSON body with a `success` key, Gumroad's
///    `{"status": 400, "error": …}`, an OAuth `error_description`, an empty
///    401/403/404 body (Doorkeeper), a `WWW-Authenticate` header naming
///    Doorkeeper, an HTML page (Gumroad's Cloudflare edge), or Gumroad's
///    known plain texts (`Retry later`, the license `product_id` message).
///    Such responses go to [`GumroadClassifier`] and are reported with
///    provider [`Provider::Gumroad`]. For any other app the only built-in
///    markers are an HTML body and an empty 401/403/404 body; pass the app's
///    own shape with [`AppProxy::upstream_errors`](crate::AppProxy::upstream_errors).
/// 2. Otherwise a 400, 401, 429 or 500 is Maton's own and becomes the
///    matching [`MatonErrorKind`], reported with provider [`Provider::Maton`].
/// 3. Any other status is a passthrough.
///
/// On the control plane (`/connections`) every error is Maton's own.
/// Response bodies are always kept raw ([`Error::raw_body`]).
///
/// ```
/// use creator_core::http::Response;
/// use maton_gateway::{ErrorSource, MatonClassifier, MatonErrorKind};
///
/// let gumroad = MatonClassifier::gumroad();
/// let maton_400 = Response { status: 400, headers: Default::default(), body: r#"{"message":"no connection"}"#.into() };
/// assert_eq!(gumroad.source(&maton_400), ErrorSource::Maton(MatonErrorKind::NoConnection));
/// let gumroad_400 = Response { status: 400, headers: Default::default(), body: r#"{"status":400,"error":"Invalid product ID."}"#.into() };
/// assert_eq!(gumroad.source(&gumroad_400), ErrorSource::Upstream);
/// ```
#[derive(Clone)]
pub struct MatonClassifier {
    route: Route,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for MatonClassifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let route = match &self.route {
            Route::Control => "connections".to_owned(),
            Route::Gumroad => "gumroad".to_owned(),
            Route::App { app, upstream } => format!(
                "{app}{}",
                if upstream.is_some() {
                    " (upstream shape given)"
                } else {
                    ""
                }
            ),
        };
        f.debug_struct("MatonClassifier")
            .field("route", &route)
            .finish_non_exhaustive()
    }
}

impl MatonClassifier {
    /// For the control plane (`/connections`): every error is Maton's.
    pub fn control() -> Self {
        Self::with_route(Route::Control)
    }

    /// For Gumroad through Maton (`/gumroad/v2/...`).
    pub fn gumroad() -> Self {
        Self::with_route(Route::Gumroad)
    }

    /// For any other app through Maton (`/{app}/...`). `upstream` tells the
    /// app's own error shapes; without it only HTML pages and empty
    /// 401/403/404 bodies count as passthrough.
    pub fn app(app: impl Into<String>, upstream: Option<UpstreamShape>) -> Self {
        Self::with_route(Route::App {
            app: app.into(),
            upstream,
        })
    }

    fn with_route(route: Route) -> Self {
        Self {
            route,
            clock: Arc::new(SystemClock),
        }
    }

    /// Uses `clock` to read `Retry-After` dates.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    fn app_name(&self) -> &str {
        match &self.route {
            Route::Control => "connections",
            Route::Gumroad => "gumroad",
            Route::App { app, .. } => app,
        }
    }

    /// Who produced this (error) response. For a 2xx response the answer is
    /// [`ErrorSource::Upstream`]: Maton does not report its own errors with
    /// a success status.
    pub fn source(&self, response: &Response) -> ErrorSource {
        if response.is_success() {
            return ErrorSource::Upstream;
        }
        let status = response.status;
        match &self.route {
            Route::Control => match status {
                400 => ErrorSource::Maton(MatonErrorKind::BadRequest),
                401 => ErrorSource::Maton(MatonErrorKind::InvalidApiKey),
                429 => ErrorSource::Maton(MatonErrorKind::RateLimited),
                500 => ErrorSource::Maton(MatonErrorKind::ServerError),
                // 404 (unknown connection id) and the rest: Maton's too, but
                // without a documented meaning; the default mapping applies.
                _ => ErrorSource::Upstream,
            },
            Route::Gumroad | Route::App { .. } => {
                let upstream_shaped = match &self.route {
                    Route::Gumroad => gumroad_shaped(response),
                    Route::App { upstream, .. } => {
                        generic_upstream_shaped(response) || upstream.is_some_and(|f| f(response))
                    }
                    Route::Control => false,
                };
                if upstream_shaped {
                    return ErrorSource::Upstream;
                }
                match status {
                    400 => ErrorSource::Maton(MatonErrorKind::NoConnection),
                    401 => ErrorSource::Maton(MatonErrorKind::InvalidApiKey),
                    429 => ErrorSource::Maton(MatonErrorKind::RateLimited),
                    500 => ErrorSource::Maton(MatonErrorKind::ServerError),
                    _ => ErrorSource::Upstream,
                }
            }
        }
    }

    fn maton_error(&self, kind: MatonErrorKind, response: &Response) -> Error {
        let status = response.status;
        let body = RawBody::new(response.body.clone());
        let detail = detail(response);
        let app = self.app_name();
        match kind {
            MatonErrorKind::NoConnection => Error::Api {
                provider: Provider::Maton,
                status,
                code: Some(CODE_NO_CONNECTION.to_owned()),
                message: format!(
                    "Maton has no usable connection for app `{app}` (HTTP 400, Maton's documented \
                     meaning): create one with `connections().create(..)` and open its `url`, or \
                     set `Maton-Connection` to an ACTIVE connection id{detail}"
                ),
                body,
            },
            MatonErrorKind::InvalidApiKey => Error::Unauthorized {
                provider: Provider::Maton,
                status,
                message: format!(
                    "the Maton API key is invalid, missing or expired (check MATON_API_KEY; keys \
                     are at {KEYS_URL}){detail}"
                ),
                body,
            },
            MatonErrorKind::RateLimited => Error::RateLimited {
                provider: Provider::Maton,
                retry_after: response
                    .header("retry-after")
                    .and_then(|v| parse_retry_after(v, self.clock.now())),
                body,
            },
            MatonErrorKind::ServerError => Error::Api {
                provider: Provider::Maton,
                status,
                code: Some(CODE_SERVER_ERROR.to_owned()),
                message: format!(
                    "Maton answered HTTP {status}. The most common cause is an expired OAuth \
                     refresh token on the `{app}` connection (connections older than about a \
                     month): reconnect — create a new connection, complete OAuth at its `url`, \
                     retry with `Maton-Connection: <new id>`, then delete the old connection{detail}"
                ),
                body,
            },
            MatonErrorKind::BadRequest => Error::Api {
                provider: Provider::Maton,
                status,
                code: Some(CODE_BAD_REQUEST.to_owned()),
                message: format!("Maton refused the request (HTTP {status}){detail}"),
                body,
            },
        }
    }

    /// The error for a passthrough response of the target app.
    fn upstream_error(&self, response: &Response) -> Option<Error> {
        let now = self.clock.now();
        match &self.route {
            Route::Gumroad => {
                if response.is_success() {
                    return GumroadClassifier::classify_gumroad(Provider::Gumroad, response);
                }
                let err = GumroadClassifier::classify_gumroad(Provider::Gumroad, response)
                    .unwrap_or_else(|| default_error(Provider::Gumroad, response, now));
                Some(match err {
                    Error::Unauthorized {
                        provider,
                        status,
                        message,
                        body,
                    } if message.is_empty() => Error::Unauthorized {
                        provider,
                        status,
                        message:
                            "Gumroad rejected the OAuth token Maton injected (an empty 401 is \
                                  Gumroad's shape): reconnect Gumroad in Maton. If the Maton API \
                                  key itself is wrong, Maton may answer the same way; check \
                                  MATON_API_KEY too"
                                .to_owned(),
                        body,
                    },
                    other => other,
                })
            }
            Route::Control | Route::App { .. } => {
                if response.is_success() {
                    None
                } else {
                    Some(default_error(Provider::Maton, response, now))
                }
            }
        }
    }
}

impl ResponseClassifier for MatonClassifier {
    fn classify(&self, _provider: Provider, response: &Response) -> Option<Error> {
        match self.source(response) {
            ErrorSource::Maton(kind) => Some(self.maton_error(kind, response)),
            ErrorSource::Upstream => self.upstream_error(response),
        }
    }
}

/// `": <message>"` from the body, or a preview of a non-empty body.
fn detail(response: &Response) -> String {
    let body = RawBody::new(response.body.clone());
    match message_from_body(&response.body) {
        Some(m) => format!(": {m}"),
        None if body.text().trim().is_empty() => String::new(),
        None => format!(": {}", body.preview()),
    }
}

fn looks_like_html(response: &Response) -> bool {
    let content_type = response
        .header("content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    content_type.contains("text/html") || trimmed(&response.body).starts_with(b"<")
}

fn trimmed(body: &[u8]) -> &[u8] {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    let end = body
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    body.get(start..end).unwrap_or_default()
}

/// Markers that hold for any app: an HTML page, or an empty 401/403/404 body.
fn generic_upstream_shaped(response: &Response) -> bool {
    let body = trimmed(&response.body);
    if body.is_empty() {
        return matches!(response.status, 401 | 403 | 404);
    }
    looks_like_html(response)
}

/// Gumroad's error shapes (reference notes, "Envelope and errors" and "Rate limits").
fn gumroad_shaped(response: &Response) -> bool {
    if generic_upstream_shaped(response) {
        return true;
    }
    if response
        .header("www-authenticate")
        .is_some_and(|v| v.contains("Doorkeeper"))
    {
        return true;
    }
    let body = trimmed(&response.body);
    if let Ok(serde_json::Value::Object(obj)) = serde_json::from_slice::<serde_json::Value>(body) {
        return obj.contains_key("success")
            || obj.contains_key("error_description")
            || (obj.get("status").is_some_and(serde_json::Value::is_number)
                && obj.contains_key("error"));
    }
    let text = String::from_utf8_lossy(body);
    text == "Retry later" || text.contains("'product_id' parameter is required")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: Default::default(),
            body: body.to_owned().into(),
        }
    }

    #[test]
    fn gumroad_route_source_table() {
        let c = MatonClassifier::gumroad();
        use ErrorSource::*;
        use MatonErrorKind::*;
        let table: &[(u16, &str, ErrorSource)] = &[
            (400, r#"{"message":"No connection"}"#, Maton(NoConnection)),
            (
                400,
                r#"{"status":400,"error":"Invalid product ID."}"#,
                Upstream,
            ),
            (400, "", Maton(NoConnection)),
            (401, r#"{"detail":"Invalid API key"}"#, Maton(InvalidApiKey)),
            (401, "", Upstream),
            (401, "Unauthorized", Maton(InvalidApiKey)),
            (403, "", Upstream),
            (404, r#"{"success":false,"error":"Not found"}"#, Upstream),
            (404, r#"{"message":"nope"}"#, Upstream),
            (429, "", Maton(RateLimited)),
            (429, "Retry later", Upstream),
            (429, "Retry later\n", Upstream),
            (429, r#"{"error":"Too many requests"}"#, Maton(RateLimited)),
            (500, "Internal Server Error", Maton(ServerError)),
            (500, "<html>oops</html>", Upstream),
            (
                500,
                "The 'product_id' parameter is required to verify this license.",
                Upstream,
            ),
            (502, "bad gateway", Upstream),
            (200, r#"{"success":false}"#, Upstream),
        ];
        for (status, body, want) in table {
            assert_eq!(c.source(&resp(*status, body)), *want, "{status} {body:?}");
        }
    }

    #[test]
    fn control_route_every_documented_status_is_maton() {
        let c = MatonClassifier::control();
        assert_eq!(
            c.source(&resp(400, r#"{"success":false}"#)),
            ErrorSource::Maton(MatonErrorKind::BadRequest)
        );
        assert_eq!(
            c.source(&resp(401, "")),
            ErrorSource::Maton(MatonErrorKind::InvalidApiKey)
        );
        assert_eq!(c.source(&resp(404, "")), ErrorSource::Upstream);
    }

    #[test]
    fn app_route_uses_the_given_upstream_shape() {
        fn slack(r: &Response) -> bool {
            r.body.starts_with(br#"{"ok":false"#)
        }
        let plain = MatonClassifier::app("slack", None);
        let shaped = MatonClassifier::app("slack", Some(slack));
        let r = resp(400, r#"{"ok":false,"error":"invalid_auth"}"#);
        assert_eq!(
            plain.source(&r),
            ErrorSource::Maton(MatonErrorKind::NoConnection)
        );
        assert_eq!(shaped.source(&r), ErrorSource::Upstream);
        assert!(format!("{shaped:?}").contains("slack"));
    }

    #[test]
    fn trimmed_handles_all_whitespace() {
        assert_eq!(trimmed(b"  \n"), b"");
        assert_eq!(trimmed(b" a b\n"), b"a b");
        assert_eq!(trimmed(b""), b"");
    }
}
