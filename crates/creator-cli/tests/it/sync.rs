//! `creator sync`: idempotent, resumable backfill, tested through the
//! library with the testkit's FakeProvider and through the binary against a
//! wiremock Gumroad.

use std::sync::Mutex;
use std::time::Duration;

use creator_cli::commands::sync::{SyncOptions, sync_sales, sync_subscribers};
use creator_cli::ledger;
use creator_core::futures::stream::{self, BoxStream, StreamExt};
use creator_core::{Error, Provider, Result, Sale, SaleQuery, Sales, async_trait};
use creator_testkit::{FakeProvider, MockServerExt, fake_sample, mount_fallback};
use time::macros::date;
use wiremock::MockServer;

use crate::support::*;

/// The fake shop's sales, failing after `fail_after` items (a dropped
/// connection halfway through a backfill), recording every query.
struct Flaky {
    inner: FakeProvider,
    fail_after: Option<usize>,
    queries: Mutex<Vec<SaleQuery>>,
}

impl Flaky {
    fn new(fail_after: Option<usize>) -> Self {
        Self {
            inner: FakeProvider::sample(),
            fail_after,
            queries: Mutex::new(Vec::new()),
        }
    }
}

#[async_trait]
impl Sales for Flaky {
    fn provider(&self) -> Provider {
        Sales::provider(&self.inner)
    }

    fn list_sales(&self, query: SaleQuery) -> BoxStream<'_, Result<Sale>> {
        self.queries.lock().unwrap().push(query.clone());
        let all = self.inner.list_sales(query);
        match self.fail_after {
            None => all,
            Some(n) => all
                .take(n)
                .chain(stream::once(async {
                    Err(Error::Timeout {
                        provider: Provider::Other("fake"),
                        after: Duration::from_secs(30),
                        attempts: 3,
                    })
                }))
                .boxed(),
        }
    }

    async fn sale(&self, id: &str) -> Result<Sale> {
        self.inner.sale(id).await
    }
}

#[tokio::test]
async fn sales_backfill_is_idempotent_and_the_next_run_reads_only_new_days() {
    let dir = TempDir::new("sync-idem");
    let ledger = ledger::open(dir.db().to_str().unwrap()).await.unwrap();
    let shop = Flaky::new(None);
    let options = SyncOptions::default();

    let first = sync_sales(&*ledger, "fake", &shop, &options).await.unwrap();
    assert_eq!(first.mode, "fresh");
    assert_eq!(first.written, fake_sample::SALES as u64);
    assert_eq!(first.state.status, "complete");
    assert_eq!(first.state.newest_day.as_deref(), Some("2025-03-01"));
    assert_eq!(ledger.stats().await.unwrap().synced_sales, 25);

    let second = sync_sales(&*ledger, "fake", &shop, &options).await.unwrap();
    assert_eq!(second.mode, "incremental");
    assert_eq!(second.written, 1, "only the newest day is read again");
    assert_eq!(
        shop.queries.lock().unwrap()[1].range.after,
        Some(date!(2025 - 03 - 01))
    );
    assert_eq!(
        ledger.stats().await.unwrap().synced_sales,
        25,
        "no duplicates"
    );

    let full = sync_sales(
        &*ledger,
        "fake",
        &shop,
        &SyncOptions {
            full: true,
            ..SyncOptions::default()
        },
    )
    .await
    .unwrap();
    assert_eq!((full.mode.as_str(), full.written), ("full", 25));
    assert_eq!(ledger.stats().await.unwrap().synced_sales, 25);
    ledger.close().await;
}

