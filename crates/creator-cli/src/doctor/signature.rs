//! `creator doctor --gank-signature`: which HMAC scheme signs Gank's deliveries.
//!
//! Gank documents only that its registration `key` checks "the signature of
//! the webhook payload": not the header, hash, encoding or what is signed.
//! The relay keeps every stored event's raw body (and the whole body of a
//! quarantined delivery it read whole), and each signature-like header (a name with `sig` or `hmac`) as
//! the SHA-256 of its value (see the ledger's header rules). So each candidate
//! scheme is computed with creator-core's own verifier
//! ([`creator_core::verify::Hmac::sign`]) over the stored body, hashed the
//! same way, and compared: the scheme that reproduces the stored header
//! with the key is the one to configure.
//!
//! Candidates: HMAC-SHA256 and HMAC-SHA512 (the hashes creator-core's
//! verifier, and so the relay, can check; an SHA-1 scheme would be reported
//! as no match), hex (either case) or Base64 (standard, or URL-safe without
//! padding), with no prefix or `sha256=` / `sha512=` / `v1=`, over the raw
//! body or over `timestamp.body` with each numeric header as the timestamp,
//! in every signature-like header. Not covered: several `key=value` parts in
//! one header (`t=…,v1=…`), and a header whose name looks like a credential
//! (`…key…`, `…token…`), which the ledger never stores.

use bytes::Bytes;
use creator_core::Secret;
use creator_core::verify::{Hmac, HmacAlgorithm, SignatureEncoding};
use futures::{StreamExt, TryStreamExt};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Check;
use crate::ledger::{EventFilter, Ledger, LedgerError, QuarantineFilter};

/// The most stored deliveries tried (newest kept first).
pub const MAX_SAMPLES: usize = 20;

/// One stored delivery: its headers as the ledger keeps them, and its body.
#[derive(Debug, Clone)]
pub struct Sample {
    /// Where it is stored (`event 12`, `quarantine 7`).
    pub source: String,
    /// Header name to stored value.
    pub headers: serde_json::Map<String, serde_json::Value>,
    /// The raw body.
    pub body: Bytes,
}

/// A signature scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scheme {
    /// The header carrying the signature.
    pub header: String,
    /// `sha256` or `sha512`.
    pub algorithm: &'static str,
    /// `hex` or `base64`.
    pub encoding: &'static str,
    /// Text before the signature (`sha256=`), if any.
    pub prefix: Option<String>,
    /// The header whose value is signed with the body as `timestamp.body`, if any.
    pub timestamp_header: Option<String>,
}

impl Scheme {
    /// In words: `HMAC-SHA256, hex, in x-signature, over the raw body`.
    pub fn describe(&self) -> String {
        format!(
            "HMAC-{}, {}{}, in `{}`, over {}",
            self.algorithm.to_ascii_uppercase(),
            self.encoding,
            self.prefix
                .as_deref()
                .map(|p| format!(" after `{p}`"))
                .unwrap_or_default(),
            self.header,
            self.timestamp_header.as_deref().map_or_else(
                || "the raw body".to_owned(),
                |t| format!("`<{t}>.<raw body>`")
            )
        )
    }

    /// How to set the relay up for it, when its options can.
    pub fn relay_options(&self) -> Option<String> {
        if self.prefix.is_some() || self.timestamp_header.is_some() {
            return None;
        }
        Some(format!(
            "GANK_SIGNATURE_HEADER={} creator relay --gank-signature-algorithm {} --gank-signature-encoding {} (with GANK_WEBHOOK_KEY set to the key)",
            self.header, self.algorithm, self.encoding
        ))
    }
}

/// The authentic-looking Gank deliveries the ledger keeps whole: stored
/// events of provider `gank`, then quarantined deliveries to `/webhooks/gank`
/// whose body was kept whole, at most [`MAX_SAMPLES`].
///
/// # Errors
/// When the ledger cannot be read.
pub async fn samples(ledger: &dyn Ledger) -> Result<Vec<Sample>, LedgerError> {
    let mut out: Vec<Sample> = ledger
        .events(EventFilter {
            provider: Some("gank".into()),
            ..EventFilter::default()
        })
        .take(MAX_SAMPLES)
        .map_ok(|e| Sample {
            source: format!("event {}", e.id),
            headers: object(e.headers),
            body: e.raw_body,
        })
        .try_collect()
        .await?;
    let quarantined: Vec<Sample> = ledger
        .quarantined(QuarantineFilter::default())
        .try_filter(|q| futures::future::ready(q.endpoint == "gank" && !q.body_truncated))
        .take(MAX_SAMPLES.saturating_sub(out.len()))
        .map_ok(|q| Sample {
            source: format!("quarantine {}", q.id),
            headers: object(q.headers),
            body: q.raw_body,
        })
        .try_collect()
        .await?;
    out.extend(quarantined);
    Ok(out)
}

