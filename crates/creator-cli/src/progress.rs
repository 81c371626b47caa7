//! A small progress counter on stderr for long exports.
//!
//! The platforms do not say how many items a list has, so this is a counter
//! with a rate, redrawn at most ten times a second, and only when stderr is a
//! terminal (or when forced), so piped output and logs stay clean.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// A progress counter.
#[derive(Debug)]
pub struct Progress {
    label: String,
    count: u64,
    started: Instant,
    last_draw: Option<Instant>,
    enabled: bool,
}

const REDRAW: Duration = Duration::from_millis(100);

impl Progress {
    /// A counter labelled `label` (`sales`), shown when `enabled` is true and
    /// stderr is a terminal, or when `force` is true.
    pub fn new(label: impl Into<String>, enabled: bool, force: bool) -> Self {
        Self {
            label: label.into(),
            count: 0,
            started: Instant::now(),
            last_draw: None,
            enabled: force || (enabled && std::io::stderr().is_terminal()),
        }
    }

    /// Counts one more item.
    pub fn inc(&mut self) {
        self.count += 1;
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        if self
            .last_draw
            .is_none_or(|t| now.duration_since(t) >= REDRAW)
        {
            self.last_draw = Some(now);
            self.draw(false);
        }
    }

    /// Items counted.
    pub fn count(&self) -> u64 {
        self.count
    }

    fn draw(&self, done: bool) {
        let elapsed = self.started.elapsed().as_secs_f64();
        let rate = if elapsed > 0.0 {
            self.count as f64 / elapsed
        } else {
            0.0
        };
        let verb = if done { "done:" } else { "fetching…" };
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2K{} {verb} {} ({rate:.0}/s, {elapsed:.1} s)",
            self.label, self.count
        );
        if done {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    }

    /// Draws the final line.
    pub fn finish(self) {
        if self.enabled {
            self.draw(true);
        }
    }
}
