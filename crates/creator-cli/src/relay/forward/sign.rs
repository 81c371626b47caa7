//! Standard Webhooks signatures (<https://www.standardwebhooks.com>), made
//! with the `standardwebhooks` crate: `webhook-signature` is `v1,` and the
//! base64 HMAC-SHA256 of `id.timestamp.body` under the destination's
//! `whsec_` secret; during a rotation one such entry per secret still
//! accepted, separated by spaces, so a receiver holding either verifies.

use base64::Engine as _;
use creator_core::Secret;

/// The prefix of every secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// Random bytes in a generated secret.
const GENERATED_BYTES: usize = 32;
/// Fewest and most key bytes accepted in a given secret (the
/// specification asks for 24 to 64).
const KEY_BYTES: std::ops::RangeInclusive<usize> = 24..=64;

/// A new secret from the operating system's random source: `whsec_` and
/// the base64 of 32 random bytes.
///
/// # Errors
/// When the random source fails.
pub fn generate_secret() -> Result<Secret, String> {
    let key = crate::random::base64(GENERATED_BYTES)
        .map_err(|e| format!("cannot generate a secret: {e}"))?;
    Ok(Secret::new(format!("{SECRET_PREFIX}{key}")))
}

/// Checks a secret given by the user: `whsec_` and base64 of 24 to 64 bytes.
///
/// # Errors
/// A one-line reason (that never repeats the secret).
pub fn check_secret(secret: &str) -> Result<(), String> {
    let Some(encoded) = secret.strip_prefix(SECRET_PREFIX) else {
        return Err(format!(
            "a destination secret starts with `{SECRET_PREFIX}` (Standard Webhooks); leave --secret out to have one generated"
        ));
    };
    let key = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| format!("the part after `{SECRET_PREFIX}` is not base64"))?;
    if !KEY_BYTES.contains(&key.len()) {
        return Err(format!(
            "the secret holds {} bytes; use {} to {} random bytes (leave --secret out to have one generated)",
            key.len(),
            KEY_BYTES.start(),
            KEY_BYTES.end()
        ));
    }
    Ok(())
}

/// The `webhook-signature` value for `body` sent as message `id` at
/// `timestamp` (Unix seconds): one `v1,…` entry per secret.
///
/// # Errors
/// When a secret is not usable (a ledger edited by hand) or the body is not UTF-8.
pub fn signature(
    secrets: &[&Secret],
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, String> {
    let mut entries = Vec::with_capacity(secrets.len());
    for secret in secrets {
        let webhook = standardwebhooks::Webhook::new(secret.expose())
            .map_err(|e| format!("the destination's secret is not usable: {e}"))?;
        entries.push(
            webhook
                .sign(id, timestamp, body)
                .map_err(|e| format!("cannot sign the body: {e}"))?,
        );
    }
    Ok(entries.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the specification's reference implementations.
    #[test]
    fn signs_like_the_reference_implementations() {
        let secret = Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        let body = br#"{"test": 2432232314}"#;
        let sig = signature(&[&secret], "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body).unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn a_rotation_sends_one_signature_per_secret() {
        let new = generate_secret().unwrap();
        let old = Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        let both = signature(&[&new, &old], "evt_1", 1, b"{}").unwrap();
        let parts: Vec<&str> = both.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], signature(&[&new], "evt_1", 1, b"{}").unwrap());
        assert_eq!(parts[1], signature(&[&old], "evt_1", 1, b"{}").unwrap());
        // Each receiver verifies with the secret it holds.
        let mut headers = http::HeaderMap::new();
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let sig = signature(&[&new, &old], "evt_1", now, b"{}").unwrap();
        headers.insert("webhook-id", "evt_1".parse().unwrap());
        headers.insert("webhook-timestamp", now.to_string().parse().unwrap());
        headers.insert("webhook-signature", sig.parse().unwrap());
        for s in [&new, &old] {
            standardwebhooks::Webhook::new(s.expose())
                .unwrap()
                .verify(b"{}", &headers)
                .unwrap();
        }
    }

    #[test]
    fn generated_secrets_check_and_given_ones_are_checked() {
        let g = generate_secret().unwrap();
        assert!(g.expose().starts_with("whsec_"));
        assert!(check_secret(g.expose()).is_ok());
        assert_ne!(g, generate_secret().unwrap());
        for bad in [
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "whsec_not base64!",
            "whsec_c2hvcnQ=",
            "whsec_",
        ] {
            let e = check_secret(bad).unwrap_err();
            assert!(
                !e.contains(bad.trim_start_matches("whsec_")) || bad == "whsec_",
                "{e}"
            );
        }
    }
}
