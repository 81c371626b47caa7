//! Forwarding: stored events reach destinations signed, in subject order,
//! retried, dead-lettered, and a slow destination delays no other. The
//! receivers are HTTP servers on 127.0.0.1 (`receiver.rs`) that check the
//! signatures with the `standardwebhooks` crate's verifier; the Python
//! verifier runs in `forward_python.rs`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use creator_cli::ledger::{
    self, DeliveryStatus, DestinationChange, DestinationWrite, Ledger, NewDestination,
    OutboxFilter, Replay, ReplaySelection, timestamp,
};
use creator_cli::relay::RelayConfig;
use creator_cli::relay::forward::{ForwardConfig, Schedule, sign};
use creator_core::Secret;
use futures::TryStreamExt;

use crate::receiver::{Receiver, Reply};
use crate::support::*;

/// A Gumroad sale Ping for sale `n` (`FwdSale<n>==`), and its refund.
pub fn sale(n: usize) -> Vec<u8> {
    String::from_utf8(fixture("gumroad/webhooks/sale.form"))
        .unwrap()
        .replace(
            "sale_id=FO8TXN-dvxYabdavG97Y-Q%3D%3D",
            &format!("sale_id=FwdSale{n:06}%3D%3D"),
        )
        .into_bytes()
}

pub fn refund(n: usize) -> Vec<u8> {
    String::from_utf8(fixture("gumroad/webhooks/refund.form"))
        .unwrap()
        .replace(
            "sale_id=FO8TXN-dvxYabdavG97Y-Q%3D%3D",
            &format!("sale_id=FwdSale{n:06}%3D%3D"),
        )
        .into_bytes()
}

/// A relay config whose forwarder retries fast.
pub fn fast_config(schedule: &str, timeout: Duration) -> RelayConfig {
    RelayConfig {
        forward: Some(ForwardConfig {
            timeout,
            schedule: Schedule::parse(schedule).unwrap(),
            poll: Duration::from_millis(50),
            ..ForwardConfig::default()
        }),
        ..config()
    }
}

/// Adds a destination with a generated secret; returns the secret.
pub async fn add_destination(ledger: &dyn Ledger, name: &str, url: &str) -> String {
    let secret = sign::generate_secret().unwrap();
    let written = ledger
        .add_destination(NewDestination {
            name: name.into(),
            url: url.into(),
            secret: secret.clone(),
            provider: None,
            kind: None,
            now: timestamp(time::OffsetDateTime::now_utc()),
        })
        .await
        .unwrap();
    assert!(
        matches!(written, DestinationWrite::Done(Some(_))),
        "{written:?}"
    );
    secret.expose().to_owned()
}

async fn messages(
    ledger: &dyn Ledger,
    status: Option<DeliveryStatus>,
) -> Vec<ledger::OutboxMessage> {
    ledger
        .messages(OutboxFilter {
            status,
            ..OutboxFilter::default()
        })
        .try_collect()
        .await
        .unwrap()
}

