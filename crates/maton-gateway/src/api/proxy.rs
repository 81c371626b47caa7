//! The generic, app-agnostic proxy: `{gateway}/{app}/{native path}`.

use std::fmt;
use std::sync::Arc;

use creator_core::http::{Path, Response, Transport};
use creator_core::retry::Idempotency;
use creator_core::{Error, Provider, Result};
use http::Method;
use http::header::{HeaderName, HeaderValue};
use serde::de::DeserializeOwned;

use crate::classify::UpstreamShape;
use crate::client::{CONNECTION_HEADER, Config};

/// Path templates by segment count: the logged template never shows the
/// segments themselves (ids, emails), only how many there were.
#[rustfmt::skip]
const TEMPLATES: [&str; 33] = [
    "",
    "/{}",
    "/{}/{}",
    "/{}/{}/{}",
    "/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}",
    "/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}/{}",
];

/// The most path segments a proxied request may have.
pub const MAX_PATH_SEGMENTS: usize = TEMPLATES.len() - 1;

/// Requests to one app through the gateway; get it with
/// [`MatonClient::app`](crate::MatonClient::app).
///
/// Paths are the app's own (`/api/chat.postMessage` for Slack), appended to
/// `{gateway}/{app}`. Query parameters, bodies and custom headers are passed
/// through (Maton forwards every header except `Host` and `Authorization`).
///
/// ```no_run
/// use maton_gateway::MatonClient;
///
/// # async fn run() -> creator_core::Result<()> {
/// let maton = MatonClient::from_env()?;
/// let slack = maton.app("slack");
/// let sent: serde_json::Value = slack
///     .post("/api/chat.postMessage")
///     .json_body(&serde_json::json!({"channel": "C0123456789", "text": "Hello!"}))
///     .json()
///     .await?;
/// println!("{sent}");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AppProxy {
    app: String,
    transport: std::result::Result<Transport, String>,
    connection: Option<String>,
    config: Arc<Config>,
}

impl fmt::Debug for AppProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppProxy")
            .field("app", &self.app)
            .field("transport", &self.transport)
            .field("connection", &self.connection)
            .finish_non_exhaustive()
    }
}

impl AppProxy {
    pub(crate) fn new(config: Arc<Config>, app: &str) -> Self {
        Self {
            app: app.to_owned(),
            transport: config.app_transport(app, None),
            connection: config.connection.clone(),
            config,
        }
    }

    /// The app name (first path segment on the gateway).
    pub fn name(&self) -> &str {
        &self.app
    }

    /// The `Maton-Connection` sent with this proxy's requests (the client's
    /// default unless changed with [`AppProxy::connection`]).
    pub fn connection_id(&self) -> Option<&str> {
        self.connection.as_deref()
    }

    /// Sends `Maton-Connection: <id>` with every request of this proxy.
    pub fn connection(mut self, connection_id: impl Into<String>) -> Self {
        self.connection = Some(connection_id.into());
        self
    }

    /// Sends no `Maton-Connection` header (Maton then picks the app's
    /// connection itself; with several connections Maton asks you to always
    /// send it).
    pub fn without_connection(mut self) -> Self {
        self.connection = None;
        self
    }

    /// Tells how the app's own error bodies look, so they are reported as
    /// passthrough errors rather than as Maton's (see
    /// [`MatonClassifier`](crate::MatonClassifier)). Without it, a 400,
    /// 401, 429 or 500 whose body is not an HTML page is taken for Maton's.
    ///
    /// ```
    /// use creator_core::http::Response;
    /// use maton_gateway::MatonClient;
    ///
    /// fn slack_error(r: &Response) -> bool {
    ///     serde_json::from_slice::<serde_json::Value>(&r.body).is_ok_and(|v| v.get("ok").is_some())
    /// }
    /// let maton = MatonClient::builder().api_key("key").build()?;
    /// let slack = maton.app("slack").upstream_errors(slack_error);
    /// # let _ = slack;
    /// # Ok::<(), creator_core::Error>(())
    /// ```
    pub fn upstream_errors(mut self, shape: UpstreamShape) -> Self {
        self.transport = self.config.app_transport(&self.app, Some(shape));
        self
    }

    /// The transport (base URL `{gateway}/{app}`), for callers that build
    /// requests themselves.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the app name is not a valid path segment.
    pub fn transport(&self) -> Result<&Transport> {
        self.transport
            .as_ref()
            .map_err(|reason| Error::InvalidInput(reason.clone()))
    }

    /// Starts a request with any method.
    ///
    /// `path` is the app's own path, unencoded: each `/`-separated segment
    /// is percent-encoded on its own (so `a b` becomes `a%20b`, and `%` is
    /// sent as `%25`). A query string after `?` is decoded (`+` is a space)
    /// and sent again with [`AppRequest::query`]'s pairs; prefer `query`.
    pub fn request(&self, method: Method, path: impl Into<String>) -> AppRequest {
        AppRequest {
            proxy: self.clone(),
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::None,
            idempotency: None,
        }
    }

    /// Starts a GET request.
    pub fn get(&self, path: impl Into<String>) -> AppRequest {
        self.request(Method::GET, path)
    }

    /// Starts a POST request (never retried unless marked [`Idempotency::Safe`]).
    pub fn post(&self, path: impl Into<String>) -> AppRequest {
        self.request(Method::POST, path)
    }

    /// Starts a PUT request.
    pub fn put(&self, path: impl Into<String>) -> AppRequest {
        self.request(Method::PUT, path)
    }

    /// Starts a PATCH request (never retried unless marked [`Idempotency::Safe`]).
    pub fn patch(&self, path: impl Into<String>) -> AppRequest {
        self.request(Method::PATCH, path)
    }

