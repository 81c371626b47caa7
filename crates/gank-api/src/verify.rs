//! Pluggable verification of Gank webhook deliveries.
//!
//! **What is known.** Registering a webhook returns a `key`, which Gank
//! describes as "a secret key that you can use to check the signature of the
//! webhook payload".
//!
//! **What is not known.** Gank does not publicly document the header that
//! carries the signature, the algorithm, the encoding, what exactly is signed
//! (the raw body, or a timestamp and the body), any replay window, or how key
//! bytes are derived from `key`. So nothing here is a default you can trust
//! blindly: [`HmacVerifier`] makes every one of those choices explicit
//! (HMAC-SHA256 or -SHA512, hex or base64, a header name you must give, an
//! optional timestamp header) so you can match it to what a real delivery
//! carries, and [`AnyOf`] lets you try several candidates while you find out.
//!
//! Whatever the verifier, call
//! [`Webhooks::confirm`](creator_core::Webhooks::confirm) on the client before
//! granting anything: it re-reads the transaction through the API.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use base64::Engine as _;
use creator_core::{
    Clock, Error, Result, Secret, SystemClock, Verified, WebhookDelivery, WebhookError,
};
use hmac::{KeyInit, Mac};
use http::HeaderName;
use subtle::ConstantTimeEq;

/// Something that decides whether a delivery really comes from Gank.
///
/// Implement it for a scheme of your own; the client's
/// [`Webhooks::verify`](creator_core::Webhooks::verify) calls it on the raw
/// delivery before anything is parsed.
pub trait SignatureVerifier: Send + Sync + fmt::Debug {
    /// Checks the delivery on its raw bytes.
    ///
    /// # Errors
    /// A [`WebhookError`] describing why the delivery is not authentic.
    fn verify(&self, delivery: &WebhookDelivery) -> Result<Verified, WebhookError>;
}

impl<T: SignatureVerifier + ?Sized> SignatureVerifier for Arc<T> {
    fn verify(&self, delivery: &WebhookDelivery) -> Result<Verified, WebhookError> {
        (**self).verify(delivery)
    }
}

impl<T: SignatureVerifier + ?Sized> SignatureVerifier for Box<T> {
    fn verify(&self, delivery: &WebhookDelivery) -> Result<Verified, WebhookError> {
        (**self).verify(delivery)
    }
}

/// The HMAC hash function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HmacAlgorithm {
    /// HMAC-SHA256 (32-byte tag).
    Sha256,
    /// HMAC-SHA512 (64-byte tag).
    Sha512,
}

/// How the tag is written in the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureEncoding {
    /// Hexadecimal, either case.
    Hex,
    /// Base64, standard or URL-safe alphabet, padded or not.
    Base64,
}

/// A verifier checking an HMAC of the raw body (or of `timestamp.body`)
/// against a header, keyed by the registration `key`.
///
/// Several keys may be configured (key rotation: a delivery signed with any
/// of them is accepted). A header may carry several signatures separated by
/// commas or spaces, at most [`HmacVerifier::MAX_SIGNATURES`] in at most
/// [`HmacVerifier::MAX_HEADER_BYTES`]; any match is accepted. Each key's tag
/// is computed once per delivery, and compared in constant time.
/// The key's bytes are the UTF-8 bytes of the `key` string as Gank returns it.
///
/// ```
/// use gank_api::{HmacAlgorithm, HmacVerifier, SignatureEncoding, SignatureVerifier};
/// use creator_core::WebhookDelivery;
///
/// let verifier = HmacVerifier::builder("X-Signature")
///     .key("k_current")
///     .key("k_previous")
///     .algorithm(HmacAlgorithm::Sha256)
///     .encoding(SignatureEncoding::Hex)
///     .build()?;
/// let body = br#"{"event":"DIGITAL_GOODS.TX_SUCCEED","data":{"human_id":"DG-1"}}"#;
/// let mut delivery = WebhookDelivery::with_content_type("application/json", &body[..]);
/// delivery.headers.insert("x-signature", verifier.sign(body).parse().unwrap());
/// assert!(verifier.verify(&delivery).is_ok());
/// # Ok::<(), creator_core::Error>(())
/// ```
#[derive(Clone)]
pub struct HmacVerifier {
    keys: Vec<Secret>,
    header: HeaderName,
    algorithm: HmacAlgorithm,
    encoding: SignatureEncoding,
    prefix: Option<String>,
    timestamp: Option<(HeaderName, Duration)>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for HmacVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacVerifier")
            .field("keys", &self.keys.len())
            .field("header", &self.header)
            .field("algorithm", &self.algorithm)
            .field("encoding", &self.encoding)
            .field("prefix", &self.prefix)
            .field("timestamp", &self.timestamp)
            .finish()
    }
}