/// Waits until the ledger's messages satisfy `done`.
async fn wait_ledger(
    ledger: &dyn Ledger,
    within: Duration,
    done: impl Fn(&[ledger::OutboxMessage]) -> bool,
) -> Vec<ledger::OutboxMessage> {
    let deadline = Instant::now() + within;
    loop {
        let all = messages(ledger, None).await;
        if done(&all) {
            return all;
        }
        assert!(
            Instant::now() < deadline,
            "messages did not settle: {all:#?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test]
async fn every_stored_event_reaches_the_destination_signed_once_in_subject_order() {
    let receiver = Receiver::ok().await;
    let (_dir, relay) = TestRelay::fresh("fwd-basic").await;
    let secret = add_destination(&*relay.ledger, "app", &receiver.url()).await;
    for n in 0..5 {
        assert_eq!(relay.post_gumroad_form(sale(n)).await.0, 200);
    }
    // Sale 0's refund, and a redelivery of sale 1 (stored once, sent once).
    assert_eq!(relay.post_gumroad_form(refund(0)).await.0, 200);
    let (_, again) = relay.post_gumroad_form(sale(1)).await;
    assert_eq!(again["status"], "duplicate");
    let got = receiver
        .wait_for(Duration::from_secs(10), |r| r.len() >= 6)
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let got_all = receiver.received();
    assert_eq!(got_all.len(), 6, "one request per stored event: {got:#?}");
    let events = relay.events().await;
    for r in &got_all {
        r.verify(&secret)
            .expect("a valid Standard Webhooks signature");
        let body = r.json();
        assert_eq!(body["version"], 1);
        assert_eq!(body["id"], r.id());
        assert_eq!(r.header("content-type"), "application/json");
        let id = body["data"]["event_id"].as_i64().unwrap();
        assert_eq!(r.id(), format!("evt_{id}"));
        let stored = events.iter().find(|e| e.id == id).expect("a stored event");
        assert_eq!(body["data"]["dedup_key"], stored.dedup_key.as_str());
        assert_eq!(body["type"], stored.kind.as_str());
        assert_eq!(body["data"]["provider"], "gumroad");
    }
    // The sale of subject 0 arrived before its refund.
    let subject0: Vec<String> = got_all
        .iter()
        .map(|r| r.json())
        .filter(|b| b["data"]["subject_id"] == "FwdSale000000==")
        .map(|b| b["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(subject0, ["sale", "refund"]);
    let sale0 = got_all
        .iter()
        .map(|r| r.json())
        .find(|b| b["type"] == "sale" && b["data"]["subject_id"] == "FwdSale000000==")
        .unwrap();
    assert!(sale0["data"]["amount"]["minor_units"].is_i64(), "{sale0:#}");
    assert!(sale0["data"]["payload"]["sale_id"].is_string(), "{sale0:#}");
    let settled = wait_ledger(&*relay.ledger, Duration::from_secs(5), |m| {
        m.len() == 6 && m.iter().all(|m| m.status == "delivered")
    })
    .await;
    assert!(
        settled
            .iter()
            .all(|m| m.attempts == 1 && m.last_status == Some(200))
    );
    let stats = relay.ledger.outbox_stats().await.unwrap();
    assert_eq!((stats.delivered, stats.attempts), (6, 6));
    relay.stop().await;
    receiver.stop();
}

#[tokio::test]
async fn failures_are_retried_on_the_schedule_then_dead_lettered_and_replayable() {
    // Two 500s, then 200: delivered on the third attempt.
    let flaky = Receiver::start(Arc::new(|n| {
        if n < 2 {
            Reply::Status(500)
        } else {
            Reply::Status(200)
        }
    }))
    .await;
    // Always 503: dead after 1 + 2 attempts.
    let down = Receiver::start(Arc::new(|_| Reply::Status(503))).await;
    let (_dir, relay) = TestRelay::fresh_with(
        "fwd-retry",
        fast_config("50ms,50ms", Duration::from_secs(5)),
    )
    .await;
    add_destination(&*relay.ledger, "flaky", &flaky.url()).await;
    add_destination(&*relay.ledger, "down", &down.url()).await;
    assert_eq!(relay.post_gumroad_form(sale(1)).await.0, 200);
    let settled = wait_ledger(&*relay.ledger, Duration::from_secs(10), |m| {
        m.len() == 2
            && m.iter()
                .all(|m| m.status == "delivered" || m.status == "dead")
    })
    .await;
    let by = |d: &str| settled.iter().find(|m| m.destination == d).unwrap().clone();
    assert_eq!(
        (by("flaky").status.as_str(), by("flaky").attempts),
        ("delivered", 3)
    );
    let dead = by("down");
    assert_eq!((dead.status.as_str(), dead.attempts), ("dead", 3));
    assert_eq!(dead.last_status, Some(503));
    assert!(
        dead.last_error.as_deref().unwrap().starts_with("HTTP 503"),
        "{dead:?}"
    );
    assert_eq!(flaky.received().len(), 3);
    assert_eq!(down.received().len(), 3);
    let attempts: Vec<_> = relay
        .ledger
        .attempts(OutboxFilter {
            destination: Some("down".into()),
            ..OutboxFilter::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        attempts.iter().map(|a| a.status_code).collect::<Vec<_>>(),
        [Some(503), Some(503), Some(503)]
    );
    assert!(attempts[0].next_attempt_at.is_some() && attempts[2].next_attempt_at.is_none());
    // A dead letter is kept, and a replay sends its event again.
    let queued = relay
        .ledger
        .replay(Replay {
            events: ReplaySelection::Ids(vec![dead.event_id]),
            destination: Some("flaky".into()),
            now: timestamp(time::OffsetDateTime::now_utc()),
        })
        .await
        .unwrap();
    assert_eq!(queued, 1);
    flaky
        .wait_for(Duration::from_secs(5), |r| r.len() == 4)
        .await;
    assert_eq!(
        messages(&*relay.ledger, Some(DeliveryStatus::Dead))
            .await
            .len(),
        1
    );
    relay.stop().await;
}

#[tokio::test]
async fn a_410_disables_the_destination_and_its_messages_wait_for_it() {
    let gone = Receiver::start(Arc::new(|n| {
        if n == 0 {
            Reply::Status(410)
        } else {
            Reply::Status(200)
        }
    }))
    .await;
    let (_dir, relay) =
        TestRelay::fresh_with("fwd-410", fast_config("50ms", Duration::from_secs(5))).await;
    add_destination(&*relay.ledger, "gone", &gone.url()).await;
    assert_eq!(relay.post_gumroad_form(sale(7)).await.0, 200);
    gone.wait_for(Duration::from_secs(5), |r| r.len() == 1)
        .await;
    let deadline = Instant::now() + Duration::from_secs(5);
    let dest = loop {
        let d = relay.ledger.destinations().await.unwrap().remove(0);
        if !d.enabled || Instant::now() > deadline {
            break d;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(!dest.enabled);
    assert!(
        dest.disabled_reason.as_deref().unwrap().contains("410"),
        "{dest:?}"
    );
    // Events stored while it is disabled are not queued for it; the waiting
    // message is kept and goes out once it is enabled again.
    assert_eq!(relay.post_gumroad_form(sale(8)).await.0, 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(gone.received().len(), 1);
    let waiting = messages(&*relay.ledger, None).await;
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].status, "failed");
    relay
        .ledger
        .change_destination(
            "gone",
            DestinationChange::Enable,
            &timestamp(time::OffsetDateTime::now_utc()),
        )
        .await
        .unwrap();
    gone.wait_for(Duration::from_secs(5), |r| r.len() == 2)
        .await;
    wait_ledger(&*relay.ledger, Duration::from_secs(5), |m| {
        m.iter().all(|m| m.status == "delivered")
    })
    .await;
    relay.stop().await;
}

#[tokio::test]
async fn a_slow_destination_delays_neither_the_others_nor_the_intake() {
    let slow = Receiver::start(Arc::new(|_| Reply::Slow(200, Duration::from_secs(3)))).await;
    let fast = Receiver::ok().await;
    let (_dir, relay) =
        TestRelay::fresh_with("fwd-isolation", fast_config("1s", Duration::from_secs(10))).await;
    add_destination(&*relay.ledger, "slow", &slow.url()).await;
    add_destination(&*relay.ledger, "fast", &fast.url()).await;
    let started = Instant::now();
    let mut slowest_intake = Duration::ZERO;
    for n in 0..40 {
        let t = Instant::now();
        assert_eq!(relay.post_gumroad_form(sale(n)).await.0, 200);
        slowest_intake = slowest_intake.max(t.elapsed());
    }
    fast.wait_for(Duration::from_secs(5), |r| r.len() == 40)
        .await;
    let fast_done = started.elapsed();
    assert!(
        fast_done < Duration::from_secs(3),
        "the fast destination got everything in {fast_done:?}, while the slow one holds 16 requests"
    );
    assert!(
        slowest_intake < Duration::from_secs(1),
        "{slowest_intake:?}"
    );
    // The slow one has at most its 16 slots in flight, and gets everything too.
    slow.wait_for(Duration::from_secs(20), |r| r.len() == 40)
        .await;
    relay.stop().await;
}

#[tokio::test]
async fn a_rotated_secret_signs_with_both_until_the_old_one_expires() {
    let receiver = Receiver::ok().await;
    let (_dir, relay) = TestRelay::fresh("fwd-rotate").await;
    let old = add_destination(&*relay.ledger, "app", &receiver.url()).await;
    let new = sign::generate_secret().unwrap();
    let now = time::OffsetDateTime::now_utc();
    relay
        .ledger
        .change_destination(
            "app",
            DestinationChange::RotateSecret {
                secret: new.clone(),
                old_expires_at: timestamp(now + time::Duration::hours(24)),
            },
            &timestamp(now),
        )
        .await
        .unwrap();
    let d = relay.ledger.destinations().await.unwrap().remove(0);
    assert_eq!(d.previous_secrets.len(), 1, "{:?}", d.previous_secrets);
    assert_eq!(
        d.signing_secrets(&timestamp(time::OffsetDateTime::now_utc()))
            .len(),
        2
    );
    assert_eq!(relay.post_gumroad_form(sale(3)).await.0, 200);
    let got = receiver
        .wait_for(Duration::from_secs(5), |r| r.len() == 1)
        .await;
    let sig = got[0].header("webhook-signature");
    assert_eq!(sig.split(' ').count(), 2, "{sig}");
    got[0]
        .verify(new.expose())
        .expect("verifies with the new secret");
    got[0].verify(&old).expect("and with the old one");
    // (When the old secret expires it stops signing: `ledger::outbox` unit tests.)
    relay.stop().await;
}

#[tokio::test]
async fn destination_filters_and_removal_keep_every_message() {
    let receiver = Receiver::ok().await;
    let (_dir, relay) = TestRelay::fresh("fwd-filters").await;
    let written = relay
        .ledger
        .add_destination(NewDestination {
            name: "refunds".into(),
            url: receiver.url(),
            secret: Secret::new(sign::generate_secret().unwrap().expose()),
            provider: Some("gumroad".into()),
            kind: Some("refund".into()),
            now: timestamp(time::OffsetDateTime::now_utc()),
        })
        .await
        .unwrap();
    assert!(matches!(written, DestinationWrite::Done(Some(_))));
    let again = relay
        .ledger
        .add_destination(NewDestination {
            name: "refunds".into(),
            url: receiver.url(),
            secret: sign::generate_secret().unwrap(),
            provider: None,
            kind: None,
            now: timestamp(time::OffsetDateTime::now_utc()),
        })
        .await
        .unwrap();
    assert!(matches!(again, DestinationWrite::NameTaken));
    assert_eq!(relay.post_gumroad_form(sale(1)).await.0, 200);
    assert_eq!(relay.post_gumroad_form(refund(1)).await.0, 200);
    let got = receiver
        .wait_for(Duration::from_secs(5), |r| r.len() == 1)
        .await;
    assert_eq!(got[0].json()["type"], "refund");
    // Removing a destination with an undelivered message dead-letters it (kept).
    receiver.stop();
    assert_eq!(relay.post_gumroad_form(refund(2)).await.0, 200);
    let removed = relay
        .ledger
        .change_destination(
            "refunds",
            DestinationChange::Remove,
            &timestamp(time::OffsetDateTime::now_utc()),
        )
        .await
        .unwrap();
    assert!(matches!(removed, DestinationWrite::Done(None)));
    assert!(relay.ledger.destinations().await.unwrap().is_empty());
    let all = messages(&*relay.ledger, None).await;
    assert_eq!(all.len(), 2, "{all:#?}");
    assert!(
        all.iter().any(|m| m.status == "dead"
            && m.last_error.as_deref() == Some("the destination was removed"))
    );
    relay.stop().await;
}
