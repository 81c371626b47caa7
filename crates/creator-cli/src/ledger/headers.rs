//! The request headers as stored with an event or a quarantined delivery.
//!
//! A header whose name looks like it carries a credential is never stored:
//! names containing `auth`, `token`, `secret`, `key`, `pass`, `pwd`,
//! `bearer`, `jwt`, `cookie`, `session` or `credential` are stored as `<redacted>`. Signature headers
//! (`sig`, `hmac` in the name) are stored as the SHA-256 of their value, so
//! a signature can later be matched against a candidate scheme without the
//! ledger keeping it. Values are cut at [`MAX_VALUE_BYTES`].

use axum::http::{HeaderMap, header};
use sha2::{Digest, Sha256};

/// Longest header value stored, in bytes.
pub const MAX_VALUE_BYTES: usize = 1024;
/// Most headers stored.
pub const MAX_HEADERS: usize = 64;

const SECRET_PARTS: &[&str] = &[
    "auth",
    "token",
    "secret",
    "key",
    "pass",
    "pwd",
    "bearer",
    "jwt",
    "cookie",
    "session",
    "credential",
];
const SIGNATURE_PARTS: &[&str] = &["sig", "hmac"];

/// How a header's value is stored.
fn stored_value(name: &str, value: &[u8]) -> String {
    let name = name.to_ascii_lowercase();
    let name = name.as_str();
    if SIGNATURE_PARTS.iter().any(|p| name.contains(p)) {
        let digest = crate::hex::lower(&Sha256::digest(value));
        return format!("<redacted sha256:{digest}>");
    }
    if SECRET_PARTS.iter().any(|p| name.contains(p)) {
        return "<redacted>".to_owned();
    }
    let cut = &value[..value.len().min(MAX_VALUE_BYTES)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    if cut.len() < value.len() {
        text.push('…');
    }
    text
}

/// Headers stored before these rules, redacted with them (values already
/// redacted are kept as they are).
pub(crate) fn redact_json(stored: &str) -> String {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(stored)
    else {
        return stored.to_owned();
    };
    let redacted: serde_json::Map<String, serde_json::Value> = map
        .into_iter()
        .map(|(name, value)| {
            let value = match value {
                serde_json::Value::String(v) if v.starts_with("<redacted") => v,
                serde_json::Value::String(v) => stored_value(&name, v.as_bytes()),
                other => stored_value(&name, other.to_string().as_bytes()),
            };
            (name, serde_json::Value::String(value))
        })
        .collect();
    serde_json::Value::Object(redacted).to_string()
}

/// [`to_json`], at most `max_bytes` long (for deliveries from strangers):
/// headers past the budget are left out, and counted.
pub(crate) fn to_json_within(headers: &HeaderMap, max_bytes: usize) -> String {
    let full = to_json(headers);
    if full.len() <= max_bytes {
        return full;
    }
    let mut map = serde_json::Map::new();
    let mut used = 2;
    let mut left_out = 0usize;
    if let Ok(serde_json::Value::Object(all)) = serde_json::from_str::<serde_json::Value>(&full) {
        for (name, value) in all {
            let cost = name.len() + value.to_string().len() + 4;
            if used + cost > max_bytes.saturating_sub(40) {
                left_out += 1;
                continue;
            }
            used += cost;
            map.insert(name, value);
        }
    }
    map.insert(
        "x-creator-headers-left-out".into(),
        serde_json::Value::String(left_out.to_string()),
    );
    serde_json::Value::Object(map).to_string()
}

/// The headers as a JSON object, credentials redacted, bounded.
pub(crate) fn to_json(headers: &HeaderMap) -> String {
    let mut map = serde_json::Map::new();
    for name in headers.keys().take(MAX_HEADERS) {
        let key = name.as_str();
        let values: Vec<String> = headers
            .get_all(name)
            .iter()
            .take(8)
            .map(|v| stored_value(key, v.as_bytes()))
            .collect();
        map.insert(key.to_owned(), serde_json::Value::String(values.join(", ")));
    }
    serde_json::Value::Object(map).to_string()
}

/// The request's `Content-Type`, as text.
pub(crate) fn content_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(&v.as_bytes()[..v.len().min(200)]).into_owned())
}

/// The request's `Content-Length`, when it is a number.
pub(crate) fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn anything_that_looks_like_a_credential_is_redacted() {
        let mut h = HeaderMap::new();
        for (name, value) in [
            ("authorization", "Basic dXNlcjpwYXNz"),
            ("proxy-authorization", "Bearer pr0xy"),
            ("x-api-key", "k3y-value"),
            ("x-auth-token", "t0ken-value"),
            ("x-client-secret", "s3cret-value"),
            ("cookie", "session=c00kie"),
            ("x-session-id", "s3ssion"),
            ("content-type", "application/json"),
        ] {
            h.insert(
                axum::http::HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        h.insert("x-gank-signature", HeaderValue::from_static("abcdef0123"));
        let j = to_json(&h);
        for secret in [
            "dXNlcjpwYXNz",
            "pr0xy",
            "k3y-value",
            "t0ken-value",
            "s3cret-value",
            "c00kie",
            "s3ssion",
            "abcdef0123",
        ] {
            assert!(!j.contains(secret), "{secret} in {j}");
        }
        assert!(j.contains("application/json"), "{j}");
        assert!(
            j.contains("<redacted sha256:"),
            "signatures keep a hash: {j}"
        );
    }

    #[test]
    fn headers_stored_before_are_redacted_again_once() {
        let old = r#"{"x-gank-signature":"abcdef","authorization":"<redacted>","x-pass":"p4ss","accept":"*/*"}"#;
        let new = redact_json(old);
        assert!(!new.contains("abcdef") && !new.contains("p4ss"), "{new}");
        assert!(
            new.contains("<redacted sha256:") && new.contains("*/*"),
            "{new}"
        );
        assert_eq!(redact_json(&new), new, "idempotent");
    }

    #[test]
    fn strangers_headers_fit_a_budget() {
        let mut h = HeaderMap::new();
        for i in 0..60 {
            h.insert(
                axum::http::HeaderName::from_bytes(format!("x-h{i}").as_bytes()).unwrap(),
                HeaderValue::from_str(&"v".repeat(900)).unwrap(),
            );
        }
        let j = to_json_within(&h, 4096);
        assert!(j.len() <= 4096, "{}", j.len());
        assert!(j.contains("x-creator-headers-left-out"), "{j}");
    }

    #[test]
    fn long_values_and_many_headers_are_bounded() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-long",
            HeaderValue::from_str(&"v".repeat(10_000)).unwrap(),
        );
        for i in 0..200 {
            h.insert(
                axum::http::HeaderName::from_bytes(format!("x-h{i}").as_bytes()).unwrap(),
                HeaderValue::from_static("1"),
            );
        }
        let j = to_json(&h);
        assert!(j.len() < MAX_VALUE_BYTES + MAX_HEADERS * 20, "{}", j.len());
    }
}