/// Builds an [`HmacVerifier`].
pub struct HmacVerifierBuilder {
    header: String,
    keys: Vec<Secret>,
    algorithm: HmacAlgorithm,
    encoding: SignatureEncoding,
    prefix: Option<String>,
    timestamp: Option<(String, Duration)>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for HmacVerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacVerifierBuilder")
            .field("header", &self.header)
            .field("keys", &self.keys)
            .field("algorithm", &self.algorithm)
            .field("encoding", &self.encoding)
            .finish_non_exhaustive()
    }
}

impl HmacVerifierBuilder {
    /// Adds a key (the registration `key`). Add the previous key as well
    /// while rotating.
    pub fn key(mut self, key: impl Into<Secret>) -> Self {
        self.keys.push(key.into());
        self
    }

    /// Adds several keys.
    pub fn keys<K: Into<Secret>>(mut self, keys: impl IntoIterator<Item = K>) -> Self {
        self.keys.extend(keys.into_iter().map(Into::into));
        self
    }

    /// The hash function (default HMAC-SHA256).
    pub fn algorithm(mut self, algorithm: HmacAlgorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// The tag encoding (default hex).
    pub fn encoding(mut self, encoding: SignatureEncoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// A prefix before each signature, such as `sha256=` (matched case-insensitively).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// Signs `"{timestamp}.{body}"` instead of the body, reading the Unix
    /// timestamp (seconds, or milliseconds) from `header` and rejecting
    /// deliveries more than `tolerance` away from now in either direction.
    pub fn timestamp_header(mut self, header: impl Into<String>, tolerance: Duration) -> Self {
        self.timestamp = Some((header.into(), tolerance));
        self
    }

    /// The clock for the timestamp tolerance (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Builds the verifier.
    ///
    /// # Errors
    /// [`Error::Config`] without a key, with an empty key, or with an invalid header name.
    pub fn build(self) -> Result<HmacVerifier> {
        if self.keys.is_empty() {
            return Err(Error::Config(
                "a Gank webhook verifier needs at least one key: the `key` returned when the \
                 webhook was registered (client.webhook_registration().get())"
                    .into(),
            ));
        }
        if self.keys.iter().any(Secret::is_empty) {
            return Err(Error::Config("a Gank webhook key is empty".into()));
        }
        let header = header_name(&self.header)?;
        let timestamp = match self.timestamp {
            Some((name, tolerance)) => Some((header_name(&name)?, tolerance)),
            None => None,
        };
        Ok(HmacVerifier {
            keys: self.keys,
            header,
            algorithm: self.algorithm,
            encoding: self.encoding,
            prefix: self.prefix.filter(|p| !p.is_empty()),
            timestamp,
            clock: self.clock,
        })
    }
}

fn header_name(name: &str) -> Result<HeaderName> {
    HeaderName::from_bytes(name.trim().as_bytes())
        .map_err(|_| Error::Config(format!("`{name}` is not a valid HTTP header name")))
}

impl HmacVerifier {
    /// Starts a verifier that reads the signature from `header`. Gank does not
    /// document the header's name: take it from a real delivery.
    pub fn builder(header: impl Into<String>) -> HmacVerifierBuilder {
        HmacVerifierBuilder {
            header: header.into(),
            keys: Vec::new(),
            algorithm: HmacAlgorithm::Sha256,
            encoding: SignatureEncoding::Hex,
            prefix: None,
            timestamp: None,
            clock: Arc::new(SystemClock),
        }
    }

    /// The header the signature is read from.
    pub fn header(&self) -> &HeaderName {
        &self.header
    }

    /// The header value this verifier accepts for `body`, signed with the
    /// first key (for tests and for replaying captured deliveries).
    /// With a timestamp header configured, use [`HmacVerifier::sign_with_timestamp`].
    pub fn sign(&self, body: &[u8]) -> String {
        self.encode(&self.tag(self.first_key(), &[body]))
    }

    /// The header value for `body` signed together with `timestamp`
    /// (`"{timestamp}.{body}"`).
    pub fn sign_with_timestamp(&self, timestamp: &str, body: &[u8]) -> String {
        self.encode(&self.tag(self.first_key(), &[timestamp.as_bytes(), b".", body]))
    }

    fn first_key(&self) -> &[u8] {
        self.keys
            .first()
            .map(|k| k.expose().as_bytes())
            .unwrap_or_default()
    }

    fn encode(&self, tag: &[u8]) -> String {
        let encoded = match self.encoding {
            SignatureEncoding::Hex => hex_encode(tag),
            SignatureEncoding::Base64 => base64::engine::general_purpose::STANDARD.encode(tag),
        };
        format!("{}{encoded}", self.prefix.as_deref().unwrap_or(""))
    }

    fn tag(&self, key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
        match self.algorithm {
            HmacAlgorithm::Sha256 => mac_bytes::<hmac::Hmac<sha2::Sha256>>(key, parts),
            HmacAlgorithm::Sha512 => mac_bytes::<hmac::Hmac<sha2::Sha512>>(key, parts),
        }
    }

    fn decode(&self, text: &str) -> Option<Vec<u8>> {
        let text = match &self.prefix {
            Some(p) => match text.get(..p.len()) {
                Some(head) if head.eq_ignore_ascii_case(p) => text.get(p.len()..)?,
                _ => return None,
            },
            None => text,
        };
        match self.encoding {
            SignatureEncoding::Hex => hex_decode(text),
            SignatureEncoding::Base64 => {
                use base64::engine::general_purpose::{
                    STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD,
                };
                [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
                    .iter()
                    .find_map(|engine| engine.decode(text).ok())
            }
        }
    }

    fn check_timestamp(&self, delivery: &WebhookDelivery) -> Result<Option<String>, WebhookError> {
        let Some((name, tolerance)) = &self.timestamp else {
            return Ok(None);
        };
        let raw = delivery
            .headers
            .get(name)
            .ok_or_else(|| WebhookError::MissingSignature {
                header: name.to_string(),
            })?
            .to_str()
            .map_err(|_| WebhookError::InvalidSignature)?
            .trim()
            .to_owned();
        let number: u64 = raw.parse().map_err(|_| WebhookError::InvalidSignature)?;
        // Values this large are milliseconds (seconds pass 10^12 in the year 33658).
        let since_epoch = if number >= 1_000_000_000_000 {
            Duration::from_millis(number)
        } else {
            Duration::from_secs(number)
        };
        let at = UNIX_EPOCH
            .checked_add(since_epoch)
            .ok_or(WebhookError::InvalidSignature)?;
        let now = self.clock.now();
        let skew = match now.duration_since(at) {
            Ok(past) => past,
            Err(future) => future.duration(),
        };
        if skew > *tolerance {
            return Err(WebhookError::TimestampOutOfTolerance {
                tolerance: *tolerance,
            });
        }
        Ok(Some(raw))
    }
}

impl SignatureVerifier for HmacVerifier {
    /// Checks the signature header against the body, at a cost bounded
    /// before any work: a header longer than [`HmacVerifier::MAX_HEADER_BYTES`]
    /// or with more than [`HmacVerifier::MAX_SIGNATURES`] signatures is
    /// rejected unchecked, and then each key's tag is computed once and
    /// compared in constant time with every signature in the header.
    fn verify(&self, delivery: &WebhookDelivery) -> Result<Verified, WebhookError> {
        let header =
            delivery
                .headers
                .get(&self.header)
                .ok_or_else(|| WebhookError::MissingSignature {
                    header: self.header.to_string(),
                })?;
        let signatures = self.signatures_in(header.as_bytes())?;
        let timestamp = self.check_timestamp(delivery)?;
        let candidates: Vec<Vec<u8>> = signatures.iter().filter_map(|s| self.decode(s)).collect();
        if candidates.is_empty() {
            return Err(WebhookError::InvalidSignature);
        }
        let body: &[u8] = &delivery.body;
        let parts: Vec<&[u8]> = match &timestamp {
            Some(ts) => vec![ts.as_bytes(), b".", body],
            None => vec![body],
        };
        // One tag per key; every tag is compared with every candidate, without
        // stopping at a match, so the time taken does not reveal which matched.
        let mut ok = subtle::Choice::from(0);
        for key in &self.keys {
            let tag = self.tag(key.expose().as_bytes(), &parts);
            for candidate in &candidates {
                ok |= tag.as_slice().ct_eq(candidate.as_slice());
            }
        }
        if bool::from(ok) {
            Ok(Verified::Signature)
        } else {
            Err(WebhookError::InvalidSignature)
        }
    }
}

impl HmacVerifier {
    /// The longest signature header accepted, in bytes. A 64-byte tag in hex
    /// is 128 characters, so this leaves room for a prefix and several
    /// signatures during a key rotation.
    pub const MAX_HEADER_BYTES: usize = 4096;

    /// The most signatures one header may carry (separated by commas or spaces).
    pub const MAX_SIGNATURES: usize = 8;

    /// Splits the header into its signatures, rejecting one beyond the
    /// bounds before anything is decoded or hashed.
    fn signatures_in<'h>(&self, header: &'h [u8]) -> Result<Vec<&'h str>, WebhookError> {
        let too_large = |reason: String| WebhookError::SignatureHeaderTooLarge {
            header: self.header.to_string(),
            reason,
        };
        if header.len() > Self::MAX_HEADER_BYTES {
            return Err(too_large(format!(
                "{} bytes, above the limit of {}",
                header.len(),
                Self::MAX_HEADER_BYTES
            )));
        }
        let text = std::str::from_utf8(header).map_err(|_| WebhookError::InvalidSignature)?;
        let signatures: Vec<&str> = text
            .split(|c: char| c == ',' || c.is_ascii_whitespace())
            .filter(|s| !s.is_empty())
            .take(Self::MAX_SIGNATURES + 1)
            .collect();
        if signatures.len() > Self::MAX_SIGNATURES {
            return Err(too_large(format!(
                "more than {} signatures",
                Self::MAX_SIGNATURES
            )));
        }
        Ok(signatures)
    }
}

fn mac_bytes<M: Mac + KeyInit>(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    #[cfg(test)]
    tests::count_hmac();
    match <M as KeyInit>::new_from_slice(key) {
        Ok(mut mac) => {
            for p in parts {
                mac.update(p);
            }
            mac.finalize().into_bytes().to_vec()
        }
        // HMAC accepts keys of any length; this arm is unreachable in practice.
        Err(_) => Vec::new(),
    }
}

fn hex_encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    bytes
        .chunks_exact(2)
        .map(|pair| match pair {
            [hi, lo] => Some(nibble(*hi)? << 4 | nibble(*lo)?),
            _ => None,
        })
        .collect()
}

