//! # creator-lease
//!
//! Offline license checks for desktop apps that sell through Gumroad (or any
//! [`Access`] provider): after a successful **online** check, a server you run
//! issues a short-lived **lease** signed with Ed25519; the app keeps it and,
//! when there is no network, checks it with the public key compiled in.
//!
//! - [`LeaseSigner::issue_after_check`] (server side, holds the private key):
//!   asks the provider live, and signs a lease binding the product, a hash of
//!   the license key, a hash of a machine hint and an expiry — only when the
//!   verdict grants, and never past the end of a paid period.
//! - [`LeaseVerifier::verify`] (in the app, public key only): checks the
//!   signature, product, key, machine and expiry, allowing a grace period
//!   after expiry ([`LeaseStatus::Grace`]) and saying when to re-verify online
//!   ([`LeaseStatus::should_renew`]).
//!
//! What a lease does and does not stop is in `docs/granting-access.md`
//! ("Threat model").
//!
//! ```
//! use creator_lease::{LeaseSigner, LeaseVerifier, LeaseStatus, LeaseTerms};
//! use time::{Duration, OffsetDateTime};
//!
//! let signer = LeaseSigner::from_seed([7; 32]);
//! // Compiled into the app: the 32 public key bytes.
//! let verifier = LeaseVerifier::new(signer.public_key()).unwrap().grace(Duration::days(3));
//!
//! let now = OffsetDateTime::now_utc();
//! let terms = LeaseTerms::new("prod_1", "85DB562A-C11D4B06-A2335A6B-8C079166", "machine-42");
//! let lease = signer.issue(&terms, now, Duration::days(7), None).unwrap();
//!
//! let status = verifier.verify(&lease, &terms, now).unwrap();
//! assert!(matches!(status, LeaseStatus::Valid { .. }));
//! ```
#![forbid(unsafe_code)]

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use creator_core::{Access, AccessQuery, AccessReason, AccessVerdict};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// The lease format version this crate writes and reads.
pub const VERSION: u8 = 1;

/// Signed bytes start with this, so a lease signature is never valid for anything else.
const DOMAIN: &[u8] = b"creator-lease v1\n";

/// How far in the future an issue time may be before the lease is refused
/// (clock skew between the issuing server and the app).
pub const MAX_CLOCK_SKEW: Duration = Duration::minutes(5);

/// The longest lease [`LeaseSigner::issue`] signs.
pub const MAX_TTL: Duration = Duration::days(31);

/// Why a lease was not issued or does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LeaseError {
    /// Not a lease: bad shape, encoding or JSON.
    #[error("not a lease: {0}")]
    Malformed(String),
    /// A lease format this version does not read.
    #[error("lease version {0} is not supported")]
    UnsupportedVersion(u8),
    /// The signature does not match the public key (tampered, or signed with another key).
    #[error("the lease signature does not verify with this app's public key")]
    BadSignature,
    /// The lease is for another product.
    #[error("the lease is for another product")]
    WrongProduct,
    /// The lease is for another license key.
    #[error("the lease is for another license key")]
    WrongLicense,
    /// The lease is for another machine.
    #[error("the lease is for another machine")]
    WrongMachine,
    /// Issued in the future (the clock was set back, or the issuer's is wrong).
    #[error("the lease was issued in the future ({issued_at}); check the system clock")]
    NotYetValid {
        /// When the lease claims it was issued.
        issued_at: OffsetDateTime,
    },
    /// Expired, and past the grace period: verify online again.
    #[error("the lease expired at {expired_at}; verify the license online")]
    Expired {
        /// When it expired.
        expired_at: OffsetDateTime,
    },
    /// Not issued: the online check denied access.
    #[error("no lease: access is denied ({0})")]
    Denied(AccessReason),
    /// Not issued: bad terms (empty product, key or machine; a lifetime outside 1 s..=31 days).
    #[error("no lease: {0}")]
    InvalidTerms(String),
    /// The public key bytes are not an Ed25519 key.
    #[error("not an Ed25519 public key")]
    BadPublicKey,
}

/// What a lease binds: the product, the license key and the machine.
/// Only hashes of the key and the machine hint go into the lease.
#[derive(Clone, PartialEq, Eq)]
pub struct LeaseTerms {
    product_id: String,
    license_key: String,
    machine_hint: String,
}

