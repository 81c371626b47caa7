//! The webhook relay: an HTTP server with one endpoint per platform that
//! verifies each delivery, parses it, stores it in the [`ledger`](crate::ledger)
//! and answers well within Gumroad's 5-second limit.
//!
//! | request | answer |
//! |---|---|
//! | `POST /webhooks/<name>[/<secret>]`, verified and parsed, new | `200 {"status":"stored","id":…}` |
//! | the same event again (same `WebhookEvent::dedup_key`) | `200 {"status":"duplicate","id":…}`, stored once |
//! | wrong or missing secret / signature | `401`, kept in quarantine with the raw body |
//! | body that does not parse | `400`, quarantined |
//! | body over the size limit | `413`, quarantined with its first bytes and its size |
//! | unknown endpoint under `/webhooks/` | `404`, quarantined |
//! | endpoint known but not configured | `503`, quarantined (the platform retries) |
//! | the ledger cannot write in time | `503` (the platform retries; redeliveries are deduplicated) |
//! | `GET /healthz` | `200 {"status":"ok",…}` when the ledger answers, else `503` |
//!
//! Nothing posted under `/webhooks/` is dropped silently: it is an event or a
//! quarantine row. Secrets in the URL are never stored or logged.
//!
//! ```no_run
//! use std::sync::Arc;
//! use creator_cli::relay::{Endpoint, Relay, RelayConfig};
//!
//! # async fn run() -> Result<(), creator_cli::CliError> {
//! # let gumroad_webhooks: Arc<dyn creator_core::Webhooks> = todo!();
//! let ledger = creator_cli::ledger::open("creator.db").await?;
//! let endpoints = vec![Endpoint::new("gumroad", gumroad_webhooks).url_secret("a-long-random-secret")];
//! let relay = Relay::start(RelayConfig::default(), endpoints, ledger).await?;
//! println!("listening on {}", relay.local_addr());
//! relay.shutdown().await?; // finishes in-flight requests, then closes the ledger
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::{Bytes, BytesMut};
use creator_core::{Secret, WebhookDelivery, Webhooks};
use futures::StreamExt;
use serde_json::json;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::CliError;
use crate::ledger::{Ledger, NewEvent, NewQuarantine, Recorded, kind_name, timestamp};

/// The default body limit: Gumroad pings are a few KiB, Gank JSON events smaller.
pub const DEFAULT_MAX_BODY_BYTES: usize = 256 * 1024;
/// How much of an oversized body is kept in quarantine.
pub const QUARANTINE_KEEP_BYTES: usize = 64 * 1024;
/// How many bytes of an oversized body are read (and counted) before the
/// connection is given up, as a multiple of the limit.
const DRAIN_FACTOR: usize = 8;

/// Request headers whose values are never stored.
const REDACTED_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
];

/// Relay settings.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// Address to listen on (`127.0.0.1:8787`; port 0 picks a free one).
    pub listen: SocketAddr,
    /// Largest accepted body.
    pub max_body_bytes: usize,
    /// How long reading one request body may take.
    pub read_timeout: Duration,
    /// How long storing one delivery may take before the relay answers 503
    /// (below Gumroad's 5-second limit).
    pub store_timeout: Duration,
    /// How long a graceful shutdown waits for in-flight requests.
    pub shutdown_grace: Duration,
    /// Print one line per delivery on stderr.
    pub log: bool,
}

impl Default for RelayConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            read_timeout: Duration::from_secs(10),
            store_timeout: Duration::from_secs(4),
            shutdown_grace: Duration::from_secs(30),
            log: true,
        }
    }
}

/// Whether an endpoint takes a secret as its last path segment, and who checks it.
#[derive(Clone)]
enum PathToken {
    /// `/webhooks/<name>` only.
    None,
    /// `/webhooks/<name>/<secret>`, checked by the relay before the provider verifies.
    Relay(Secret),
    /// `/webhooks/<name>/<secret>`, checked by the provider's `verify` (which sees the URI).
    Provider,
}

/// One `/webhooks/<name>` endpoint backed by a provider's [`Webhooks`].
#[derive(Clone)]
pub struct Endpoint {
    name: String,
    webhooks: Result<Arc<dyn Webhooks>, String>,
    path_token: PathToken,
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("name", &self.name)
            .field(
                "provider",
                &self.webhooks.as_ref().map(|w| w.provider().as_str()),
            )
            .field(
                "path_token",
                &match &self.path_token {
                    PathToken::None => "none",
                    PathToken::Relay(_) => "checked by the relay (<redacted>)",
                    PathToken::Provider => "checked by the provider",
                },
            )
            .finish()
    }
}