/// Accepts a delivery when any of its verifiers does; otherwise reports the
/// first verifier's error. Use it to try several signature candidates while
/// the real scheme is being determined, or to accept two schemes during a change.
///
/// ```
/// use gank_api::{AnyOf, HmacAlgorithm, HmacVerifier, SignatureEncoding};
///
/// let key = "key-from-registration";
/// let candidates = AnyOf::new()
///     .with(HmacVerifier::builder("X-Signature").key(key).build()?)
///     .with(HmacVerifier::builder("X-Signature").key(key).encoding(SignatureEncoding::Base64).build()?)
///     .with(HmacVerifier::builder("X-Signature").key(key).algorithm(HmacAlgorithm::Sha512).build()?);
/// # Ok::<(), creator_core::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct AnyOf {
    verifiers: Vec<Arc<dyn SignatureVerifier>>,
}

impl AnyOf {
    /// No verifiers yet (which accepts nothing).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a verifier.
    pub fn with(mut self, verifier: impl SignatureVerifier + 'static) -> Self {
        self.verifiers.push(Arc::new(verifier));
        self
    }
}

impl SignatureVerifier for AnyOf {
    fn verify(&self, delivery: &WebhookDelivery) -> Result<Verified, WebhookError> {
        let mut first_error = None;
        for v in &self.verifiers {
            match v.verify(delivery) {
                Ok(verified) => return Ok(verified),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        Err(first_error
            .unwrap_or_else(|| WebhookError::NotConfigured("AnyOf has no verifiers".into())))
    }
}

/// Checks a secret carried in the callback URL (a query parameter, or any
/// path segment), which you choose when registering the callback. This is
/// the defence the notes suggest while the signature scheme is unknown.
///
/// ```
/// use gank_api::{SignatureVerifier, UrlTokenVerifier};
/// use creator_core::WebhookDelivery;
///
/// let v = UrlTokenVerifier::query("token", "s3cr3t-path-token")?;
/// let mut d = WebhookDelivery::with_content_type("application/json", "{}");
/// d.uri = "/gank-webhook?token=s3cr3t-path-token".parse().unwrap();
/// assert!(v.verify(&d).is_ok());
/// // An empty secret would match an empty parameter or path segment: refused.
/// assert!(UrlTokenVerifier::path_segment("").is_err());
/// # Ok::<(), creator_core::Error>(())
/// ```
#[derive(Clone)]
pub struct UrlTokenVerifier {
    param: Option<String>,
    secret: Secret,
}

impl fmt::Debug for UrlTokenVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UrlTokenVerifier")
            .field("param", &self.param)
            .field("secret", &self.secret)
            .finish()
    }
}