#[tokio::test]
async fn an_interrupted_sales_backfill_resumes_from_its_saved_cursor() {
    let dir = TempDir::new("sync-resume");
    let db = dir.db();
    let ledger = ledger::open(db.to_str().unwrap()).await.unwrap();
    let options = SyncOptions::default();

    // Sales are newest first, one per day from 2025-03-01 backwards; the
    // connection drops after 10 of them (down to 2025-02-20).
    let flaky = Flaky::new(Some(10));
    let err = sync_sales(&*ledger, "fake", &flaky, &options)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("did not answer"), "{err}");
    let saved = ledger.sync_state("fake", "sales").await.unwrap().unwrap();
    assert_eq!(saved.status, "running");
    assert_eq!(saved.items, 10);
    assert_eq!(saved.resume_before.as_deref(), Some("2025-02-21"));
    assert_eq!(
        ledger.stats().await.unwrap().synced_sales,
        10,
        "what was read is kept"
    );
    ledger.close().await;

    // A later run (another process: the ledger is reopened) resumes.
    let ledger = ledger::open(db.to_str().unwrap()).await.unwrap();
    let healthy = Flaky::new(None);
    let report = sync_sales(&*ledger, "fake", &healthy, &options)
        .await
        .unwrap();
    assert_eq!(report.mode, "resumed");
    assert_eq!(
        healthy.queries.lock().unwrap()[0].range.before,
        Some(date!(2025 - 02 - 21)),
        "only days not completed are read again"
    );
    assert_eq!(report.written, 16, "2025-02-20 and older");
    assert_eq!(report.state.status, "complete");
    assert_eq!(report.state.newest_day.as_deref(), Some("2025-03-01"));
    assert_eq!(ledger.stats().await.unwrap().synced_sales, 25);
    ledger.close().await;
}

#[tokio::test]
async fn subscribers_backfill_upserts() {
    let dir = TempDir::new("sync-subs");
    let ledger = ledger::open(dir.db().to_str().unwrap()).await.unwrap();
    let shop = FakeProvider::sample();
    for expected_mode in ["fresh", "incremental"] {
        let r = sync_subscribers(&*ledger, "fake", &shop, &SyncOptions::default())
            .await
            .unwrap();
        assert_eq!(r.mode, expected_mode);
        assert_eq!(r.written, fake_sample::SUBSCRIBERS as u64);
    }
    assert_eq!(
        ledger.stats().await.unwrap().synced_subscribers,
        fake_sample::SUBSCRIBERS as i64
    );
    ledger.close().await;
}

#[tokio::test]
async fn sync_binary_backfills_gumroad_sales_twice_without_duplicates() {
    let server = MockServer::start().await;
    mount_gumroad_sales_pages(&server).await;
    mount_fallback(&server).await;
    let dir = TempDir::new("sync-bin");
    let db = dir.db();
    for round in 0..2 {
        let mut cmd = creator();
        cmd.args([
            "sync",
            "--provider",
            "gumroad",
            "--only",
            "sales",
            "--db",
            db.to_str().unwrap(),
            // These mocks serve the recorded pages by cursor alone, without
            // the day filters day windows rely on: one cursor here (the
            // windows have their own tests against a filtering stand-in).
            "--concurrency",
            "1",
        ])
        .env("GUMROAD_ACCESS_TOKEN", "gumroad-token-for-tests-123")
        .env("GUMROAD_API_URL", server.uri());
        let out = run(cmd).await;
        assert!(out.status.success(), "round {round}: {}", stderr(&out));
        let expected = if round == 0 {
            "fresh run"
        } else {
            "incremental run"
        };
        assert!(stdout(&out).contains(expected), "{}", stdout(&out));
    }
    let requests = server.recorded().await;
    // Round two asks only for sales since the newest day already synced.
    assert_eq!(
        requests.last().unwrap().query_value("after"),
        Some("2025-03-12")
    );
    let ledger = ledger::open(db.to_str().unwrap()).await.unwrap();
    assert_eq!(ledger.stats().await.unwrap().synced_sales, 5);
    ledger.close().await;
}

