//! One delivery, in stages joined by `?`: route → URL secret → read →
//! verify and parse → store. Every stage that refuses the delivery returns a
//! [`Rejection`], kept and answered in one place ([`Rejection::respond`]).
//!
//! The cheap checks run before the body is read, so a stranger who does
//! not know the URL costs a reading of its body and no more; verification
//! and parsing of any body larger than a real delivery run on the blocking
//! pool, so no body can stall the runtime's workers that answer everyone else.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Extension;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use creator_core::{Verified, Verifier, WebhookDelivery, WebhookEvent, Webhooks};
use serde_json::json;

use super::body::{self, BodyRead, Summary};
use super::headers;
use super::log::clean;
use super::peer::Sender;
use super::rejection::{self, Context, Kept, Reason, Rejection};
use super::server::ConnState;
use super::{App, Endpoint};
use crate::ledger::{NewEvent, Recorded, timestamp};

/// The path every endpoint lives under.
pub(crate) const PREFIX: &str = "/webhooks";

/// Answers every request the router has no route for: deliveries under
/// `/webhooks/`, and plain 404s elsewhere.
pub(crate) async fn handle(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    conn: Option<Extension<Arc<ConnState>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let path = uri.path();
    let under_prefix = path == PREFIX || path.starts_with("/webhooks/");
    if !under_prefix {
        tracing::debug!(%peer, %method, path = %clean(path), "404 not a relay path");
        return rejection::json(StatusCode::NOT_FOUND, json!({"status": "not_found"}));
    }
    if method != Method::POST {
        tracing::info!(%peer, %method, path = %clean(&shown_path(&app.endpoints, path)), "405 deliveries are POSTs");
        let mut response = rejection::json(
            StatusCode::METHOD_NOT_ALLOWED,
            json!({"status": "rejected", "error": "webhook deliveries are POST requests"}),
        );
        response
            .headers_mut()
            .insert(header::ALLOW, axum::http::HeaderValue::from_static("POST"));
        return response;
    }
    let started = Instant::now();
    let sender = Sender::of(peer, &headers, &app.config.trusted_proxies);
    let received_at = timestamp(time::OffsetDateTime::from(app.config.clock.now()));
    let endpoint_name = shown_endpoint(
        &app.endpoints,
        path.trim_start_matches(PREFIX)
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or(""),
    );
    let request = Request {
        uri: uri.clone(),
        headers: headers.clone(),
        received_at: received_at.clone(),
        conn: conn.map(|Extension(c)| c),
        sender: sender.ip,
    };
    let outcome = deliver(&app, &request, body).await;
    let cx = Context {
        peer: sender,
        endpoint: &endpoint_name,
        headers: &headers,
        received_at: &received_at,
        started,
    };
    match outcome {
        Ok(stored) => stored.respond(&cx),
        Err(rejection) => rejection.respond(&app, cx).await,
    }
}

/// What the stages need to know about the request.
struct Request {
    uri: Uri,
    headers: HeaderMap,
    received_at: String,
    /// The connection's state, when served by the relay's own server.
    conn: Option<Arc<ConnState>>,
    /// The sender's address (per-sender limits).
    sender: std::net::IpAddr,
}

impl Request {
    /// The request passed a secret or signature check: its connection is
    /// never closed to make room, and its body uses the budget of authentic
    /// deliveries.
    fn authenticated(&self) {
        if let Some(conn) = &self.conn {
            conn.authenticated();
        }
    }
}

/// A delivery stored as an event (or counted as a redelivery of one).
struct Stored {
    recorded: Recorded,
    field_errors: usize,
}

impl Stored {
    fn respond(self, cx: &Context<'_>) -> Response {
        let word = match self.recorded {
            Recorded::Stored { .. } => "stored",
            Recorded::Duplicate { .. } => "duplicate",
        };
        tracing::info!(
            peer = %cx.peer,
            endpoint = %clean(cx.endpoint),
            status = 200,
            ms = cx.started.elapsed().as_millis() as u64,
            field_errors = self.field_errors,
            "{word} {}",
            clean(self.recorded.dedup_key())
        );
        let mut body = serde_json::to_value(&self.recorded).unwrap_or_default();
        if self.field_errors > 0
            && let Some(obj) = body.as_object_mut()
        {
            obj.insert("field_errors".into(), self.field_errors.into());
        }
        rejection::json(StatusCode::OK, body).into_response()
    }
}