impl UrlTokenVerifier {
    /// The secret is the value of query parameter `param`.
    ///
    /// # Errors
    /// [`Error::Config`] for an empty secret or parameter name.
    pub fn query(param: impl Into<String>, secret: impl Into<Secret>) -> Result<Self> {
        let param = param.into();
        if param.is_empty() {
            return Err(Error::Config(
                "the Gank webhook URL token's query parameter name is empty".into(),
            ));
        }
        Self::new(Some(param), secret.into())
    }

    /// The secret is one of the path's segments (`/gank-webhook/<secret>`).
    ///
    /// # Errors
    /// [`Error::Config`] for an empty secret.
    pub fn path_segment(secret: impl Into<Secret>) -> Result<Self> {
        Self::new(None, secret.into())
    }

    fn new(param: Option<String>, secret: Secret) -> Result<Self> {
        if secret.is_empty() {
            return Err(Error::Config(
                "the Gank webhook URL token is empty: use a long random token".into(),
            ));
        }
        Ok(Self { param, secret })
    }
}

impl SignatureVerifier for UrlTokenVerifier {
    fn verify(&self, delivery: &WebhookDelivery) -> Result<Verified, WebhookError> {
        let found = match &self.param {
            Some(param) => delivery.uri.query().is_some_and(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .filter(|(k, _)| k == param.as_str())
                    .fold(false, |acc, (_, v)| acc | self.secret.matches(v.as_bytes()))
            }),
            None => delivery
                .uri
                .path()
                .split('/')
                .fold(false, |acc, seg| acc | self.secret.matches(seg.as_bytes())),
        };
        if found {
            Ok(Verified::UrlToken)
        } else {
            Err(WebhookError::Unauthenticated {
                reason: match &self.param {
                    Some(p) => format!("query parameter `{p}` is missing or wrong"),
                    None => "the callback path does not carry the expected token".into(),
                },
            })
        }
    }
}

