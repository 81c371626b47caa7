//! Small composable webhook verifiers, one for each idea, shared by every
//! provider and by the relay.
//!
//! A [`Verifier`] looks at a raw [`WebhookDelivery`] (request target,
//! headers, body bytes) and says what it established ([`Verified`]) or why
//! the delivery is not authentic ([`WebhookError`]). The pieces:
//!
//! | verifier | checks | reads the body |
//! |---|---|---|
//! | [`UrlToken`] | a secret in the callback URL, where a [`TokenLocation`] says | no |
//! | [`BasicAuth`] | HTTP Basic credentials in the `Authorization` header | no |
//! | [`Hmac`] | an HMAC-SHA256/-SHA512 signature header over the body (or `timestamp.body`) | yes |
//! | [`AllOf`] | every verifier in it (a URL secret *and* a signature) | if one does |
//! | [`AnyOf`] | at least one (candidate schemes, a key change) | if one does |
//! | [`Unverified`] | nothing: accepts everything as [`Verified::Unverified`] | no |
//!
//! Every secret is a [`Secret`] compared in constant time, and a verifier
//! that would accept anything (an empty token, user, password or key) refuses
//! to be built with [`Error::Config`].
//!
//! ```
//! use creator_core::WebhookDelivery;
//! use creator_core::verify::{AllOf, Hmac, UrlToken, Verifier};
//!
//! let hmac = Hmac::builder("X-Signature").key("k_current").build()?;
//! let body = br#"{"event":"DIGITAL_GOODS.TX_SUCCEED"}"#;
//! let signature = hmac.sign(body);
//! let both = AllOf::new()
//!     .with(UrlToken::last_path_segment("7d1e0c9b5a3f4e21")?)
//!     .with(hmac);
//! let mut delivery = WebhookDelivery::with_content_type("application/json", &body[..]);
//! delivery.uri = "/webhooks/gank/7d1e0c9b5a3f4e21".parse().unwrap();
//! delivery.headers.insert("x-signature", signature.parse().unwrap());
//! assert_eq!(both.verify(&delivery)?, creator_core::Verified::Signature);
//! delivery.uri = "/webhooks/gank/guess".parse().unwrap();
//! assert!(both.verify(&delivery).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_PAD_INDIFFERENT, URL_SAFE_PAD_INDIFFERENT};
use hmac::{KeyInit, Mac};
use http::HeaderName;
use subtle::ConstantTimeEq;

use super::{Verified, WebhookDelivery};
use crate::{Clock, Error, Result, Secret, SystemClock, WebhookError};

/// Something that decides whether a delivery is authentic, on its raw bytes.
///
/// Object-safe, so receivers hold an `Arc<dyn Verifier>`; implement it for a
/// scheme of your own. Receivers call it before anything is parsed.
pub trait Verifier: Send + Sync + fmt::Debug {
    /// Checks the delivery.
    ///
    /// # Errors
    /// A [`WebhookError`] saying why the delivery is not authentic (never a secret).
    fn verify(&self, delivery: &WebhookDelivery) -> Result<Verified, WebhookError>;
}

impl<T: Verifier + ?Sized> Verifier for Arc<T> {
    fn verify(&self, delivery: &WebhookDelivery) -> Result<Verified, WebhookError> {
        (**self).verify(delivery)
    }
}

impl<T: Verifier + ?Sized> Verifier for Box<T> {
    fn verify(&self, delivery: &WebhookDelivery) -> Result<Verified, WebhookError> {
        (**self).verify(delivery)
    }
}

// ------------------------------------------------------------------ URL token

/// Where a [`UrlToken`] sits in the callback URL (a closed set: these are
/// the places a platform keeps of a registered URL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenLocation {
    /// A query parameter with this name (`/hooks/gumroad?token=…`).
    Query(String),
    /// The last path segment (`/hooks/gumroad/<token>`, one trailing `/` or more ignored).
    LastPathSegment,
    /// The query parameter if the URL has one with this name, else the last
    /// path segment (the default, with `token`).
    QueryOrLastPathSegment(String),
}

impl Default for TokenLocation {
    fn default() -> Self {
        TokenLocation::QueryOrLastPathSegment("token".to_owned())
    }
}