impl fmt::Debug for LeaseTerms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LeaseTerms")
            .field("product_id", &self.product_id)
            .field("license_key", &creator_core::key_hint(&self.license_key))
            .field("machine_hint", &"<hashed>")
            .finish()
    }
}

impl LeaseTerms {
    /// Terms for `license_key` of `product_id` on the machine named by
    /// `machine_hint` (any stable per-machine string the app chooses, such
    /// as an OS machine id; it is hashed, never stored).
    pub fn new(
        product_id: impl Into<String>,
        license_key: impl Into<String>,
        machine_hint: impl Into<String>,
    ) -> Self {
        Self {
            product_id: product_id.into(),
            license_key: license_key.into(),
            machine_hint: machine_hint.into(),
        }
    }

    /// The product.
    pub fn product_id(&self) -> &str {
        &self.product_id
    }

    fn key_hash(&self) -> String {
        hash(&[
            b"license-key",
            self.product_id.as_bytes(),
            self.license_key.trim().as_bytes(),
        ])
    }

    fn machine_hash(&self) -> String {
        hash(&[b"machine", self.machine_hint.as_bytes()])
    }

    fn check(&self) -> Result<(), LeaseError> {
        for (what, v) in [
            ("product id", &self.product_id),
            ("license key", &self.license_key),
            ("machine hint", &self.machine_hint),
        ] {
            if v.trim().is_empty() {
                return Err(LeaseError::InvalidTerms(format!("an empty {what}")));
            }
        }
        Ok(())
    }
}

fn hash(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The signed content of a lease.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LeaseClaims {
    /// Format version ([`VERSION`]).
    pub v: u8,
    /// The product.
    pub product: String,
    /// SHA-256 of the license key (with the product), hex.
    pub key: String,
    /// SHA-256 of the machine hint, hex.
    pub machine: String,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// Expires at, Unix seconds.
    pub exp: i64,
    /// The reason the online check granted (`license_valid`, `active_subscription`, …).
    pub reason: String,
    /// The platform object that decided it, when known (a sale id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl LeaseClaims {
    /// When the lease expires.
    pub fn expires_at(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.exp).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// When the lease was issued.
    pub fn issued_at(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.iat).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }
}

/// Signs leases. Lives on a server you control; **never ship it in the app**.
pub struct LeaseSigner {
    key: SigningKey,
}

impl fmt::Debug for LeaseSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LeaseSigner")
            .field("public_key", &B64.encode(self.public_key()))
            .field("private_key", &"<redacted>")
            .finish()
    }
}

