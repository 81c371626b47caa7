//! The retry policy: a pure function from (attempt, classified failure,
//! method, idempotency) to a decision.
//!
//! A response is classified first (by the provider's `ResponseClassifier`
//! and the default mapping of the `http` feature's transport) into an
//! [`Error`]; [`Error::retry_class`] is the one definition
//! of what may be tried again, and [`RetryPolicy::decide`] adds the attempt
//! budget, the method and the request's [`Idempotency`]. So a provider's
//! permanent answer (a Gumroad HTTP 200 `success:false`, a coded 4xx or 500,
//! a refused action) is never re-sent, whatever its status.

use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime};

use crate::Error;

/// The HTTP method type the policy takes (re-exported from the `http` crate).
pub use http::Method;

/// What an error means for sending the same request again; see
/// [`Error::retry_class`], the one place errors are sorted into these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryClass {
    /// The same request would get the same answer: a 4xx, a coded error
    /// (Gumroad's `success:false`, `product_id_required`, a refused action,
    /// Maton's documented 500), a body that does not decode, a bad argument.
    Permanent,
    /// The platform or the network could not answer for now: a 429, 502,
    /// 503 or 504, a timeout, a connection that failed.
    Transient,
    /// A 500 without an error code: the server failed part-way, so only a
    /// GET is sent again (a write may have been half applied).
    ServerError,
}

/// A failed attempt as the policy sees it: how its error classifies and how
/// long the server asked to wait.
///
/// ```
/// use std::time::Duration;
/// use creator_core::retry::{Failure, RetryClass};
/// use creator_core::{Error, Provider, RawBody};
///
/// let limited = Error::RateLimited {
///     provider: Provider::Gumroad,
///     retry_after: Some(Duration::from_secs(7)),
///     body: RawBody::default(),
/// };
/// let failure = Failure::of(&limited);
/// assert_eq!(failure.class, RetryClass::Transient);
/// assert_eq!(failure.retry_after, Some(Duration::from_secs(7)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// The error's [`RetryClass`].
    pub class: RetryClass,
    /// The server's `Retry-After`, when it sent one.
    pub retry_after: Option<Duration>,
}

impl Failure {
    /// The failure `error` stands for: [`Error::retry_class`], and the
    /// `Retry-After` of a rate limit.
    pub fn of(error: &Error) -> Self {
        Self {
            class: error.retry_class(),
            retry_after: match error {
                Error::RateLimited { retry_after, .. } => *retry_after,
                _ => None,
            },
        }
    }

    /// Sets the `Retry-After` the response carried (a 503 may send one too);
    /// `None` keeps what the error had.
    pub fn with_retry_after(mut self, retry_after: Option<Duration>) -> Self {
        if retry_after.is_some() {
            self.retry_after = retry_after;
        }
        self
    }
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Do not retry: return this outcome to the caller.
    Stop,
    /// Wait this long, then send the request again.
    RetryAfter(Duration),
}

/// How backoff delays are spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    /// A uniformly random delay between zero and the exponential bound (AWS "full jitter").
    Full,
    /// Exactly the exponential bound (for deterministic tests).
    None,
}

/// Whether a request may be sent twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Decided by the HTTP method (GET, HEAD, OPTIONS, PUT, DELETE are idempotent).
    ByMethod,
    /// The caller knows this request is safe to repeat (a read sent as POST,
    /// or a write the platform de-duplicates).
    Safe,
    /// Never repeat, whatever the method.
    Unsafe,
}