impl Endpoint {
    /// An endpoint at `/webhooks/<name>` that verifies and parses with `webhooks`.
    pub fn new(name: impl Into<String>, webhooks: Arc<dyn Webhooks>) -> Self {
        Self {
            name: name.into(),
            webhooks: Ok(webhooks),
            path_token: PathToken::None,
        }
    }

    /// An endpoint that exists but cannot verify yet (missing key, provider
    /// support not built): deliveries are quarantined and answered 503 so the
    /// platform retries once it is configured.
    pub fn unavailable(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            webhooks: Err(reason.into()),
            path_token: PathToken::None,
        }
    }

    /// Requires a secret as the last path segment, `/webhooks/<name>/<secret>`,
    /// checked by the relay in constant time before the provider verifies the
    /// delivery (for platforms that do not sign, or as a second check).
    pub fn url_secret(mut self, secret: impl Into<Secret>) -> Self {
        self.path_token = PathToken::Relay(secret.into());
        self
    }

    /// Accepts `/webhooks/<name>/<token>` and leaves checking the token to the
    /// provider's [`Webhooks::verify`], which sees the request URI (for
    /// example `gumroad_api::webhook::GumroadWebhooks` with a URL token).
    pub fn token_in_path(mut self) -> Self {
        self.path_token = PathToken::Provider;
        self
    }

    /// The endpoint name (the path segment after `/webhooks/`).
    pub fn name(&self) -> &str {
        &self.name
    }
}

struct App {
    endpoints: HashMap<String, Endpoint>,
    ledger: Arc<dyn Ledger>,
    config: RelayConfig,
}

/// A running relay.
#[derive(Debug)]
pub struct Relay {
    local_addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    ledger: Arc<dyn Ledger>,
    grace: Duration,
}

impl Relay {
    /// Binds the listener and starts serving.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn start(
        config: RelayConfig,
        endpoints: Vec<Endpoint>,
        ledger: Arc<dyn Ledger>,
    ) -> Result<Relay, CliError> {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|e| {
                CliError::Relay(format!(
                    "cannot listen on {}: {e} (choose another --listen address)",
                    config.listen
                ))
            })?;
        let local_addr = listener
            .local_addr()
            .map_err(|e| CliError::Relay(e.to_string()))?;
        let grace = config.shutdown_grace;
        let app = Arc::new(App {
            endpoints: endpoints.into_iter().map(|e| (e.name.clone(), e)).collect(),
            ledger: ledger.clone(),
            config,
        });
        let router = router(app);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(Relay {
            local_addr,
            stop: Some(stop),
            task,
            ledger,
            grace,
        })
    }

    /// The address the relay listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting connections, lets in-flight requests finish (up to the
    /// configured grace period), then closes the ledger.
    ///
    /// # Errors
    /// When the server failed, or in-flight requests outlived the grace period.
    pub async fn shutdown(mut self) -> Result<(), CliError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let result = match tokio::time::timeout(self.grace, &mut self.task).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(e))) => Err(CliError::Relay(format!("server error: {e}"))),
            Ok(Err(e)) => Err(CliError::Relay(format!("server task failed: {e}"))),
            Err(_) => {
                self.task.abort();
                Err(CliError::Relay(format!(
                    "in-flight requests did not finish within {:?}; stopped anyway",
                    self.grace
                )))
            }
        };
        self.ledger.close().await;
        result
    }
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/webhooks/{endpoint}", post(deliver))
        .route("/webhooks/{endpoint}/{token}", post(deliver_with_token))
        .with_state(app)
}

fn json_response(status: StatusCode, value: serde_json::Value) -> Response {
    let mut response = (status, value.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

async fn healthz(State(app): State<Arc<App>>) -> Response {
    match tokio::time::timeout(Duration::from_secs(2), app.ledger.stats()).await {
        Ok(Ok(stats)) => {
            let mut names: Vec<_> = app.endpoints.keys().cloned().collect();
            names.sort();
            json_response(
                StatusCode::OK,
                json!({
                    "status": "ok",
                    "ledger": app.ledger.backend(),
                    "events": stats.events,
                    "quarantined": stats.quarantined,
                    "endpoints": names,
                }),
            )
        }
        Ok(Err(e)) => json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"status": "unavailable", "error": e.to_string()}),
        ),
        Err(_) => json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"status": "unavailable", "error": "the ledger did not answer within 2s"}),
        ),
    }
}

