//! Gank: the one registered callback URL, its events, and the HMAC key.
//!
//! Gank keeps exactly one callback per account and replaces it without a
//! word when another is registered (`POST /auth/external-callback/register`);
//! `GET` on the same path returns the registration with its `key`
//! (gank-api's [`WebhookRegistrationApi`](gank_api::WebhookRegistrationApi)).

use creator_core::Error;
use gank_api::{GankClient, GankEventName};

use super::{Check, Wiring, said, shown_url};

/// The events the relay's Gank parser turns into events.
pub const EXPECTED_EVENTS: [GankEventName; 2] = [
    GankEventName::UserMembershipTxSucceed,
    GankEventName::DigitalGoodsTxSucceed,
];

/// Checks the registration against this relay's URL, events and key.
pub async fn check(client: &GankClient, wiring: &Wiring) -> Vec<Check> {
    let registration = match client.webhook_registration().get().await {
        Ok(r) => r,
        Err(e) => {
            let fix = match e {
                Error::Unauthorized { .. } | Error::Forbidden { .. } | Error::Config(_) => {
                    "export GANK_LOGIN_TOKEN=… (the Authorization bearer token of a logged-in ganknow.com session)"
                }
                Error::NotFound { .. } => {
                    "register the relay: `creator gank webhook register <the relay's Gank URL> --event USER_MEMBERSHIP.TX_SUCCEED --event DIGITAL_GOODS.TX_SUCCEED --reveal-key`"
                }
                _ => "check the network and GANK_V2_URL, then run the doctor again",
            };
            return vec![Check::problem(
                "gank.registration",
                format!("could not read the registration: {}", said(&e)),
                fix,
            )];
        }
    };
    let secrets = [wiring.gank_url_secret.as_ref()];
    let mut checks = Vec::new();
    let registered = registration.external_callback_url.as_deref().unwrap_or("");
    let expected = wiring.endpoint_url("gank", wiring.gank_url_secret.as_ref());
    let shown_registered = if registered.is_empty() {
        "none".to_owned()
    } else {
        shown_url(registered, &secrets)
    };
    checks.push(match &expected {
        None => Check::warning(
            "gank.callback_url",
            format!("registered: {shown_registered}; without --url the doctor cannot tell whether it is this relay's"),
            "run again with --url https://<the relay's public host>",
        ),
        Some(url) if registered.trim_end_matches('/') == url.trim_end_matches('/') => {
            Check::ok("gank.callback_url", format!("registered to {}", shown_url(url, &secrets)))
        }
        Some(url) => Check::problem(
            "gank.callback_url",
            format!(
                "registered to {shown_registered}, not to this relay ({}): Gank keeps one URL, so deliveries go there",
                shown_url(url, &secrets)
            ),
            format!(
                "`creator gank webhook register {} --event USER_MEMBERSHIP.TX_SUCCEED --event DIGITAL_GOODS.TX_SUCCEED --reveal-key` (it replaces the old one; set GANK_WEBHOOK_KEY to the key it prints)",
                shown_url(url, &secrets)
            ),
        ),
    });
    let missing: Vec<&str> = EXPECTED_EVENTS
        .iter()
        .filter(|e| !registration.events.contains(e))
        .map(GankEventName::as_str)
        .collect();
    let listed: Vec<&str> = registration
        .events
        .iter()
        .map(GankEventName::as_str)
        .collect();
    let all: Vec<&str> = EXPECTED_EVENTS.iter().map(GankEventName::as_str).collect();
    let events_fix = format!(
        "`creator gank webhook events --event {}`",
        all.join(" --event ")
    );
    checks.push(if missing.is_empty() {
        Check::ok(
            "gank.events",
            format!("subscribed to {}", listed.join(", ")),
        )
    } else if missing.len() == EXPECTED_EVENTS.len() {
        Check::problem(
            "gank.events",
            format!(
                "none of the events the relay reads ({}) is subscribed (registered: {})",
                all.join(", "),
                if listed.is_empty() {
                    "none".to_owned()
                } else {
                    listed.join(", ")
                }
            ),
            events_fix,
        )
    } else {
        Check::warning(
            "gank.events",
            format!(
                "{} not subscribed (registered: {})",
                missing.join(", "),
                listed.join(", ")
            ),
            format!("{events_fix} (Gank enables DIGITAL_GOODS on request)"),
        )
    });
    checks.push(match (&registration.key, &wiring.gank_key) {
        (Some(theirs), Some(ours)) if theirs == ours => Check::ok(
            "gank.key",
            "GANK_WEBHOOK_KEY is the registration's key",
        ),
        (Some(_), Some(_)) => Check::problem(
            "gank.key",
            "GANK_WEBHOOK_KEY is not the registration's key: every signed delivery will be refused",
            "set GANK_WEBHOOK_KEY to the registration's key (`creator gank webhook show --reveal-key` prints it)",
        ),
        (None, _) => Check::unknown(
            "gank.key",
            "the registration carries no key, so the relay's key cannot be compared",
            "register again (`creator gank webhook register … --reveal-key`): the answer carries the key",
        ),
        (Some(_), None) => Check::warning(
            "gank.key",
            "the relay has no GANK_WEBHOOK_KEY, so it cannot verify Gank's signature",
            "set GANK_WEBHOOK_KEY (`creator gank webhook show --reveal-key` prints it) and find the scheme with `creator doctor --gank-signature`",
        ),
    });
    checks
}
