//! Injectable time: wall-clock reads and sleeps go through a [`Clock`] so
//! tests never sleep for real.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use futures::future::BoxFuture;

/// A source of the current time and of sleeps.
///
/// The transport sleeps between retries through it, and webhook verifiers
/// read `now` from it for timestamp tolerance.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// The real clock: `SystemTime::now` and `tokio::time::sleep`.
///
/// `tokio::time::sleep` honours `tokio::time::pause`, so tests with
/// `#[tokio::test(start_paused = true)]` run retries instantly.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A clock for tests: `now` is fixed (and can be moved), sleeps return at
/// once and are recorded.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use creator_core::{Clock, ManualClock};
///
/// let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// clock.advance(Duration::from_secs(5));
/// assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_secs(1_700_000_005));
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock {
    state: Arc<Mutex<ManualState>>,
}

#[derive(Debug)]
struct ManualState {
    now: SystemTime,
    sleeps: Vec<Duration>,
}

impl ManualClock {
    /// A clock standing still at `now`.
    pub fn new(now: SystemTime) -> Self {
        Self {
            state: Arc::new(Mutex::new(ManualState {
                now,
                sleeps: Vec::new(),
            })),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ManualState> {
        // A poisoned lock only means another test thread panicked; the data is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut state = self.lock();
        state.now += by;
    }

    /// Every sleep requested so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().sleeps.clone()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        self.lock().now
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        let mut state = self.lock();
        state.sleeps.push(duration);
        state.now += duration;
        Box::pin(futures::future::ready(()))
    }
}