/// When and how long to retry. Defaults: 3 attempts, full-jitter exponential
/// backoff from 1 s capped at 20 s, `Retry-After` honoured up to 60 s.
///
/// ```
/// use std::time::Duration;
/// use creator_core::retry::{Decision, Failure, Idempotency, Method, RetryClass, RetryPolicy};
///
/// let policy = RetryPolicy::default();
/// let busy = Failure { class: RetryClass::Transient, retry_after: Some(Duration::from_secs(2)) };
/// assert_eq!(policy.decide(1, busy, &Method::GET, Idempotency::ByMethod), Decision::RetryAfter(Duration::from_secs(2)));
/// assert_eq!(policy.decide(1, busy, &Method::POST, Idempotency::ByMethod), Decision::Stop);
/// let refused = Failure { class: RetryClass::Permanent, retry_after: None };
/// assert_eq!(policy.decide(1, refused, &Method::GET, Idempotency::ByMethod), Decision::Stop);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts including the first (1 disables retries).
    pub max_attempts: u32,
    /// The backoff bound for the first retry; doubled for each further one.
    pub initial_backoff: Duration,
    /// The largest backoff bound.
    pub max_backoff: Duration,
    /// The longest `Retry-After` honoured; longer requests are clamped to this.
    pub max_retry_after: Duration,
    /// How delays are spread.
    pub jitter: Jitter,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
            jitter: Jitter::Full,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets the total number of attempts (at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the jitter mode.
    pub fn with_jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// Decides what to do after attempt number `attempt` (1-based) ended in
    /// `failure` (build it from the classified error with [`Failure::of`]).
    ///
    /// Retried: [`RetryClass::Transient`] failures (429, 502, 503, 504,
    /// timeouts and transport errors), and [`RetryClass::ServerError`] (an
    /// uncoded 500) for GET only, and only for requests that may be repeated
    /// (see [`Idempotency`]). A `Retry-After` is honoured up to
    /// [`RetryPolicy::max_retry_after`]; otherwise the delay is the backoff.
    pub fn decide(
        &self,
        attempt: u32,
        failure: Failure,
        method: &Method,
        idempotency: Idempotency,
    ) -> Decision {
        self.decide_with_random(attempt, failure, method, idempotency, random_unit())
    }

    /// [`RetryPolicy::decide`] with the jitter's random draw given (`unit` in `[0, 1)`), for tests.
    pub fn decide_with_random(
        &self,
        attempt: u32,
        failure: Failure,
        method: &Method,
        idempotency: Idempotency,
        unit: f64,
    ) -> Decision {
        if attempt >= self.max_attempts || !may_repeat(method, idempotency) {
            return Decision::Stop;
        }
        match failure.class {
            RetryClass::Transient => {}
            RetryClass::ServerError if *method == Method::GET => {}
            RetryClass::ServerError | RetryClass::Permanent => return Decision::Stop,
        }
        let delay = match failure.retry_after {
            Some(asked) => asked.min(self.max_retry_after),
            None => self.backoff(attempt, unit),
        };
        Decision::RetryAfter(delay)
    }

    /// The delay before retry number `attempt` (1-based): a draw in
    /// `[0, min(max_backoff, initial_backoff * 2^(attempt-1))]`.
    pub fn backoff(&self, attempt: u32, unit: f64) -> Duration {
        let exp = attempt.saturating_sub(1).min(31);
        let bound = self
            .initial_backoff
            .saturating_mul(1u32 << exp)
            .min(self.max_backoff);
        match self.jitter {
            Jitter::None => bound,
            Jitter::Full => bound.mul_f64(unit.clamp(0.0, 1.0)),
        }
    }
}

fn may_repeat(method: &Method, idempotency: Idempotency) -> bool {
    match idempotency {
        Idempotency::Safe => true,
        Idempotency::Unsafe => false,
        Idempotency::ByMethod => matches!(
            *method,
            Method::GET
                | Method::HEAD
                | Method::OPTIONS
                | Method::PUT
                | Method::DELETE
                | Method::TRACE
        ),
    }
}

