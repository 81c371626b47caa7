//! The one error type of every creator-commerce crate.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;

use crate::Provider;
use crate::redact::{is_secret_field, redact_quoted, redact_secrets};
use crate::retry::RetryClass;

/// Bytes of a response body kept on an error, exactly as received.
///
/// `Debug` and `Display` show a [`preview`](RawBody::preview): at most
/// [`RawBody::PREVIEW_CHARS`] characters, with the values of secret fields
/// ([`is_secret_field`](crate::is_secret_field): `access_token`, `key`,
/// `password`, …) redacted in JSON and form bodies, so an error never
/// prints a token a response carried. [`RawBody::as_bytes`] returns everything.
///
/// ```
/// use creator_core::RawBody;
///
/// let body = RawBody::new(r#"{"access_token":"tok_live_123","token_type":"bearer"}"#);
/// assert_eq!(body.preview(), r#"{"access_token":"<redacted>","token_type":"bearer"}"#);
/// assert!(format!("{body:?} {body}").find("tok_live_123").is_none());
/// assert!(body.text().contains("tok_live_123"));
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RawBody(Bytes);

impl RawBody {
    /// How many characters of the body `Display` and `Debug` show.
    pub const PREVIEW_CHARS: usize = 300;

    /// How much of the body is read for the preview (redaction needs the
    /// text around what is shown).
    const PREVIEW_WINDOW: usize = 64 * 1024;

    /// Wraps response bytes.
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        Self(bytes.into())
    }

    /// The complete body.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The complete body as a cheap clone of the underlying buffer.
    pub fn bytes(&self) -> Bytes {
        self.0.clone()
    }

    /// The body as text (lossy for invalid UTF-8).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }

    /// True for an empty body (Gumroad's 401/403).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first [`RawBody::PREVIEW_CHARS`] characters with secret values
    /// redacted, and `…` when cut.
    pub fn preview(&self) -> String {
        let text = self.text();
        let window = match text.char_indices().nth(Self::PREVIEW_WINDOW) {
            Some((cut, _)) => &text[..cut],
            None => &text,
        };
        let shown = truncate(&redact_secrets(window), Self::PREVIEW_CHARS);
        if window.len() < text.len() && !shown.ends_with('…') {
            format!("{shown}…")
        } else {
            shown
        }
    }
}

/// Cuts `text` to at most `max` characters, marking the cut with `…`.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}…", &text[..cut]),
    }
}

impl fmt::Debug for RawBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawBody({} bytes: {:?})", self.0.len(), self.preview())
    }
}

impl fmt::Display for RawBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.preview())
    }
}

/// Why a webhook delivery was rejected.
///
/// Verification failures and parse failures are different variants, so a new
/// event type is never reported as a bad signature.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The header that should carry the signature is absent.
    #[error("webhook signature header `{header}` is missing")]
    MissingSignature {
        /// The header name that was looked for.
        header: String,
    },
    /// A signature was present but none matched the body under any configured key.
    #[error("webhook signature does not match the body")]
    InvalidSignature,
    /// The signature header is longer, or carries more signatures, than any
    /// real delivery does; it was rejected before any signature was computed.
    #[error("webhook signature header `{header}` was rejected unchecked: {reason}")]
    SignatureHeaderTooLarge {
        /// The header name.
        header: String,
        /// Which bound it broke (`5000 bytes, above the limit of 4096`).
        reason: String,
    },
    /// The signed timestamp is too far from now (in either direction).
    #[error("webhook timestamp is outside the allowed tolerance of {tolerance:?}")]
    TimestampOutOfTolerance {
        /// The configured tolerance.
        tolerance: Duration,
    },
    /// The shared secret expected in the callback URL or credentials is absent or wrong.
    #[error("webhook authentication failed: {reason}")]
    Unauthenticated {
        /// What was missing or wrong (never the secret itself).
        reason: String,
    },
    /// The platform's API, read back by [`Webhooks::confirm`](crate::Webhooks::confirm),
    /// does not agree with what the delivery claims (another product, a
    /// refund of a sale the API reports unrefunded, another creator's payment).
    #[error("webhook delivery not confirmed by the API: {reason}")]
    Unconfirmed {
        /// What the delivery claims and what the API says instead.
        reason: String,
    },
    /// The verifier has no key to check with (a configuration mistake).
    #[error("webhook verifier is not configured: {0}")]
    NotConfigured(String),
    /// The body could not be decoded into an event (truncated, malformed, wrong encoding).
    #[error("webhook body is malformed: {reason}")]
    Malformed {
        /// What was wrong, with the field path when known.
        reason: String,
    },
    /// The `Content-Type` is not one this provider sends.
    #[error("webhook content type `{0}` is not supported")]
    UnsupportedContentType(String),
}

impl WebhookError {
    /// True for failures of authenticity (signature, token, timestamp, a
    /// claim the API does not confirm), as opposed to a body that could not be parsed.
    pub fn is_verification_failure(&self) -> bool {
        !matches!(
            self,
            WebhookError::Malformed { .. } | WebhookError::UnsupportedContentType(_)
        )
    }
}

