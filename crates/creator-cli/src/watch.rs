//! What every command shares about the requests it sends: `--debug` (each
//! request and response line on stderr) and `--dry-run` (the exact write
//! requests printed, none sent), both with every secret redacted.
//!
//! Both ride on [`creator_core::http::observe`]: one [`Watch`] sees every
//! attempt of every platform client while a command runs. Secrets are
//! redacted three ways: header values the clients mark sensitive (the
//! credential), fields whose name says they are secret
//! ([`creator_core::is_secret_field`]: `license_key`, `key`, `token`, …) in
//! queries and bodies, and every secret value this process read (tokens,
//! keys, license keys read from stdin, relay URL secrets), wherever it
//! appears.

use std::io::Write as _;
use std::sync::{Arc, Mutex, RwLock};

use creator_core::http::{ObservedResponse, Observer, OutgoingRequest, Verdict};
use serde::Serialize;

/// The placeholder for a secret.
pub const REDACTED: &str = "<redacted>";

static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());
static DEBUG: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Remembers a secret value so nothing this process prints shows it (values
/// shorter than 6 characters are not worth hiding and would mangle output).
pub fn register_secret(value: &str) {
    let value = value.trim();
    if value.len() < 6 {
        return;
    }
    if let Ok(mut secrets) = SECRETS.write()
        && !secrets.iter().any(|s| s == value)
    {
        secrets.push(value.to_owned());
        // Longest first, so a secret containing another is hidden whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }
}

/// Turns `--debug` on for this process.
pub fn set_debug(on: bool) {
    DEBUG.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// True under `--debug`.
pub fn debug() -> bool {
    DEBUG.load(std::sync::atomic::Ordering::Relaxed)
}

/// `text` with every registered secret value, every secret field's value
/// and every relay URL secret (`/webhooks/<provider>/<secret>`) replaced.
pub fn redact(text: &str) -> String {
    let mut out = creator_core::redact_secrets(text);
    if let Ok(secrets) = SECRETS.read() {
        for secret in secrets.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
            let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
            if encoded != *secret && out.contains(&encoded) {
                out = out.replace(&encoded, REDACTED);
            }
        }
    }
    redact_relay_secrets(&out)
}

/// `…/webhooks/gumroad/<secret>` → `…/webhooks/gumroad/<redacted>` (also
/// percent-encoded, as in a form body).
fn redact_relay_secrets(text: &str) -> String {
    let mut out = text.to_owned();
    for marker in ["/webhooks/", "%2Fwebhooks%2F"] {
        let sep = if marker.starts_with('%') { "%2F" } else { "/" };
        let mut at = 0;
        while let Some(found) = out[at..].find(marker) {
            let provider_start = at + found + marker.len();
            let Some(provider_len) = out[provider_start..].find(sep) else {
                break;
            };
            let secret_start = provider_start + provider_len + sep.len();
            let secret_end = out[secret_start..]
                .find(|c: char| matches!(c, '/' | '?' | '&' | '"' | '#' | '%') || c.is_whitespace())
                .map_or(out.len(), |n| secret_start + n);
            let provider = &out[provider_start..provider_start + provider_len];
            if secret_end > secret_start
                && provider.chars().all(|c| c.is_ascii_alphanumeric())
                && &out[secret_start..secret_end] != REDACTED
            {
                out.replace_range(secret_start..secret_end, REDACTED);
                at = secret_start + REDACTED.len();
            } else {
                at = secret_start;
            }
        }
    }
    out
}

/// A request a dry run held back, as printed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HeldRequest {
    /// `PUT`.
    pub method: String,
    /// The absolute URL (secrets redacted).
    pub url: String,
    /// The headers, credentials redacted, in the order sent.
    pub headers: Vec<(String, String)>,
    /// The body's content type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The body as text, secrets redacted (`None` without a body).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl HeldRequest {
    fn from(request: &OutgoingRequest<'_>) -> Self {
        let headers = request
            .headers
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), header_value(name.as_str(), value)))
            .collect();
        let content_type = request
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = (!request.body.is_empty()).then(|| {
            let text = String::from_utf8_lossy(request.body);
            redact(&text)
        });
        Self {
            method: request.method.to_string(),
            url: redact(request.url.as_str()),
            headers,
            content_type,
            body,
        }
    }

    /// The request as people read it: the request line, the headers, a
    /// blank line and the body (a form body one field a line, decoded).
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![format!("{} {}", self.method, self.url)];
        lines.extend(self.headers.iter().map(|(k, v)| format!("{k}: {v}")));
        if let Some(body) = &self.body {
            lines.push(String::new());
            let is_form = self
                .content_type
                .as_deref()
                .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
            if is_form {
                for (k, v) in url::form_urlencoded::parse(body.as_bytes()) {
                    lines.push(format!("{k}={v}"));
                }
            } else {
                lines.push(body.clone());
            }
        }
        lines
    }
}

