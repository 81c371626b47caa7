//! What a delivery claims, checked against what the API says now.
//!
//! A delivery is unsigned, so its *kind* is a claim like any other field: a
//! forged `refund` of a live sale names a real `sale_id` and would read back
//! fine. [`Webhooks::confirm`](creator_core::Webhooks::confirm) therefore
//! checks that the sale or subscription the API returns is in the state the
//! event says it reached, from the fields the API really carries
//! (`Purchase#as_json`: `refunded`, `partially_refunded`, `disputed` =
//! `chargedback?`, `dispute_won` = `chargeback_reversed?`, `chargedback` =
//! not reversed; `Subscription#as_json`: `status`, else `cancelled_at`,
//! `ended_at`, `failed_at`).
//!
//! An honest delivery whose state has moved on since (a `cancellation`
//! read after the subscription was restarted) is not confirmed either: the
//! API, not the delivery, says what holds now.

use creator_core::{EventKind, WebhookError};
use time::OffsetDateTime;

use super::payload::{EndedReason, SubscriptionPing};
use crate::{Sale, Subscriber, SubscriberStatus};

/// Fails unless the API's sale is in the state a sale-resource event claims.
pub(super) fn sale_agrees(kind: &EventKind, api: &Sale) -> Result<(), WebhookError> {
    let yes = |flag: Option<bool>| flag == Some(true);
    let (holds, claim, state) = match kind {
        EventKind::Refund => (
            yes(api.refunded) || yes(api.partially_refunded),
            "a refund",
            "neither refunded nor partially refunded",
        ),
        EventKind::Dispute => (
            yes(api.disputed) || yes(api.chargedback),
            "a dispute (chargeback)",
            "not disputed",
        ),
        EventKind::DisputeWon => (yes(api.dispute_won), "a won dispute", "no dispute won"),
        _ => (true, "", ""),
    };
    if holds {
        Ok(())
    } else {
        Err(unconfirmed(format!(
            "the delivery claims {claim} of sale `{}`, the API reports it {state}",
            api.id
        )))
    }
}

/// Where a subscription stands, as the API reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// Running: `alive` or `pending_failure`.
    Live,
    /// Cancelled, running to the end of the paid period.
    PendingCancellation,
    /// Deactivated, for this reason.
    Ended(EndedReason),
}

fn state_of(api: &Subscriber, now: OffsetDateTime) -> Result<State, String> {
    use SubscriberStatus as S;
    Ok(match &api.status {
        Some(S::Alive | S::PendingFailure) => State::Live,
        Some(S::PendingCancellation) => State::PendingCancellation,
        Some(S::Cancelled) => State::Ended(EndedReason::Cancelled),
        Some(S::FailedPayment) => State::Ended(EndedReason::FailedPayment),
        Some(S::FixedSubscriptionPeriodEnded) => {
            State::Ended(EndedReason::FixedSubscriptionPeriodEnded)
        }
        Some(S::Unknown(other)) => {
            return Err(format!(
                "the API reports status `{other}`, which cannot be matched against the claim"
            ));
        }
        // No `status` (older answers): Gumroad's own order of `termination_reason`.
        None => match (api.failed_at, api.ended_at, api.cancelled_at) {
            (Some(_), _, _) => State::Ended(EndedReason::FailedPayment),
            (None, Some(_), _) => State::Ended(EndedReason::FixedSubscriptionPeriodEnded),
            (None, None, Some(at)) if at > now => State::PendingCancellation,
            (None, None, Some(_)) => State::Ended(EndedReason::Cancelled),
            (None, None, None) => State::Live,
        },
    })
}

/// Fails unless the API's subscription is in the state a subscription
/// event claims: cancelled (pending, or ended by cancellation or failed
/// payments) for `cancellation`, ended (for the delivery's `ended_reason`,
/// when it gives one) for `subscription_ended`, running for
/// `subscription_restarted`, not ended for `subscription_updated` (the API's
/// subscriber carries no tier or price to compare the new plan with).
pub(super) fn subscription_agrees(
    kind: &EventKind,
    api: &Subscriber,
    delivery: Option<&SubscriptionPing>,
    now: OffsetDateTime,
) -> Result<(), WebhookError> {
    let state = state_of(api, now).map_err(|why| unconfirmed(format!("{why} ({})", api.id)))?;
    let ended_reason = delivery.and_then(|d| d.ended_reason.as_ref());
    let (holds, claim) = match kind {
        EventKind::SubscriptionCancelled => (
            matches!(
                state,
                State::PendingCancellation
                    | State::Ended(EndedReason::Cancelled | EndedReason::FailedPayment)
            ),
            "a cancellation",
        ),
        EventKind::SubscriptionEnded => (
            match (&state, ended_reason) {
                (State::Ended(actual), Some(claimed)) => actual == claimed,
                (State::Ended(_), None) => true,
                _ => false,
            },
            "its end",
        ),
        EventKind::SubscriptionRestarted => (state == State::Live, "a restart"),
        EventKind::SubscriptionUpdated => (!matches!(&state, State::Ended(_)), "a plan change"),
        _ => (true, ""),
    };
    if holds {
        return Ok(());
    }
    let claimed = match (kind, ended_reason) {
        (EventKind::SubscriptionEnded, Some(reason)) => format!("{claim} ({reason})"),
        _ => claim.to_owned(),
    };
    Err(unconfirmed(format!(
        "the delivery claims {claimed} of subscription `{}`, the API reports it {}",
        api.id,
        describe(&state)
    )))
}

