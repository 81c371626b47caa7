//! `/v2/sales` walked as day windows, against a stand-in that filters and
//! pages the way Gumroad does (`creator_testkit::sales_standin`).

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::Duration;

use creator_core::window::{WindowEvent, WindowOrder, Windowing};
use creator_core::{SaleQuery, Sales};
use futures::TryStreamExt;
use gumroad_api::SalesQuery;
use time::macros::date;
use wiremock::MockServer;

use creator_testkit::sales_standin::SalesStandIn;

use crate::common::client;

fn year() -> SalesQuery {
    SalesQuery::new()
        .after(date!(2025 - 01 - 01))
        .before(date!(2026 - 01 - 01))
}

#[tokio::test]
async fn windows_yield_every_sale_once_in_the_order_of_one_cursor() {
    let server = MockServer::start().await;
    let stand = SalesStandIn::year(3_000).mount(&server).await;
    let client = client(&server);
    let windows = Windowing::default().rate(None);
    let windowed: Vec<String> = client
        .sales()
        .list_windowed(&year(), &windows)
        .map_ok(|s| s.id)
        .try_collect()
        .await
        .unwrap();
    let sequential: Vec<String> = client
        .sales()
        .list(&year())
        .map_ok(|s| s.id)
        .try_collect()
        .await
        .unwrap();
    let expected: Vec<&str> = stand.ids().collect();
    assert_eq!(sequential, expected);
    assert_eq!(windowed, expected, "the same sales in the same order");
    // Every request carried whole-day filters inside the asked range.
    for request in server.received_requests().await.unwrap() {
        let q: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        let after = q
            .iter()
            .find(|(k, _)| k == "after")
            .map(|(_, v)| v.clone())
            .unwrap();
        let before = q
            .iter()
            .find(|(k, _)| k == "before")
            .map(|(_, v)| v.clone())
            .unwrap();
        assert!(after.as_str() >= "2025-01-01" && before.as_str() <= "2026-01-01");
        assert!(after < before, "{after}..{before}");
    }
}

#[tokio::test]
async fn as_completed_through_the_core_trait_yields_the_same_set() {
    let server = MockServer::start().await;
    let stand = SalesStandIn::year(2_000).mount(&server).await;
    let client = client(&server);
    let query = SaleQuery::new()
        .after(date!(2025 - 01 - 01))
        .before(date!(2026 - 01 - 01))
        .windowed(
            Windowing::default()
                .rate(None)
                .order(WindowOrder::AsCompleted),
        );
    let ids: Vec<String> = Sales::list_sales(&client, query)
        .map_ok(|s| s.id)
        .try_collect()
        .await
        .unwrap();
    let unique: HashSet<&str> = ids.iter().map(String::as_str).collect();
    assert_eq!(ids.len(), 2_000, "no sale twice");
    assert_eq!(
        unique,
        stand.ids().collect::<HashSet<_>>(),
        "no sale missing"
    );
}

#[tokio::test]
async fn a_429_slows_every_window_and_no_sale_is_lost() {
    let server = MockServer::start().await;
    // An edge cap below the default rate (8/s): the first requests over it
    // are refused, every window waits, the rate halves, all are sent again.
    let stand = SalesStandIn::year(300).cap(5).mount(&server).await;
    let client = client(&server);
    let windows = Windowing::default().concurrency(8);
    let ids: Vec<String> = client
        .sales()
        .list_windowed(&year(), &windows)
        .map_ok(|s| s.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, stand.ids().collect::<Vec<_>>());
    assert!(stand.refused.load(Ordering::Relaxed) > 0, "the cap was hit");
}

#[tokio::test]
async fn the_default_rate_stays_under_a_cap_of_ten_a_second() {
    let server = MockServer::start().await;
    let stand = SalesStandIn::year(300)
        .latency(Duration::from_millis(20))
        .cap(10)
        .mount(&server)
        .await;
    let client = client(&server);
    let ids: Vec<String> = client
        .sales()
        .list_windowed(&year(), &Windowing::default())
        .map_ok(|s| s.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids.len(), 300);
    assert_eq!(
        stand.refused.load(Ordering::Relaxed),
        0,
        "no 429 at the default rate"
    );
}

#[tokio::test]
async fn finished_windows_are_reported_and_skipped_on_resume() {
    let server = MockServer::start().await;
    let stand = SalesStandIn::year(1_000).mount(&server).await;
    let client = client(&server);
    let windows = Windowing::default().rate(None);
    let events: Vec<_> = client
        .sales()
        .list_windowed_events(&year(), &windows)
        .try_collect()
        .await
        .unwrap();
    let done: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            WindowEvent::Finished(w) => Some(*w),
            WindowEvent::Item(_) => None,
        })
        .collect();
    let served = stand.served.load(Ordering::Relaxed);
    let again: Vec<_> = client
        .sales()
        .list_windowed(&year(), &windows.clone().done(done))
        .try_collect()
        .await
        .unwrap();
    assert!(again.is_empty(), "every window was done");
    assert_eq!(
        stand.served.load(Ordering::Relaxed),
        served,
        "nothing fetched again"
    );
}