/// Accepts every delivery as [`Verified::Unverified`]. Only for tests, or
/// when every event is confirmed through the API
/// ([`Webhooks::confirm`](creator_core::Webhooks::confirm)) before anything is granted.
#[derive(Debug, Clone, Copy, Default)]
pub struct AcceptUnsigned;

impl SignatureVerifier for AcceptUnsigned {
    fn verify(&self, _delivery: &WebhookDelivery) -> Result<Verified, WebhookError> {
        Ok(Verified::Unverified)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        static HMACS: Cell<usize> = const { Cell::new(0) };
    }

    /// Counts the HMACs computed on this thread (called from `mac_bytes`).
    pub(super) fn count_hmac() {
        HMACS.with(|c| c.set(c.get() + 1));
    }

    /// The result of `verify`, and how many HMACs it computed.
    fn verify_counting(
        v: &HmacVerifier,
        d: &WebhookDelivery,
    ) -> (Result<Verified, WebhookError>, usize) {
        HMACS.with(|c| c.set(0));
        let result = v.verify(d);
        (result, HMACS.with(Cell::get))
    }

    fn two_key_verifier() -> HmacVerifier {
        HmacVerifier::builder("x-sig")
            .key("k-current")
            .key("k-previous")
            .build()
            .unwrap()
    }

