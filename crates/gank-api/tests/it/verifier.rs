//! The pluggable webhook verifier: a table of deliveries per scheme.
//!
//! [UNKNOWN]: Gank documents no signature scheme (reference notes §7). Every
//! header name, algorithm and encoding here is a candidate this library can
//! be configured for, not a fact about Gank; the signed bodies are the
//! documented webhook samples.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use base64::Engine as _;
use creator_core::verify::{AnyOf, Hmac, HmacAlgorithm, SignatureEncoding, UrlToken, Verifier};
use creator_core::{Error, ManualClock, Verified, WebhookDelivery, WebhookError, Webhooks};
use gank_api::GankWebhooks;
use hmac::{KeyInit, Mac};

use crate::common::fixture;

const KEY: &str = "redacted-token-14f5e4a5";
const OLD_KEY: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9";
const HEADER: &str = "x-gank-signature";

fn delivery(body: &[u8], headers: &[(&str, &str)]) -> WebhookDelivery {
    let mut d = WebhookDelivery::with_content_type("application/json", body.to_vec());
    for (k, v) in headers {
        d.headers.insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    d
}

/// An independent HMAC computation, so the table does not only check `sign` against itself.
fn reference_tag(alg: HmacAlgorithm, key: &str, msg: &[u8]) -> Vec<u8> {
    match alg {
        HmacAlgorithm::Sha256 => {
            let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
            m.update(msg);
            m.finalize().into_bytes().to_vec()
        }
        _ => {
            let mut m = hmac::Hmac::<sha2::Sha512>::new_from_slice(key.as_bytes()).unwrap();
            m.update(msg);
            m.finalize().into_bytes().to_vec()
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn verification_table() {
    let body = fixture("webhook_user_membership.json");
    let mut tampered = body.clone();
    let at = tampered.iter().position(|b| *b == b'1').unwrap();
    tampered[at] = b'9'; // billing_period 1 -> 9

    let v = |alg, enc| {
        Hmac::builder(HEADER)
            .key(KEY)
            .algorithm(alg)
            .encoding(enc)
            .build()
            .unwrap()
    };
    use HmacAlgorithm::{Sha256, Sha512};
    use SignatureEncoding::{Base64, Hex};
    let sha256_hex = hex(&reference_tag(Sha256, KEY, &body));
    let sha256_b64 = b64(&reference_tag(Sha256, KEY, &body));
    let sha512_hex = hex(&reference_tag(Sha512, KEY, &body));
    let sha512_b64 = b64(&reference_tag(Sha512, KEY, &body));
    let wrong_key = hex(&reference_tag(Sha256, "not-the-key", &body));
    let url_safe_unpadded =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(reference_tag(Sha512, KEY, &body));

    type Case<'a> = (
        &'a str,
        Hmac,
        &'a [u8],
        Vec<(&'a str, String)>,
        Result<Verified, &'a str>,
    );
    let cases: Vec<Case> = vec![
        (
            "sha256 hex valid",
            v(Sha256, Hex),
            &body,
            vec![(HEADER, sha256_hex.clone())],
            Ok(Verified::Signature),
        ),
        (
            "sha256 hex upper-case",
            v(Sha256, Hex),
            &body,
            vec![(HEADER, sha256_hex.to_uppercase())],
            Ok(Verified::Signature),
        ),
        (
            "sha256 base64 valid",
            v(Sha256, Base64),
            &body,
            vec![(HEADER, sha256_b64.clone())],
            Ok(Verified::Signature),
        ),
        (
            "sha512 hex valid",
            v(Sha512, Hex),
            &body,
            vec![(HEADER, sha512_hex.clone())],
            Ok(Verified::Signature),
        ),
        (
            "sha512 base64 valid",
            v(Sha512, Base64),
            &body,
            vec![(HEADER, sha512_b64.clone())],
            Ok(Verified::Signature),
        ),
        (
            "sha512 base64url unpadded",
            v(Sha512, Base64),
            &body,
            vec![(HEADER, url_safe_unpadded)],
            Ok(Verified::Signature),
        ),
        (
            "tampered body",
            v(Sha256, Hex),
            &tampered,
            vec![(HEADER, sha256_hex.clone())],
            Err("invalid"),
        ),
        (
            "wrong key",
            v(Sha256, Hex),
            &body,
            vec![(HEADER, wrong_key)],
            Err("invalid"),
        ),
        (
            "missing header",
            v(Sha256, Hex),
            &body,
            vec![("x-other", sha256_hex.clone())],
            Err("missing"),
        ),
        (
            "hex sent, base64 expected",
            v(Sha256, Base64),
            &body,
            vec![(HEADER, sha256_hex.clone())],
            Err("invalid"),
        ),
        (
            "base64 sent, hex expected",
            v(Sha256, Hex),
            &body,
            vec![(HEADER, sha256_b64.clone())],
            Err("invalid"),
        ),
        (
            "sha256 sent, sha512 expected",
            v(Sha512, Hex),
            &body,
            vec![(HEADER, sha256_hex.clone())],
            Err("invalid"),
        ),
        (
            "sha512 sent, sha256 expected",
            v(Sha256, Hex),
            &body,
            vec![(HEADER, sha512_hex.clone())],
            Err("invalid"),
        ),
        (
            "truncated signature",
            v(Sha256, Hex),
            &body,
            vec![(HEADER, sha256_hex[..32].to_owned())],
            Err("invalid"),
        ),
        (
            "empty signature",
            v(Sha256, Hex),
            &body,
            vec![(HEADER, String::new())],
            Err("invalid"),
        ),
        (
            "garbage signature",
            v(Sha256, Hex),
            &body,
            vec![(HEADER, "zz-not-hex".into())],
            Err("invalid"),
        ),
        (
            "several signatures, one valid",
            v(Sha256, Hex),
            &body,
            vec![(HEADER, format!("deadbeef, {sha256_hex}"))],
            Ok(Verified::Signature),
        ),
        (
            "empty body signed",
            v(Sha256, Hex),
            b"",
            vec![(HEADER, hex(&reference_tag(Sha256, KEY, b"")))],
            Ok(Verified::Signature),
        ),
        (
            "header name is case-insensitive",
            v(Sha256, Hex),
            &body,
            vec![("X-Gank-Signature", sha256_hex.clone())],
            Ok(Verified::Signature),
        ),
    ];
    for (name, verifier, body, headers, want) in cases {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let got = verifier.verify(&delivery(body, &headers));
        match (want, got) {
            (Ok(w), Ok(g)) => assert_eq!(w, g, "{name}"),
            (Err("invalid"), Err(WebhookError::InvalidSignature)) => {}
            (Err("missing"), Err(WebhookError::MissingSignature { header })) => {
                assert_eq!(header, HEADER, "{name}")
            }
            (want, got) => panic!("{name}: wanted {want:?}, got {got:?}"),
        }
    }
}

#[test]
fn rotated_keys_are_all_accepted_and_a_retired_key_is_not() {
    let body = fixture("webhook_digital_goods.json");
    let by_old = hex(&reference_tag(HmacAlgorithm::Sha256, OLD_KEY, &body));
    let by_new = hex(&reference_tag(HmacAlgorithm::Sha256, KEY, &body));
    let rotating = Hmac::builder(HEADER).key(KEY).key(OLD_KEY).build().unwrap();
    let rotated = Hmac::builder(HEADER).keys([KEY]).build().unwrap();
    for sig in [&by_old, &by_new] {
        assert!(rotating.verify(&delivery(&body, &[(HEADER, sig)])).is_ok());
    }
    assert!(
        rotated
            .verify(&delivery(&body, &[(HEADER, &by_new)]))
            .is_ok()
    );
    assert!(matches!(
        rotated.verify(&delivery(&body, &[(HEADER, &by_old)])),
        Err(WebhookError::InvalidSignature)
    ));
}

#[test]
fn sign_produces_what_verify_accepts_with_a_prefix() {
    let body = fixture("webhook_digital_goods.json");
    for (alg, enc) in [
        (HmacAlgorithm::Sha256, SignatureEncoding::Hex),
        (HmacAlgorithm::Sha256, SignatureEncoding::Base64),
        (HmacAlgorithm::Sha512, SignatureEncoding::Hex),
        (HmacAlgorithm::Sha512, SignatureEncoding::Base64),
    ] {
        let v = Hmac::builder(HEADER)
            .key(KEY)
            .algorithm(alg)
            .encoding(enc)
            .prefix("sha256=")
            .build()
            .unwrap();
        let sig = v.sign(&body);
        assert!(sig.starts_with("sha256="));
        assert_eq!(
            v.verify(&delivery(&body, &[(HEADER, &sig)])).ok(),
            Some(Verified::Signature)
        );
        let bare = sig.trim_start_matches("sha256=");
        assert!(
            v.verify(&delivery(&body, &[(HEADER, bare)])).is_err(),
            "prefix is required once set"
        );
    }
}

#[test]
fn timestamped_signatures_check_the_tolerance_both_ways() {
    let now = 1_767_600_000u64;
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(now));
    let v = Hmac::builder(HEADER)
        .key(KEY)
        .timestamp_header("x-gank-timestamp", Duration::from_secs(300))
        .clock(Arc::new(clock))
        .build()
        .unwrap();
    let body = fixture("webhook_user_membership.json");
    let check = |ts: String| {
        let sig = v.sign_with_timestamp(&ts, &body);
        let mut signed = ts.as_bytes().to_vec();
        signed.push(b'.');
        signed.extend_from_slice(&body);
        assert_eq!(
            sig,
            hex(&reference_tag(HmacAlgorithm::Sha256, KEY, &signed))
        );
        v.verify(&delivery(
            &body,
            &[(HEADER, &sig), ("x-gank-timestamp", &ts)],
        ))
    };
    assert!(check(now.to_string()).is_ok());
    assert!(check((now - 299).to_string()).is_ok());
    assert!(
        check((now * 1000 + 250_000).to_string()).is_ok(),
        "milliseconds"
    );
    for ts in [now - 301, now + 301] {
        assert!(
            matches!(
                check(ts.to_string()),
                Err(WebhookError::TimestampOutOfTolerance { .. })
            ),
            "{ts}"
        );
    }
    let sig = v.sign_with_timestamp(&now.to_string(), &body);
    assert!(matches!(
        v.verify(&delivery(&body, &[(HEADER, &sig)])),
        Err(WebhookError::MissingSignature { header }) if header == "x-gank-timestamp"
    ));
    assert!(matches!(
        v.verify(&delivery(
            &body,
            &[(HEADER, &sig), ("x-gank-timestamp", "yesterday")]
        )),
        Err(WebhookError::InvalidSignature)
    ));
}

#[test]
fn any_of_tries_candidate_schemes_and_reports_the_first_error() {
    let body = fixture("webhook_user_membership.json");
    let candidates = AnyOf::new()
        .with(Hmac::builder(HEADER).key(KEY).build().unwrap())
        .with(
            Hmac::builder(HEADER)
                .key(KEY)
                .algorithm(HmacAlgorithm::Sha512)
                .encoding(SignatureEncoding::Base64)
                .build()
                .unwrap(),
        );
    let sha512_b64 = b64(&reference_tag(HmacAlgorithm::Sha512, KEY, &body));
    assert!(
        candidates
            .verify(&delivery(&body, &[(HEADER, &sha512_b64)]))
            .is_ok()
    );
    assert!(matches!(
        candidates.verify(&delivery(&body, &[])),
        Err(WebhookError::MissingSignature { .. })
    ));
    assert!(matches!(
        AnyOf::new().verify(&delivery(&body, &[])),
        Err(WebhookError::NotConfigured(_))
    ));
}

#[test]
fn url_token_verifier_checks_query_or_path_in_constant_time() {
    let q = UrlToken::query("token", "s3cr3t-t0ken").unwrap();
    let p = UrlToken::last_path_segment("s3cr3t-t0ken").unwrap();
    let at = |uri: &str| {
        let mut d = delivery(b"{}", &[]);
        d.uri = uri.parse().unwrap();
        d
    };
    assert_eq!(
        q.verify(&at("/gank?token=s3cr3t-t0ken")).ok(),
        Some(Verified::UrlToken)
    );
    assert!(q.verify(&at("/gank?token=s3cr3t-t0keN")).is_err());
    assert!(q.verify(&at("/gank")).is_err());
    assert!(q.verify(&at("/gank/s3cr3t-t0ken")).is_err());
    assert_eq!(
        p.verify(&at("/hooks/gank/s3cr3t-t0ken")).ok(),
        Some(Verified::UrlToken)
    );
    // One meaning for every provider (creator-core's UrlToken): the last
    // segment, not any segment, and a query parameter given once.
    assert!(p.verify(&at("/hooks/s3cr3t-t0ken/gank")).is_err());
    assert!(q.verify(&at("/gank?token=x&token=s3cr3t-t0ken")).is_err());
    assert!(matches!(
        p.verify(&at("/hooks/gank")),
        Err(WebhookError::Unauthenticated { .. })
    ));
    assert!(!format!("{q:?} {p:?}").contains("s3cr3t"));
}

#[test]
fn a_url_token_verifier_with_an_empty_secret_cannot_be_built() {
    // Built, it would accept `/gank?token=` or any path with an empty segment (`//`).
    for built in [
        UrlToken::query("token", ""),
        UrlToken::query("", "s3cr3t-t0ken"),
        UrlToken::last_path_segment(""),
    ] {
        assert!(matches!(built, Err(Error::Config(_))), "{built:?}");
    }
}

#[test]
fn a_verifier_needs_a_key_and_a_valid_header_name() {
    assert!(matches!(
        Hmac::builder(HEADER).build(),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        Hmac::builder(HEADER).key("").build(),
        Err(Error::Config(_))
    ));
    assert!(
        matches!(
            Hmac::builder(HEADER).key(KEY).key("").build(),
            Err(Error::Config(_))
        ),
        "an empty key beside a real one is refused too"
    );
    assert!(matches!(
        Hmac::builder("bad header").key(KEY).build(),
        Err(Error::Config(_))
    ));
    let builder = Hmac::builder(HEADER).key(KEY).key(OLD_KEY);
    let shown = format!("{builder:?}");
    let v = builder.build().unwrap();
    let shown = format!("{shown} {v:?} {v:#?}");
    assert!(!shown.contains(KEY) && !shown.contains(OLD_KEY), "{shown}");
}

#[test]
fn the_client_verifies_with_the_configured_verifier_on_raw_bytes() {
    let verifier = Hmac::builder(HEADER).key(KEY).build().unwrap();
    let body = fixture("webhook_digital_goods.json");
    let sig = verifier.sign(&body);
    let client = GankWebhooks::builder().verifier(verifier).build().unwrap();
    let event = client.receive(&delivery(&body, &[(HEADER, &sig)])).unwrap();
    assert_eq!(event.subject_id, "DG-260227-5U7OZOIXN");
    // Re-encoding the JSON (same meaning, other bytes) breaks the signature.
    let reencoded =
        serde_json::to_vec(&serde_json::from_slice::<serde_json::Value>(&body).unwrap()).unwrap();
    let err = client
        .receive(&delivery(&reencoded, &[(HEADER, &sig)]))
        .unwrap_err();
    assert!(matches!(err, WebhookError::InvalidSignature), "{err:?}");
}

#[test]
fn an_oversized_signature_header_is_rejected_unchecked_through_the_client() {
    // A 200 KiB header of `00 00 …` over a 256 KiB body: rejected on its
    // length, before any HMAC (the unit tests count them), as a verification
    // failure the relay answers with 401.
    let verifier = Hmac::builder(HEADER).key(KEY).key(OLD_KEY).build().unwrap();
    let client = GankWebhooks::builder().verifier(verifier).build().unwrap();
    let body = vec![b' '; 256 * 1024];
    let header = "00 ".repeat(200 * 1024 / 3);
    let err = client
        .verify(&delivery(&body, &[(HEADER, &header)]))
        .unwrap_err();
    assert!(
        matches!(&err, WebhookError::SignatureHeaderTooLarge { header, reason }
            if header == HEADER && reason.contains("above the limit of 4096")),
        "{err:?}"
    );
    assert!(err.is_verification_failure());
}

#[test]
fn a_header_with_many_valid_looking_signatures_is_bounded() {
    let verifier = Hmac::builder(HEADER).key(KEY).build().unwrap();
    let body = fixture("webhook_user_membership.json");
    let real = verifier.sign(&body);
    let decoy = |i: usize| format!("{i:064x}");
    // Up to MAX_SIGNATURES (8) candidates, the real one anywhere among them, is accepted.
    let eight: Vec<String> = (0..7).map(decoy).chain([real.clone()]).collect();
    assert_eq!(
        verifier
            .verify(&delivery(&body, &[(HEADER, &eight.join(", "))]))
            .ok(),
        Some(Verified::Signature)
    );
    // A ninth is refused before anything is hashed, even with the real one first.
    let nine: Vec<String> = [real].into_iter().chain((0..8).map(decoy)).collect();
    let err = verifier
        .verify(&delivery(&body, &[(HEADER, &nine.join(","))]))
        .unwrap_err();
    assert!(
        matches!(&err, WebhookError::SignatureHeaderTooLarge { reason, .. } if reason.contains("more than 8 signatures")),
        "{err:?}"
    );
    assert_eq!(Hmac::MAX_SIGNATURES, 8);
    assert_eq!(Hmac::MAX_HEADER_BYTES, 4096);
}