/// Every failure a creator-commerce client can report.
///
/// Response bodies are always kept raw ([`Error::raw_body`]); `Display` is
/// short, truncates bodies and never contains a credential.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The platform answered with an error that has no more specific variant.
    #[error("{provider} API error (HTTP {status}): {message}")]
    Api {
        /// Which platform answered.
        provider: Provider,
        /// HTTP status (Gumroad reports many errors with 200).
        status: u16,
        /// A machine-readable code, when the platform sends one.
        code: Option<String>,
        /// The platform's message, or a preview of the body.
        message: String,
        /// The response body exactly as received.
        body: RawBody,
    },
    /// The credentials are missing, invalid or revoked (HTTP 401).
    #[error(
        "{provider} rejected the credentials (HTTP {status}){}",
        suffix(message)
    )]
    Unauthorized {
        /// Which platform answered.
        provider: Provider,
        /// HTTP status.
        status: u16,
        /// The platform's message, often empty.
        message: String,
        /// The response body (Gumroad sends none).
        body: RawBody,
    },
    /// The credentials are valid but lack a permission or OAuth scope (HTTP 403).
    #[error(
        "{provider} refused the request: the token lacks a required scope or permission (HTTP {status}){}",
        suffix(message)
    )]
    Forbidden {
        /// Which platform answered.
        provider: Provider,
        /// HTTP status.
        status: u16,
        /// The platform's message, often empty.
        message: String,
        /// The response body.
        body: RawBody,
    },
    /// The object does not exist or does not belong to the token's owner.
    #[error("{provider}: not found: {message}")]
    NotFound {
        /// Which platform answered.
        provider: Provider,
        /// HTTP status (200 for Gumroad's `success:false`, 404 elsewhere).
        status: u16,
        /// The platform's message.
        message: String,
        /// The response body.
        body: RawBody,
    },
    /// Too many requests (HTTP 429), after the retry budget was spent.
    #[error("{provider} rate limit hit{}", retry_suffix(retry_after))]
    RateLimited {
        /// Which platform answered.
        provider: Provider,
        /// How long the platform asked us to wait, when it said so.
        retry_after: Option<Duration>,
        /// The response body.
        body: RawBody,
    },
    /// The request could not be sent or the response could not be read.
    #[error("{provider} transport error: {source}")]
    Transport {
        /// Which platform was called.
        provider: Provider,
        /// The underlying I/O or HTTP error (never includes credentials).
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// No response arrived within the per-attempt timeout.
    #[error("{provider} did not answer within {after:?} (attempt {attempts})")]
    Timeout {
        /// Which platform was called.
        provider: Provider,
        /// The per-attempt timeout.
        after: Duration,
        /// How many attempts were made.
        attempts: u32,
    },
    /// A response arrived but did not have the expected shape.
    #[error("{provider}: could not decode response at `{path}`: {message}")]
    Decode {
        /// Which platform answered.
        provider: Provider,
        /// Where in the document decoding failed (serde_path_to_error style, `.sales[3].price`).
        path: String,
        /// What was wrong.
        message: String,
        /// The response body.
        body: RawBody,
    },
    /// A webhook delivery failed verification or parsing.
    #[error(transparent)]
    Webhook(#[from] WebhookError),
    /// The client was configured wrongly (bad base URL, missing credential).
    #[error("configuration error: {0}")]
    Config(String),
    /// An argument given by the caller is not valid (checked before any request).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// An observer (`http::observe`, feature `http`) held the request back
    /// (a dry run): nothing was sent.
    #[error("{provider}: {method} {path} was not sent (held back: a dry run)")]
    NotSent {
        /// The platform.
        provider: Provider,
        /// The method.
        method: String,
        /// The path template.
        path: String,
    },
    /// The platform has no such capability.
    #[error("{provider} does not support {operation}")]
    Unsupported {
        /// The platform.
        provider: Provider,
        /// What was asked for, e.g. `"sales: filter by nickname"`.
        operation: &'static str,
    },
}

fn suffix(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(": {}", truncate(message, RawBody::PREVIEW_CHARS))
    }
}

fn retry_suffix(retry_after: &Option<Duration>) -> String {
    retry_after
        .map(|d| format!(" (retry after {}s)", d.as_secs()))
        .unwrap_or_default()
}

impl Error {
    /// The HTTP status of the response that caused the error, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. }
            | Error::Unauthorized { status, .. }
            | Error::Forbidden { status, .. }
            | Error::NotFound { status, .. } => Some(*status),
            Error::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// The response body exactly as received, if the error came from a response.
    pub fn raw_body(&self) -> Option<&RawBody> {
        match self {
            Error::Api { body, .. }
            | Error::Unauthorized { body, .. }
            | Error::Forbidden { body, .. }
            | Error::NotFound { body, .. }
            | Error::RateLimited { body, .. }
            | Error::Decode { body, .. } => Some(body),
            _ => None,
        }
    }