/// A secret in the callback URL, which you choose when registering it.
///
/// One meaning everywhere: the token is the value of the query parameter
/// (form-decoded: `%2B` is `+`, and `+` is a space), or the **last** path
/// segment (percent-decoded; a bad escape or invalid UTF-8 counts as no
/// token), as its [`TokenLocation`] says. A query parameter given twice is
/// refused. The comparison is constant-time in the content of the secret.
///
/// It proves the sender knew the URL; it does not protect the body or stop
/// replays, and it leaks wherever the URL is logged. Use HTTPS and a long
/// random token.
///
/// ```
/// use creator_core::WebhookDelivery;
/// use creator_core::verify::{UrlToken, Verifier};
///
/// let v = UrlToken::query("token", "s3cr3t-path-token")?;
/// let mut d = WebhookDelivery::with_content_type("application/json", "{}");
/// d.uri = "/gank-webhook?token=s3cr3t-path-token".parse().unwrap();
/// assert!(v.verify(&d).is_ok());
/// // An empty secret would match an empty parameter or path segment: refused.
/// assert!(UrlToken::last_path_segment("").is_err());
/// # Ok::<(), creator_core::Error>(())
/// ```
#[derive(Clone)]
pub struct UrlToken {
    secret: Secret,
    location: TokenLocation,
}

impl fmt::Debug for UrlToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UrlToken")
            .field("location", &self.location)
            .field("secret", &self.secret)
            .finish()
    }
}

impl UrlToken {
    /// A token at `location`.
    ///
    /// # Errors
    /// [`Error::Config`] for an empty secret or query parameter name.
    pub fn new(location: TokenLocation, secret: impl Into<Secret>) -> Result<Self> {
        let secret = secret.into();
        if secret.is_empty() {
            return Err(Error::Config(
                "the webhook URL token is empty: use a long random token".into(),
            ));
        }
        if let TokenLocation::Query(name) | TokenLocation::QueryOrLastPathSegment(name) = &location
            && name.is_empty()
        {
            return Err(Error::Config(
                "the webhook URL token's query parameter name is empty".into(),
            ));
        }
        Ok(Self { secret, location })
    }

    /// The token is the value of query parameter `name`.
    ///
    /// # Errors
    /// As [`UrlToken::new`].
    pub fn query(name: impl Into<String>, secret: impl Into<Secret>) -> Result<Self> {
        Self::new(TokenLocation::Query(name.into()), secret)
    }

    /// The token is the last path segment (`/webhooks/gank/<secret>`).
    ///
    /// # Errors
    /// As [`UrlToken::new`].
    pub fn last_path_segment(secret: impl Into<Secret>) -> Result<Self> {
        Self::new(TokenLocation::LastPathSegment, secret)
    }

    /// Where the token is read from.
    pub fn location(&self) -> &TokenLocation {
        &self.location
    }

    /// The expected token (to build the URL to register).
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The value of query parameter `name`, refusing one given twice.
    fn from_query(delivery: &WebhookDelivery, name: &str) -> Result<Option<Vec<u8>>, WebhookError> {
        let query = delivery.uri.query().unwrap_or("");
        let mut found = form_urlencoded::parse(query.as_bytes())
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned().into_bytes());
        let first = found.next();
        if found.next().is_some() {
            return Err(unauthenticated(format!(
                "the `{name}` query parameter appears more than once"
            )));
        }
        Ok(first)
    }

    /// The last non-empty path segment, percent-decoded strictly.
    fn from_path(delivery: &WebhookDelivery) -> Option<Vec<u8>> {
        let segment = delivery
            .uri
            .path()
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .filter(|s| !s.is_empty())?;
        let escapes_ok = segment.split('%').skip(1).all(|rest| {
            rest.as_bytes()
                .get(..2)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
        });
        let decoded = percent_encoding::percent_decode_str(segment).collect::<Vec<u8>>();
        (escapes_ok && std::str::from_utf8(&decoded).is_ok()).then_some(decoded)
    }
}