async fn deliver(app: &App, req: &Request, body: Body) -> Result<Stored, Rejection> {
    let (endpoint, token) = match route(app, req.uri.path()) {
        Ok(found) => found,
        Err(error) => {
            let summary = summary_of_unread(app, body, &req.headers).await;
            return Err(Rejection::stranger(Reason::UnknownEndpoint, error, summary));
        }
    };
    if let Err((reason, error)) = check_url_secret(endpoint, &req.uri, token) {
        let summary = summary_of_unread(app, body, &req.headers).await;
        return Err(Rejection::stranger(reason, error, summary));
    }
    let webhooks = match &endpoint.webhooks {
        Ok(w) => w.clone(),
        Err(reason) => {
            let summary = summary_of_unread(app, body, &req.headers).await;
            return Err(Rejection::stranger(
                Reason::NotConfigured,
                reason.clone(),
                summary,
            ));
        }
    };
    // Checks that need no body run before it is read: the relay's URL
    // secret (above), and the provider's own check when it reads only the
    // headers (Gumroad's HTTP Basic).
    let mut pre_verified = None;
    if endpoint.verifies_headers_only {
        let headers_only =
            WebhookDelivery::new(req.uri.clone(), req.headers.clone(), bytes::Bytes::new());
        match webhooks.verify(&headers_only) {
            Ok(v) => pre_verified = Some(v),
            Err(e) if e.is_verification_failure() => {
                let summary = summary_of_unread(app, body, &req.headers).await;
                return Err(Rejection::stranger(
                    Reason::Verification,
                    e.to_string(),
                    summary,
                ));
            }
            Err(_) => {}
        }
    }
    let authentic_before_body =
        endpoint.url_secret.is_some() || pre_verified.is_some_and(|v| v != Verified::Unverified);
    if authentic_before_body {
        req.authenticated();
    }
    let raw = read_body(app, body, req, authentic_before_body).await?;
    let delivery = WebhookDelivery::new(req.uri.clone(), req.headers.clone(), raw.clone());
    let (verdict, event) = verify_and_parse(
        app,
        webhooks,
        delivery,
        endpoint.url_secret.is_some(),
        pre_verified,
    )
    .await?;
    req.authenticated();
    let verified = verdict.how;
    let record = NewEvent::from_event(
        &event,
        &endpoint.name,
        &verified,
        &req.received_at,
        headers::content_type(&req.headers),
        headers::to_json(&req.headers),
        raw,
    );
    let field_errors = event.field_errors.len();
    match tokio::time::timeout(app.config.store_timeout, app.ledger.record_event(record)).await {
        Ok(Ok(recorded)) => Ok(Stored {
            recorded,
            field_errors,
        }),
        Ok(Err(e)) => Err(Rejection::Unavailable {
            error: format!("the ledger could not store the event: {e}"),
        }),
        Err(_) => Err(Rejection::Unavailable {
            error: format!(
                "the ledger did not answer within {:?}",
                app.config.store_timeout
            ),
        }),
    }
}

