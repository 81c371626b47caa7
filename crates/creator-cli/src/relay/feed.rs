//! `GET /v1/events?after=ID`: the events for applications that cannot take
//! webhooks, as a long poll, behind a read token (`--read-token`,
//! `CREATOR_READ_TOKEN`) that is none of the webhook secrets.
//!
//! `Authorization: Bearer <token>`; `after` (default 0) is the last event id
//! the client has; `limit` (default 100, at most 1 000); `wait` seconds
//! (default 25, at most 60, 0 for none) to hold the request when nothing is
//! new. The answer is `{"events": [...], "next_after": N}`, each event in the
//! body shape the webhooks carry (`docs/event.schema.json`); ask again with
//! `after=next_after`. The cursor is the event id in the order events became
//! visible, so a client never misses one (see [`Ledger::events_after`]).

use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use creator_core::Secret;
use serde_json::json;
use tokio::sync::watch;

use super::forward::body;
use crate::ledger::{Ledger, LedgerError};

/// Events in one answer unless the client asks for fewer.
const DEFAULT_LIMIT: u64 = 100;
/// Most events in one answer.
const MAX_LIMIT: u64 = 1_000;
/// How long a request is held when nothing is new, unless asked otherwise.
const DEFAULT_WAIT: u64 = 25;
/// Longest hold.
const MAX_WAIT: u64 = 60;
/// How often a held request looks at the ledger for other relays' events.
const POLL: Duration = Duration::from_millis(500);

/// What the feed needs.
pub(crate) struct Feed {
    pub token: Option<Secret>,
    pub ledger: Arc<dyn Ledger>,
    pub stopped: watch::Receiver<bool>,
    /// The sender of `stopped`, held here when no server holds it.
    pub _keep_open: Option<watch::Sender<bool>>,
}

/// The query's numbers.
#[derive(Debug, Default, PartialEq, Eq)]
struct Params {
    after: Option<i64>,
    limit: Option<u64>,
    wait: Option<u64>,
}

/// Reads `after`, `limit` and `wait`; other parameters are ignored.
fn params(query: Option<&str>) -> Result<Params, String> {
    let mut p = Params::default();
    for pair in query.unwrap_or("").split('&').filter(|s| !s.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let bad =
            || format!("`{key}` must be a whole number: /v1/events?after=0&limit=100&wait=25");
        match key {
            "after" => p.after = Some(value.parse().map_err(|_| bad())?),
            "limit" => p.limit = Some(value.parse().map_err(|_| bad())?),
            "wait" => p.wait = Some(value.parse().map_err(|_| bad())?),
            _ => {}
        }
    }
    Ok(p)
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = super::rejection::json(status, body).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// Answers `GET /v1/events`.
pub(crate) async fn events(
    Extension(feed): Extension<Arc<Feed>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let Some(token) = &feed.token else {
        return answer(
            StatusCode::NOT_FOUND,
            json!({"error": "the event feed is off: start the relay with --read-token (or CREATOR_READ_TOKEN)"}),
        );
    };
    if !super::read_token::sent(token, &headers) {
        let mut response = answer(
            StatusCode::UNAUTHORIZED,
            json!({"error": "send the relay's read token as `Authorization: Bearer <token>`"}),
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
        return response;
    }
    let params = match params(uri.query()) {
        Ok(p) => p,
        Err(error) => return answer(StatusCode::BAD_REQUEST, json!({ "error": error })),
    };
    let after = params.after.unwrap_or(0).max(0);
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let wait = Duration::from_secs(params.wait.unwrap_or(DEFAULT_WAIT).min(MAX_WAIT));
    let deadline = tokio::time::Instant::now() + wait;
    let mut changes = feed.ledger.subscribe();
    let mut stopped = feed.stopped.clone();
    loop {
        match feed.ledger.events_after(after, limit).await {
            Ok(events) if !events.is_empty() || tokio::time::Instant::now() >= deadline => {
                let next_after = events.last().map_or(after, |e| e.id);
                let events: Vec<serde_json::Value> = events.iter().map(body::document).collect();
                return answer(
                    StatusCode::OK,
                    json!({"events": events, "next_after": next_after}),
                );
            }
            Ok(_) => {}
            Err(LedgerError::NotFound(message)) => {
                return answer(StatusCode::BAD_REQUEST, json!({"error": message}));
            }
            Err(e) => {
                return answer(
                    StatusCode::SERVICE_UNAVAILABLE,
                    json!({"error": format!("the ledger could not be read: {e}")}),
                );
            }
        }
        if *stopped.borrow() {
            return answer(StatusCode::OK, json!({"events": [], "next_after": after}));
        }
        tokio::select! {
            _ = changes.changed() => {}
            () = tokio::time::sleep(POLL.min(deadline.saturating_duration_since(tokio::time::Instant::now()))) => {}
            _ = stopped.changed() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_is_read_and_bad_numbers_are_named() {
        assert_eq!(params(None).unwrap(), Params::default());
        assert_eq!(
            params(Some("after=42&limit=5&wait=0&x=y")).unwrap(),
            Params {
                after: Some(42),
                limit: Some(5),
                wait: Some(0)
            }
        );
        let e = params(Some("after=abc")).unwrap_err();
        assert!(e.contains("`after`"), "{e}");
        assert!(params(Some("wait=-1")).is_err());
    }
}
