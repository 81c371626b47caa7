//! `GET /v1/access?product=…&email=…|license_key=…|user_id=…[&provider=…]`:
//! the entitlement view, behind the read token.
//!
//! The read token (`--read-token` / `CREATOR_READ_TOKEN`) is sent as
//! `Authorization: Bearer <token>` (the scheme in any case) and compared in
//! constant time, by the same check as the feed's. Without a
//! configured token the endpoint answers 404, as if it did not exist: the
//! view is never readable by accident. It is the same
//! `RelayConfig::read_token` the event feed (`GET /v1/events`) asks for.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::App;
use crate::ledger::entitlements::{Lookup, Who};

/// Longest accepted query value (a product id, email or key is far shorter).
const MAX_VALUE: usize = 512;

fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn error(status: StatusCode, message: &str) -> Response {
    json_response(status, json!({"error": message}).to_string())
}

/// A refusal: its status and message.
type Refusal = (StatusCode, &'static str);

fn authorized(app: &App, headers: &HeaderMap) -> Result<(), Refusal> {
    let Some(token) = &app.config.read_token else {
        return Err((StatusCode::NOT_FOUND, "not found"));
    };
    if super::read_token::sent(token, headers) {
        Ok(())
    } else {
        Err((
            StatusCode::UNAUTHORIZED,
            "send the read token as `Authorization: Bearer <token>`",
        ))
    }
}

fn lookup(params: &HashMap<String, String>) -> Result<Lookup, Refusal> {
    if params.values().any(|v| v.len() > MAX_VALUE) {
        return Err((StatusCode::BAD_REQUEST, "a query value is too long"));
    }
    let get = |k: &str| params.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let product = get("product").ok_or((StatusCode::BAD_REQUEST, "`product` is required"))?;
    let who = match (get("email"), get("license_key"), get("user_id")) {
        (Some(e), None, None) => Who::Email(e.to_owned()),
        (None, Some(k), None) => Who::LicenseKey(k.to_owned()),
        (None, None, Some(u)) => Who::UserId(u.to_owned()),
        _ => {
            return Err((
                StatusCode::BAD_REQUEST,
                "give exactly one of `email`, `license_key`, `user_id`",
            ));
        }
    };
    Ok(Lookup {
        product_id: product.to_owned(),
        who,
        provider: get("provider").map(str::to_owned),
    })
}

/// The handler.
pub(crate) async fn check(State(app): State<Arc<App>>, headers: HeaderMap, uri: Uri) -> Response {
    if let Err((status, message)) = authorized(&app, &headers) {
        return error(status, message);
    }
    let Ok(params) =
        serde_urlencoded::from_str::<HashMap<String, String>>(uri.query().unwrap_or(""))
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "the query string is not form-encoded",
        );
    };
    let lookup = match lookup(&params) {
        Ok(l) => l,
        Err((status, message)) => return error(status, message),
    };
    let now = time::OffsetDateTime::from(app.config.clock.now());
    match app.ledger.access(lookup, now).await {
        Ok(verdict) => json_response(
            StatusCode::OK,
            serde_json::to_string(&verdict).unwrap_or_else(|_| "{}".into()),
        ),
        Err(e) => {
            tracing::warn!("access lookup failed: {e}");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the ledger could not be read",
            )
        }
    }
}
