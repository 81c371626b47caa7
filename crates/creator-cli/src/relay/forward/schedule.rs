//! When a failed message is tried again: a list of delays, growing
//! exponentially, each with ±20 % jitter so receivers that come back are
//! not hit by every relay at once; after the last one the message is dead.

use std::fmt;
use std::time::Duration;

/// The default delays after attempts 1, 2, …: 5 s, 30 s, 2 min, 10 min,
/// 30 min, 1 h, 2 h, 4 h, 8 h, 8 h — eleven attempts over about 24 hours.
pub const DEFAULT_DELAYS: &[u64] = &[5, 30, 120, 600, 1_800, 3_600, 7_200, 14_400, 28_800, 28_800];

/// Most a `Retry-After` answer may push the next attempt out.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(24 * 3600);

/// The retry schedule.
#[derive(Clone, PartialEq, Eq)]
pub struct Schedule {
    delays: Vec<Duration>,
}

impl fmt::Debug for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Schedule({})", self)
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: Vec<String> = self.delays.iter().map(|d| show(*d)).collect();
        f.write_str(&shown.join(","))
    }
}

fn show(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        s if s >= 3600 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s >= 60 && s % 60 == 0 => format!("{}m", s / 60),
        _ if d.subsec_millis() != 0 => format!("{}ms", d.as_millis()),
        s => format!("{s}s"),
    }
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            delays: DEFAULT_DELAYS
                .iter()
                .map(|s| Duration::from_secs(*s))
                .collect(),
        }
    }
}

impl Schedule {
    /// A schedule of these delays (after attempt 1, 2, …).
    pub fn new(delays: Vec<Duration>) -> Self {
        Self { delays }
    }

    /// Parses `5s,30s,2m,1h` (units `ms`, `s`, `m`, `h`, `d`); `none` for no retries.
    ///
    /// # Errors
    /// A one-line reason naming the bad entry.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("none") {
            return Ok(Self { delays: Vec::new() });
        }
        let mut delays = Vec::new();
        for part in text.split(',') {
            let part = part.trim();
            let (number, unit) = part
                .find(|c: char| !c.is_ascii_digit())
                .map_or((part, ""), |at| part.split_at(at));
            let n: u64 = number.parse().map_err(|_| bad(part))?;
            let d = match unit {
                "ms" => Duration::from_millis(n),
                "s" => Duration::from_secs(n),
                "m" => Duration::from_secs(n * 60),
                "h" => Duration::from_secs(n * 3600),
                "d" => Duration::from_secs(n * 86_400),
                _ => return Err(bad(part)),
            };
            if d.is_zero() {
                return Err(bad(part));
            }
            delays.push(d);
        }
        Ok(Self { delays })
    }

    /// Attempts in all (the first and one per delay).
    pub fn attempts(&self) -> u32 {
        u32::try_from(self.delays.len() + 1).unwrap_or(u32::MAX)
    }

    /// The time from the first attempt to the last, without jitter.
    pub fn span(&self) -> Duration {
        self.delays.iter().sum()
    }

    /// The delay after failed attempt `attempt` (1 for the first), jittered
    /// by `jitter` (a number in `[0, 1)`), and at least `retry_after` when the
    /// receiver asked for it; `None` when it was the last attempt.
    pub fn after(
        &self,
        attempt: u32,
        jitter: f64,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        let base = *self
            .delays
            .get(usize::try_from(attempt).ok()?.checked_sub(1)?)?;
        let factor = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
        let delay = base.mul_f64(factor);
        Some(match retry_after {
            Some(asked) if asked > delay => asked.min(RETRY_AFTER_CAP),
            _ => delay,
        })
    }
}

fn bad(part: &str) -> String {
    format!(
        "--forward-retry-schedule: `{part}` is not a delay: use a comma-separated list such as 5s,30s,2m,10m,1h (units ms, s, m, h, d), or none"
    )
}

/// A small random number source for jitter (seeded from the OS; no
/// cryptographic needs).
#[derive(Debug)]
pub(crate) struct Jitter(u64);

impl Jitter {
    pub fn new() -> Self {
        // Jitter without randomness is still jitter: any odd seed will do.
        Self(crate::random::u64().unwrap_or(0) | 1)
    }

    /// A number in `[0, 1)` (xorshift64*).
    pub fn next(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schedule_spans_a_day_in_eleven_attempts() {
        let s = Schedule::default();
        assert_eq!(s.attempts(), 11);
        let hours = s.span().as_secs_f64() / 3600.0;
        assert!((23.0..=25.0).contains(&hours), "{hours}");
        assert_eq!(s.to_string(), "5s,30s,2m,10m,30m,1h,2h,4h,8h,8h");
        // Each delay grows (exponential backoff) until the cap.
        let d: Vec<Duration> = (1..=10).map(|n| s.after(n, 0.5, None).unwrap()).collect();
        assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
        assert_eq!(s.after(11, 0.5, None), None, "the 11th failure is the last");
        assert_eq!(s.after(0, 0.5, None), None);
    }

    #[test]
    fn jitter_stays_within_twenty_percent() {
        let s = Schedule::default();
        assert_eq!(s.after(1, 0.0, None), Some(Duration::from_secs(4)));
        assert_eq!(s.after(1, 0.5, None), Some(Duration::from_secs(5)));
        assert!(s.after(1, 0.999, None).unwrap() < Duration::from_secs(6));
        let mut j = Jitter::new();
        let draws: Vec<f64> = (0..1000).map(|_| j.next()).collect();
        assert!(draws.iter().all(|x| (0.0..1.0).contains(x)));
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!((0.4..0.6).contains(&mean), "{mean}");
    }

    #[test]
    fn retry_after_can_push_the_next_attempt_out_but_not_past_a_day() {
        let s = Schedule::default();
        let asked = Some(Duration::from_secs(120));
        assert_eq!(s.after(1, 0.5, asked), Some(Duration::from_secs(120)));
        assert_eq!(
            s.after(1, 0.5, Some(Duration::from_secs(1))),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            s.after(1, 0.5, Some(Duration::from_secs(10 * 86_400))),
            Some(Duration::from_secs(86_400))
        );
    }

    #[test]
    fn schedules_parse_and_bad_ones_are_named() {
        let s = Schedule::parse("100ms, 2s,1m,1h,1d").unwrap();
        assert_eq!(s.attempts(), 6);
        assert_eq!(s.to_string(), "100ms,2s,1m,1h,24h");
        assert_eq!(Schedule::parse("none").unwrap().attempts(), 1);
        for bad in ["", "5", "5x", "s", "0s", "5s,,1m", "-1s"] {
            let e = Schedule::parse(bad).unwrap_err();
            assert!(e.contains("--forward-retry-schedule"), "{bad}: {e}");
        }
    }
}