async fn deliver(
    State(app): State<Arc<App>>,
    Path(endpoint): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    handle(app, endpoint, None, uri, headers, body).await
}

async fn deliver_with_token(
    State(app): State<Arc<App>>,
    Path((endpoint, token)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    handle(app, endpoint, Some(token), uri, headers, body).await
}

/// What reading a body produced.
enum BodyRead {
    Complete(Bytes),
    TooLarge {
        head: Bytes,
        seen: u64,
    },
    Incomplete {
        head: Bytes,
        seen: u64,
        error: String,
    },
}

async fn read_body(body: Body, limit: usize, timeout: Duration) -> BodyRead {
    let mut stream = body.into_data_stream();
    let mut buf = BytesMut::new();
    let mut seen: u64 = 0;
    let mut over = false;
    let drain_cap = (limit.saturating_mul(DRAIN_FACTOR)) as u64;
    let keep = limit.min(QUARANTINE_KEEP_BYTES);
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let next = match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(next) => next,
            Err(_) => {
                let error = format!("the body was not received within {timeout:?}");
                return incomplete(buf, seen, error, over, keep);
            }
        };
        match next {
            None => break,
            Some(Ok(chunk)) => {
                seen += chunk.len() as u64;
                if over {
                    // Only count what is drained, up to a cap.
                    if seen > drain_cap {
                        break;
                    }
                    continue;
                }
                if buf.len() + chunk.len() > limit {
                    over = true;
                    let room = keep.saturating_sub(buf.len());
                    buf.extend_from_slice(&chunk[..room.min(chunk.len())]);
                    buf.truncate(keep);
                    if seen > drain_cap {
                        break;
                    }
                } else {
                    buf.extend_from_slice(&chunk);
                }
            }
            Some(Err(e)) => {
                return incomplete(
                    buf,
                    seen,
                    format!("reading the body failed: {e}"),
                    over,
                    keep,
                );
            }
        }
    }
    if over {
        BodyRead::TooLarge {
            head: buf.freeze(),
            seen,
        }
    } else {
        BodyRead::Complete(buf.freeze())
    }
}

fn incomplete(buf: BytesMut, seen: u64, error: String, over: bool, keep: usize) -> BodyRead {
    let mut buf = buf;
    if over {
        buf.truncate(keep);
    }
    BodyRead::Incomplete {
        head: buf.freeze(),
        seen,
        error,
    }
}

fn headers_json(headers: &HeaderMap) -> String {
    let mut map = serde_json::Map::new();
    for name in headers.keys() {
        let key = name.as_str();
        let value = if REDACTED_HEADERS.contains(&key) {
            "<redacted>".to_owned()
        } else {
            headers
                .get_all(name)
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        };
        map.insert(key.to_owned(), serde_json::Value::String(value));
    }
    serde_json::Value::Object(map).to_string()
}

fn content_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// Endpoint names are shown in logs and stored; keep them tame.
fn printable_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .take(64)
        .collect();
    if cleaned.is_empty() {
        "?".into()
    } else {
        cleaned
    }
}

struct Outcome {
    status: StatusCode,
    body: serde_json::Value,
    log: String,
}

async fn handle(
    app: Arc<App>,
    endpoint_name: String,
    token: Option<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let received_at = timestamp(time::OffsetDateTime::now_utc());
    let shown_name = printable_name(&endpoint_name);
    let outcome = process(
        &app,
        &endpoint_name,
        token,
        uri,
        &headers,
        body,
        &received_at,
    )
    .await;
    if app.config.log {
        eprintln!(
            "{received_at} POST /webhooks/{shown_name} {} {} ({} ms)",
            outcome.status.as_u16(),
            outcome.log,
            started.elapsed().as_millis()
        );
    }
    json_response(outcome.status, outcome.body)
}

