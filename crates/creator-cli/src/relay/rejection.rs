//! Why a delivery was not stored as an event, and the one place a rejection
//! is kept in the quarantine, logged and answered.

use std::time::Instant;

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use super::App;
use super::body::Summary;
use super::headers;
use super::log::clean;
use crate::ledger::NewQuarantine;

/// Most bytes of headers kept for a delivery that was not authenticated.
const STRANGER_HEADER_BYTES: usize = 4 * 1024;

/// What part of a delivery is kept with its rejection.
#[derive(Debug)]
pub(crate) enum Kept {
    /// Bounded metadata only: the delivery was not authenticated.
    Summary(Summary),
    /// The whole body: the delivery was authentic (verified) but could not be parsed.
    Whole(Bytes),
}

pub(crate) use crate::ledger::QuarantineReason as Reason;

/// The answer to a delivery quarantined for `reason`.
fn status_of(reason: Reason) -> StatusCode {
    match reason {
        Reason::Verification => StatusCode::UNAUTHORIZED,
        Reason::Parse | Reason::Incomplete => StatusCode::BAD_REQUEST,
        Reason::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Reason::UnknownEndpoint => StatusCode::NOT_FOUND,
        // The platform retries a 503, by which time the endpoint may be configured.
        Reason::NotConfigured => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// A delivery that was not stored as an event.
#[derive(Debug)]
pub(crate) enum Rejection {
    /// Kept in the quarantine (within its budget), then answered.
    Quarantined {
        reason: Reason,
        /// One line, without secrets.
        error: String,
        kept: Kept,
        /// How it was verified, for authentic deliveries.
        verified: Option<String>,
    },
    /// The ledger cannot take it now: answered 503 so the platform retries.
    Unavailable {
        /// What failed, for the log.
        error: String,
    },
    /// A budget of bodies being read is spent (a flood, or a sender with
    /// too many bodies at once): answered 503 with `Retry-After`, so a
    /// platform whose signature is still to be checked retries; counted,
    /// not logged one by one.
    Busy {
        /// Which budget, for the answer.
        error: String,
    },
}

impl Rejection {
    /// A rejection of an unauthenticated delivery, keeping `summary`.
    pub fn stranger(reason: Reason, error: impl Into<String>, summary: Summary) -> Self {
        Rejection::Quarantined {
            reason,
            error: error.into(),
            kept: Kept::Summary(summary),
            verified: None,
        }
    }
}

/// The request facts a rejection is kept and logged with.
#[derive(Debug)]
pub(crate) struct Context<'a> {
    pub peer: super::peer::Sender,
    pub endpoint: &'a str,
    pub headers: &'a HeaderMap,
    pub received_at: &'a str,
    pub started: Instant,
}

/// A JSON answer.
pub(crate) fn json(status: StatusCode, value: serde_json::Value) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

impl Rejection {
    /// Keeps the rejection (unless its sender is being shed), logs it and
    /// builds the answer. A rejection that cannot be kept is answered 503,
    /// never 4xx, so nothing authentic is lost for want of a quarantine row.
    pub async fn respond(self, app: &App, cx: Context<'_>) -> Response {
        let (reason, error, kept, verified) = match self {
            Rejection::Quarantined {
                reason,
                error,
                kept,
                verified,
            } => (reason, error, kept, verified),
            Rejection::Unavailable { error } => {
                tracing::error!(
                    peer = %cx.peer,
                    endpoint = %clean(cx.endpoint),
                    ms = cx.started.elapsed().as_millis() as u64,
                    "503 not stored (the platform will retry): {}",
                    clean(&error)
                );
                return json(
                    StatusCode::SERVICE_UNAVAILABLE,
                    serde_json::json!({"status": "error", "error": "the delivery could not be stored now; retry later"}),
                );
            }
            Rejection::Busy { error } => {
                app.counters
                    .busy
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tracing::debug!(peer = %cx.peer, "503 busy: {error}");
                let mut answer = json(
                    StatusCode::SERVICE_UNAVAILABLE,
                    serde_json::json!({"status": "busy", "error": error}),
                );
                answer.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from_static("1"),
                );
                return answer;
            }
        };
        let status = status_of(reason);
        let authenticated = matches!(kept, Kept::Whole(_));
        if !authenticated && !app.shedder.admit(cx.peer.ip, Instant::now()) {
            tracing::debug!(peer = %cx.peer, reason = reason.as_str(), "429 shed");
            return json(
                StatusCode::TOO_MANY_REQUESTS,
                serde_json::json!({"status": "rejected", "reason": reason.as_str(), "error": "too many rejected requests from this address"}),
            );
        }
        let (raw_body, body_size, body_truncated, body_sha256) = match kept {
            Kept::Whole(body) => {
                let summary = Summary::of(&body);
                (body, summary.size, false, Some(summary.sha256))
            }
            Kept::Summary(s) => (s.prefix, s.size, s.truncated, Some(s.sha256)),
        };
        let row = NewQuarantine {
            received_at: cx.received_at.to_owned(),
            endpoint: clean(cx.endpoint),
            reason,
            error: error.clone(),
            status: status.as_u16(),
            content_type: headers::content_type(cx.headers),
            headers: if authenticated {
                headers::to_json(cx.headers)
            } else {
                headers::to_json_within(cx.headers, STRANGER_HEADER_BYTES)
            },
            body_size,
            body_truncated,
            raw_body,
            body_sha256,
            authenticated,
            verified,
            peer: Some(cx.peer.to_string()),
        };
        let kept = tokio::time::timeout(app.config.store_timeout, app.ledger.quarantine(row)).await;
        let ms = cx.started.elapsed().as_millis() as u64;
        match kept {
            Ok(Ok(id)) => {
                tracing::warn!(
                    peer = %cx.peer,
                    endpoint = %clean(cx.endpoint),
                    status = status.as_u16(),
                    ms,
                    "rejected ({}): {}; quarantined as #{id}",
                    reason.as_str(),
                    clean(&error)
                );
                json(
                    status,
                    serde_json::json!({"status": "rejected", "reason": reason.as_str(), "error": error, "quarantine_id": id}),
                )
            }
            Ok(Err(e)) => {
                tracing::error!(
                    peer = %cx.peer,
                    endpoint = %clean(cx.endpoint),
                    ms,
                    "rejected ({}) and the quarantine write failed: {}",
                    reason.as_str(),
                    clean(&e.to_string())
                );
                json(
                    StatusCode::SERVICE_UNAVAILABLE,
                    serde_json::json!({"status": "error", "error": "the ledger could not keep the delivery; retry later"}),
                )
            }
            Err(_) => {
                tracing::error!(
                    peer = %cx.peer,
                    endpoint = %clean(cx.endpoint),
                    ms,
                    "rejected ({}) and the quarantine write timed out",
                    reason.as_str()
                );
                json(
                    StatusCode::SERVICE_UNAVAILABLE,
                    serde_json::json!({"status": "error", "error": "the ledger did not answer in time; retry later"}),
                )
            }
        }
    }
}