    fn delivery(body: Vec<u8>, signature: &str) -> WebhookDelivery {
        let mut d = WebhookDelivery::with_content_type("application/json", body);
        d.headers.insert("x-sig", signature.parse().unwrap());
        d
    }

    #[test]
    fn a_200_kib_header_of_zeros_is_rejected_before_any_hmac() {
        let v = two_key_verifier();
        let header = "00 ".repeat(200 * 1024 / 3);
        let d = delivery(vec![b'x'; 256 * 1024], &header);
        let (result, hmacs) = verify_counting(&v, &d);
        match result {
            Err(e @ WebhookError::SignatureHeaderTooLarge { .. }) => {
                assert!(e.is_verification_failure());
                assert!(e.to_string().contains("above the limit of 4096"), "{e}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(hmacs, 0);
    }

    #[test]
    fn too_many_signatures_are_rejected_before_any_hmac_even_in_a_short_header() {
        let v = two_key_verifier();
        let (result, hmacs) = verify_counting(&v, &delivery(b"{}".to_vec(), &"00,".repeat(9)));
        assert!(
            matches!(&result, Err(WebhookError::SignatureHeaderTooLarge { reason, .. }) if reason.contains("more than 8")),
            "{result:?}"
        );
        assert_eq!(hmacs, 0);
    }

    #[test]
    fn each_key_is_hashed_once_however_many_signatures_the_header_carries() {
        let v = two_key_verifier();
        let body = br#"{"event":"DIGITAL_GOODS.TX_SUCCEED","data":{"human_id":"DG-1"}}"#.to_vec();
        let decoys: Vec<String> = (0..7).map(|i| format!("{i:064x}")).collect();
        // Seven valid-looking decoys, then the real signature (by the first key).
        let header = format!("{},{}", decoys.join(","), v.sign(&body));
        let (result, hmacs) = verify_counting(&v, &delivery(body.clone(), &header));
        assert_eq!(result.unwrap(), Verified::Signature);
        assert_eq!(hmacs, 2, "one HMAC per key");
        let (result, hmacs) = verify_counting(&v, &delivery(body, &decoys.join(" ")));
        assert!(matches!(result, Err(WebhookError::InvalidSignature)));
        assert_eq!(hmacs, 2);
    }

    #[test]
    fn a_header_with_nothing_decodable_costs_no_hmac() {
        let v = two_key_verifier();
        let (result, hmacs) = verify_counting(&v, &delivery(b"{}".to_vec(), "not-hex zz"));
        assert!(matches!(result, Err(WebhookError::InvalidSignature)));
        assert_eq!(hmacs, 0);
    }

    #[test]
    fn hex_round_trip_and_rejects() {
        let bytes = [0u8, 1, 0xab, 0xff];
        assert_eq!(hex_encode(&bytes), "0001abff");
        assert_eq!(hex_decode("0001ABff"), Some(bytes.to_vec()));
        assert_eq!(hex_decode("abc"), None);
        assert_eq!(hex_decode("zz"), None);
        assert_eq!(hex_decode(""), Some(vec![]));
    }

    #[test]
    fn known_hmac_sha256_vector() {
        // RFC 4231 test case 2.
        let v = HmacVerifier::builder("x-sig").key("Jefe").build().unwrap();
        assert_eq!(
            v.sign(b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let v = HmacVerifier::builder("x-sig")
            .key("Jefe")
            .algorithm(HmacAlgorithm::Sha512)
            .build()
            .unwrap();
        assert!(
            v.sign(b"what do ya want for nothing?")
                .starts_with("164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554")
        );
    }
}
