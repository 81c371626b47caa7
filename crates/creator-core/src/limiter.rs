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
}
