//! `Error`'s `Debug` and `Display` never show a credential a response body
//! carried, while `raw_body()` keeps every byte. The bodies are the stored
//! fixtures (their tokens are placeholders, which is what is looked for).

use std::time::SystemTime;

use bytes::Bytes;
use creator_core::http::{Response, default_error};
use creator_core::{Error, Provider};

fn fixture(relative: &str) -> Bytes {
    let path = format!("{}/../../fixtures/{relative}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("fixture {path}: {e}"))
        .into()
}

fn response(status: u16, body: Bytes) -> Response {
    Response {
        status,
        headers: http::HeaderMap::new(),
        body,
    }
}

/// A model the body does not fit, so decoding fails somewhere other than the secret.
#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct Unexpected {
    sales: Vec<String>,
}

/// A model that fails on the secret field itself (serde quotes the value it read).
#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct SecretAsNumber {
    #[serde(alias = "key", alias = "token")]
    access_token: u64,
}

fn assert_hidden(what: &str, err: &Error, secrets: &[&str], body: &Bytes) {
    let shown = format!("{err:?}\n{err:#?}\n{err}");
    for secret in secrets {
        assert!(
            !shown.contains(secret),
            "{what}: `{secret}` shown in\n{shown}"
        );
    }
    assert_eq!(
        err.raw_body().map(|b| b.bytes()),
        Some(body.clone()),
        "{what}: raw_body keeps every byte"
    );
    for secret in secrets {
        assert!(
            err.raw_body().unwrap().text().contains(secret),
            "{what}: the raw body still holds `{secret}`"
        );
    }
}

#[test]
fn token_bearing_bodies_never_show_in_api_or_decode_errors() {
    let cases: &[(&str, Provider, &str, &[&str])] = &[
        (
            "a Gumroad OAuth token response",
            Provider::Gumroad,
            "gumroad/oauth_token.json",
            &["redacted-token-9c5f9077", "redacted-token-fb28b191"],
        ),
        (
            "a Gank creator-token response",
            Provider::Gank,
            "gank/auth_creators.json",
            &["eyJhbGciOiJub25lIn0.eyJyZWRhY3RlZCI6dHJ1ZX0.redacted-61e0adc0"],
        ),
        (
            "a Gank webhook registration response",
            Provider::Gank,
            "gank/webhook_register.json",
            &["redacted-token-14f5e4a5"],
        ),
    ];
    for (what, provider, file, secrets) in cases {
        let body = fixture(file);
        for status in [400, 401, 403, 404, 500, 502] {
            let err = default_error(
                *provider,
                &response(status, body.clone()),
                SystemTime::now(),
            );
            assert_hidden(&format!("{what} as HTTP {status}"), &err, secrets, &body);
        }
        let err = response(200, body.clone())
            .json::<Unexpected>(*provider)
            .unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
        assert_hidden(
            &format!("{what} that does not decode"),
            &err,
            secrets,
            &body,
        );
        let err = response(200, body.clone())
            .json::<SecretAsNumber>(*provider)
            .unwrap_err();
        assert!(
            matches!(&err, Error::Decode { message, .. } if message.contains("<redacted>")),
            "{err:?}"
        );
        assert_hidden(
            &format!("{what} failing on its secret"),
            &err,
            secrets,
            &body,
        );
    }
}

#[test]
fn the_rest_of_the_body_is_still_shown() {
    let body = fixture("gank/webhook_register.json");
    let err = default_error(Provider::Gank, &response(500, body), SystemTime::now());
    let shown = err.to_string();
    assert!(
        shown.contains("owner_user_id") && shown.contains("<redacted>"),
        "{shown}"
    );
}
