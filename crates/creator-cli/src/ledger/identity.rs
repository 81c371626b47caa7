//! The ledger's side of [`creator_core::repeat`]: when a delivery repeats a
//! stored event, and when it is a new event with the same content. Both
//! backends ask [`creator_core::repeat::decide`] inside the transaction
//! that stores the delivery.
//!
//! Each event row has its identity and an occurrence number: 1 for the
//! first event with the identity, 2 for the next identical one, …; the
//! pair is unique, and so is the row's `dedup_key` (the identity, then
//! `#n` from the second occurrence on). Rows stored before schema 3 keep
//! the `dedup_key` they had.

use creator_core::repeat::{self, Arrival, Repeat, StoredOccurrence};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::NewEvent;

/// The facts of a delivery the rule looks at.
pub(crate) fn arrival(ev: &NewEvent) -> Arrival {
    Arrival {
        by_content: ev.fingerprint.is_some(),
        retry: ev.retry,
        received_at: parse(&ev.received_at),
    }
}

/// The newest stored event with an identity, from its row.
pub(crate) fn stored(
    occurrence: i64,
    last_received_at: &str,
    subject_moved_on: bool,
) -> StoredOccurrence {
    StoredOccurrence {
        occurrence: u32::try_from(occurrence).unwrap_or(u32::MAX),
        last_delivered_at: parse(last_received_at),
        subject_moved_on,
    }
}

/// What to do with the delivery: [`Repeat::Same`] or a new occurrence.
pub(crate) fn decide(arrival: Arrival, newest: Option<&StoredOccurrence>) -> Repeat {
    repeat::decide(arrival, newest)
}

/// A ledger timestamp; an unreadable one (never written by this build)
/// reads as the epoch, which no window reaches.
fn parse(at: &str) -> OffsetDateTime {
    OffsetDateTime::parse(at, &Rfc3339).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// The row's unique key: the identity, then `#n` from the second occurrence on.
pub(crate) fn dedup_key(identity: &str, occurrence: u32) -> String {
    if occurrence <= 1 {
        identity.to_owned()
    } else {
        format!("{identity}#{occurrence}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_occurrences_get_numbered_keys() {
        assert_eq!(dedup_key("gumroad:refund:S:f", 1), "gumroad:refund:S:f");
        assert_eq!(dedup_key("gumroad:refund:S:f", 3), "gumroad:refund:S:f#3");
    }

    #[test]
    fn rows_convert_to_the_rule_and_bad_times_reach_no_window() {
        let s = stored(4, "2025-03-14T10:00:00.000000Z", true);
        assert_eq!(s.occurrence, 4);
        assert!(s.subject_moved_on);
        assert_eq!(
            stored(1, "garbage", false).last_delivered_at,
            OffsetDateTime::UNIX_EPOCH
        );
    }
}