fn describe(state: &State) -> String {
    match state {
        State::Live => "running".to_owned(),
        State::PendingCancellation => "cancelled, running to the end of its period".to_owned(),
        State::Ended(reason) => format!("ended ({reason})"),
    }
}

fn unconfirmed(reason: String) -> WebhookError {
    WebhookError::Unconfirmed { reason }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2025-03-20 00:00 UTC);

    fn sale(flags: serde_json::Value) -> Sale {
        let mut v = json!({"id": "S1=="});
        v.as_object_mut()
            .unwrap()
            .extend(flags.as_object().unwrap().clone());
        serde_json::from_value(v).unwrap()
    }

    fn sub(fields: serde_json::Value) -> Subscriber {
        let mut v = json!({"id": "T1==", "purchase_ids": []});
        v.as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn sale_claims_table() {
        use EventKind as K;
        let live = sale(
            json!({"refunded": false, "partially_refunded": false, "chargedback": false, "disputed": false, "dispute_won": false}),
        );
        let bare = sale(json!({}));
        let refunded = sale(json!({"refunded": true}));
        let partial = sale(json!({"refunded": false, "partially_refunded": true}));
        let open_chargeback = sale(json!({"chargedback": true, "disputed": true}));
        let won = sale(json!({"chargedback": false, "disputed": true, "dispute_won": true}));
        let table: &[(&K, &Sale, bool)] = &[
            (&K::Sale, &live, true),
            (&K::Sale, &refunded, true),
            (&K::Refund, &live, false),
            (&K::Refund, &bare, false),
            (&K::Refund, &refunded, true),
            (&K::Refund, &partial, true),
            (&K::Dispute, &live, false),
            (&K::Dispute, &open_chargeback, true),
            (&K::Dispute, &won, true),
            (&K::DisputeWon, &open_chargeback, false),
            (&K::DisputeWon, &won, true),
        ];
        for (kind, api, holds) in table {
            let got = sale_agrees(kind, api);
            assert_eq!(got.is_ok(), *holds, "{kind:?} on {api:?}: {got:?}");
            if let Err(e) = got {
                assert!(e.is_verification_failure(), "{e}");
            }
        }
    }

    #[test]
    fn subscription_claims_table() {
        use EventKind as K;
        let alive = sub(json!({"status": "alive"}));
        let retrying = sub(json!({"status": "pending_failure"}));
        let pending =
            sub(json!({"status": "pending_cancellation", "cancelled_at": "2025-04-02T08:00:00Z"}));
        let cancelled = sub(json!({"status": "cancelled"}));
        let failed = sub(json!({"status": "failed_payment"}));
        let fixed = sub(json!({"status": "fixed_subscription_period_ended"}));
        let unknown = sub(json!({"status": "paused"}));
        // Without `status`, the timestamps decide.
        let old_pending = sub(json!({"cancelled_at": "2025-04-02T08:00:00Z"}));
        let old_failed = sub(json!({"failed_at": "2025-03-01T08:00:00Z"}));
        let old_alive = sub(json!({}));
        let table: &[(&K, &Subscriber, bool)] = &[
            (&K::SubscriptionCancelled, &alive, false),
            (&K::SubscriptionCancelled, &retrying, false),
            (&K::SubscriptionCancelled, &pending, true),
            (&K::SubscriptionCancelled, &cancelled, true),
            (&K::SubscriptionCancelled, &failed, true),
            (&K::SubscriptionCancelled, &fixed, false),
            (&K::SubscriptionCancelled, &old_pending, true),
            (&K::SubscriptionCancelled, &old_alive, false),
            (&K::SubscriptionCancelled, &unknown, false),
            (&K::SubscriptionEnded, &alive, false),
            (&K::SubscriptionEnded, &pending, false),
            (&K::SubscriptionEnded, &cancelled, true),
            (&K::SubscriptionEnded, &fixed, true),
            (&K::SubscriptionEnded, &old_failed, true),
            (&K::SubscriptionRestarted, &alive, true),
            (&K::SubscriptionRestarted, &retrying, true),
            (&K::SubscriptionRestarted, &pending, false),
            (&K::SubscriptionRestarted, &cancelled, false),
            (&K::SubscriptionUpdated, &alive, true),
            (&K::SubscriptionUpdated, &pending, true),
            (&K::SubscriptionUpdated, &failed, false),
            (&K::SubscriptionUpdated, &old_alive, true),
        ];
        for (kind, api, holds) in table {
            let got = subscription_agrees(kind, api, None, NOW);
            assert_eq!(got.is_ok(), *holds, "{kind:?} on {:?}: {got:?}", api.status);
        }
    }

    #[test]
    fn an_ended_subscription_must_have_ended_for_the_reason_the_delivery_gives() {
        let event = super::super::GumroadEvent::from_form(
            b"subscription_id=T1%3D%3D&resource_name=subscription_ended&ended_reason=failed_payment",
        )
        .unwrap();
        let ping = event.subscription();
        let kind = EventKind::SubscriptionEnded;
        let failed = sub(json!({"status": "failed_payment"}));
        let cancelled = sub(json!({"status": "cancelled"}));
        assert!(subscription_agrees(&kind, &failed, ping, NOW).is_ok());
        let e = subscription_agrees(&kind, &cancelled, ping, NOW).unwrap_err();
        assert!(
            e.to_string()
                .contains("claims its end (failed_payment) of subscription `T1==`, the API reports it ended (cancelled)"),
            "{e}"
        );
    }
}