#[tokio::test]
async fn a_page_capped_sales_run_stays_resumable_and_the_next_run_finishes_it() {
    let dir = TempDir::new("sync-capped");
    let ledger = ledger::open(dir.db().to_str().unwrap()).await.unwrap();
    let shop = Flaky::new(None);
    // The fake serves 4 sales per page.
    let capped = SyncOptions {
        max_pages: Some(1),
        ..SyncOptions::default()
    };
    let first = sync_sales(&*ledger, "fake", &shop, &capped).await.unwrap();
    assert_eq!(first.written, 4);
    assert_eq!(
        first.state.status, "running",
        "a capped run is not complete"
    );
    assert_eq!(first.state.resume_before.as_deref(), Some("2025-02-27"));
    let second = sync_sales(&*ledger, "fake", &shop, &SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(second.mode, "resumed");
    assert_eq!(second.state.status, "complete");
    assert_eq!(ledger.stats().await.unwrap().synced_sales, 25);
    ledger.close().await;
}

/// A platform whose subscriber list is what the test says (Gumroad lists
/// only active subscriptions: one that ended just stops being listed).
struct ActiveOnly(Mutex<Vec<creator_core::Subscriber>>);

#[async_trait]
impl creator_core::Subscribers for ActiveOnly {
    fn provider(&self) -> Provider {
        Provider::Gumroad
    }

    fn list_subscribers(
        &self,
        _query: creator_core::SubscriberQuery,
    ) -> BoxStream<'_, Result<creator_core::Subscriber>> {
        let now: Vec<_> = self.0.lock().unwrap().iter().cloned().map(Ok).collect();
        stream::iter(now).boxed()
    }

    async fn subscription_status(&self, _id: &str) -> Result<creator_core::SubscriptionStatus> {
        Ok(creator_core::SubscriptionStatus::Active)
    }
}

/// A subscriber a complete Gumroad sync no longer lists has ended, and the
/// entitlement view says so: `GET /v1/access` and `creator access check`
/// stop granting it, and a rebuild keeps that answer. Run on SQLite here and
/// on PostgreSQL by `postgres::on_postgres_subscribers_a_sync_no_longer_lists_lose_access`.
pub(crate) async fn unlisted_subscribers_lose_access_on(db: &str) {
    use creator_cli::ledger::entitlements::{Lookup, Who};
    use creator_core::{AccessReason, Subscriber, SubscriptionStatus};
    let ledger = ledger::open(db).await.unwrap();
    let sub = |id: &str| {
        let mut s = Subscriber::new(Provider::Gumroad, id, SubscriptionStatus::Active);
        s.product_id = Some("prod_club".into());
        s.customer.email = Some(format!("{}@example.com", id.to_lowercase()));
        s
    };
    let shop = ActiveOnly(Mutex::new(vec![sub("S-1"), sub("S-2")]));
    let options = SyncOptions {
        ends_unlisted_of: Some("gumroad".into()),
        ..SyncOptions::default()
    };
    let reasons = async |ledger: &dyn ledger::Ledger| {
        let mut out = Vec::new();
        for email in ["s-1@example.com", "s-2@example.com"] {
            let lookup = Lookup {
                product_id: "prod_club".into(),
                who: Who::Email(email.into()),
                provider: None,
            };
            let v = ledger
                .access(lookup, time::OffsetDateTime::now_utc())
                .await
                .unwrap();
            out.push((v.granted, v.reason));
        }
        out
    };
    sync_subscribers(&*ledger, "gumroad", &shop, &options)
        .await
        .unwrap();
    let active = (true, AccessReason::ActiveSubscription);
    assert_eq!(reasons(&*ledger).await, [active, active]);
    shop.0.lock().unwrap().retain(|s| s.id == "S-1");
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    sync_subscribers(&*ledger, "gumroad", &shop, &options)
        .await
        .unwrap();
    let ended = [active, (false, AccessReason::SubscriptionEnded)];
    assert_eq!(reasons(&*ledger).await, ended);
    ledger.rebuild_entitlements().await.unwrap();
    assert_eq!(reasons(&*ledger).await, ended);
    ledger.close().await;
}

#[tokio::test]
async fn gumroad_subscribers_a_complete_sync_no_longer_lists_lose_access() {
    let dir = TempDir::new("sync-ended-view");
    unlisted_subscribers_lose_access_on(dir.db().to_str().unwrap()).await;
}

