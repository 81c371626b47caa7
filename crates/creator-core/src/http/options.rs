//! [`ClientOptions`]: the one set of transport settings every client builder takes.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::{RateLimiter, TransportBuilder};
use crate::{Clock, Error, Result, RetryPolicy, SystemClock};

/// How a client talks HTTP, whatever the platform: per-attempt timeout, retry
/// policy, clock, `User-Agent`, client-side rate limiter and, optionally, a
/// reqwest client of your own. Every builder takes one
/// (`GumroadClient::builder(token).options(..)`, `GankClient::builder().options(..)`,
/// `MatonClient::builder().options(..)`, the OAuth apps); the provider
/// builders themselves set only credentials, hosts and (Maton) the connection.
///
/// A setting left unset keeps the provider's default: 30 s, 3 attempts with
/// full-jitter backoff, the system clock, the crate's own `User-Agent`, no
/// rate limiter (Maton: its documented 10 requests per second).
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use creator_core::http::{ClientOptions, WindowLimiter};
/// use creator_core::RetryPolicy;
///
/// let options = ClientOptions::new()
///     .timeout(Duration::from_secs(10))
///     .retry(RetryPolicy::default().with_max_attempts(5))
///     .user_agent("my-shop/1.0")
///     .rate_limiter(Some(Arc::new(WindowLimiter::per_second(5))));
/// assert_eq!(options.timeout_or(Duration::from_secs(30)), Duration::from_secs(10));
/// ```
#[derive(Clone, Default)]
pub struct ClientOptions {
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    clock: Option<Arc<dyn Clock>>,
    user_agent: Option<String>,
    /// `None`: the provider's default; `Some(None)`: explicitly no limiter.
    rate_limiter: Option<Option<Arc<dyn RateLimiter>>>,
    http_client: Option<reqwest::Client>,
}

impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientOptions")
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("clock", &self.clock)
            .field("user_agent", &self.user_agent)
            .field("rate_limiter", &self.rate_limiter)
            .field("http_client", &self.http_client.as_ref().map(|_| "<set>"))
            .finish()
    }
}

impl ClientOptions {
    /// Options with every setting left to the provider's default.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the per-attempt timeout (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the retry policy (default: 3 attempts, full-jitter backoff;
    /// only requests that are safe to repeat are retried).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sets the clock for retry sleeps, `Retry-After` dates and timestamp
    /// checks (tests use [`ManualClock`](crate::ManualClock)).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Sets the `User-Agent` (default: the provider crate's own).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Sets the client-side rate limiter every attempt waits on, shared by
    /// all clones of the client; `None` turns off the provider's default one.
    pub fn rate_limiter(mut self, limiter: Option<Arc<dyn RateLimiter>>) -> Self {
        self.rate_limiter = Some(limiter);
        self
    }

    /// Uses an existing reqwest client (its proxies, TLS settings and own
    /// timeouts apply too).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// The timeout, or `default` when unset.
    pub fn timeout_or(&self, default: Duration) -> Duration {
        self.timeout.unwrap_or(default)
    }

    /// The clock, or the system clock when unset.
    pub fn clock_or_system(&self) -> Arc<dyn Clock> {
        self.clock.clone().unwrap_or_else(|| Arc::new(SystemClock))
    }

    /// These options with each setting that is still unset filled from the
    /// provider's defaults: its `User-Agent` and rate limiter, the system
    /// clock, and one new reqwest client, so every transport built from the
    /// result shares one clock, one limiter and one connection pool.
    ///
    /// # Errors
    /// [`Error::Config`] when the HTTP client cannot be set up.
    pub fn resolved(
        mut self,
        user_agent: &str,
        rate_limiter: Option<Arc<dyn RateLimiter>>,
    ) -> Result<Self> {
        self.user_agent.get_or_insert_with(|| user_agent.to_owned());
        self.rate_limiter.get_or_insert(rate_limiter);
        self.clock.get_or_insert_with(|| Arc::new(SystemClock));
        if self.http_client.is_none() {
            self.http_client = Some(
                reqwest::Client::builder()
                    .build()
                    .map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))?,
            );
        }
        Ok(self)
    }

    /// The rate limiter in effect (after [`ClientOptions::resolved`], the
    /// provider's default when none was set).
    pub fn rate_limiter_in_effect(&self) -> Option<&Arc<dyn RateLimiter>> {
        self.rate_limiter.as_ref().and_then(Option::as_ref)
    }

    /// Applies every setting that is set to a transport builder; the others
    /// keep the builder's values.
    pub fn apply(&self, mut builder: TransportBuilder) -> TransportBuilder {
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        if let Some(retry) = self.retry {
            builder = builder.retry(retry);
        }
        if let Some(clock) = &self.clock {
            builder = builder.clock(clock.clone());
        }
        if let Some(user_agent) = &self.user_agent {
            builder = builder.user_agent(user_agent.clone());
        }
        if let Some(limiter) = &self.rate_limiter {
            builder = builder.rate_limiter(limiter.clone());
        }
        if let Some(client) = &self.http_client {
            builder = builder.http_client(client.clone());
        }
        builder
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{Transport, WindowLimiter};
    use crate::{ManualClock, Provider};

    #[test]
    fn unset_settings_keep_the_builders_values_and_set_ones_replace_them() {
        let t = ClientOptions::new()
            .apply(
                Transport::builder(Provider::Gumroad, "http://127.0.0.1:1")
                    .timeout(Duration::from_secs(7)),
            )
            .build()
            .unwrap();
        assert!(format!("{t:?}").contains("7s"), "{t:?}");
        let t = ClientOptions::new()
            .timeout(Duration::from_secs(9))
            .apply(
                Transport::builder(Provider::Gumroad, "http://127.0.0.1:1")
                    .timeout(Duration::from_secs(7)),
            )
            .build()
            .unwrap();
        assert!(format!("{t:?}").contains("9s"), "{t:?}");
    }

    #[test]
    fn resolved_fills_only_what_is_unset_and_an_explicit_none_stays_off() {
        let default: Arc<dyn RateLimiter> = Arc::new(WindowLimiter::per_second(10));
        let filled = ClientOptions::new()
            .resolved("ua/1", Some(default.clone()))
            .unwrap();
        assert!(filled.rate_limiter_in_effect().is_some());
        assert_eq!(filled.user_agent.as_deref(), Some("ua/1"));
        assert!(filled.http_client.is_some() && filled.clock.is_some());

        let off = ClientOptions::new()
            .rate_limiter(None)
            .user_agent("mine")
            .clock(Arc::new(ManualClock::new(std::time::UNIX_EPOCH)))
            .resolved("ua/1", Some(default))
            .unwrap();
        assert!(off.rate_limiter_in_effect().is_none());
        assert_eq!(off.user_agent.as_deref(), Some("mine"));
        assert!(format!("{off:?}").contains("ManualClock"), "{off:?}");
    }
}
