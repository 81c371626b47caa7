//! When a delivery is a redelivery of a stored event, and when it is a new
//! event with the same content: the one rule both backends apply, inside the
//! transaction that stores the delivery.
//!
//! An event's [identity](creator_core::WebhookEvent::identity) is
//! `provider:name:subject[:test][:fingerprint]`. Where the platform names each
//! event (a Gank `human_id`), the identity has no fingerprint and every
//! delivery with it is the same event. Where it does not (Gumroad), the
//! identity is made of the content, and two real events can have identical
//! bodies: every partial refund of one sale sends the same body, and so does a
//! second cancellation after a restart in the same billing period. Gumroad's
//! own code tells how to tell them apart from a redelivery:
//!
//! - a **retry** carries `retry_count` (1 to 3) and comes at most about 75
//!   minutes after its first attempt, so it repeats the newest stored event
//!   with its identity if that event was received within
//!   [`RETRY_HORIZON`];
//! - a **first attempt** that repeats a stored event is a copy (the settings
//!   Ping URL and a `sale` subscription to the same URL, two subscriptions of
//!   one URL, a proxy resending) only when it comes within [`COPY_WINDOW`] of
//!   it and nothing else happened to the subject in between; otherwise it is
//!   the next occurrence, stored as `identity#2`, `identity#3`, ….
//!
//! The limit, said plainly: two identical partial refunds of one sale less
//! than [`COPY_WINDOW`] apart are taken for one (its delivery count is 2).
//! Gumroad sends nothing that could tell them apart.

use std::time::Duration;

/// How long after the stored event's latest delivery a retry still repeats
/// it: Gumroad retries after 1, 3 and 10 minutes (its docs say up to an hour
/// more), so two hours is past any retry of the same first attempt.
pub const RETRY_HORIZON: Duration = Duration::from_secs(2 * 60 * 60);

/// How long after the stored event's latest delivery an identical first
/// attempt is a copy of it rather than a new event.
pub const COPY_WINDOW: Duration = Duration::from_secs(2 * 60);

/// The newest stored event with a delivery's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Newest {
    /// Its row id.
    pub id: i64,
    /// Its occurrence number (1 for the first event with the identity).
    pub occurrence: i64,
    /// When its latest delivery arrived ([`super::timestamp`] format).
    pub last_received_at: String,
    /// Whether another event about the same subject was stored after it.
    pub subject_moved_on: bool,
}

/// What to do with a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// A redelivery of the stored event with this row id: count it.
    Repeat { id: i64 },
    /// A new event: store it with this occurrence number.
    Store { occurrence: i64 },
}

/// The facts about a delivery the rule looks at.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Delivery<'a> {
    /// The identity carries a content fingerprint (no event id from the platform).
    pub by_content: bool,
    /// The platform's retry number, when it says.
    pub retry: Option<u32>,
    /// When this delivery arrived ([`super::timestamp`] format).
    pub received_at: &'a str,
}

/// The rule (see the module docs). `newest` is the newest stored event with
/// the delivery's identity, if any.
pub(crate) fn decide(delivery: Delivery<'_>, newest: Option<&Newest>) -> Decision {
    let Some(newest) = newest else {
        return Decision::Store { occurrence: 1 };
    };
    let repeat = Decision::Repeat { id: newest.id };
    if !delivery.by_content {
        return repeat;
    }
    let within = |window: Duration| {
        newest.last_received_at.as_str() >= earlier(delivery.received_at, window).as_str()
    };
    let is_repeat = match delivery.retry {
        Some(n) if n > 0 => within(RETRY_HORIZON),
        _ => within(COPY_WINDOW) && !newest.subject_moved_on,
    };
    if is_repeat {
        repeat
    } else {
        Decision::Store {
            occurrence: newest.occurrence + 1,
        }
    }
}

/// The row's unique key: the identity, then `#n` from the second occurrence on.
pub(crate) fn dedup_key(identity: &str, occurrence: i64) -> String {
    if occurrence <= 1 {
        identity.to_owned()
    } else {
        format!("{identity}#{occurrence}")
    }
}

/// `at` minus `window`, in the ledger's timestamp format (text order is time
/// order). An unreadable `at` gives the epoch, so nothing is taken for a repeat
/// by accident of a bad clock string... except what is certainly older.
fn earlier(at: &str, window: Duration) -> String {
    use time::format_description::well_known::Rfc3339;
    match time::OffsetDateTime::parse(at, &Rfc3339) {
        Ok(t) => super::timestamp(t - window),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: &str = "2025-03-14T10:00:00.000000Z";

    fn newest(last: &str, moved_on: bool) -> Newest {
        Newest {
            id: 7,
            occurrence: 1,
            last_received_at: last.into(),
            subject_moved_on: moved_on,
        }
    }

    fn at(received_at: &str, retry: Option<u32>) -> Delivery<'_> {
        Delivery {
            by_content: true,
            retry,
            received_at,
        }
    }

    #[test]
    fn the_first_delivery_of_an_identity_is_stored() {
        assert_eq!(
            decide(at(T0, None), None),
            Decision::Store { occurrence: 1 }
        );
        assert_eq!(
            decide(at(T0, Some(2)), None),
            Decision::Store { occurrence: 1 }
        );
    }

    #[test]
    fn an_event_named_by_the_platform_always_repeats() {
        let d = Delivery {
            by_content: false,
            retry: None,
            received_at: "2026-01-01T00:00:00.000000Z",
        };
        assert_eq!(
            decide(d, Some(&newest(T0, true))),
            Decision::Repeat { id: 7 }
        );
    }

    #[test]
    fn retries_repeat_within_the_horizon_even_after_other_events() {
        let ten_minutes = "2025-03-14T10:10:00.000000Z";
        assert_eq!(
            decide(at(ten_minutes, Some(1)), Some(&newest(T0, true))),
            Decision::Repeat { id: 7 }
        );
        let three_hours = "2025-03-14T13:00:00.000000Z";
        assert_eq!(
            decide(at(three_hours, Some(3)), Some(&newest(T0, false))),
            Decision::Store { occurrence: 2 }
        );
    }

    #[test]
    fn first_attempts_repeat_only_as_immediate_copies() {
        let seconds_later = "2025-03-14T10:00:05.000000Z";
        assert_eq!(
            decide(at(seconds_later, None), Some(&newest(T0, false))),
            Decision::Repeat { id: 7 }
        );
        // cancellation -> subscription_restarted -> cancellation, identical bodies.
        assert_eq!(
            decide(at(seconds_later, None), Some(&newest(T0, true))),
            Decision::Store { occurrence: 2 }
        );
        // A second partial refund, an hour later.
        let an_hour = "2025-03-14T11:00:00.000000Z";
        assert_eq!(
            decide(at(an_hour, None), Some(&newest(T0, false))),
            Decision::Store { occurrence: 2 }
        );
        // Retry count 0 is a first attempt.
        assert_eq!(
            decide(at(an_hour, Some(0)), Some(&newest(T0, false))),
            Decision::Store { occurrence: 2 }
        );
    }

    #[test]
    fn later_occurrences_get_numbered_keys() {
        assert_eq!(dedup_key("gumroad:refund:S:f", 1), "gumroad:refund:S:f");
        assert_eq!(dedup_key("gumroad:refund:S:f", 3), "gumroad:refund:S:f#3");
        let mut n = newest(T0, false);
        n.occurrence = 4;
        assert_eq!(
            decide(at("2025-03-15T10:00:00.000000Z", None), Some(&n)),
            Decision::Store { occurrence: 5 }
        );
    }
}
