//! A client-side rate limiter shared by every clone of a client.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// Something that makes a request wait for its turn.
pub trait RateLimiter: Send + Sync + fmt::Debug {
    /// Completes when one more request may be sent.
    fn acquire(&self) -> BoxFuture<'_, ()>;

    /// The platform answered 429 and asked for `retry_after`: send more
    /// slowly for a while. The default does nothing.
    fn slow_down(&self, retry_after: Duration) {
        let _ = retry_after;
    }
}

/// At most `limit` requests in any sliding window of `window` (for example
/// Maton's 10 requests per second). Waiters are served in order.
///
/// Uses tokio's clock, so it runs instantly under `tokio::time::pause`.
/// Clones share the same budget.
#[derive(Clone)]
pub struct WindowLimiter {
    limit: usize,
    window: Duration,
    sent: Arc<Mutex<VecDeque<Instant>>>,
}

impl WindowLimiter {
    /// `limit` requests per `window`; a `limit` of 0 is treated as 1.
    pub fn new(limit: usize, window: Duration) -> Self {
        let limit = limit.max(1);
        Self {
            limit,
            window,
            sent: Arc::new(Mutex::new(VecDeque::with_capacity(limit))),
        }
    }

    /// `limit` requests per second.
    pub fn per_second(limit: usize) -> Self {
        Self::new(limit, Duration::from_secs(1))
    }
}

impl fmt::Debug for WindowLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WindowLimiter")
            .field("limit", &self.limit)
            .field("window", &self.window)
            .finish()
    }
}

impl RateLimiter for WindowLimiter {
    fn acquire(&self) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            // Holding the lock while sleeping keeps waiters in FIFO order.
            let mut sent = self.sent.lock().await;
            if sent.len() >= self.limit {
                if let Some(&oldest) = sent.front() {
                    tokio::time::sleep_until(oldest + self.window).await;
                }
                sent.pop_front();
            }
            sent.push_back(Instant::now());
        })
    }
}

/// One request per interval, evenly spaced (no bursts), slowing down on
/// 429s: each [`slow_down`](RateLimiter::slow_down) pauses every waiter for
/// the asked time and doubles the interval (up to 8 times), and every ten
/// seconds without one halves it again.
///
/// Evenly spaced requests stay under an edge limit counted over any sliding
/// second, which a burst of `n` followed by a pause does not: a burst that
/// arrives a little late shares its second with the next burst.
#[derive(Clone)]
pub struct SpacedLimiter {
    interval: Duration,
    state: Arc<std::sync::Mutex<Spacing>>,
}

#[derive(Debug)]
struct Spacing {
    next: Option<Instant>,
    slowed: u32,
    slowed_at: Option<Instant>,
}

/// How long a slow-down lasts before the interval halves again.
const RECOVERY: Duration = Duration::from_secs(10);

impl SpacedLimiter {
    /// At most `per_second` requests a second (0 is treated as 1).
    pub fn per_second(per_second: u32) -> Self {
        Self {
            interval: Duration::from_secs(1) / per_second.max(1),
            state: Arc::new(std::sync::Mutex::new(Spacing {
                next: None,
                slowed: 0,
                slowed_at: None,
            })),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Spacing> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Spacing {
    /// The doublings still in force at `now`.
    fn doublings(&mut self, now: Instant) -> u32 {
        if let Some(at) = self.slowed_at {
            let halvings =
                (now.saturating_duration_since(at).as_secs() / RECOVERY.as_secs()) as u32;
            if halvings > 0 {
                self.slowed = self.slowed.saturating_sub(halvings);
                self.slowed_at = (self.slowed > 0).then_some(at + RECOVERY * halvings);
            }
        }
        self.slowed
    }
}

impl fmt::Debug for SpacedLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpacedLimiter")
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

impl RateLimiter for SpacedLimiter {
    fn acquire(&self) -> BoxFuture<'_, ()> {
        let slot = {
            let mut state = self.lock();
            let now = Instant::now();
            let interval = self.interval * (1 << state.doublings(now));
            let slot = state.next.map_or(now, |next| next.max(now));
            state.next = Some(slot + interval);
            slot
        };
        Box::pin(tokio::time::sleep_until(slot))
    }

    fn slow_down(&self, retry_after: Duration) {
        let mut state = self.lock();
        let now = Instant::now();
        let doublings = (state.doublings(now) + 1).min(3);
        state.slowed = doublings;
        state.slowed_at = Some(now);
        let resume = now + retry_after;
        state.next = Some(state.next.map_or(resume, |next| next.max(resume)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_burst_is_held_to_the_limit_in_every_window() {
        let limiter = WindowLimiter::per_second(10);
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..50 {
            limiter.clone().acquire().await;
            times.push(Instant::now() - start);
        }
        for (i, t) in times.iter().enumerate() {
            let in_window = times
                .iter()
                .filter(|u| **u >= *t && **u < *t + Duration::from_secs(1))
                .count();
            assert!(
                in_window <= 10,
                "window starting at call {i} holds {in_window}"
            );
        }
        assert_eq!(times[49], Duration::from_secs(4));
    }

    #[tokio::test(start_paused = true)]
    async fn spaced_requests_never_bunch_and_a_429_slows_them() {
        let limiter = SpacedLimiter::per_second(8);
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..9 {
            limiter.acquire().await;
            times.push(Instant::now() - start);
        }
        assert_eq!(times[1] - times[0], Duration::from_millis(125));
        assert_eq!(times[8], Duration::from_secs(1), "8 in the first second");
        limiter.slow_down(Duration::from_secs(2));
        limiter.acquire().await;
        let resumed = Instant::now() - start;
        assert_eq!(resumed, Duration::from_secs(3), "after the asked 2 s");
        limiter.acquire().await;
        assert_eq!(
            Instant::now() - start - resumed,
            Duration::from_millis(250),
            "twice the interval"
        );
        tokio::time::sleep(Duration::from_secs(11)).await;
        let before = Instant::now();
        limiter.acquire().await;
        limiter.acquire().await;
        assert_eq!(
            Instant::now() - before,
            Duration::from_millis(125),
            "recovered"
        );
    }
}