fn object(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    match v {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

/// A header that may carry a signature: stored as a hash, or a long
/// hex/Base64-looking value.
fn signature_like(value: &str) -> bool {
    hashed(value).is_some()
        || (value.len() >= 40
            && value.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_')
            }))
}

/// The SHA-256 the ledger stored instead of a signature header's value.
fn hashed(value: &str) -> Option<&str> {
    value.strip_prefix("<redacted sha256:")?.strip_suffix('>')
}

/// Whether `candidate` is the stored `value`.
fn reproduces(value: &str, candidate: &str) -> bool {
    match hashed(value) {
        Some(digest) => {
            let mine = crate::hex::lower(&Sha256::digest(candidate.as_bytes()));
            mine.eq_ignore_ascii_case(digest)
        }
        None => value.trim() == candidate,
    }
}

/// The header values a scheme may produce for one delivery (hex in either
/// case; Base64 standard, or URL-safe unpadded).
fn spellings(hmac: &Hmac, prefix: &str, timestamp: Option<&str>, body: &[u8]) -> Vec<String> {
    let signed = match timestamp {
        Some(ts) => hmac.sign_with_timestamp(ts, body),
        None => hmac.sign(body),
    };
    let tag = signed.get(prefix.len()..).unwrap_or_default();
    let upper = tag.to_ascii_uppercase();
    let url_safe: String = tag
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    let mut out = vec![signed.clone()];
    for other in [upper, url_safe] {
        let full = format!("{prefix}{other}");
        if !out.contains(&full) {
            out.push(full);
        }
    }
    out
}

/// Every candidate scheme for the headers of `sample`.
fn candidates(sample: &Sample) -> Vec<Scheme> {
    let mut headers: Vec<&String> = sample
        .headers
        .iter()
        .filter(|(_, v)| v.as_str().is_some_and(signature_like))
        .map(|(k, _)| k)
        .collect();
    headers.sort();
    let mut stamps: Vec<Option<String>> = vec![None];
    stamps.extend(
        sample
            .headers
            .iter()
            .filter(|(_, v)| {
                v.as_str().is_some_and(|s| {
                    (9..=13).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
                })
            })
            .map(|(k, _)| Some(k.clone())),
    );
    let mut out = Vec::new();
    for header in headers {
        for algorithm in ["sha256", "sha512"] {
            for encoding in ["hex", "base64"] {
                for prefix in [None, Some(format!("{algorithm}=")), Some("v1=".to_owned())] {
                    for stamp in &stamps {
                        out.push(Scheme {
                            header: header.clone(),
                            algorithm,
                            encoding,
                            prefix: prefix.clone(),
                            timestamp_header: stamp.clone(),
                        });
                    }
                }
            }
        }
    }
    out
}

/// Whether `scheme` with `key` reproduces the signature stored with `sample`.
pub fn matches(scheme: &Scheme, key: &Secret, sample: &Sample) -> bool {
    let Some(stored) = sample.headers.get(&scheme.header).and_then(|v| v.as_str()) else {
        return false;
    };
    let timestamp = match &scheme.timestamp_header {
        Some(h) => match sample.headers.get(h).and_then(|v| v.as_str()) {
            Some(t) => Some(t),
            None => return false,
        },
        None => None,
    };
    let algorithm = if scheme.algorithm == "sha512" {
        HmacAlgorithm::Sha512
    } else {
        HmacAlgorithm::Sha256
    };
    let encoding = if scheme.encoding == "base64" {
        SignatureEncoding::Base64
    } else {
        SignatureEncoding::Hex
    };
    let prefix = scheme.prefix.clone().unwrap_or_default();
    let Ok(hmac) = Hmac::builder(scheme.header.as_str())
        .key(key.expose())
        .algorithm(algorithm)
        .encoding(encoding)
        .prefix(prefix.clone())
        .build()
    else {
        return false;
    };
    spellings(&hmac, &prefix, timestamp, &sample.body)
        .iter()
        .any(|c| reproduces(stored, c))
}

/// The scheme that reproduces the most samples' signatures with `key`,
/// with how many it reproduced.
pub fn detect(samples: &[Sample], key: &Secret) -> Option<(Scheme, usize)> {
    let mut best: Option<(Scheme, usize)> = None;
    for sample in samples {
        for scheme in candidates(sample) {
            if best.as_ref().is_some_and(|(b, _)| *b == scheme) {
                continue;
            }
            if !matches(&scheme, key, sample) {
                continue;
            }
            let n = samples.iter().filter(|s| matches(&scheme, key, s)).count();
            if best.as_ref().is_none_or(|(_, m)| n > *m) {
                best = Some((scheme, n));
            }
        }
    }
    best
}