impl Verifier for UrlToken {
    fn verify(&self, delivery: &WebhookDelivery) -> Result<Verified, WebhookError> {
        let (presented, place) = match &self.location {
            TokenLocation::Query(name) => (
                Self::from_query(delivery, name)?,
                format!("the `{name}` query parameter"),
            ),
            TokenLocation::LastPathSegment => (
                Self::from_path(delivery),
                "the last path segment".to_owned(),
            ),
            TokenLocation::QueryOrLastPathSegment(name) => {
                match Self::from_query(delivery, name)? {
                    Some(t) => (Some(t), format!("the `{name}` query parameter")),
                    None => (
                        Self::from_path(delivery),
                        format!("the last path segment (no `{name}` query parameter)"),
                    ),
                }
            }
        };
        let Some(presented) = presented else {
            return Err(unauthenticated(format!(
                "no token in the callback URL (looked at {place})"
            )));
        };
        if self.secret.matches(&presented) {
            Ok(Verified::UrlToken)
        } else {
            Err(unauthenticated(format!(
                "the token in {place} does not match"
            )))
        }
    }
}

fn unauthenticated(reason: impl Into<String>) -> WebhookError {
    WebhookError::Unauthenticated {
        reason: reason.into(),
    }
}

// ------------------------------------------------------------------ Basic auth

/// HTTP Basic credentials in the `Authorization` header (a platform that
/// posts to `https://user:password@host/…`).
///
/// Exactly one `Authorization: Basic <base64>` header is accepted (padding
/// optional, the scheme in any case); user and password are both compared,
/// in constant time, so timing does not tell which one was wrong.
///
/// ```
/// use creator_core::WebhookDelivery;
/// use creator_core::verify::{BasicAuth, Verifier};
///
/// let v = BasicAuth::new("gumroad", "hunter2-long-password")?;
/// let mut d = WebhookDelivery::with_content_type("application/json", "{}");
/// d.headers.insert("authorization", "Basic Z3Vtcm9hZDpodW50ZXIyLWxvbmctcGFzc3dvcmQ=".parse().unwrap());
/// assert!(v.verify(&d).is_ok());
/// // `Basic Og==` is an empty user and password: such credentials are refused.
/// assert!(BasicAuth::new("", "").is_err());
/// # Ok::<(), creator_core::Error>(())
/// ```
#[derive(Clone)]
pub struct BasicAuth {
    user: Secret,
    password: Secret,
}

impl fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BasicAuth(<redacted>)")
    }
}

impl BasicAuth {
    /// Expects `user` and `password`.
    ///
    /// # Errors
    /// [`Error::Config`] for an empty user or password.
    pub fn new(user: impl Into<Secret>, password: impl Into<Secret>) -> Result<Self> {
        let (user, password) = (user.into(), password.into());
        if user.is_empty() {
            return Err(Error::Config("the webhook HTTP Basic user is empty".into()));
        }
        if password.is_empty() {
            return Err(Error::Config(
                "the webhook HTTP Basic password is empty".into(),
            ));
        }
        Ok(Self { user, password })
    }

    /// The expected user (to build the URL to register).
    pub fn user(&self) -> &Secret {
        &self.user
    }

    /// The expected password (to build the URL to register).
    pub fn password(&self) -> &Secret {
        &self.password
    }
}

impl Verifier for BasicAuth {
    fn verify(&self, delivery: &WebhookDelivery) -> Result<Verified, WebhookError> {
        let mut values = delivery.headers.get_all(http::header::AUTHORIZATION).iter();
        let Some(header) = values.next() else {
            return Err(unauthenticated(
                "no HTTP Basic credentials (the Authorization header is missing)",
            ));
        };
        if values.next().is_some() {
            return Err(unauthenticated("more than one Authorization header"));
        }
        let header = header
            .to_str()
            .map_err(|_| unauthenticated("the Authorization header is not text"))?;
        let (scheme, encoded) = header.trim().split_once(' ').unwrap_or((header, ""));
        if !scheme.eq_ignore_ascii_case("basic") {
            return Err(unauthenticated(
                "the Authorization header is not HTTP Basic",
            ));
        }
        let decoded = STANDARD_PAD_INDIFFERENT
            .decode(encoded.trim())
            .map_err(|_| unauthenticated("malformed HTTP Basic credentials"))?;
        let colon = decoded
            .iter()
            .position(|b| *b == b':')
            .ok_or_else(|| unauthenticated("malformed HTTP Basic credentials (no `:`)"))?;
        let (user, password) = (&decoded[..colon], &decoded[colon + 1..]);
        // Both comparisons always run, so timing does not tell which one failed.
        let user_ok = self.user.matches(user);
        let password_ok = self.password.matches(password);
        if user_ok & password_ok {
            Ok(Verified::BasicAuth)
        } else {
            Err(unauthenticated("the HTTP Basic credentials do not match"))
        }
    }
}

