//! The quarantine's budget: how much unauthenticated deliveries may take.
//!
//! Anyone who finds the relay's address can post to it. Such deliveries are
//! kept for the operator (what was sent, by whom, why it was refused) but
//! only as bounded metadata, and only within this budget: past it, the
//! oldest unauthenticated rows are deleted first. Authentic deliveries that
//! could not be parsed are never pruned automatically (they are events
//! waiting for `creator quarantine replay`), and only an authentic sender can
//! add them.

/// Rows and bytes the unauthenticated part of the quarantine may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuarantineBudget {
    /// Most unauthenticated rows kept (default 10 000).
    pub max_rows: u64,
    /// Most bytes they take (default 32 MiB).
    pub max_bytes: u64,
}

impl Default for QuarantineBudget {
    fn default() -> Self {
        Self {
            max_rows: 10_000,
            max_bytes: 32 * 1024 * 1024,
        }
    }
}

impl QuarantineBudget {
    /// How many of the oldest unauthenticated rows to delete now that they
    /// number `rows` and take `bytes`, given the average row size: enough to
    /// get back under both limits with a tenth of the budget to spare, so
    /// pruning runs once per burst instead of once per row.
    pub(crate) fn excess(&self, rows: u64, bytes: u64) -> u64 {
        if rows <= self.max_rows && bytes <= self.max_bytes {
            return 0;
        }
        let keep_rows = self.max_rows - self.max_rows / 10;
        let by_rows = rows.saturating_sub(keep_rows);
        let average = bytes.checked_div(rows).unwrap_or(0).max(1);
        let keep_bytes = self.max_bytes - self.max_bytes / 10;
        let by_bytes = bytes.saturating_sub(keep_bytes).div_ceil(average);
        by_rows.max(by_bytes).min(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_pruned_within_the_budget() {
        let b = QuarantineBudget {
            max_rows: 100,
            max_bytes: 10_000,
        };
        assert_eq!(b.excess(100, 10_000), 0);
        assert_eq!(b.excess(0, 0), 0);
    }

    #[test]
    fn over_the_budget_prunes_back_below_it_with_room() {
        let b = QuarantineBudget {
            max_rows: 100,
            max_bytes: 1_000_000,
        };
        assert_eq!(b.excess(101, 1_000), 11);
        // Few rows, but large ones: the byte limit decides.
        let b = QuarantineBudget {
            max_rows: 1_000,
            max_bytes: 10_000,
        };
        assert_eq!(b.excess(20, 20_000), 11);
        assert!(b.excess(5, u64::MAX) <= 5);
    }
}