#[tokio::test]
async fn gumroad_subscribers_that_leave_the_active_list_are_marked_ended() {
    use creator_core::{Subscriber, SubscriptionStatus};
    let dir = TempDir::new("sync-ended");
    let ledger = ledger::open(dir.db().to_str().unwrap()).await.unwrap();
    let sub = |id: &str| Subscriber::new(Provider::Gumroad, id, SubscriptionStatus::Active);
    let shop = ActiveOnly(Mutex::new(vec![sub("S-1"), sub("S-2")]));
    let options = SyncOptions {
        ends_unlisted_of: Some("gumroad".into()),
        ..SyncOptions::default()
    };
    sync_subscribers(&*ledger, "gumroad", &shop, &options)
        .await
        .unwrap();
    // S-2 ended (or was refunded): Gumroad no longer lists it.
    shop.0.lock().unwrap().retain(|s| s.id == "S-1");
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    sync_subscribers(&*ledger, "gumroad", &shop, &options)
        .await
        .unwrap();
    ledger.close().await;
    let statuses: Vec<(String, String)> = rusqlite::Connection::open(dir.db())
        .unwrap()
        .prepare("SELECT id, status FROM synced_subscribers ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<std::result::Result<_, _>>()
        .unwrap();
    assert_eq!(
        statuses,
        [
            ("S-1".into(), "active".into()),
            ("S-2".into(), "ended".into())
        ]
    );

    // A run cut short by --max-pages saw only part of the list: nobody is ended.
    let dir = TempDir::new("sync-ended-capped");
    let ledger = ledger::open(dir.db().to_str().unwrap()).await.unwrap();
    shop.0.lock().unwrap().push(sub("S-3"));
    sync_subscribers(&*ledger, "gumroad", &shop, &options)
        .await
        .unwrap();
    shop.0.lock().unwrap().clear();
    let capped = SyncOptions {
        max_pages: Some(1),
        ..options.clone()
    };
    sync_subscribers(&*ledger, "gumroad", &shop, &capped)
        .await
        .unwrap();
    let stats_ended: i64 = {
        ledger.close().await;
        rusqlite::Connection::open(dir.db())
            .unwrap()
            .query_row(
                "SELECT COUNT(*) FROM synced_subscribers WHERE status = 'ended'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(stats_ended, 0);
}

#[tokio::test]
async fn sync_binary_with_day_windows_stores_every_sale_once_and_resumes_incrementally() {
    // A stand-in that filters by day like Gumroad (the windows rely on it).
    let server = MockServer::start().await;
    creator_testkit::gumroad::mount_sales(&server, "").await;
    mount_fallback(&server).await;
    let dir = TempDir::new("sync-windows");
    let db = dir.db();
    for round in 0..2 {
        let mut cmd = creator();
        cmd.args(["sync", "--provider", "gumroad", "--only", "sales"])
            .args([
                "--db",
                db.to_str().unwrap(),
                "--concurrency",
                "4",
                "--rate",
                "100",
            ])
            .env("GUMROAD_ACCESS_TOKEN", "gumroad-token-for-tests-123")
            .env("GUMROAD_API_URL", server.uri());
        let out = run(cmd).await;
        assert!(out.status.success(), "round {round}: {}", stderr(&out));
    }
    let requests = server.recorded().await;
    // The first run walked several day windows at once.
    let windows: std::collections::HashSet<_> = requests
        .iter()
        .filter_map(|r| r.query_value("after").zip(r.query_value("before")))
        .collect();
    assert!(windows.len() >= 4, "{windows:?}");
    let ledger = ledger::open(db.to_str().unwrap()).await.unwrap();
    let expected = creator_testkit::gumroad::SalesServer::from_fixtures()
        .sales
        .len() as i64;
    assert_eq!(ledger.stats().await.unwrap().synced_sales, expected);
    ledger.close().await;
}