    /// The provider the error is about, when known.
    pub fn provider(&self) -> Option<Provider> {
        match self {
            Error::Api { provider, .. }
            | Error::Unauthorized { provider, .. }
            | Error::Forbidden { provider, .. }
            | Error::NotFound { provider, .. }
            | Error::RateLimited { provider, .. }
            | Error::Transport { provider, .. }
            | Error::Timeout { provider, .. }
            | Error::Decode { provider, .. }
            | Error::NotSent { provider, .. }
            | Error::Unsupported { provider, .. } => Some(*provider),
            _ => None,
        }
    }

    /// What this error means for sending the same request again: the one
    /// definition of "retryable", which the transport's retry loop
    /// ([`RetryPolicy::decide`](crate::RetryPolicy::decide)) and
    /// [`Error::is_retryable`] both read.
    ///
    /// [`RetryClass::Transient`]: rate limits (a 429 of any shape), timeouts,
    /// transport failures, 502/503/504 whatever their label.
    /// [`RetryClass::ServerError`]: a 500 that the platform did not identify
    /// with an error code. Everything else is [`RetryClass::Permanent`],
    /// among them a coded 500 (Gumroad's `product_id_required`, Maton's
    /// documented 500), which answers the same every time.
    pub fn retry_class(&self) -> RetryClass {
        match self {
            Error::RateLimited { .. } | Error::Timeout { .. } | Error::Transport { .. } => {
                RetryClass::Transient
            }
            Error::Api {
                status: 429 | 502..=504,
                ..
            } => RetryClass::Transient,
            Error::Api {
                status: 500,
                code: None,
                ..
            } => RetryClass::ServerError,
            _ => RetryClass::Permanent,
        }
    }

    /// True when trying the same request again later may succeed: the
    /// error's [`retry_class`](Error::retry_class) is not
    /// [`RetryClass::Permanent`]. (An uncoded 500 is retryable, but the
    /// transport re-sends it for GET only.)
    pub fn is_retryable(&self) -> bool {
        self.retry_class() != RetryClass::Permanent
    }

    /// True for [`Error::NotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }

    /// True for [`Error::Unsupported`].
    pub fn is_unsupported(&self) -> bool {
        matches!(self, Error::Unsupported { .. })
    }

    /// Builds a [`Error::Decode`] from a serde_path_to_error-style path and
    /// message. When the path ends in a secret field (`.access_token`), the
    /// quoted parts of the message (serde quotes the value it could not
    /// read) are redacted.
    pub fn decode(
        provider: Provider,
        path: impl Into<String>,
        message: impl fmt::Display,
        body: impl Into<Bytes>,
    ) -> Self {
        let path = path.into();
        let last = path.rsplit('.').next().unwrap_or("");
        let last = last.split('[').next().unwrap_or(last);
        let message = message.to_string();
        Error::Decode {
            provider,
            message: if is_secret_field(last) {
                redact_quoted(&message)
            } else {
                message
            },
            path,
            body: RawBody::new(body),
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_truncates_long_bodies_but_raw_body_keeps_everything() {
        let long = "x".repeat(5_000);
        let err = Error::Api {
            provider: Provider::Gumroad,
            status: 502,
            code: None,
            message: RawBody::new(long.clone()).preview(),
            body: RawBody::new(long.clone()),
        };
        let shown = err.to_string();
        assert!(shown.len() < 500, "{}", shown.len());
        assert!(shown.ends_with('…'));
        assert_eq!(err.raw_body().unwrap().as_bytes().len(), 5_000);
        assert!(format!("{err:?}").len() < 1_000);
        assert_eq!(err.status(), Some(502));
        assert!(err.is_retryable());
    }

    #[test]
    fn a_coded_server_error_is_not_retryable() {
        let err = |code: Option<&str>| Error::Api {
            provider: Provider::Gumroad,
            status: 500,
            code: code.map(str::to_owned),
            message: String::new(),
            body: RawBody::default(),
        };
        assert!(err(None).is_retryable());
        assert!(!err(Some("product_id_required")).is_retryable());
        let outage = Error::Api {
            provider: Provider::Gumroad,
            status: 503,
            code: Some("edge_html".into()),
            message: String::new(),
            body: RawBody::default(),
        };
        assert!(
            outage.is_retryable(),
            "a 503 is transient whatever its label"
        );
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("héllo", 2), "hé…");
        assert_eq!(truncate("hé", 2), "hé");
        assert_eq!(truncate("", 2), "");
    }

    #[test]
    fn unauthorized_with_empty_body_reads_cleanly() {
        let err = Error::Unauthorized {
            provider: Provider::Gumroad,
            status: 401,
            message: String::new(),
            body: RawBody::default(),
        };
        assert_eq!(
            err.to_string(),
            "gumroad rejected the credentials (HTTP 401)"
        );
        assert!(err.raw_body().unwrap().is_empty());
    }

    #[test]
    fn webhook_errors_tell_verification_from_parsing() {
        assert!(WebhookError::InvalidSignature.is_verification_failure());
        assert!(WebhookError::Unconfirmed { reason: "x".into() }.is_verification_failure());
        assert!(
            WebhookError::SignatureHeaderTooLarge {
                header: "x-signature".into(),
                reason: "too long".into()
            }
            .is_verification_failure()
        );
        assert!(!WebhookError::Malformed { reason: "x".into() }.is_verification_failure());
    }
}