/// A random number in `[0, 1)` from the standard library's per-process random hasher keys.
fn random_unit() -> f64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or_default(),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Parses a `Retry-After` header value: delay-seconds (`"120"`) or an HTTP-date
/// (`"Wed, 21 Oct 2015 07:28:00 GMT"`), relative to `now`. A date in the past
/// means "now" (zero). Anything else is `None`.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use creator_core::retry::parse_retry_after;
///
/// let now = UNIX_EPOCH + Duration::from_secs(1_445_412_470);
/// assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
/// assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), Some(Duration::from_secs(10)));
/// ```
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Provider, RawBody};
    use std::time::UNIX_EPOCH;

    const S: fn(u64) -> Duration = Duration::from_secs;

    /// The error the default mapping gives a plain response with `status`.
    fn status(status: u16) -> Error {
        let body = RawBody::default();
        let (provider, message) = (Provider::Gumroad, String::new());
        match status {
            401 => Error::Unauthorized {
                provider,
                status,
                message,
                body,
            },
            403 => Error::Forbidden {
                provider,
                status,
                message,
                body,
            },
            404 => Error::NotFound {
                provider,
                status,
                message,
                body,
            },
            429 => Error::RateLimited {
                provider,
                retry_after: None,
                body,
            },
            _ => coded(status, None),
        }
    }

    /// An [`Error::Api`] with `status` and `code`, as a provider classifier gives it.
    fn coded(status: u16, code: Option<&str>) -> Error {
        Error::Api {
            provider: Provider::Gumroad,
            status,
            code: code.map(str::to_owned),
            message: String::new(),
            body: RawBody::default(),
        }
    }

    fn timeout() -> Error {
        Error::Timeout {
            provider: Provider::Gank,
            after: S(30),
            attempts: 1,
        }
    }

    fn transport() -> Error {
        Error::Transport {
            provider: Provider::Gank,
            source: "connection reset".into(),
        }
    }

    fn limited(retry_after: Option<Duration>) -> Error {
        Error::RateLimited {
            provider: Provider::Maton,
            retry_after,
            body: RawBody::default(),
        }
    }

    #[test]
    fn decision_table() {
        let p = RetryPolicy::default().with_jitter(Jitter::None);
        let by = Idempotency::ByMethod;
        let get = Method::GET;
        let post = Method::POST;
        let put = Method::PUT;
        let retry = |s| Decision::RetryAfter(S(s));
        let stop = Decision::Stop;
        // (attempt, classified error, Retry-After header, method, idempotency, decision)
        type Case<'m> = (
            u32,
            Error,
            Option<Duration>,
            &'m Method,
            Idempotency,
            Decision,
        );
        let cases: Vec<Case<'_>> = vec![
            // retryable statuses on GET, with exponential bounds
            (1, status(503), None, &get, by, retry(1)),
            (2, status(503), None, &get, by, retry(2)),
            (3, status(503), None, &get, by, stop), // 3 attempts made
            (1, status(502), None, &get, by, retry(1)),
            (1, status(504), None, &get, by, retry(1)),
            (1, status(429), None, &get, by, retry(1)),
            (1, status(500), None, &get, by, retry(1)),
            (1, timeout(), None, &get, by, retry(1)),
            (1, transport(), None, &get, by, retry(1)),
            // not retryable statuses
            (1, status(200), None, &get, by, stop),
            (1, status(400), None, &get, by, stop),
            (1, status(401), None, &get, by, stop),
            (1, status(403), None, &get, by, stop),
            (1, status(404), None, &get, by, stop),
            (1, status(501), None, &get, by, stop),
            // idempotent writes retry, except 500 which may have half-applied
            (1, status(503), None, &put, by, retry(1)),
            (1, status(503), None, &Method::DELETE, by, retry(1)),
            (1, status(500), None, &put, by, stop),
            // POST and PATCH never retry unless marked safe
            (1, status(503), None, &post, by, stop),
            (1, status(429), None, &post, by, stop),
            (1, timeout(), None, &post, by, stop),
            (1, transport(), None, &post, by, stop),
            (1, status(503), None, &Method::PATCH, by, stop),
            (1, status(503), None, &post, Idempotency::Safe, retry(1)),
            (1, status(503), None, &get, Idempotency::Unsafe, stop),
            // Retry-After honoured (from the header or the rate-limit error) and clamped
            (1, status(429), Some(S(7)), &get, by, retry(7)),
            (1, limited(Some(S(7))), None, &get, by, retry(7)),
            (1, limited(Some(S(7))), Some(S(9)), &get, by, retry(9)),
            (1, status(429), Some(S(3600)), &get, by, retry(60)),
            (1, status(503), Some(S(4)), &get, by, retry(4)),
            (1, status(400), Some(S(1)), &get, by, stop),
            // the classifier's verdict decides, not the status: a provider's
            // permanent errors are never re-sent ...
            (1, coded(200, None), None, &get, by, stop), // Gumroad 200 `success:false`
            (1, coded(200, None), None, &post, Idempotency::Safe, stop),
            (
                1,
                coded(400, Some("invalid_grant")),
                None,
                &post,
                Idempotency::Safe,
                stop,
            ),
            (1, coded(401, Some("refused")), None, &put, by, stop), // a refused revoke
            (
                1,
                coded(500, Some("product_id_required")),
                None,
                &get,
                by,
                stop,
            ),
            (
                1,
                coded(500, Some("maton_server_error")),
                None,
                &get,
                by,
                stop,
            ),
            (1, coded(500, Some("edge_html")), None, &get, by, stop),
            (1, coded(200, Some("unexpected_body")), None, &get, by, stop),
            (
                1,
                Error::Decode {
                    provider: Provider::Gank,
                    path: ".data".into(),
                    message: String::new(),
                    body: RawBody::default(),
                },
                None,
                &get,
                by,
                stop,
            ),
            // ... while an outage or a rate limit is transient whatever its label
            (1, coded(503, Some("edge_html")), None, &get, by, retry(1)),
            (
                1,
                coded(429, Some("storage_rejected")),
                None,
                &put,
                by,
                retry(1),
            ),
            (2, coded(502, Some("edge_html")), None, &put, by, retry(2)),
        ];
        for (i, (attempt, error, header, method, idem, want)) in cases.into_iter().enumerate() {
            let failure = Failure::of(&error).with_retry_after(header);
            assert_eq!(
                p.decide(attempt, failure, method, idem),
                want,
                "case {i}: {attempt} {error:?} {header:?} {method} {idem:?}"
            );
            assert_eq!(
                error.is_retryable(),
                failure.class != RetryClass::Permanent,
                "case {i}: is_retryable agrees with the class"
            );
        }
    }

    #[test]
    fn classes_of_errors() {
        use RetryClass::*;
        let table: Vec<(Error, RetryClass)> = vec![
            (timeout(), Transient),
            (transport(), Transient),
            (limited(None), Transient),
            (coded(429, Some("storage_rejected")), Transient),
            (coded(502, None), Transient),
            (coded(503, Some("edge_html")), Transient),
            (coded(504, None), Transient),
            (coded(500, None), ServerError),
            (coded(500, Some("product_id_required")), Permanent),
            (coded(501, None), Permanent),
            (coded(520, None), Permanent),
            (coded(200, None), Permanent),
            (status(401), Permanent),
            (status(403), Permanent),
            (status(404), Permanent),
            (Error::Config("x".into()), Permanent),
            (Error::InvalidInput("x".into()), Permanent),
        ];
        for (error, want) in table {
            assert_eq!(error.retry_class(), want, "{error:?}");
        }
    }

    #[test]
    fn backoff_bounds_full_jitter_stays_within_the_exponential_cap() {
        let p = RetryPolicy {
            max_attempts: 10,
            ..RetryPolicy::default()
        };
        for attempt in 1..=10u32 {
            let bound = S(1).saturating_mul(1 << (attempt - 1)).min(S(20));
            assert_eq!(p.backoff(attempt, 0.0), Duration::ZERO);
            assert!(p.backoff(attempt, 0.999_999) <= bound);
            assert_eq!(p.with_jitter(Jitter::None).backoff(attempt, 0.3), bound);
            for _ in 0..(if attempt < 10 { 50 } else { 0 }) {
                let busy = Failure::of(&status(503));
                match p.decide(attempt, busy, &Method::GET, Idempotency::ByMethod) {
                    Decision::RetryAfter(d) => {
                        assert!(d <= bound, "attempt {attempt}: {d:?} > {bound:?}")
                    }
                    Decision::Stop => panic!("attempt {attempt} should retry"),
                }
            }
        }
        assert_eq!(
            p.backoff(1_000, 1.0),
            S(20),
            "large attempt numbers saturate at the cap"
        );
        let unit = random_unit();
        assert!((0.0..1.0).contains(&unit));
    }

    #[test]
    fn retry_after_parsing() {
        let now = UNIX_EPOCH + S(1_445_412_470); // Wed, 21 Oct 2015 07:27:50 GMT
        let table: &[(&str, Option<Duration>)] = &[
            ("0", Some(S(0))),
            ("120", Some(S(120))),
            (" 5 ", Some(S(5))),
            ("Wed, 21 Oct 2015 07:28:00 GMT", Some(S(10))),
            ("Wednesday, 21-Oct-15 07:28:00 GMT", Some(S(10))), // RFC 850
            ("Wed Oct 21 07:28:00 2015", Some(S(10))),          // asctime
            ("Tue, 20 Oct 2015 07:28:00 GMT", Some(S(0))),      // in the past
            ("-1", None),
            ("1.5", None),
            ("soon", None),
            ("", None),
        ];
        for (value, want) in table {
            assert_eq!(parse_retry_after(value, now), *want, "{value:?}");
        }
    }

    #[test]
    fn none_policy_never_retries() {
        let p = RetryPolicy::none();
        assert_eq!(
            p.decide(
                1,
                Failure::of(&status(503)),
                &Method::GET,
                Idempotency::ByMethod
            ),
            Decision::Stop
        );
        assert_eq!(RetryPolicy::default().with_max_attempts(0).max_attempts, 1);
    }
}