impl LeaseSigner {
    /// A signer from a 32-byte secret seed (keep it in a secret store).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self {
            key: SigningKey::from_bytes(&seed),
        }
    }

    /// A new random seed from the OS, to store and pass to [`LeaseSigner::from_seed`].
    ///
    /// # Errors
    /// [`LeaseError::InvalidTerms`] when the OS has no randomness to give.
    pub fn generate_seed() -> Result<[u8; 32], LeaseError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)
            .map_err(|e| LeaseError::InvalidTerms(format!("no OS randomness: {e}")))?;
        Ok(seed)
    }

    /// The public key to compile into the app.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// Signs a lease for `terms`, valid from `now` for `ttl` and never past
    /// `until` (the end of a paid period).
    ///
    /// # Errors
    /// [`LeaseError::InvalidTerms`] for empty terms, a `ttl` outside
    /// 1 s ..= [`MAX_TTL`], or an `until` not after `now`.
    pub fn issue(
        &self,
        terms: &LeaseTerms,
        now: OffsetDateTime,
        ttl: Duration,
        until: Option<OffsetDateTime>,
    ) -> Result<String, LeaseError> {
        self.issue_claims(terms, now, ttl, until, AccessReason::LicenseValid, None)
    }

    fn issue_claims(
        &self,
        terms: &LeaseTerms,
        now: OffsetDateTime,
        ttl: Duration,
        until: Option<OffsetDateTime>,
        reason: AccessReason,
        source: Option<String>,
    ) -> Result<String, LeaseError> {
        terms.check()?;
        if ttl < Duration::SECOND || ttl > MAX_TTL {
            return Err(LeaseError::InvalidTerms(format!(
                "a lease lasts 1 s to {} days",
                MAX_TTL.whole_days()
            )));
        }
        let mut exp = now + ttl;
        if let Some(until) = until {
            if until <= now {
                return Err(LeaseError::InvalidTerms(
                    "the paid period is already over".into(),
                ));
            }
            exp = exp.min(until);
        }
        let claims = LeaseClaims {
            v: VERSION,
            product: terms.product_id.clone(),
            key: terms.key_hash(),
            machine: terms.machine_hash(),
            iat: now.unix_timestamp(),
            exp: exp.unix_timestamp(),
            reason: reason.as_str().to_owned(),
            source,
        };
        let body = serde_json::to_vec(&claims)
            .map_err(|e| LeaseError::Malformed(format!("claims do not serialize: {e}")))?;
        let sig = self.key.sign(&signed_bytes(&body));
        Ok(format!(
            "{}.{}",
            B64.encode(&body),
            B64.encode(sig.to_bytes())
        ))
    }

    /// Checks `terms` live through `access` (a license-key query, never
    /// counting a use) and, when the verdict grants, signs a lease for
    /// `ttl`, cut at the verdict's `until`.
    ///
    /// # Errors
    /// [`IssueError::Check`] when the provider could not answer;
    /// [`IssueError::Lease`] with [`LeaseError::Denied`] when it denied, or
    /// bad terms.
    pub async fn issue_after_check(
        &self,
        access: &dyn Access,
        terms: &LeaseTerms,
        now: OffsetDateTime,
        ttl: Duration,
    ) -> Result<(String, AccessVerdict), IssueError> {
        terms.check()?;
        let query = AccessQuery::license_key(&terms.product_id, &terms.license_key).at(now);
        let verdict = access.check(query).await.map_err(IssueError::Check)?;
        if !verdict.granted {
            return Err(LeaseError::Denied(verdict.reason).into());
        }
        let source = verdict.decided_by.as_ref().map(|s| s.id.clone());
        let lease = self.issue_claims(terms, now, ttl, verdict.until, verdict.reason, source)?;
        Ok((lease, verdict))
    }
}

/// Why [`LeaseSigner::issue_after_check`] gave no lease.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    /// The online check failed (network, platform error): try again later.
    #[error("the online check failed: {0}")]
    Check(#[source] creator_core::Error),
    /// Denied, or bad terms.
    #[error(transparent)]
    Lease(#[from] LeaseError),
}

fn signed_bytes(body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(DOMAIN.len() + body.len());
    m.extend_from_slice(DOMAIN);
    m.extend_from_slice(body);
    m
}

/// A lease that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LeaseStatus {
    /// Within its lifetime.
    Valid {
        /// The verified claims.
        claims: LeaseClaims,
    },
    /// Expired, but within the grace period: start, and verify online as soon as possible.
    Grace {
        /// The verified claims.
        claims: LeaseClaims,
        /// When the grace period ends.
        grace_ends_at: OffsetDateTime,
    },
}

impl LeaseStatus {
    /// The verified claims.
    pub fn claims(&self) -> &LeaseClaims {
        match self {
            LeaseStatus::Valid { claims } | LeaseStatus::Grace { claims, .. } => claims,
        }
    }

    /// True once half the lease's lifetime has passed (or it is in grace):
    /// renew online when the network is there, so an app used daily never
    /// reaches the grace period.
    pub fn should_renew(&self, now: OffsetDateTime) -> bool {
        match self {
            LeaseStatus::Grace { .. } => true,
            LeaseStatus::Valid { claims } => {
                let half = (claims.exp - claims.iat) / 2;
                now.unix_timestamp() >= claims.iat + half
            }
        }
    }
}

/// Checks leases offline with the public key compiled into the app.
#[derive(Clone)]
pub struct LeaseVerifier {
    key: VerifyingKey,
    grace: Duration,
}

impl fmt::Debug for LeaseVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LeaseVerifier")
            .field("public_key", &B64.encode(self.key.to_bytes()))
            .field("grace", &self.grace)
            .finish()
    }
}

impl LeaseVerifier {
    /// A verifier for leases signed by the holder of `public_key`, with no grace period.
    ///
    /// # Errors
    /// [`LeaseError::BadPublicKey`] when the bytes are not an Ed25519 point.
    pub fn new(public_key: [u8; 32]) -> Result<Self, LeaseError> {
        let key = VerifyingKey::from_bytes(&public_key).map_err(|_| LeaseError::BadPublicKey)?;
        Ok(Self {
            key,
            grace: Duration::ZERO,
        })
    }

