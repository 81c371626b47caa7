//! Whether a delivery repeats an event already stored, or is a new event
//! with the same content: the rule a store of webhook events applies.
//!
//! An event's [identity](super::WebhookEvent::identity) names it. Where the
//! platform names each event (a Gank `human_id`), every delivery with one
//! identity is the same event. Where it does not (Gumroad), the identity is
//! made of the content, and two real events can have identical bodies:
//! every partial refund of one sale sends the same body, and so does a
//! second cancellation after a restart in one billing period. What Gumroad
//! does tells a redelivery from a new event:
//!
//! - a **retry** carries `retry_count` (1 to 3) and comes after a fixed
//!   backoff (1, then 3, then 10 minutes): retry *n* repeats the stored event
//!   only if that event's latest delivery came within [`retry_window`]`(n)`,
//!   the time since its first attempt plus 5 minutes of slack;
//! - a **first attempt** repeats it only as a copy, within [`COPY_WINDOW`]
//!   (the settings Ping URL and a `sale` subscription to the same URL, two
//!   subscriptions of one URL, a proxy resending);
//! - either way, once another event about the same subject was stored after
//!   it, an identical delivery is a new event: when it cannot be told, a
//!   doubled event is the safe mistake, a lost one is not.
//!
//! The limit, said plainly: an identical event whose own first attempt
//! failed, retried within minutes of the earlier one and with nothing in
//! between, is taken for a redelivery of the earlier one. Gumroad sends
//! nothing that could tell them apart.

use std::time::Duration;

use time::OffsetDateTime;

/// How long after a stored event's latest delivery an identical first
/// attempt is a copy of it rather than a new event.
pub const COPY_WINDOW: Duration = Duration::from_secs(2 * 60);

/// Slack on top of Gumroad's backoff (queueing, clocks).
const RETRY_SLACK: Duration = Duration::from_secs(5 * 60);

/// How long after its first attempt retry `n` can come: Gumroad's backoff
/// of 1, 3 and 10 minutes (its docs name a fourth after an hour), plus slack.
pub fn retry_window(n: u32) -> Duration {
    let backoff = match n {
        0 | 1 => 60,
        2 => 60 + 180,
        3 => 60 + 180 + 600,
        _ => 60 + 180 + 600 + 3_600,
    };
    Duration::from_secs(backoff) + RETRY_SLACK
}

/// What a store knows of the newest stored event with a delivery's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOccurrence {
    /// 1 for the first event with the identity, 2 for the next, ….
    pub occurrence: u32,
    /// When its latest delivery arrived.
    pub last_delivered_at: OffsetDateTime,
    /// Whether another event about the same subject was stored after it.
    pub subject_moved_on: bool,
}

/// What a delivery is, against the newest stored event with its identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// A redelivery of that event: count it, store nothing.
    Same,
    /// A new event: store it as this occurrence of the identity.
    New {
        /// The occurrence number (1 when nothing is stored yet).
        occurrence: u32,
    },
}

/// The facts about a delivery the rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrival {
    /// The identity carries a content fingerprint (the platform sends no event id).
    pub by_content: bool,
    /// The platform's retry number, when it says.
    pub retry: Option<u32>,
    /// When the delivery arrived.
    pub received_at: OffsetDateTime,
}

impl Arrival {
    /// The facts of `event`, delivered at `received_at`.
    pub fn of(event: &super::WebhookEvent, received_at: OffsetDateTime) -> Self {
        Self {
            by_content: event.fingerprint.is_some(),
            retry: event.retry,
            received_at,
        }
    }

    /// Whether the rule needs [`StoredOccurrence::subject_moved_on`] (a store
    /// can skip that lookup otherwise).
    pub fn needs_subject_history(&self) -> bool {
        self.by_content
    }
}