/// The endpoint a path names, and the secret segment after its name.
///
/// `/webhooks/<name>` and `/webhooks/<name>/<secret>` (each with one
/// optional trailing `/`); anything else (an extra segment, `//`, an empty
/// name) names no endpoint.
fn route<'a>(app: &'a App, path: &'a str) -> Result<(&'a Endpoint, Option<&'a str>), String> {
    let rest = path.strip_prefix("/webhooks/").unwrap_or("");
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let mut segments = rest.split('/');
    let name = segments.next().unwrap_or("");
    let token = segments.next();
    let known = || {
        let mut names: Vec<&str> = app.endpoints.keys().map(String::as_str).collect();
        names.sort_unstable();
        names.join(", ")
    };
    if segments.next().is_some() || token == Some("") {
        return Err(format!(
            "the path {} has extra segments: the URL is /webhooks/<name> or /webhooks/<name>/<secret> (this relay serves: {})",
            clean(&shown_path(&app.endpoints, path)),
            known()
        ));
    }
    match app.endpoints.get(name) {
        Some(endpoint) => Ok((endpoint, token)),
        None => Err(format!(
            "no endpoint /webhooks/{} (this relay serves: {})",
            clean(&shown_endpoint(&app.endpoints, name)),
            known()
        )),
    }
}

/// The endpoint name of a request as logged and stored: a name the relay
/// serves as it is; an unknown one of secret length (a URL whose endpoint
/// name was left out starts with its secret) cut to its first characters.
fn shown_endpoint(endpoints: &HashMap<String, Endpoint>, name: &str) -> String {
    if endpoints.contains_key(name) || name.chars().count() < MIN_SECRET_CHARS {
        return name.to_owned();
    }
    let head: String = name.chars().take(3).collect();
    format!("{head}…")
}

/// Names this long may be URL secrets (the CLI asks for at least 16).
const MIN_SECRET_CHARS: usize = 12;

/// A path as logged and shown: `/webhooks/<endpoint>`, then `/…` for
/// whatever follows (a secret, a mistyped segment), the endpoint name as
/// [`shown_endpoint`] shows it.
fn shown_path(endpoints: &HashMap<String, Endpoint>, path: &str) -> String {
    let Some(rest) = path.strip_prefix("/webhooks/") else {
        return path.to_owned();
    };
    let (name, tail) = match rest.split_once('/') {
        Some((name, _)) => (name, "/…"),
        None => (rest, ""),
    };
    format!("/webhooks/{}{tail}", shown_endpoint(endpoints, name))
}

/// The relay's own URL secret: creator-core's
/// [`UrlToken`](creator_core::verify::UrlToken) on the last path segment,
/// which [`route`] found as `token`. An endpoint without one given a secret
/// segment is a path that names nothing. Strangers get one answer whatever
/// was wrong.
fn check_url_secret(
    endpoint: &Endpoint,
    uri: &Uri,
    token: Option<&str>,
) -> Result<(), (Reason, String)> {
    let target_only = || WebhookDelivery::new(uri.clone(), HeaderMap::new(), bytes::Bytes::new());
    match (&endpoint.url_secret, token) {
        (Some(secret), Some(_)) if secret.verify(&target_only()).is_ok() => Ok(()),
        (Some(_), _) => Err((
            Reason::Verification,
            "the secret in the URL is missing or wrong".to_owned(),
        )),
        (None, Some(_)) => Err((
            Reason::UnknownEndpoint,
            format!(
                "/webhooks/{} takes no secret in the URL",
                clean(&endpoint.name)
            ),
        )),
        (None, None) => Ok(()),
    }
}

/// How much of a refused body is read (and hashed) before answering: the
/// whole of any real delivery, so the sender gets its answer, and no more;
/// past it the connection is closed after the answer.
const DRAIN_BYTES: usize = 64 * 1024;

/// The bounded summary of a body refused before it mattered (read, within
/// [`DRAIN_BYTES`] and a short deadline, but never kept; the hash is of what
/// was read).
async fn summary_of_unread(app: &App, body: Body, headers: &HeaderMap) -> Summary {
    let timeout = app.config.read_timeout.min(Duration::from_secs(2));
    let mut summary = body::drain(body, app.config.max_body_bytes.min(DRAIN_BYTES), timeout).await;
    if let Some(declared) = headers::content_length(headers) {
        summary.size = summary.size.max(declared);
    }
    summary
}

