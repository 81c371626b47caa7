//! The client-side rate limiter: on by default at Maton's 10 requests per
//! second, shared by every clone and every route of a client.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use creator_core::futures::future::BoxFuture;
use creator_core::http::RateLimiter;
use maton_gateway::{ListConnections, MatonClient};
use tokio::time::Instant;
use wiremock::{MockServer, ResponseTemplate};

use crate::common::*;

/// Asserts no one-second window starting at any call holds more than `limit` calls.
fn assert_at_most_per_second(times: &[Duration], limit: usize) {
    for (i, t) in times.iter().enumerate() {
        let in_window = times
            .iter()
            .filter(|u| **u >= *t && **u < *t + Duration::from_secs(1))
            .count();
        assert!(
            in_window <= limit,
            "the window starting at call {i} ({t:?}) holds {in_window} calls"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn default_limiter_holds_a_burst_of_50_calls_to_10_per_second_across_clones() {
    let maton = MatonClient::builder().api_key(KEY).build().unwrap();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..50 {
        // Half the calls go through clones: they must share the budget.
        let client = if i % 2 == 0 {
            maton.clone()
        } else {
            maton.clone().clone()
        };
        tasks.push(tokio::spawn(async move {
            let limiter = client.rate_limiter().expect("on by default").clone();
            limiter.acquire().await;
            Instant::now() - start
        }));
    }
    let mut times = Vec::new();
    for t in tasks {
        times.push(t.await.unwrap());
    }
    times.sort();
    assert_eq!(times.len(), 50);
    assert_at_most_per_second(&times, 10);
    assert_eq!(times[9], Duration::ZERO, "the first 10 go at once");
    assert_eq!(times[10], Duration::from_secs(1));
    assert_eq!(
        times[49],
        Duration::from_secs(4),
        "50 calls take 4 s, not less"
    );
}

#[test]
fn rate_limiter_none_turns_it_off() {
    let maton = MatonClient::builder()
        .api_key(KEY)
        .options(ClientOptions::new().rate_limiter(None))
        .build()
        .unwrap();
    assert!(maton.rate_limiter().is_none());
}

/// Counts acquisitions; lets everything through.
#[derive(Debug, Default)]
struct Counting(AtomicUsize);

impl RateLimiter for Counting {
    fn acquire(&self) -> BoxFuture<'_, ()> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(async {})
    }
}

#[tokio::test]
async fn every_attempt_on_every_route_and_clone_waits_on_the_one_limiter() {
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        "/connections",
        "maton/connections/list.json",
        200,
    )
    .await;
    serve(&server, "GET", "/gumroad/v2/user", "gumroad/user.json", 200).await;
    serve_raw(
        &server,
        "GET",
        "/slack/api/auth.test",
        ResponseTemplate::new(503).set_body_string("busy"),
    )
    .await;
    fallback(&server).await;

    let counting = Arc::new(Counting::default());
    let clock = clock();
    let maton = builder(&server, &clock)
        .options(options(&clock).rate_limiter(Some(counting.clone())))
        .build()
        .unwrap();
    let clone = maton.clone();
    maton
        .connections()
        .list(&ListConnections::new())
        .await
        .unwrap();
    clone.gumroad().user().get().await.unwrap();
    maton
        .gumroad_with_connection("other")
        .unwrap()
        .user()
        .get()
        .await
        .unwrap();
    // 3 attempts (two retries of the 503).
    clone
        .app("slack")
        .get("/api/auth.test")
        .send()
        .await
        .unwrap_err();
    assert_eq!(counting.0.load(Ordering::SeqCst), 6);
    assert_eq!(requests(&server).await.len(), 6);
}
