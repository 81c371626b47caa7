//! The retry policy: a pure function from (attempt, outcome, method) to a decision.

use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime};

/// The HTTP method type the policy takes (re-exported from the `http` crate).
pub use http::Method;

/// What happened on one attempt, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A response arrived with this status and, when sent, a `Retry-After` delay.
    Status {
        /// The HTTP status.
        status: u16,
        /// The parsed `Retry-After` header.
        retry_after: Option<Duration>,
    },
    /// The request failed before a response arrived (connect, reset, DNS).
    Transport,
    /// No response arrived within the per-attempt timeout.
    Timeout,
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
/// use creator_core::retry::{Decision, Idempotency, Method, Outcome, RetryPolicy};
///
/// let policy = RetryPolicy::default();
/// let busy = Outcome::Status { status: 503, retry_after: Some(Duration::from_secs(2)) };
/// assert_eq!(policy.decide(1, &busy, &Method::GET, Idempotency::ByMethod), Decision::RetryAfter(Duration::from_secs(2)));
/// assert_eq!(policy.decide(1, &busy, &Method::POST, Idempotency::ByMethod), Decision::Stop);
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

    /// Decides what to do after attempt number `attempt` (1-based) ended with `outcome`.
    ///
    /// Retried: 429, 502, 503, 504, timeouts and transport errors, and 500 for GET
    /// only, and only for requests that may be repeated (see [`Idempotency`]).
    pub fn decide(
        &self,
        attempt: u32,
        outcome: &Outcome,
        method: &Method,
        idempotency: Idempotency,
    ) -> Decision {
        self.decide_with_random(attempt, outcome, method, idempotency, random_unit())
    }

    /// [`RetryPolicy::decide`] with the jitter's random draw given (`unit` in `[0, 1)`), for tests.
    pub fn decide_with_random(
        &self,
        attempt: u32,
        outcome: &Outcome,
        method: &Method,
        idempotency: Idempotency,
        unit: f64,
    ) -> Decision {
        if attempt >= self.max_attempts || !may_repeat(method, idempotency) {
            return Decision::Stop;
        }
        let retry_after = match *outcome {
            Outcome::Transport | Outcome::Timeout => None,
            Outcome::Status {
                status,
                retry_after,
            } => match status {
                429 | 502 | 503 | 504 => retry_after,
                500 if *method == Method::GET => retry_after,
                _ => return Decision::Stop,
            },
        };
        let delay = match retry_after {
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
    use std::time::UNIX_EPOCH;

    const S: fn(u64) -> Duration = Duration::from_secs;

    fn status(status: u16) -> Outcome {
        Outcome::Status {
            status,
            retry_after: None,
        }
    }

    #[test]
    fn decision_table() {
        let p = RetryPolicy::default().with_jitter(Jitter::None);
        let by = Idempotency::ByMethod;
        let get = Method::GET;
        let post = Method::POST;
        let cases: Vec<(u32, Outcome, &Method, Idempotency, Decision)> = vec![
            // retryable statuses on GET, with exponential bounds
            (1, status(503), &get, by, Decision::RetryAfter(S(1))),
            (2, status(503), &get, by, Decision::RetryAfter(S(2))),
            (3, status(503), &get, by, Decision::Stop), // 3 attempts made
            (1, status(502), &get, by, Decision::RetryAfter(S(1))),
            (1, status(504), &get, by, Decision::RetryAfter(S(1))),
            (1, status(429), &get, by, Decision::RetryAfter(S(1))),
            (1, status(500), &get, by, Decision::RetryAfter(S(1))),
            (1, Outcome::Timeout, &get, by, Decision::RetryAfter(S(1))),
            (1, Outcome::Transport, &get, by, Decision::RetryAfter(S(1))),
            // not retryable statuses
            (1, status(200), &get, by, Decision::Stop),
            (1, status(400), &get, by, Decision::Stop),
            (1, status(401), &get, by, Decision::Stop),
            (1, status(403), &get, by, Decision::Stop),
            (1, status(404), &get, by, Decision::Stop),
            (1, status(501), &get, by, Decision::Stop),
            // idempotent writes retry, except 500 which may have half-applied
            (1, status(503), &Method::PUT, by, Decision::RetryAfter(S(1))),
            (
                1,
                status(503),
                &Method::DELETE,
                by,
                Decision::RetryAfter(S(1)),
            ),
            (1, status(500), &Method::PUT, by, Decision::Stop),
            // POST and PATCH never retry unless marked safe
            (1, status(503), &post, by, Decision::Stop),
            (1, status(429), &post, by, Decision::Stop),
            (1, Outcome::Timeout, &post, by, Decision::Stop),
            (1, status(503), &Method::PATCH, by, Decision::Stop),
            (
                1,
                status(503),
                &post,
                Idempotency::Safe,
                Decision::RetryAfter(S(1)),
            ),
            (1, status(503), &get, Idempotency::Unsafe, Decision::Stop),
            // Retry-After honoured and clamped
            (
                1,
                Outcome::Status {
                    status: 429,
                    retry_after: Some(S(7)),
                },
                &get,
                by,
                Decision::RetryAfter(S(7)),
            ),
            (
                1,
                Outcome::Status {
                    status: 429,
                    retry_after: Some(S(3600)),
                },
                &get,
                by,
                Decision::RetryAfter(S(60)),
            ),
            (
                1,
                Outcome::Status {
                    status: 400,
                    retry_after: Some(S(1)),
                },
                &get,
                by,
                Decision::Stop,
            ),
        ];
        for (i, (attempt, outcome, method, idem, want)) in cases.into_iter().enumerate() {
            assert_eq!(
                p.decide(attempt, &outcome, method, idem),
                want,
                "case {i}: {attempt} {outcome:?} {method} {idem:?}"
            );
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
                match p.decide(attempt, &status(503), &Method::GET, Idempotency::ByMethod) {
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
            p.decide(1, &status(503), &Method::GET, Idempotency::ByMethod),
            Decision::Stop
        );
        assert_eq!(RetryPolicy::default().with_max_attempts(0).max_attempts, 1);
    }
}
