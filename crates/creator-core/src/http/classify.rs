//! Turning HTTP responses into errors.

use std::fmt;
use std::time::SystemTime;

use crate::error::RawBody;
use crate::retry::parse_retry_after;
use crate::{Error, Provider};

use super::Response;

/// A provider's hook to turn a response into its own error.
///
/// Called for every response, successful statuses included, before the
/// default mapping; return `None` to keep the default (2xx is success,
/// other statuses become errors through [`default_error`]).
pub trait ResponseClassifier: Send + Sync + fmt::Debug {
    /// An error for this response, or `None` for the default handling.
    fn classify(&self, provider: Provider, response: &Response) -> Option<Error>;
}

/// The classifier that adds nothing to the default mapping.
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultClassifier;

impl ResponseClassifier for DefaultClassifier {
    fn classify(&self, _provider: Provider, _response: &Response) -> Option<Error> {
        None
    }
}

/// The default error for a non-2xx response: 401 → `Unauthorized`,
/// 403 → `Forbidden`, 404 → `NotFound`, 429 → `RateLimited` (with
/// `Retry-After`), anything else → `Api`. The body is always kept.
pub fn default_error(provider: Provider, response: &Response, now: SystemTime) -> Error {
    let status = response.status;
    let body = RawBody::new(response.body.clone());
    let message = message_from_body(&response.body).unwrap_or_else(|| {
        if body.is_empty() {
            http::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("no message")
                .to_owned()
        } else {
            body.preview()
        }
    });
    let no_message = || message_from_body(&response.body).unwrap_or_default();
    match status {
        401 => Error::Unauthorized {
            provider,
            status,
            message: no_message(),
            body,
        },
        403 => Error::Forbidden {
            provider,
            status,
            message: no_message(),
            body,
        },
        404 => Error::NotFound {
            provider,
            status,
            message,
            body,
        },
        429 => Error::RateLimited {
            provider,
            retry_after: response
                .header("retry-after")
                .and_then(|v| parse_retry_after(v, now)),
            body,
        },
        _ => Error::Api {
            provider,
            status,
            code: None,
            message,
            body,
        },
    }
}

/// The human message of a JSON error body: `message`, `error` (string, or an
/// object with `message`), or `errors[0]`; `None` for anything else.
pub fn message_from_body(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let obj = value.as_object()?;
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Object(o) => {
            o.get("message").and_then(|m| m.as_str()).map(str::to_owned)
        }
        _ => None,
    };
    obj.get("message")
        .and_then(text)
        .or_else(|| obj.get("error").and_then(text))
        .or_else(|| obj.get("errors")?.as_array()?.first().and_then(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_found_in_common_shapes() {
        let table: &[(&str, Option<&str>)] = &[
            (
                r#"{"success":false,"message":"The sale was not found."}"#,
                Some("The sale was not found."),
            ),
            (
                r#"{"status":400,"error":"Invalid product ID."}"#,
                Some("Invalid product ID."),
            ),
            (
                r#"{"error":{"message":"No connection"}}"#,
                Some("No connection"),
            ),
            (r#"{"errors":["bad"]}"#, Some("bad")),
            (r#"{"message":""}"#, None),
            ("<html>We'll be right back.</html>", None),
            ("", None),
            ("[1]", None),
        ];
        for (body, want) in table {
            assert_eq!(
                message_from_body(body.as_bytes()).as_deref(),
                *want,
                "{body}"
            );
        }
    }
}
