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

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use creator_core::{Verified, WebhookDelivery, WebhookEvent, Webhooks};
use serde_json::json;

use super::body::{self, BodyRead, Summary};
use super::headers;
use super::log::clean;
use super::rejection::{self, Context, Kept, Reason, Rejection};
use super::{App, Endpoint};
use crate::ledger::{NewEvent, Recorded, timestamp};

/// The path every endpoint lives under.
const PREFIX: &str = "/webhooks";

/// Answers every request the router has no route for: deliveries under
/// `/webhooks/`, and plain 404s elsewhere.
pub(crate) async fn handle(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
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
    };
    let outcome = deliver(&app, &request, body).await;
    let cx = Context {
        peer,
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
    if let Err((reason, error)) = check_url_secret(endpoint, token) {
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
    let raw = read_body(app, body, &req.headers).await?;
    let delivery = WebhookDelivery::new(req.uri.clone(), req.headers.clone(), raw.clone());
    let (verified, event) =
        verify_and_parse(webhooks, delivery, endpoint.url_secret.is_some()).await?;
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

/// The relay's own URL secret, compared in constant time. An endpoint
/// without one given a secret segment is a path that names nothing.
fn check_url_secret(endpoint: &Endpoint, token: Option<&str>) -> Result<(), (Reason, String)> {
    match (&endpoint.url_secret, token) {
        (Some(secret), Some(given)) if secret.matches(given.as_bytes()) => Ok(()),
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

/// The bounded summary of a body refused before it mattered (read, within
/// the size limit and a short deadline, but never kept).
async fn summary_of_unread(app: &App, body: Body, headers: &HeaderMap) -> Summary {
    let timeout = app.config.read_timeout.min(Duration::from_secs(2));
    let mut summary = body::drain(body, app.config.max_body_bytes, timeout).await;
    if let Some(declared) = headers::content_length(headers) {
        summary.size = summary.size.max(declared);
    }
    summary
}

/// Reads the body within the size limit, the deadline and the relay's
/// budget of body bytes in memory.
async fn read_body(app: &App, body: Body, headers: &HeaderMap) -> Result<bytes::Bytes, Rejection> {
    let declared = headers::content_length(headers);
    let limit = app.config.max_body_bytes;
    let kib = u32::try_from(
        declared
            .unwrap_or(limit as u64)
            .min(limit as u64)
            .div_ceil(1024),
    )
    .unwrap_or(u32::MAX)
    .max(1);
    let permit = tokio::time::timeout(
        app.config.store_timeout,
        app.body_budget.clone().acquire_many_owned(kib),
    )
    .await;
    let Ok(Ok(_permit)) = permit else {
        return Err(Rejection::Unavailable {
            error: "too many bodies are being read at once (the body budget is spent)".into(),
        });
    };
    match body::read(body, limit, app.config.read_timeout, declared).await {
        BodyRead::Complete(raw) => Ok(raw),
        BodyRead::TooLarge(summary) => Err(Rejection::stranger(
            Reason::TooLarge,
            format!(
                "body of {} bytes is over the limit of {limit} bytes (--max-body-bytes)",
                summary.size
            ),
            summary,
        )),
        BodyRead::Incomplete(summary, error) => {
            Err(Rejection::stranger(Reason::Incomplete, error, summary))
        }
    }
}

/// Bodies up to this size are verified and parsed on the runtime's worker
/// (a Gumroad Ping is 1–3 KiB; the work is a few microseconds); larger
/// ones on the blocking pool, so no body can hold a worker for long.
const INLINE_BODY_BYTES: usize = 16 * 1024;

/// Verifies, then parses. A delivery that verifies but cannot be parsed is
/// kept whole, for `creator quarantine replay`.
async fn verify_and_parse(
    webhooks: Arc<dyn Webhooks>,
    delivery: WebhookDelivery,
    relay_checked_url: bool,
) -> Result<(String, WebhookEvent), Rejection> {
    let body = delivery.body.clone();
    let run = move || {
        let verified = webhooks.verify(&delivery);
        let verified = match verified {
            Ok(v) => v,
            Err(e) => return Err((e.is_verification_failure(), e.to_string(), None)),
        };
        // The relay's URL secret is what authenticated an unsigned platform.
        let how = match (relay_checked_url, verified) {
            (true, Verified::Unverified) => "url_token".to_owned(),
            (_, v) => serde_json::to_value(v)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| "unknown".into()),
        };
        match webhooks.parse(&delivery) {
            Ok(event) => Ok((how, event)),
            Err(e) => Err((false, crate::error::one_line(&e), Some(how))),
        }
    };
    let work = if body.len() <= INLINE_BODY_BYTES {
        Ok(run())
    } else {
        tokio::task::spawn_blocking(run).await
    };
    match work {
        Ok(Ok(found)) => Ok(found),
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
        // Verify itself could not read the body (not a signature failure):
        // not authenticated, so only metadata is kept.
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