fn header_value(name: &str, value: &http::HeaderValue) -> String {
    if value.is_sensitive() || creator_core::is_secret_field(name) {
        return match value.to_str() {
            Ok(v) if v.starts_with("Bearer ") => format!("Bearer {REDACTED}"),
            _ => REDACTED.to_owned(),
        };
    }
    redact(&String::from_utf8_lossy(value.as_bytes()))
}

/// The observer of one command: prints request and response lines under
/// `--debug`, and under `--dry-run` holds back (and keeps) every request
/// that could change something, letting reads through.
#[derive(Debug, Default)]
pub struct Watch {
    hold_writes: bool,
    held: Mutex<Vec<HeldRequest>>,
}

impl Watch {
    /// The observer for `--debug` alone.
    pub fn debugging() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// The observer of a dry run.
    pub fn dry_run() -> Arc<Self> {
        Arc::new(Self {
            hold_writes: true,
            held: Mutex::new(Vec::new()),
        })
    }

    /// The requests held back so far.
    pub fn held(&self) -> Vec<HeldRequest> {
        self.held.lock().map(|h| h.clone()).unwrap_or_default()
    }
}

/// A read: nothing changes when it is sent (or sent again).
fn is_read(method: &http::Method) -> bool {
    matches!(*method, http::Method::GET | http::Method::HEAD)
}

impl Observer for Watch {
    fn on_request(&self, request: &OutgoingRequest<'_>) -> Verdict {
        let hold = self.hold_writes && !is_read(request.method);
        if debug() {
            let shown = HeldRequest::from(request);
            let mut err = std::io::stderr().lock();
            let note = if hold { " (dry run: not sent)" } else { "" };
            let _ = writeln!(
                err,
                "> {} {} (attempt {}){note}",
                shown.method, shown.url, request.attempt
            );
            for (k, v) in &shown.headers {
                let _ = writeln!(err, "> {k}: {v}");
            }
            if let Some(body) = &shown.body {
                let _ = writeln!(err, "> {}", body.replace('\n', " "));
            }
        }
        if hold {
            if let Ok(mut held) = self.held.lock() {
                held.push(HeldRequest::from(request));
            }
            Verdict::Hold
        } else {
            Verdict::Send
        }
    }

    fn on_response(&self, response: &ObservedResponse<'_>) {
        if !debug() {
            return;
        }
        let mut err = std::io::stderr().lock();
        let took = response.elapsed.as_millis();
        match (response.status, &response.failure) {
            (Some(status), _) => {
                let _ = writeln!(
                    err,
                    "< {status} {} ({} bytes, {took} ms)",
                    redact(response.url.as_str()),
                    response.body_len.unwrap_or(0)
                );
                for name in ["content-type", "retry-after", "x-request-id"] {
                    if let Some(v) = response.headers.get(name).and_then(|v| v.to_str().ok()) {
                        let _ = writeln!(err, "< {name}: {}", redact(v));
                    }
                }
            }
            (None, failure) => {
                let _ = writeln!(
                    err,
                    "< no response from {} after {took} ms: {}",
                    redact(response.url.as_str()),
                    redact(failure.as_deref().unwrap_or("unknown failure"))
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relay_url_secrets_are_redacted_plain_and_encoded() {
        assert_eq!(
            redact_relay_secrets("post_url=https://h.example/webhooks/gumroad/s3cr3t-value&x=1"),
            "post_url=https://h.example/webhooks/gumroad/<redacted>&x=1"
        );
        assert_eq!(
            redact_relay_secrets("post_url=https%3A%2F%2Fh.example%2Fwebhooks%2Fgumroad%2Fs3cr3t"),
            "post_url=https%3A%2F%2Fh.example%2Fwebhooks%2Fgumroad%2F<redacted>"
        );
        assert_eq!(redact_relay_secrets("/webhooks/gank"), "/webhooks/gank");
    }

    #[test]
    fn registered_values_are_hidden_wherever_they_appear() {
        register_secret("tok-0123456789-registered");
        assert_eq!(
            redact("a tok-0123456789-registered b"),
            format!("a {REDACTED} b")
        );
        assert_eq!(redact("license_key=ABCD-1234"), "license_key=<redacted>");
    }
}