    /// Starts a DELETE request.
    pub fn delete(&self, path: impl Into<String>) -> AppRequest {
        self.request(Method::DELETE, path)
    }
}

#[derive(Debug, Clone)]
enum Body {
    None,
    Json(std::result::Result<serde_json::Value, String>),
    Form(Vec<(String, String)>),
    Raw(&'static str, bytes::Bytes),
}

/// A request to an app through the gateway. It owns everything it needs,
/// so it can be stored and sent later.
#[derive(Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct AppRequest {
    proxy: AppProxy,
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Body,
    idempotency: Option<Idempotency>,
}

impl fmt::Debug for AppRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppRequest")
            .field("app", &self.proxy.app)
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

impl AppRequest {
    /// Adds a query parameter (repeated keys are kept, in order).
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
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

    /// Adds a header, forwarded to the app by Maton. `Authorization` and
    /// `Host` are refused when sending: Maton sets the app's credentials.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sends `Maton-Connection: <id>` with this request.
    pub fn connection(mut self, connection_id: impl Into<String>) -> Self {
        self.proxy.connection = Some(connection_id.into());
        self
    }

    /// Sends `value` as a JSON body.
    pub fn json_body<T: serde::Serialize + ?Sized>(mut self, value: &T) -> Self {
        self.body = Body::Json(serde_json::to_value(value).map_err(|e| e.to_string()));
        self
    }

    /// Sends `pairs` as an `application/x-www-form-urlencoded` body.
    pub fn form<K: Into<String>, V: Into<String>>(
        mut self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.body = Body::Form(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        );
        self
    }

    /// Sends raw bytes with the given `Content-Type` (file uploads and other
    /// bodies that are neither JSON nor a form).
    pub fn body(mut self, content_type: &'static str, bytes: impl Into<bytes::Bytes>) -> Self {
        self.body = Body::Raw(content_type, bytes.into());
        self
    }

    /// Declares whether the request may be repeated by the retry loop
    /// (default: by method; POST and PATCH are never repeated).
    pub fn idempotency(mut self, idempotency: Idempotency) -> Self {
        self.idempotency = Some(idempotency);
        self
    }

    /// Sends the request and returns the raw response of a 2xx status.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a bad app name, path or header; errors of
    /// the transport; or, for a non-2xx status, Maton's own error (see
    /// [`MatonErrorKind`](crate::MatonErrorKind)) or the app's passthrough
    /// error with its raw body.
    pub async fn send(self) -> Result<Response> {
        let transport = self.proxy.transport()?;
        let (path, query_in_path) = split_query(&self.path);
        let segments: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
        let segments: Vec<&str> = if path.trim_start_matches('/').is_empty() {
            Vec::new()
        } else {
            segments
        };
        let template = TEMPLATES.get(segments.len()).ok_or_else(|| {
            Error::InvalidInput(format!(
                "the path has {} segments; at most {MAX_PATH_SEGMENTS} are supported",
                segments.len()
            ))
        })?;
        let mut req = transport
            .request(self.method.clone(), Path::new(template, &segments))
            .query_pairs(query_in_path)
            .query_pairs(self.query);
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::InvalidInput(format!("invalid header name `{name}`")))?;
            if name == http::header::AUTHORIZATION || name == http::header::HOST {
                return Err(Error::InvalidInput(format!(
                    "header `{name}` cannot be set on a proxied request: Maton sends the app's \
                     credentials itself and does not forward `{name}`"
                )));
            }
            let value = HeaderValue::from_str(value)
                .map_err(|_| Error::InvalidInput(format!("invalid value for header `{name}`")))?;
            req = req.header(name, value);
        }
        if let Some(id) = &self.proxy.connection {
            let value = HeaderValue::from_str(id).map_err(|_| {
                Error::InvalidInput("the connection id is not a valid header value".into())
            })?;
            req = req.header(HeaderName::from_static(CONNECTION_HEADER), value);
        }
        req = match &self.body {
            Body::None => req,
            Body::Json(Ok(value)) => req.json_body(value),
            Body::Json(Err(reason)) => {
                return Err(Error::InvalidInput(format!(
                    "request body could not be serialized: {reason}"
                )));
            }
            Body::Form(pairs) => req.form(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
            Body::Raw(content_type, bytes) => req.body(content_type, bytes.clone()),
        };
        if let Some(idempotency) = self.idempotency {
            req = req.idempotency(idempotency);
        }
        req.send().await
    }

    /// Sends the request and decodes a 2xx JSON body into `T`.
    ///
    /// # Errors
    /// As [`AppRequest::send`], plus [`Error::Decode`] with the failing field path.
    pub async fn json<T: DeserializeOwned>(self) -> Result<T> {
        self.send().await?.json(Provider::Maton)
    }
}

/// Splits `/path?a=1&b=2` into the path and decoded query pairs.
fn split_query(path: &str) -> (&str, Vec<(String, String)>) {
    match path.split_once('?') {
        Some((p, q)) => (
            p,
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect(),
        ),
        None => (path, Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_have_one_placeholder_per_segment() {
        for (i, t) in TEMPLATES.iter().enumerate() {
            assert_eq!(t.matches("{}").count(), i, "{t}");
        }
    }

    #[test]
    fn query_in_the_path_is_split_off() {
        let (p, q) = split_query("/v2/sales?after=2026-01-01&page=2");
        assert_eq!(p, "/v2/sales");
        assert_eq!(
            q,
            vec![
                ("after".to_owned(), "2026-01-01".to_owned()),
                ("page".to_owned(), "2".to_owned())
            ]
        );
        assert_eq!(split_query("/v2/user").1, vec![]);
    }
}
