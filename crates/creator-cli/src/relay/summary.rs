//! One log line per interval on what the relay turned away without a line
//! each: connections refused at a limit, closed to make room or ended by an
//! error, rejected requests shed, failures of `accept` itself. A flood is
//! then visible in the log at a fixed cost, whatever its size.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::watch;

use super::App;

/// The counters the summary reports, at one moment.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Totals {
    refused: u64,
    evicted: u64,
    connection_errors: u64,
    accept_errors: u64,
    shed: u64,
    busy: u64,
}

impl Totals {
    fn now(app: &App) -> Self {
        let server = app.counters.snapshot();
        Self {
            refused: server.refused_connections,
            evicted: server.evicted_connections,
            connection_errors: server.connection_errors,
            accept_errors: server.accept_errors,
            shed: app.shedder.shed.load(Ordering::Relaxed),
            busy: server.busy_answers,
        }
    }

    /// What happened since `earlier`, as one sentence; `None` when nothing did.
    fn since(&self, earlier: &Totals) -> Option<String> {
        let parts: Vec<String> = [
            (
                self.refused - earlier.refused,
                "connection(s) refused at a limit",
            ),
            (
                self.evicted - earlier.evicted,
                "connection(s) closed to make room",
            ),
            (
                self.connection_errors - earlier.connection_errors,
                "connection(s) ended by an error",
            ),
            (
                self.shed - earlier.shed,
                "rejected request(s) shed (429, not kept)",
            ),
            (
                self.busy - earlier.busy,
                "request(s) answered 503 while a body budget was spent",
            ),
            (
                self.accept_errors - earlier.accept_errors,
                "failed accept(s)",
            ),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

/// Logs, every `every` and once more at shutdown, what changed since the
/// last line, as a warning; says nothing while nothing does. A zero `every` disables it.
pub(crate) async fn log_every(app: Arc<App>, every: Duration, mut stop: watch::Receiver<bool>) {
    if every.is_zero() {
        return;
    }
    let mut last = Totals::default();
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let stopping = tokio::select! {
            _ = tick.tick() => false,
            _ = stop.wait_for(|stop| *stop) => true,
        };
        let now = Totals::now(&app);
        // A warning: something is flooding the relay or a limit is too low,
        // and `--quiet` keeps warnings.
        if let Some(line) = now.since(&last) {
            tracing::warn!("turned away since the last summary: {line}");
        }
        last = now;
        if stopping {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Totals;

    #[test]
    fn says_only_what_changed_and_nothing_when_nothing_did() {
        let before = Totals {
            refused: 3,
            shed: 10,
            ..Totals::default()
        };
        let after = Totals {
            refused: 5,
            shed: 10,
            evicted: 1,
            ..Totals::default()
        };
        assert_eq!(
            after.since(&before).as_deref(),
            Some("2 connection(s) refused at a limit, 1 connection(s) closed to make room")
        );
        assert_eq!(after.since(&after), None);
    }
}