/// Reads the body within the size limit, the deadline and the relay's
/// budget of body bytes in memory. Deliveries not authenticated yet (a
/// signature still to check) share a smaller budget of their own, at most
/// [`STRANGER_BODIES_PER_SENDER`] at once per sender, and half the time to
/// arrive: they can never take the memory authentic deliveries need.
async fn read_body(
    app: &App,
    body: Body,
    req: &Request,
    authentic: bool,
) -> Result<bytes::Bytes, Rejection> {
    let declared = headers::content_length(&req.headers);
    let limit = app.config.max_body_bytes;
    let kib = u32::try_from(
        declared
            .unwrap_or(limit as u64)
            .min(limit as u64)
            .div_ceil(1024),
    )
    .unwrap_or(u32::MAX)
    .max(1);
    let (budget, timeout) = if authentic {
        (app.body_budget.clone(), app.config.read_timeout)
    } else {
        (app.stranger_budget.clone(), app.config.read_timeout / 2)
    };
    let _sender_slot = if authentic {
        None
    } else {
        match app.stranger_bodies.take(req.sender) {
            Some(slot) => Some(slot),
            None => {
                return Err(Rejection::Busy {
                    error: format!(
                        "more than {STRANGER_BODIES_PER_SENDER} bodies to authenticate at once from this sender"
                    ),
                });
            }
        }
    };
    let permit =
        tokio::time::timeout(app.config.store_timeout, budget.acquire_many_owned(kib)).await;
    let Ok(Ok(_permit)) = permit else {
        return Err(Rejection::Busy {
            error: "too many bodies are being read at once (the body budget is spent)".into(),
        });
    };
    match body::read(body, limit, timeout, declared).await {
        BodyRead::Complete(raw) => Ok(raw),
        BodyRead::TooLarge(summary) => Err(Rejection::stranger(
            Reason::TooLarge,
            format!(
                "body of {} bytes is over the limit of {limit} bytes (--max-body-bytes)",
                summary.size
            ),
            summary,
        )),
        // An authentic delivery cut short: 503, so the platform sends it again.
        BodyRead::Incomplete(_, error) if authentic => Err(Rejection::Unavailable {
            error: format!("an authentic delivery's body broke off: {error}"),
        }),
        BodyRead::Incomplete(summary, error) => {
            Err(Rejection::stranger(Reason::Incomplete, error, summary))
        }
    }
}

/// Most bodies one sender may have read at once before they are authenticated.
pub(crate) const STRANGER_BODIES_PER_SENDER: usize = 8;

/// Bodies up to this size are verified and parsed on the runtime's worker
/// (a Gumroad Ping is 1–3 KiB; the work is a few microseconds); larger
/// ones on the blocking pool, so no body can hold a worker for long.
const INLINE_BODY_BYTES: usize = 16 * 1024;

/// How a delivery was verified.
struct Verdict {
    /// Stored in the event's `verified` column (`url_token`, `signature`, …).
    how: String,
}