// ------------------------------------------------------------------ HMAC

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

/// An HMAC of the raw body (or of `timestamp.body`) in a header, keyed by a
/// shared key.
///
/// Several keys may be configured (key rotation: a delivery signed with any
/// of them is accepted). A header may carry several signatures separated by
/// commas or spaces, at most [`Hmac::MAX_SIGNATURES`] in at most
/// [`Hmac::MAX_HEADER_BYTES`]; any match is accepted. Each key's tag is
/// computed once per delivery, and compared in constant time with every
/// signature. A key's bytes are the UTF-8 bytes of the key string.
///
/// ```
/// use creator_core::WebhookDelivery;
/// use creator_core::verify::{Hmac, HmacAlgorithm, SignatureEncoding, Verifier};
///
/// let verifier = Hmac::builder("X-Signature")
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
pub struct Hmac {
    keys: Vec<Secret>,
    header: HeaderName,
    algorithm: HmacAlgorithm,
    encoding: SignatureEncoding,
    prefix: Option<String>,
    timestamp: Option<(HeaderName, Duration)>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Hmac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hmac")
            .field("keys", &self.keys.len())
            .field("header", &self.header)
            .field("algorithm", &self.algorithm)
            .field("encoding", &self.encoding)
            .field("prefix", &self.prefix)
            .field("timestamp", &self.timestamp)
            .finish()
    }
}

/// Builds an [`Hmac`] verifier; from [`Hmac::builder`].
pub struct HmacBuilder {
    header: String,
    keys: Vec<Secret>,
    algorithm: HmacAlgorithm,
    encoding: SignatureEncoding,
    prefix: Option<String>,
    timestamp: Option<(String, Duration)>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for HmacBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacBuilder")
            .field("header", &self.header)
            .field("keys", &self.keys)
            .field("algorithm", &self.algorithm)
            .field("encoding", &self.encoding)
            .finish_non_exhaustive()
    }
}