#[allow(clippy::too_many_arguments)]
async fn process(
    app: &App,
    endpoint_name: &str,
    token: Option<String>,
    uri: Uri,
    headers: &HeaderMap,
    body: Body,
    received_at: &str,
) -> Outcome {
    let shown_name = printable_name(endpoint_name);
    let quarantine = |reason: &'static str,
                      error: String,
                      status: StatusCode,
                      raw: Bytes,
                      size: u64,
                      truncated: bool| NewQuarantine {
        received_at: received_at.to_owned(),
        endpoint: shown_name.clone(),
        reason: reason.to_owned(),
        error,
        status: status.as_u16(),
        content_type: content_type(headers),
        headers: headers_json(headers),
        body_size: size,
        body_truncated: truncated,
        raw_body: raw,
    };

    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let raw = match read_body(body, app.config.max_body_bytes, app.config.read_timeout).await {
        BodyRead::Complete(raw) => raw,
        BodyRead::TooLarge { head, seen } => {
            let size = seen.max(declared.unwrap_or(0));
            let error = format!(
                "body of {size} bytes is over the limit of {} bytes (--max-body-bytes)",
                app.config.max_body_bytes
            );
            return reject(
                app,
                quarantine(
                    "too_large",
                    error,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    head,
                    size,
                    true,
                ),
            )
            .await;
        }
        BodyRead::Incomplete { head, seen, error } => {
            let size = seen.max(declared.unwrap_or(0));
            let truncated = (head.len() as u64) < size;
            return reject(
                app,
                quarantine(
                    "incomplete",
                    error,
                    StatusCode::BAD_REQUEST,
                    head,
                    size,
                    truncated,
                ),
            )
            .await;
        }
    };
    let size = raw.len() as u64;

    let Some(endpoint) = app.endpoints.get(endpoint_name) else {
        let mut known: Vec<_> = app.endpoints.keys().map(String::as_str).collect();
        known.sort_unstable();
        let error = format!(
            "no endpoint /webhooks/{shown_name} (this relay serves: {})",
            known.join(", ")
        );
        return reject(
            app,
            quarantine(
                "unknown_endpoint",
                error,
                StatusCode::NOT_FOUND,
                raw,
                size,
                false,
            ),
        )
        .await;
    };
    let webhooks = match &endpoint.webhooks {
        Ok(w) => w.clone(),
        Err(reason) => {
            return reject(
                app,
                quarantine(
                    "not_configured",
                    reason.clone(),
                    StatusCode::SERVICE_UNAVAILABLE,
                    raw,
                    size,
                    false,
                ),
            )
            .await;
        }
    };
    // The relay's own URL secret, checked in constant time.
    match (&endpoint.path_token, &token) {
        (PathToken::Relay(secret), Some(given)) if secret.matches(given.as_bytes()) => {}
        (PathToken::Relay(_), _) => {
            let error = "the secret in the URL is missing or wrong".to_owned();
            return reject(
                app,
                quarantine(
                    "verification",
                    error,
                    StatusCode::UNAUTHORIZED,
                    raw,
                    size,
                    false,
                ),
            )
            .await;
        }
        (PathToken::None, Some(_)) => {
            let error = format!("/webhooks/{shown_name} takes no secret in the URL");
            return reject(
                app,
                quarantine(
                    "unknown_endpoint",
                    error,
                    StatusCode::NOT_FOUND,
                    raw,
                    size,
                    false,
                ),
            )
            .await;
        }
        (PathToken::None, None) | (PathToken::Provider, _) => {}
    }

    let delivery = WebhookDelivery::new(uri, headers.clone(), raw.clone());
    let verified = match webhooks.verify(&delivery) {
        Ok(v) => v,
        Err(e) => {
            let reason = if e.is_verification_failure() {
                "verification"
            } else {
                "parse"
            };
            let status = if e.is_verification_failure() {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::BAD_REQUEST
            };
            return reject(
                app,
                quarantine(reason, e.to_string(), status, raw, size, false),
            )
            .await;
        }
    };
    // A relay-checked URL secret is what authenticated an unsigned platform.
    let verified_how = match (&endpoint.path_token, verified) {
        (PathToken::Relay(_), creator_core::Verified::Unverified) => "url_token".to_owned(),
        (_, v) => serde_json::to_value(v)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "unknown".into()),
    };
    let event = match webhooks.parse(&delivery) {
        Ok(event) => event,
        Err(e) => {
            let error = crate::error::one_line(&e);
            return reject(
                app,
                quarantine("parse", error, StatusCode::BAD_REQUEST, raw, size, false),
            )
            .await;
        }
    };
    let dedup_key = event.identity();
    let record = NewEvent {
        dedup_key: dedup_key.clone(),
        endpoint: shown_name.clone(),
        provider: event.provider.as_str().to_owned(),
        kind: kind_name(&event.kind),
        name: event.name.clone(),
        subject_id: event.subject_id.clone(),
        occurred_at: event.occurred_at.map(timestamp),
        test: event.test,
        verified: verified_how,
        received_at: received_at.to_owned(),
        content_type: content_type(headers),
        headers: headers_json(headers),
        raw_body: raw,
        event: serde_json::to_string(&event).unwrap_or_else(|_| "null".into()),
    };
    match tokio::time::timeout(app.config.store_timeout, app.ledger.record_event(record)).await {
        Ok(Ok(recorded)) => {
            let word = match recorded {
                Recorded::Stored { .. } => "stored",
                Recorded::Duplicate { .. } => "duplicate",
            };
            let mut body = serde_json::to_value(recorded).unwrap_or_default();
            if let Some(obj) = body.as_object_mut() {
                obj.insert("dedup_key".into(), dedup_key.clone().into());
            }
            Outcome {
                status: StatusCode::OK,
                body,
                log: format!("{word} {dedup_key}"),
            }
        }
        Ok(Err(e)) => Outcome {
            status: StatusCode::SERVICE_UNAVAILABLE,
            body: json!({"status": "error", "error": "the ledger could not store the event; retry later"}),
            log: format!("ledger error, not stored (the platform will retry): {e}"),
        },
        Err(_) => Outcome {
            status: StatusCode::SERVICE_UNAVAILABLE,
            body: json!({"status": "error", "error": "the ledger did not answer in time; retry later"}),
            log: format!(
                "ledger timeout after {:?}, answered 503 (the platform will retry)",
                app.config.store_timeout
            ),
        },
    }
}