/// The `gank.signature` check: the scheme found over the stored
/// deliveries with `key` (`key_source` says where the key came from).
pub async fn check(ledger: &dyn Ledger, key: Option<(&Secret, &str)>) -> Check {
    const NAME: &str = "gank.signature";
    let Some((key, key_source)) = key else {
        return Check::problem(
            NAME,
            "no key to test schemes with",
            "set GANK_LOGIN_TOKEN (the registration's key is read from Gank) or GANK_WEBHOOK_KEY",
        );
    };
    let samples = match samples(ledger).await {
        Ok(s) => s,
        Err(e) => {
            return Check::problem(
                NAME,
                format!("could not read the ledger: {e}"),
                "check --db",
            );
        }
    };
    if samples.is_empty() {
        return Check::warning(
            NAME,
            "no Gank delivery with its whole body is stored, in the events or the quarantine",
            "let the relay store one (`--gank-url-secret` alone stores Gank deliveries without a signature check), make a test purchase, and run this again",
        );
    }
    match detect(&samples, key) {
        Some((scheme, n)) => {
            let detail = format!(
                "{} reproduces the signature of {n} of {} stored deliver(ies) with {key_source}",
                scheme.describe(),
                samples.len()
            );
            match scheme.relay_options() {
                Some(options) => Check::new(NAME, super::Status::Ok, detail, Some(options)),
                None => Check::warning(
                    NAME,
                    detail,
                    "the relay's Gank options take a header, hash and encoding only: this scheme needs creator_core::verify::Hmac's prefix/timestamp settings in code",
                ),
            }
        }
        None => {
            let mut seen: Vec<&String> = samples
                .iter()
                .flat_map(|s| s.headers.iter())
                .filter(|(_, v)| v.as_str().is_some_and(signature_like))
                .map(|(k, _)| k)
                .collect();
            seen.sort();
            seen.dedup();
            Check::problem(
                NAME,
                format!(
                    "no candidate scheme reproduces a stored signature with {key_source} over {} deliver(ies) (signature-like headers seen: {})",
                    samples.len(),
                    if seen.is_empty() {
                        "none".to_owned()
                    } else {
                        seen.iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ),
                "check that the key is the registration's current one; otherwise ask Gank support for the scheme",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(headers: serde_json::Value, body: &[u8]) -> Sample {
        Sample {
            source: "test".into(),
            headers: object(headers),
            body: Bytes::copy_from_slice(body),
        }
    }

    fn stored(value: &str) -> String {
        let digest = crate::hex::lower(&Sha256::digest(value.as_bytes()));
        format!("<redacted sha256:{digest}>")
    }

    #[test]
    fn each_scheme_is_found_and_named_from_a_hashed_header() {
        let body = br#"{"event":"DIGITAL_GOODS.TX_SUCCEED","data":{"human_id":"DG-1"}}"#;
        let key = Secret::new("the-registration-key");
        for (algorithm, encoding, prefix) in [
            (HmacAlgorithm::Sha256, SignatureEncoding::Hex, ""),
            (HmacAlgorithm::Sha512, SignatureEncoding::Base64, ""),
            (HmacAlgorithm::Sha256, SignatureEncoding::Hex, "sha256="),
        ] {
            let signer = Hmac::builder("x-sig")
                .key("the-registration-key")
                .algorithm(algorithm)
                .encoding(encoding)
                .prefix(prefix)
                .build()
                .unwrap();
            let s = sample(
                serde_json::json!({"x-sig": stored(&signer.sign(body)), "content-type": "application/json"}),
                body,
            );
            let (scheme, n) = detect(std::slice::from_ref(&s), &key).expect("found");
            assert_eq!(n, 1);
            assert_eq!(scheme.header, "x-sig");
            assert_eq!(
                scheme.algorithm == "sha512",
                algorithm == HmacAlgorithm::Sha512
            );
            assert_eq!(
                scheme.encoding == "base64",
                encoding == SignatureEncoding::Base64
            );
            assert_eq!(scheme.prefix.as_deref().unwrap_or(""), prefix);
            assert!(detect(&[s], &Secret::new("another-key")).is_none());
        }
    }

    #[test]
    fn a_timestamped_scheme_and_an_uppercase_hex_one_are_found() {
        let body = b"{\"event\":\"USER_MEMBERSHIP.TX_SUCCEED\"}";
        let signer = Hmac::builder("x-hmac").key("k-0123456789").build().unwrap();
        let value = signer
            .sign_with_timestamp("1767225600", body)
            .to_ascii_uppercase();
        let s = sample(
            serde_json::json!({"x-hmac": stored(&value), "x-timestamp": "1767225600"}),
            body,
        );
        let (scheme, _) = detect(&[s], &Secret::new("k-0123456789")).expect("found");
        assert_eq!(scheme.timestamp_header.as_deref(), Some("x-timestamp"));
        assert!(scheme.relay_options().is_none());
    }
}