    /// Accepts a lease for `grace` after it expires ([`LeaseStatus::Grace`]).
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace.max(Duration::ZERO);
        self
    }

    /// Checks `lease` for `terms` at `now`, offline. Checks run in this
    /// order: shape, signature (strict Ed25519), version, product, license
    /// key, machine, issue time, expiry with grace.
    ///
    /// # Errors
    /// The [`LeaseError`] of the first check that fails.
    pub fn verify(
        &self,
        lease: &str,
        terms: &LeaseTerms,
        now: OffsetDateTime,
    ) -> Result<LeaseStatus, LeaseError> {
        let (body_b64, sig_b64) = lease
            .trim()
            .split_once('.')
            .ok_or_else(|| LeaseError::Malformed("no `.` between claims and signature".into()))?;
        let body = B64
            .decode(body_b64)
            .map_err(|e| LeaseError::Malformed(format!("claims: {e}")))?;
        let sig_bytes: [u8; 64] = B64
            .decode(sig_b64)
            .map_err(|e| LeaseError::Malformed(format!("signature: {e}")))?
            .try_into()
            .map_err(|_| LeaseError::Malformed("a signature is 64 bytes".into()))?;
        let sig = Signature::from_bytes(&sig_bytes);
        self.key
            .verify_strict(&signed_bytes(&body), &sig)
            .map_err(|_| LeaseError::BadSignature)?;
        // Only signed bytes are parsed.
        let claims: LeaseClaims = serde_json::from_slice(&body)
            .map_err(|e| LeaseError::Malformed(format!("claims JSON: {e}")))?;
        if claims.v != VERSION {
            return Err(LeaseError::UnsupportedVersion(claims.v));
        }
        if claims.product != terms.product_id {
            return Err(LeaseError::WrongProduct);
        }
        if claims.key != terms.key_hash() {
            return Err(LeaseError::WrongLicense);
        }
        if claims.machine != terms.machine_hash() {
            return Err(LeaseError::WrongMachine);
        }
        if claims.issued_at() > now + MAX_CLOCK_SKEW {
            return Err(LeaseError::NotYetValid {
                issued_at: claims.issued_at(),
            });
        }
        let expires = claims.expires_at();
        if now < expires {
            return Ok(LeaseStatus::Valid { claims });
        }
        let grace_ends_at = expires + self.grace;
        if now < grace_ends_at {
            return Ok(LeaseStatus::Grace {
                claims,
                grace_ends_at,
            });
        }
        Err(LeaseError::Expired {
            expired_at: expires,
        })
    }

    /// Offline check, renewed online when due: verifies `lease`; when it is
    /// due for renewal (or no longer verifies) and `online` is given, asks
    /// for a fresh lease with it and verifies that one instead. Offline, or
    /// when the renewal fails, the stored lease's status stands.
    ///
    /// `online` is the app's call to the lease server (which runs
    /// [`LeaseSigner::issue_after_check`]); it returns a new lease or an error.
    ///
    /// # Errors
    /// The stored lease's [`LeaseError`] when it does not verify and no
    /// renewal succeeded; [`LeaseError::Denied`] when the renewal was denied
    /// (a refund or revocation since the last lease: stop at once).
    pub async fn verify_or_renew<F, Fut>(
        &self,
        lease: &str,
        terms: &LeaseTerms,
        now: OffsetDateTime,
        online: Option<F>,
    ) -> Result<(LeaseStatus, Option<String>), LeaseError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<String, LeaseError>>,
    {
        let stored = self.verify(lease, terms, now);
        let due = match &stored {
            Ok(s) => s.should_renew(now),
            Err(_) => true,
        };
        let Some(online) = online.filter(|_| due) else {
            return stored.map(|s| (s, None));
        };
        match online().await {
            Ok(fresh) => {
                let status = self.verify(&fresh, terms, now)?;
                Ok((status, Some(fresh)))
            }
            Err(denied @ LeaseError::Denied(_)) => Err(denied),
            Err(_) => stored.map(|s| (s, None)),
        }
    }
}

#[cfg(test)]
mod tests;