/// Verifies (unless `pre_verified` already did), then parses. A delivery
/// that is authentic but cannot be parsed is kept whole, for `creator
/// quarantine replay`; one that only "verified" as
/// [`Verified::Unverified`] with no URL secret is not authentic.
async fn verify_and_parse(
    app: &App,
    webhooks: Arc<dyn Webhooks>,
    delivery: WebhookDelivery,
    relay_checked_url: bool,
    pre_verified: Option<Verified>,
) -> Result<(Verdict, WebhookEvent), Rejection> {
    let body = delivery.body.clone();
    let run = move || {
        let verified = match pre_verified {
            Some(v) => v,
            None => match webhooks.verify(&delivery) {
                Ok(v) => v,
                Err(e) => return Err((e.is_verification_failure(), e.to_string(), None)),
            },
        };
        // The relay's URL secret is what authenticated an unsigned platform.
        let how = match (relay_checked_url, verified) {
            (true, Verified::Unverified) => Some("url_token".to_owned()),
            (false, Verified::Unverified) => None,
            (_, v) => Some(
                serde_json::to_value(v)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_else(|| "unknown".into()),
            ),
        };
        match webhooks.parse(&delivery) {
            Ok(event) => Ok((how.unwrap_or_else(|| "unverified".into()), event)),
            Err(e) => Err((false, crate::error::one_line(&e), how)),
        }
    };
    let work = if body.len() <= INLINE_BODY_BYTES {
        Ok(run())
    } else {
        // As many large bodies at once as there are cores: a flood of them
        // waits here instead of filling the blocking pool.
        let Ok(_slot) = app.large_bodies.acquire().await else {
            return Err(Rejection::Unavailable {
                error: "the relay is shutting down".into(),
            });
        };
        tokio::task::spawn_blocking(run).await
    };
    match work {
        Ok(Ok((how, event))) => Ok((Verdict { how }, event)),
        Ok(Err((true, error, _))) => Err(Rejection::stranger(
            Reason::Verification,
            error,
            Summary::of(&body),
        )),
        Ok(Err((false, error, verified))) if verified.is_some() => Err(Rejection::Quarantined {
            reason: Reason::Parse,
            error,
            kept: Kept::Whole(body),
            verified,
        }),
        // Not authenticated (verify itself could not read the body, or
        // nothing was checked): only metadata is kept.
        Ok(Err((false, error, _))) => Err(Rejection::stranger(
            Reason::Parse,
            error,
            Summary::of(&body),
        )),
        Err(e) => Err(Rejection::Unavailable {
            error: format!("verifying the delivery failed: {e}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> HashMap<String, Endpoint> {
        HashMap::from([(
            "gumroad".to_owned(),
            Endpoint::unavailable("gumroad", "test"),
        )])
    }

    #[test]
    fn the_url_secret_is_core_s_url_token_on_the_last_segment() {
        assert!(
            Endpoint::unavailable("gumroad", "test")
                .url_secret("")
                .is_err(),
            "an empty secret would never match: refused when building"
        );
        let endpoint = Endpoint::unavailable("gumroad", "test")
            .url_secret("abc-0123456789")
            .unwrap();
        let check = |path: &str, token: Option<&str>| {
            check_url_secret(&endpoint, &path.parse().unwrap(), token)
        };
        assert!(check("/webhooks/gumroad/abc-0123456789", Some("abc-0123456789")).is_ok());
        assert!(check("/webhooks/gumroad/abc-0123456789/", Some("abc-0123456789")).is_ok());
        assert!(
            check(
                "/webhooks/gumroad/%61bc-0123456789",
                Some("%61bc-0123456789")
            )
            .is_ok(),
            "percent-decoded, as every UrlToken"
        );
        for (path, token) in [
            ("/webhooks/gumroad/abc-0123456780", Some("abc-0123456780")),
            ("/webhooks/gumroad", None),
            // The endpoint name is never taken for the secret.
            ("/webhooks/abc-0123456789", None),
        ] {
            match check(path, token) {
                Err((Reason::Verification, why)) => {
                    assert_eq!(why, "the secret in the URL is missing or wrong", "{path}")
                }
                other => panic!("{path}: {other:?}"),
            }
        }
        let open = Endpoint::unavailable("gank", "test");
        let given = check_url_secret(&open, &"/webhooks/gank/x".parse().unwrap(), Some("x"));
        assert!(
            matches!(given, Err((Reason::UnknownEndpoint, _))),
            "{given:?}"
        );
    }

    #[test]
    fn secrets_in_mistyped_urls_are_never_shown() {
        let app = app();
        let secret = "0123456789abcdef0123";
        for path in [
            format!("/webhooks/gumroad/{secret}/extra"),
            format!("/webhooks/{secret}"),
            format!("/webhooks/{secret}/x"),
        ] {
            let shown = shown_path(&app, &path);
            assert!(!shown.contains(secret), "{path} -> {shown}");
        }
        assert_eq!(shown_path(&app, "/webhooks/gumroad"), "/webhooks/gumroad");
        assert_eq!(shown_path(&app, "/webhooks/stripe"), "/webhooks/stripe");
        assert_eq!(shown_endpoint(&app, secret), "012…");
    }
}
