//! The request headers as stored with an event or a quarantined delivery.
//!
//! A header whose name looks like it carries a credential is never stored:
//! names containing `auth`, `token`, `secret`, `key`, `password`, `cookie`,
//! `session` or `credential` are stored as `<redacted>`. Signature headers
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
    "password",
    "passwd",
    "cookie",
    "session",
    "credential",
];
const SIGNATURE_PARTS: &[&str] = &["sig", "hmac"];

/// How a header's value is stored.
fn stored_value(name: &str, value: &[u8]) -> String {
    if SIGNATURE_PARTS.iter().any(|p| name.contains(p)) {
        let digest: String = Sha256::digest(value)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
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
