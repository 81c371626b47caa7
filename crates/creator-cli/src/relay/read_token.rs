//! The read token check, one for both read endpoints (`GET /v1/access` and
//! `GET /v1/events`): `Authorization: Bearer <token>`, the scheme in any
//! case (RFC 7235), the token compared in constant time.

use axum::http::{HeaderMap, header};
use creator_core::Secret;

/// The bearer token of a request, if it sent one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// Whether the request sent `token` as its bearer token.
pub(crate) fn sent(token: &Secret, headers: &HeaderMap) -> bool {
    bearer(headers).is_some_and(|given| token.matches(given.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_bearer_token_counts() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        h.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer(&h), None);
        h.insert(header::AUTHORIZATION, "bearer  tok-en ".parse().unwrap());
        assert_eq!(bearer(&h), Some("tok-en"));
        assert!(sent(&Secret::new("tok-en"), &h));
        assert!(!sent(&Secret::new("tok-en-2"), &h));
    }
}