async fn reject(app: &App, q: NewQuarantine) -> Outcome {
    let status = StatusCode::from_u16(q.status).unwrap_or(StatusCode::BAD_REQUEST);
    let reason = q.reason.clone();
    let error = q.error.clone();
    match tokio::time::timeout(app.config.store_timeout, app.ledger.quarantine(q)).await {
        Ok(Ok(id)) => Outcome {
            status,
            body: json!({"status": "rejected", "reason": reason, "error": error, "quarantine_id": id}),
            log: format!("rejected ({reason}): {error}; quarantined as #{id}"),
        },
        Ok(Err(e)) => Outcome {
            // Not kept: ask the platform to retry instead of losing it.
            status: StatusCode::SERVICE_UNAVAILABLE,
            body: json!({"status": "error", "error": "the ledger could not keep the delivery; retry later"}),
            log: format!("rejected ({reason}) and the quarantine write failed: {e}"),
        },
        Err(_) => Outcome {
            status: StatusCode::SERVICE_UNAVAILABLE,
            body: json!({"status": "error", "error": "the ledger did not answer in time; retry later"}),
            log: format!("rejected ({reason}) and the quarantine write timed out"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_stored_with_credentials_redacted() {
        let mut h = HeaderMap::new();
        h.insert(
            "authorization",
            HeaderValue::from_static("Basic dXNlcjpwYXNz"),
        );
        h.insert("content-type", HeaderValue::from_static("application/json"));
        let j = headers_json(&h);
        assert!(!j.contains("dXNlcjpwYXNz"), "{j}");
        assert!(
            j.contains("<redacted>") && j.contains("application/json"),
            "{j}"
        );
    }

    #[test]
    fn endpoint_debug_hides_the_url_secret() {
        let e = Endpoint::unavailable("gumroad", "x").url_secret("sup3r-s3cret-value");
        assert!(!format!("{e:?}").contains("sup3r-s3cret-value"));
    }

    #[test]
    fn printable_names_drop_odd_characters() {
        assert_eq!(printable_name("gum road\n<x>"), "gumroadx");
        assert_eq!(printable_name("\u{1F600}"), "?");
    }

    #[tokio::test]
    async fn oversized_bodies_keep_their_head_and_size() {
        let body = Body::from(vec![b'a'; 10_000]);
        match read_body(body, 1_000, Duration::from_secs(1)).await {
            BodyRead::TooLarge { head, seen } => {
                assert_eq!(head.len(), 1_000);
                assert_eq!(seen, 10_000);
            }
            _ => panic!("expected TooLarge"),
        }
    }
}