/// The rule (see the [module docs](self)).
///
/// ```
/// use std::time::Duration;
/// use creator_core::repeat::{decide, Arrival, Repeat, StoredOccurrence};
/// use time::macros::datetime;
///
/// let stored = StoredOccurrence {
///     occurrence: 1,
///     last_delivered_at: datetime!(2025-03-14 10:00 UTC),
///     subject_moved_on: false,
/// };
/// // Gumroad's first retry, a minute later: the same refund.
/// let retry = Arrival { by_content: true, retry: Some(1), received_at: datetime!(2025-03-14 10:01 UTC) };
/// assert_eq!(decide(retry, Some(&stored)), Repeat::Same);
/// // An identical refund the next day: a second partial refund.
/// let next_day = Arrival { by_content: true, retry: None, received_at: datetime!(2025-03-15 10:00 UTC) };
/// assert_eq!(decide(next_day, Some(&stored)), Repeat::New { occurrence: 2 });
/// ```
pub fn decide(arrival: Arrival, newest: Option<&StoredOccurrence>) -> Repeat {
    let Some(newest) = newest else {
        return Repeat::New { occurrence: 1 };
    };
    if !arrival.by_content {
        return Repeat::Same;
    }
    let within = |window: Duration| newest.last_delivered_at >= arrival.received_at - window;
    let repeats = !newest.subject_moved_on
        && match arrival.retry {
            Some(n) if n > 0 => within(retry_window(n)),
            _ => within(COPY_WINDOW),
        };
    if repeats {
        Repeat::Same
    } else {
        Repeat::New {
            occurrence: newest.occurrence.saturating_add(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2025-03-14 10:00 UTC);

    fn stored(moved_on: bool) -> StoredOccurrence {
        StoredOccurrence {
            occurrence: 1,
            last_delivered_at: T0,
            subject_moved_on: moved_on,
        }
    }

    fn at(minutes: i64, retry: Option<u32>) -> Arrival {
        Arrival {
            by_content: true,
            retry,
            received_at: T0 + time::Duration::minutes(minutes),
        }
    }

    #[test]
    fn the_first_delivery_of_an_identity_is_new() {
        assert_eq!(decide(at(0, None), None), Repeat::New { occurrence: 1 });
        assert_eq!(decide(at(0, Some(2)), None), Repeat::New { occurrence: 1 });
    }

    #[test]
    fn an_event_named_by_the_platform_always_repeats() {
        let a = Arrival {
            by_content: false,
            ..at(60 * 24 * 365, None)
        };
        assert_eq!(decide(a, Some(&stored(true))), Repeat::Same);
        assert!(!a.needs_subject_history());
    }

    #[test]
    fn retries_repeat_only_within_their_own_backoff() {
        // A lost 200: Gumroad retries after 1, 3 and 10 more minutes.
        assert_eq!(decide(at(1, Some(1)), Some(&stored(false))), Repeat::Same);
        assert_eq!(decide(at(4, Some(2)), Some(&stored(false))), Repeat::Same);
        assert_eq!(decide(at(14, Some(3)), Some(&stored(false))), Repeat::Same);
        // The first retry of an identical refund whose first attempt failed,
        // half an hour after the stored one: a new event.
        assert_eq!(
            decide(at(31, Some(1)), Some(&stored(false))),
            Repeat::New { occurrence: 2 }
        );
        assert_eq!(
            decide(at(3 * 60, Some(3)), Some(&stored(false))),
            Repeat::New { occurrence: 2 }
        );
    }

    #[test]
    fn once_the_subject_moved_on_an_identical_delivery_is_new() {
        // cancellation -> subscription_restarted -> cancellation, and the
        // second cancellation's retry after its first attempt failed.
        assert_eq!(
            decide(at(0, None), Some(&stored(true))),
            Repeat::New { occurrence: 2 }
        );
        assert_eq!(
            decide(at(2, Some(1)), Some(&stored(true))),
            Repeat::New { occurrence: 2 }
        );
    }

    #[test]
    fn first_attempts_repeat_only_as_immediate_copies() {
        assert_eq!(decide(at(1, None), Some(&stored(false))), Repeat::Same);
        assert_eq!(
            decide(at(60, None), Some(&stored(false))),
            Repeat::New { occurrence: 2 }
        );
        // Retry count 0 is a first attempt.
        assert_eq!(
            decide(at(60, Some(0)), Some(&stored(false))),
            Repeat::New { occurrence: 2 }
        );
    }

    #[test]
    fn retry_windows_follow_gumroads_backoff() {
        assert_eq!(retry_window(1), Duration::from_secs(6 * 60));
        assert_eq!(retry_window(3), Duration::from_secs(19 * 60));
        assert!(retry_window(4) > Duration::from_secs(60 * 60));
    }
}
