//! Shedding rejected requests per sender: past a few rejections a minute
//! from one address, further rejected requests from it are answered `429`
//! and counted, but no longer kept in the quarantine. Deliveries that verify
//! are never shed, whoever sends them, so the relay keeps storing real
//! events while it sheds a stranger's flood.
//!
//! The limit is a GCRA (a token bucket without a timer): each rejection
//! costs one interval of the rate, a burst may be spent at once. Senders are
//! counted by [`sender_key`] (an IPv6 /64 is one sender), and the table of
//! senders is bounded: when it is full, the half whose budgets are closest
//! to full again is forgotten (they would be allowed a burst anyway soon).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::peer::sender_key;

/// How many rejections per sender are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShedPolicy {
    /// Rejections a sender may have kept per minute, sustained (default 30).
    pub per_minute: u32,
    /// Rejections a sender may have kept at once (default 30).
    pub burst: u32,
}

impl Default for ShedPolicy {
    fn default() -> Self {
        Self {
            per_minute: 30,
            burst: 30,
        }
    }
}

/// Most senders tracked; past it, the ones whose budget is full again are forgotten.
const MAX_SENDERS: usize = 16_384;

/// The per-sender limiter.
#[derive(Debug)]
pub(crate) struct Shedder {
    interval: Duration,
    burst: Duration,
    senders: Mutex<HashMap<IpAddr, Instant>>,
    /// Rejections shed (answered 429, not kept) so far.
    pub shed: AtomicU64,
}

impl Shedder {
    pub fn new(policy: ShedPolicy) -> Self {
        let interval = Duration::from_secs(60) / policy.per_minute.max(1);
        Self {
            interval,
            burst: interval * policy.burst.max(1),
            senders: Mutex::new(HashMap::new()),
            shed: AtomicU64::new(0),
        }
    }

    /// Whether a rejection from `ip` at `now` may be kept; counts it either way.
    pub fn admit(&self, ip: IpAddr, now: Instant) -> bool {
        self.admit_key(ip, now)
    }

    /// How many senders the table holds now.
    #[cfg(test)]
    fn senders(&self) -> usize {
        self.senders.lock().map(|s| s.len()).unwrap_or(0)
    }

    fn admit_key(&self, ip: IpAddr, now: Instant) -> bool {
        let Ok(mut senders) = self.senders.lock() else {
            return true;
        };
        let ip = sender_key(ip);
        if senders.len() >= MAX_SENDERS && !senders.contains_key(&ip) {
            senders.retain(|_, tat| *tat > now);
            if senders.len() >= MAX_SENDERS {
                forget_half(&mut senders);
            }
        }
        // The theoretical arrival time: when this sender's budget is full again.
        let tat = senders.get(&ip).copied().unwrap_or(now).max(now);
        let allowed = tat.saturating_duration_since(now) + self.interval <= self.burst;
        if allowed {
            senders.insert(ip, tat + self.interval);
        } else {
            self.shed.fetch_add(1, Ordering::Relaxed);
        }
        allowed
    }
}

/// Forgets the half of `senders` whose budgets are full again soonest.
fn forget_half(senders: &mut HashMap<IpAddr, Instant>) {
    let mut times: Vec<Instant> = senders.values().copied().collect();
    let middle = times.len() / 2;
    let (_, cut, _) = times.select_nth_unstable(middle);
    let cut = *cut;
    senders.retain(|_, tat| *tat > cut);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_kept_then_rejections_are_shed_until_the_rate_allows() {
        let s = Shedder::new(ShedPolicy {
            per_minute: 60,
            burst: 3,
        });
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        let other: IpAddr = "198.51.100.1".parse().unwrap();
        let t0 = Instant::now();
        assert!((0..3).all(|_| s.admit(ip, t0)));
        assert!(!s.admit(ip, t0));
        assert!(s.admit(other, t0), "one sender never sheds another");
        assert!(!s.admit(ip, t0 + Duration::from_millis(500)));
        assert!(s.admit(ip, t0 + Duration::from_millis(1_001)));
        assert_eq!(s.shed.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn the_table_of_senders_stays_bounded_under_many_addresses() {
        let s = Shedder::new(ShedPolicy {
            per_minute: 1,
            burst: 5,
        });
        let now = Instant::now();
        for i in 0..(MAX_SENDERS as u32 + 4_000) {
            let ip = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            s.admit(ip, now);
        }
        assert!(s.senders() <= MAX_SENDERS, "{}", s.senders());
    }

    #[test]
    fn one_ipv6_network_is_one_sender() {
        let s = Shedder::new(ShedPolicy {
            per_minute: 1,
            burst: 2,
        });
        let now = Instant::now();
        let kept = (0..50u16)
            .filter(|i| {
                let ip: IpAddr = format!("2001:db8:5:6::{i:x}").parse().unwrap();
                s.admit(ip, now)
            })
            .count();
        assert_eq!(kept, 2);
    }
}