impl HmacBuilder {
    /// Adds a key. Add the previous key as well while rotating.
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
    pub fn build(self) -> Result<Hmac> {
        if self.keys.is_empty() {
            return Err(Error::Config(
                "an HMAC webhook verifier needs at least one key (the platform's webhook \
                 signing key)"
                    .into(),
            ));
        }
        if self.keys.iter().any(Secret::is_empty) {
            return Err(Error::Config("an HMAC webhook key is empty".into()));
        }
        let header = header_name(&self.header)?;
        let timestamp = match self.timestamp {
            Some((name, tolerance)) => Some((header_name(&name)?, tolerance)),
            None => None,
        };
        Ok(Hmac {
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

impl Hmac {
    /// The longest signature header accepted, in bytes. A 64-byte tag in hex
    /// is 128 characters, so this leaves room for a prefix and several
    /// signatures during a key rotation.
    pub const MAX_HEADER_BYTES: usize = 4096;

    /// The most signatures one header may carry (separated by commas or spaces).
    pub const MAX_SIGNATURES: usize = 8;

    /// Starts a verifier that reads the signature from `header`.
    pub fn builder(header: impl Into<String>) -> HmacBuilder {
        HmacBuilder {
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
    /// With a timestamp header configured, use [`Hmac::sign_with_timestamp`].
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
            SignatureEncoding::Base64 => [STANDARD_PAD_INDIFFERENT, URL_SAFE_PAD_INDIFFERENT]
                .iter()
                .find_map(|engine| engine.decode(text).ok()),
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

impl Verifier for Hmac {
    /// Checks the signature header against the body, at a cost bounded
    /// before any work: a header longer than [`Hmac::MAX_HEADER_BYTES`] or
    /// with more than [`Hmac::MAX_SIGNATURES`] signatures is rejected
    /// unchecked, and then each key's tag is computed once and compared in
    /// constant time with every signature in the header.
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

// ------------------------------------------------------------------ combinators

/// Accepts a delivery only when every verifier in it does (a URL secret and
/// a signature), checking them in the order they were added and stopping at
/// the first that refuses (whose error is reported), so put the cheap checks
/// first.
///
/// The verdict is the strongest of theirs, in the order [`Verified`] lists
/// them: [`Verified::Signature`], then [`Verified::UrlToken`], then
/// [`Verified::BasicAuth`], then [`Verified::Unverified`]. An empty `AllOf`
/// accepts nothing ([`WebhookError::NotConfigured`]).
#[derive(Debug, Clone, Default)]
pub struct AllOf {
    verifiers: Vec<Arc<dyn Verifier>>,
}

/// `new`, `with` and `is_empty` of a combinator over a list of verifiers.
macro_rules! verifier_list {
    ($name:ident) => {
        impl $name {
            /// No verifiers yet (which accepts nothing).
            pub fn new() -> Self {
                Self::default()
            }

            /// Adds a verifier.
            pub fn with(mut self, verifier: impl Verifier + 'static) -> Self {
                self.verifiers.push(Arc::new(verifier));
                self
            }

            /// True when no verifier was added.
            pub fn is_empty(&self) -> bool {
                self.verifiers.is_empty()
            }
        }
    };
}

verifier_list!(AllOf);
verifier_list!(AnyOf);

impl Verifier for AllOf {
    fn verify(&self, delivery: &WebhookDelivery) -> Result<Verified, WebhookError> {
        let mut strongest: Option<Verified> = None;
        for v in &self.verifiers {
            let verdict = v.verify(delivery)?;
            if strongest.is_none_or(|s| strength(verdict) > strength(s)) {
                strongest = Some(verdict);
            }
        }
        strongest.ok_or_else(|| WebhookError::NotConfigured("AllOf has no verifiers".into()))
    }
}

/// How much a verdict establishes, for [`AllOf`].
fn strength(verified: Verified) -> u8 {
    match verified {
        Verified::Signature => 3,
        Verified::UrlToken => 2,
        Verified::BasicAuth => 1,
        Verified::Unverified => 0,
    }
}

/// Accepts a delivery when any of its verifiers does (with that verifier's
/// verdict); otherwise reports the first verifier's error. Use it to try
/// several signature candidates while the real scheme is being determined,
/// or to accept two schemes during a change. An empty `AnyOf` accepts
/// nothing ([`WebhookError::NotConfigured`]).
///
/// ```
/// use creator_core::verify::{AnyOf, Hmac, HmacAlgorithm, SignatureEncoding};
///
/// let key = "key-from-registration";
/// let candidates = AnyOf::new()
///     .with(Hmac::builder("X-Signature").key(key).build()?)
///     .with(Hmac::builder("X-Signature").key(key).encoding(SignatureEncoding::Base64).build()?)
///     .with(Hmac::builder("X-Signature").key(key).algorithm(HmacAlgorithm::Sha512).build()?);
/// # Ok::<(), creator_core::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct AnyOf {
    verifiers: Vec<Arc<dyn Verifier>>,
}

impl Verifier for AnyOf {
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

/// Accepts every delivery as [`Verified::Unverified`]: nothing is checked.
///
/// Only for tests, for re-parsing deliveries verified when they arrived, for
/// a check done elsewhere (a proxy, the relay's own URL secret), or when
/// every event is confirmed through the API
/// ([`Webhooks::confirm`](crate::Webhooks::confirm)) before anything is granted.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unverified;

impl Verifier for Unverified {
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
    fn verify_counting(v: &Hmac, d: &WebhookDelivery) -> (Result<Verified, WebhookError>, usize) {
        HMACS.with(|c| c.set(0));
        let result = v.verify(d);
        (result, HMACS.with(Cell::get))
    }

    fn two_key_verifier() -> Hmac {
        Hmac::builder("x-sig")
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
        let v = Hmac::builder("x-sig").key("Jefe").build().unwrap();
        assert_eq!(
            v.sign(b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let v = Hmac::builder("x-sig")
            .key("Jefe")
            .algorithm(HmacAlgorithm::Sha512)
            .build()
            .unwrap();
        assert!(
            v.sign(b"what do ya want for nothing?")
                .starts_with("164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554")
        );
    }

    #[test]
    fn basic_credentials_decode_with_and_without_padding() {
        // Moved from gumroad-api's hand-written decoder: the base64 crate
        // accepts and refuses the same inputs.
        let decode = |s: &str| STANDARD_PAD_INDIFFERENT.decode(s).ok();
        assert_eq!(decode("dXNlcjpwYXNz").as_deref(), Some(&b"user:pass"[..]));
        assert_eq!(decode("dXNlcjpwYXM=").as_deref(), Some(&b"user:pas"[..]));
        assert_eq!(decode("dXNlcjpwYQ").as_deref(), Some(&b"user:pa"[..]));
        assert_eq!(decode("").as_deref(), Some(&b""[..]));
        assert_eq!(decode("a"), None);
        assert_eq!(decode("d$=="), None);
        assert_eq!(decode("===="), None);
    }

    fn at(uri: &str) -> WebhookDelivery {
        let mut d = WebhookDelivery::with_content_type("application/json", "{}");
        d.uri = uri.parse().unwrap();
        d
    }

    #[test]
    fn a_url_token_is_the_last_path_segment_only() {
        let v = UrlToken::last_path_segment("s3cr3t-t0ken").unwrap();
        assert_eq!(
            v.verify(&at("/hooks/gank/s3cr3t-t0ken")).ok(),
            Some(Verified::UrlToken)
        );
        assert!(v.verify(&at("/hooks/gank/s3cr3t-t0ken/")).is_ok());
        assert!(
            v.verify(&at("/hooks/s3cr3t-t0ken/gank")).is_err(),
            "not any segment"
        );
        assert!(
            v.verify(&at("/hooks/gank/%73%33cr3t-t0ken")).is_ok(),
            "percent-decoded"
        );
        let bad_escape = v.verify(&at("/hooks/gank/s3cr3t-t0ken%zz")).unwrap_err();
        assert!(bad_escape.to_string().contains("no token"), "{bad_escape}");
        let cut_escape = v.verify(&at("/hooks/gank/s3cr3t-t0ken%4")).unwrap_err();
        assert!(cut_escape.to_string().contains("no token"), "{cut_escape}");
    }

    #[test]
    fn a_url_token_in_the_query_is_refused_when_given_twice() {
        let v = UrlToken::query("token", "s3cr3t-t0ken").unwrap();
        assert!(v.verify(&at("/h?token=s3cr3t-t0ken")).is_ok());
        let twice = v
            .verify(&at("/h?token=wrong&token=s3cr3t-t0ken"))
            .unwrap_err();
        assert!(twice.to_string().contains("more than once"), "{twice}");
    }

    #[test]
    fn all_of_needs_every_verifier_and_reports_the_strongest_verdict() {
        let token = UrlToken::query("t", "s3cr3t-t0ken").unwrap();
        let hmac = Hmac::builder("x-sig").key("k").build().unwrap();
        let mut d = at("/h?t=s3cr3t-t0ken");
        d.headers
            .insert("x-sig", hmac.sign(&d.body).parse().unwrap());
        let both = AllOf::new().with(token.clone()).with(hmac.clone());
        assert_eq!(both.verify(&d).unwrap(), Verified::Signature);
        let reversed = AllOf::new().with(hmac).with(token.clone());
        assert_eq!(reversed.verify(&d).unwrap(), Verified::Signature);
        let basic = BasicAuth::new("u", "p").unwrap();
        d.headers
            .insert("authorization", "Basic dTpw".parse().unwrap());
        let shared = AllOf::new()
            .with(basic.clone())
            .with(token)
            .with(Unverified);
        assert_eq!(shared.verify(&d).unwrap(), Verified::UrlToken);
        d.uri = "/h?t=guess".parse().unwrap();
        assert!(matches!(
            both.verify(&d),
            Err(WebhookError::Unauthenticated { .. })
        ));
        assert!(matches!(
            AllOf::new().verify(&d),
            Err(WebhookError::NotConfigured(_))
        ));
        assert!(AllOf::new().is_empty());
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let shown = format!(
            "{:?} {:?} {:?}",
            UrlToken::last_path_segment("s3cr3t-t0ken").unwrap(),
            BasicAuth::new("us3r-name", "pa55word").unwrap(),
            Hmac::builder("x-sig").key("k3y-s3cr3t").build().unwrap(),
        );
        for secret in ["s3cr3t-t0ken", "us3r-name", "pa55word", "k3y-s3cr3t"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
}
