//! A ledger's change signals: a counter its subscribers wake on, bumped
//! after a commit that changed what they watch (events, destinations). One
//! home for SQLite and PostgreSQL alike.

use tokio::sync::watch;

/// One change signal; [`Signal::notify`] after the commit, never before.
#[derive(Debug)]
pub(crate) struct Signal(watch::Sender<u64>);

impl Default for Signal {
    fn default() -> Self {
        Self(watch::Sender::new(0))
    }
}

impl Signal {
    /// Wakes every subscriber (the counter only moves on, wrapping).
    pub(crate) fn notify(&self) {
        self.0.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A receiver that sees every later [`notify`](Self::notify).
    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.0.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_notify_wakes_every_subscriber_once() {
        let signal = Signal::default();
        let (mut a, mut b) = (signal.subscribe(), signal.subscribe());
        assert!(!a.has_changed().unwrap());
        signal.notify();
        a.changed().await.unwrap();
        b.changed().await.unwrap();
        assert!(!a.has_changed().unwrap() && !b.has_changed().unwrap());
        signal.notify();
        assert!(a.has_changed().unwrap());
    }
}
