//! `creator simulate`: each simulated delivery read by the project's own
//! parsers into the event it claims to be, and posted to a running relay
//! that stores it (once, however many copies).
//!
//! The bodies come from `creator_cli::simulate`, which reproduces the
//! recorded fixtures byte for byte with their values (its unit tests).

use creator_cli::simulate::{Event, Provider, Simulation, Values};
use creator_core::{EventKind, Webhooks};
use gank_api::GankWebhooks;
use gumroad_api::webhook::GumroadWebhooks;

use crate::support::*;

fn expected_kind(event: Event) -> EventKind {
    match event {
        Event::Sale | Event::DigitalGoods => EventKind::Sale,
        Event::Refund => EventKind::Refund,
        Event::Dispute => EventKind::Dispute,
        Event::DisputeWon => EventKind::DisputeWon,
        Event::Cancellation => EventKind::SubscriptionCancelled,
        Event::SubscriptionUpdated => EventKind::SubscriptionUpdated,
        Event::SubscriptionEnded => EventKind::SubscriptionEnded,
        Event::SubscriptionRestarted => EventKind::SubscriptionRestarted,
        Event::Membership => EventKind::MembershipPayment,
    }
}

#[test]
fn every_simulated_event_is_parsed_by_the_platform_parsers_into_that_event() {
    let values = Values::from_seed(42, time::macros::datetime!(2026-01-01 00:00:00 UTC));
    let gumroad = GumroadWebhooks::builder()
        .accept_unverified()
        .build()
        .unwrap();
    let gank = GankWebhooks::builder()
        .verifier(gank_verifier())
        .build()
        .unwrap();
    for event in Event::ALL {
        let sim = Simulation::new(event.provider(), event)
            .unwrap()
            .values(values.clone())
            .sign_with(gank_verifier());
        let delivery = sim.delivery().unwrap().to_webhook_delivery("/webhooks/x");
        let (parsed, subject) = match event.provider() {
            Provider::Gumroad => {
                let subscription = matches!(
                    event,
                    Event::Cancellation
                        | Event::SubscriptionUpdated
                        | Event::SubscriptionEnded
                        | Event::SubscriptionRestarted
                );
                let subject = if subscription {
                    &values.subscription_id
                } else {
                    &values.sale_id
                };
                (gumroad.receive(&delivery).unwrap(), subject.clone())
            }
            Provider::Gank => {
                let i = usize::from(event == Event::DigitalGoods);
                (
                    gank.receive(&delivery).unwrap(),
                    values.gank_human_ids[i].clone(),
                )
            }
        };
        assert_eq!(parsed.kind, expected_kind(event), "{event:?}");
        assert_eq!(parsed.subject_id, subject, "{event:?}");
        assert!(
            parsed.field_errors.is_empty(),
            "{event:?}: {:?}",
            parsed.field_errors
        );
        assert!(!parsed.test && parsed.retry.is_none(), "{event:?}");
    }
    // The Gank signature is the one the relay checks: unsigned, it is refused.
    let unsigned = Simulation::new(Provider::Gank, Event::Membership)
        .unwrap()
        .delivery()
        .unwrap()
        .to_webhook_delivery("/webhooks/gank");
    assert!(gank.receive(&unsigned).is_err());
}

#[test]
fn retry_count_test_and_set_reach_the_parsed_event() {
    let gumroad = GumroadWebhooks::builder()
        .accept_unverified()
        .build()
        .unwrap();
    let sim = Simulation::new(Provider::Gumroad, Event::Sale)
        .unwrap()
        .retry_count(3)
        .unwrap()
        .test(true)
        .unwrap()
        .set("price", "999")
        .unwrap()
        .set("card[type]", "amex")
        .unwrap();
    let parsed = gumroad
        .receive(
            &sim.delivery()
                .unwrap()
                .to_webhook_delivery("/webhooks/gumroad"),
        )
        .unwrap();
    assert_eq!(parsed.retry, Some(3));
    assert!(parsed.test);
    let sale = parsed.sale.unwrap();
    assert_eq!(sale.amount.unwrap().minor_units(), 999);
}

fn simulate(args: &[&str]) -> std::process::Command {
    let mut cmd = creator();
    cmd.arg("simulate").args(args);
    cmd
}

#[tokio::test]
async fn a_simulated_refund_posted_three_times_is_stored_once_as_printed() {
    let (_dir, relay) = TestRelay::fresh("simulate-dup").await;
    let to = format!("{}/webhooks/gumroad/{GUMROAD_SECRET}", relay.base);
    let common = ["--provider", "gumroad", "--event", "refund", "--seed", "5"];
    let mut cmd = simulate(&common);
    cmd.args(["--to", &to, "--duplicate", "2"]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines.iter().all(|l| l.ends_with(": 200 OK")), "{lines:?}");

    let events = relay.events().await;
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(
        (events[0].kind.as_str(), events[0].deliveries),
        ("refund", 3)
    );
    // What was stored is what `--print` shows for the same seed.
    let mut print = simulate(&common);
    print.arg("--print");
    let printed = stdout(&run(print).await);
    let body = printed.split("\n\n").nth(1).unwrap().trim_end();
    assert_eq!(&events[0].raw_body[..], body.as_bytes());
    relay.stop().await;
}

#[tokio::test]
async fn set_changes_the_stored_field_and_another_seed_is_another_event() {
    let (_dir, relay) = TestRelay::fresh("simulate-set").await;
    let to = format!("{}/webhooks/gumroad/{GUMROAD_SECRET}", relay.base);
    for seed in ["1", "2"] {
        let out = run(simulate(&[
            "--provider",
            "gumroad",
            "--event",
            "sale",
            "--seed",
            seed,
            "--set",
            "price=999",
            "--set",
            "custom_fields[Company]=Acme [EU]",
            "--to",
            &to,
        ]))
        .await;
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let events = relay.events().await;
    assert_eq!(events.len(), 2);
    for e in &events {
        assert_eq!(
            e.event["sale"]["amount"]["minor_units"], 999,
            "{:#}",
            e.event
        );
        let body = String::from_utf8_lossy(&e.raw_body);
        assert!(
            body.contains("custom_fields%5BCompany%5D=Acme%20%5BEU%5D"),
            "{body}"
        );
    }
    assert_ne!(events[0].subject_id, events[1].subject_id);
    relay.stop().await;
}

#[tokio::test]
async fn gumroad_has_no_membership_and_a_refused_delivery_fails_the_command() {
    let (_dir, relay) = TestRelay::fresh("simulate-refused").await;
    let out = run(simulate(&[
        "--provider",
        "gumroad",
        "--event",
        "membership",
        "--to",
        &relay.base,
    ]))
    .await;
    assert_one_line_error(&out, 2, "gumroad sends no `membership` event");
    // The wrong URL secret: the relay answers 404, and simulate says so.
    let out = run(simulate(&[
        "--provider",
        "gumroad",
        "--event",
        "cancellation",
        "--to",
        &format!("{}/webhooks/gumroad/not-the-secret-0000", relay.base),
    ]))
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("1 of 1 deliveries"),
        "{}",
        stderr(&out)
    );
    assert!(relay.events().await.is_empty());
    relay.stop().await;
}
