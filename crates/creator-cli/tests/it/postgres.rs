//! The PostgreSQL ledger against a real server, named by
//! `CREATOR_TEST_POSTGRES_URL` (for example
//! `postgres://postgres@127.0.0.1:5432/postgres`; `.ci/run` starts one and
//! sets it). Each test works in its own schema and drops it.
//!
//! Without the variable at build time (`build.rs` then leaves out
//! `--cfg creator_pg_tests`) the tests are still compiled, and reported as
//! ignored with the reason: a run without a server never counts them as
//! passed. Under `CI=true` a missing server is a failure
//! ([`ci_runs_the_postgres_tests`]).

use std::sync::Arc;

use creator_cli::commands::sync::{SyncOptions, sync_sales};
use creator_cli::ledger;
use creator_testkit::{FakeProvider, fake_sample};
use tokio_postgres::NoTls;

use crate::support::*;

const VAR: &str = "CREATOR_TEST_POSTGRES_URL";

/// A throwaway schema on the test server, dropped on [`Schema::drop_now`].
struct Schema {
    admin: tokio_postgres::Client,
    name: String,
    url: String,
}

impl Schema {
    async fn new(label: &str) -> Self {
        // As set now, else as it was when the tests were built (build.rs).
        let base = std::env::var(VAR)
            .ok()
            .or_else(|| option_env!("CREATOR_TEST_POSTGRES_URL").map(str::to_owned))
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| {
                panic!("{VAR} is not set: set it to postgres://user@127.0.0.1:5432/db")
            });
        Self::on(&base, label).await
    }

    /// A new schema on the server `base` names.
    async fn on(base: &str, label: &str) -> Self {
        let (admin, conn) = tokio_postgres::connect(base, NoTls)
            .await
            .unwrap_or_else(|e| panic!("{VAR} is set but the server is not reachable: {e}"));
        tokio::spawn(conn);
        let name = format!(
            "creator_it_{}_{}_{label}",
            std::process::id(),
            time::OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000
        );
        admin
            .batch_execute(&format!("CREATE SCHEMA {name}"))
            .await
            .expect("create schema");
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{name}");
        Self { admin, name, url }
    }

    async fn drop_now(self) {
        let _ = self
            .admin
            .batch_execute(&format!("DROP SCHEMA {} CASCADE", self.name))
            .await;
    }
}

/// A fresh schema on the server `base` (for the load benchmarks): its URL.
pub async fn fresh_schema_url(base: &str, label: &str) -> String {
    Schema::on(base, label).await.url
}

/// Drops the schema of a URL from [`fresh_schema_url`].
pub async fn drop_schema_url(url: &str) {
    let Some((base, name)) = url.rsplit_once("options=-c%20search_path%3D") else {
        return;
    };
    let base = base.trim_end_matches(['?', '&']);
    if let Ok((admin, conn)) = tokio_postgres::connect(base, NoTls).await {
        tokio::spawn(conn);
        let _ = admin
            .batch_execute(&format!("DROP SCHEMA {name} CASCADE"))
            .await;
    }
}

#[tokio::test]
#[cfg_attr(
    not(creator_pg_tests),
    ignore = "set CREATOR_TEST_POSTGRES_URL=postgres://… to run the PostgreSQL ledger tests (.ci/run starts a server)"
)]
async fn relay_on_postgres_stores_dedups_quarantines_and_survives_a_restart() {
    let schema = Schema::new("relay").await;
    let relay = TestRelay::start(&schema.url).await;
    assert_eq!(relay.ledger.backend(), "postgres");
    let body = fixture("gumroad/webhooks/sale.form");
    let (s1, a1) = relay.post_gumroad_form(body.clone()).await;
    let (s2, a2) = relay
        .post_gumroad_form(fixture("gumroad/webhooks/quirk_retry_count.form"))
        .await;
    assert_eq!((s1, s2), (200, 200));
    assert_eq!(
        (a1["status"].as_str(), a2["status"].as_str()),
        (Some("stored"), Some("duplicate"))
    );
    let (s3, _) = relay.post_wrong_gumroad_secret().await;
    assert_eq!(s3, 401);
    let mut big = body.clone();
    big.resize(100 * 1024, b'x');
    let (s4, _) = relay.post_gumroad_form(big).await;
    assert_eq!(s4, 413);
    let events = relay.events().await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].raw_body.as_ref(), &body[..]);
    assert_eq!(events[0].deliveries, 2);
    let q = relay.quarantined().await;
    assert_eq!(q.len(), 2);
    assert_eq!(
        (q[1].reason.as_str(), q[1].body_size),
        ("too_large", 100 * 1024)
    );
    relay.stop().await;

    let relay = TestRelay::start(&schema.url).await;
    let (_, again) = relay
        .post_gumroad_form(fixture("gumroad/webhooks/sale.form"))
        .await;
    assert_eq!(again["status"], "duplicate", "dedup survives a restart");
    let stats = relay.stats().await;
    assert_eq!(
        (stats.events, stats.deliveries, stats.quarantined),
        (1, 3, 2)
    );
    relay.stop().await;
    schema.drop_now().await;
}

#[tokio::test]
#[cfg_attr(
    not(creator_pg_tests),
    ignore = "set CREATOR_TEST_POSTGRES_URL=postgres://… to run the PostgreSQL ledger tests (.ci/run starts a server)"
)]
async fn two_relays_sharing_one_postgres_ledger_store_each_event_once() {
    let schema = Schema::new("shared").await;
    // Two relays starting together on an empty schema both migrate safely.
    let (a, b) = tokio::join!(TestRelay::start(&schema.url), TestRelay::start(&schema.url));
    let (a, b) = (Arc::new(a), Arc::new(b));
    let template = String::from_utf8(fixture("gumroad/webhooks/sale.form")).unwrap();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let body = template.replace(
            "sale_id=FO8TXN-dvxYabdavG97Y-Q%3D%3D",
            &format!("sale_id=shared{i:04}"),
        );
        for relay in [a.clone(), b.clone()] {
            let body = body.clone().into_bytes();
            tasks.push(tokio::spawn(
                async move { relay.post_gumroad_form(body).await },
            ));
        }
    }
    let mut stored = 0;
    for t in tasks {
        let (status, answer) = t.await.unwrap();
        assert_eq!(status, 200, "{answer}");
        stored += usize::from(answer["status"] == "stored");
    }
    assert_eq!(stored, 20);
    let stats = a.stats().await;
    assert_eq!((stats.events, stats.deliveries), (20, 40));
    for relay in [a, b] {
        let Ok(relay) = Arc::try_unwrap(relay) else {
            panic!("shared")
        };
        relay.stop().await;
    }
    schema.drop_now().await;
}

#[tokio::test]
#[cfg_attr(
    not(creator_pg_tests),
    ignore = "set CREATOR_TEST_POSTGRES_URL=postgres://… to run the PostgreSQL ledger tests (.ci/run starts a server)"
)]
async fn sync_and_creator_events_work_on_postgres() {
    let schema = Schema::new("sync").await;
    let ledger = ledger::open(&schema.url).await.unwrap();
    let shop = FakeProvider::sample();
    for _ in 0..2 {
        sync_sales(&*ledger, "fake", &shop, &SyncOptions::default())
            .await
            .unwrap();
    }
    assert_eq!(
        ledger.stats().await.unwrap().synced_sales,
        fake_sample::SALES as i64
    );
    ledger.close().await;

    let relay = TestRelay::start(&schema.url).await;
    relay
        .post_gumroad_form(fixture("gumroad/webhooks/sale.form"))
        .await;
    relay.stop().await;
    let mut cmd = creator();
    cmd.args(["events", "--db", &schema.url, "--format", "jsonl"]);
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 1);
    schema.drop_now().await;
}

/// CI (`CI=true`) must run the PostgreSQL ledger tests: when `.ci/run` could
/// not start a server, this fails instead of letting them show as ignored.
#[test]
fn ci_runs_the_postgres_tests() {
    let in_ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let built_with_a_server = cfg!(creator_pg_tests);
    assert!(
        !in_ci || built_with_a_server,
        "CI=true but {VAR} was not set when the tests were built, so the PostgreSQL ledger tests did not run: .ci/run starts a server and sets it (see its `postgres:` lines)"
    );
}

/// The intake's identity rule on PostgreSQL, where relays decide
/// concurrently: 50 copies of one delivery at once are one event, and the
/// distinct events about one subject are all kept.
#[tokio::test]
#[cfg_attr(
    not(creator_pg_tests),
    ignore = "set CREATOR_TEST_POSTGRES_URL=postgres://… to run the PostgreSQL ledger tests (.ci/run starts a server)"
)]
async fn on_postgres_fifty_concurrent_copies_are_one_event_and_distinct_events_are_kept() {
    let schema = Schema::new("intake").await;
    let relay = Arc::new(TestRelay::start(&schema.url).await);
    let body = fixture("gumroad/webhooks/sale.form");
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (relay, body) = (relay.clone(), body.clone());
            tokio::spawn(async move { relay.post_gumroad_form(body).await })
        })
        .collect();
    for t in tasks {
        let (status, answer) = t.await.unwrap();
        assert_eq!(status, 200, "{answer}");
    }
    let stats = relay.stats().await;
    assert_eq!((stats.events, stats.deliveries), (1, 50));
    // Its retries 1, 2, 3, then events that only share the subject.
    for n in 1..=3 {
        let mut retry = body.clone();
        retry.extend(format!("&retry_count={n}").bytes());
        let (_, answer) = relay.post_gumroad_form(retry).await;
        assert_eq!(answer["status"], "duplicate", "retry {n}");
    }
    let stats = relay.stats().await;
    assert_eq!((stats.events, stats.deliveries), (1, 53));
    for name in [
        "refund_partial.form",
        "ping.form",
        "cancellation.form",
        "subscription_restarted.form",
        "cancellation.form",
        "subscription_updated.form",
        "subscription_updated_downgrade.form",
    ] {
        let (status, answer) = relay
            .post_gumroad_form(fixture(&format!("gumroad/webhooks/{name}")))
            .await;
        assert_eq!(
            (status, answer["status"].as_str()),
            (200, Some("stored")),
            "{name}: {answer}"
        );
    }
    assert_eq!(relay.stats().await.events, 8);
    Arc::try_unwrap(relay).ok().expect("one owner").stop().await;
    schema.drop_now().await;
}

/// A PostgreSQL ledger of schema 2 with rows in it is migrated to 3: events
/// get their identity from their stored bodies, and a retry still finds them.
#[tokio::test]
#[cfg_attr(
    not(creator_pg_tests),
    ignore = "set CREATOR_TEST_POSTGRES_URL=postgres://… to run the PostgreSQL ledger tests (.ci/run starts a server)"
)]
async fn a_schema_2_postgres_ledger_is_migrated_with_its_rows() {
    let schema = Schema::new("migrate").await;
    let sql = |version: i64| -> String {
        // The released schema 1 and 2 statements, as the previous creator ran them.
        let text = include_str!("../../src/ledger/migrations.rs");
        let pg = &text[text.find("pub(crate) const POSTGRES").unwrap()..];
        let start = pg.find(&format!("version: {version},")).unwrap();
        let body = &pg[start..];
        let open = body.find("r#\"").unwrap() + 3;
        let close = body[open..].find("\"#").unwrap() + open;
        body[open..close].to_owned()
    };
    let (client, conn) = tokio_postgres::connect(&schema.url, NoTls).await.unwrap();
    tokio::spawn(conn);
    client
        .batch_execute(
            "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .await
        .unwrap();
    for v in [1i64, 2] {
        client.batch_execute(&sql(v)).await.unwrap();
        client
            .execute(
                "INSERT INTO schema_migrations VALUES ($1, 'released', '2025-01-01')",
                &[&v],
            )
            .await
            .unwrap();
    }
    let sale = fixture("gumroad/webhooks/sale.form");
    client
        .execute(
            "INSERT INTO events (dedup_key, endpoint, provider, kind, name, subject_id, test,
                verified, received_at, last_received_at, deliveries, content_type, headers,
                raw_body, event)
             VALUES ('gumroad:sale:FO8TXN-dvxYabdavG97Y-Q==', 'gumroad', 'gumroad', 'sale', 'sale',
                'FO8TXN-dvxYabdavG97Y-Q==', FALSE, 'url_token', '2025-03-14T10:21:09.000000Z',
                '2025-03-14T10:21:09.000000Z', 1, 'application/x-www-form-urlencoded', '{}', $1, '{}')",
            &[&sale],
        )
        .await
        .unwrap();
    // Read-only commands refuse to migrate it.
    let e = ledger::open_read_only(&schema.url).await.unwrap_err();
    assert!(e.to_string().contains("older"), "{e}");
    // Gumroad's retry comes minutes after the first attempt was stored.
    let clock = Arc::new(creator_core::ManualClock::new(
        std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_741_947_969),
    ));
    let config = creator_cli::relay::RelayConfig { clock, ..config() };
    let relay = TestRelay::start_with(&schema.url, endpoints(), config).await;
    let versions: Vec<i64> = client
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        versions,
        (1..=ledger::SCHEMA_VERSION).collect::<Vec<_>>(),
        "migrated through forwarding (4), the entitlement view (5) and reconcile (6)"
    );
    let events = relay.events().await;
    assert!(
        events[0]
            .identity
            .starts_with("gumroad:sale:FO8TXN-dvxYabdavG97Y-Q==:"),
        "{}",
        events[0].identity
    );
    let (_, answer) = relay
        .post_gumroad_form(fixture("gumroad/webhooks/quirk_retry_count.form"))
        .await;
    let after: Vec<_> = relay
        .events()
        .await
        .into_iter()
        .map(|e| (e.id, e.received_at, e.last_received_at, e.identity))
        .collect();
    assert_eq!(answer["status"], "duplicate", "{answer} {after:?}");
    assert_eq!(answer["id"], events[0].id);
    relay.stop().await;
    schema.drop_now().await;
}

/// Several relays on one PostgreSQL ledger deliver each message once at a
/// time, not once per relay: three relays take the intake round-robin and
/// all three forward to one slow receiver; every event arrives exactly once,
/// each subject's sale before its refund, and no message is ever attempted
/// by two relays.
#[tokio::test]
#[cfg_attr(
    not(creator_pg_tests),
    ignore = "set CREATOR_TEST_POSTGRES_URL=postgres://… to run the PostgreSQL ledger tests (.ci/run starts a server)"
)]
async fn three_relays_on_one_postgres_ledger_deliver_each_message_once() {
    use crate::forward::{add_destination, fast_config, refund, sale};
    use crate::receiver::{Receiver, Reply};
    use futures::TryStreamExt;

    let schema = Schema::new("fwdshared").await;
    let receiver = Receiver::start(Arc::new(|_| {
        Reply::Slow(200, std::time::Duration::from_millis(20))
    }))
    .await;
    let config = || fast_config("1s,1s", std::time::Duration::from_secs(5));
    let first = TestRelay::start_with(&schema.url, endpoints(), config()).await;
    let secret = add_destination(&*first.ledger, "app", &receiver.url()).await;
    let (second, third) = tokio::join!(
        TestRelay::start_with(&schema.url, endpoints(), config()),
        TestRelay::start_with(&schema.url, endpoints(), config())
    );
    let relays = [Arc::new(first), Arc::new(second), Arc::new(third)];
    const SUBJECTS: usize = 40;
    let mut tasks = Vec::new();
    for n in 0..SUBJECTS {
        let relay = relays[n % 3].clone();
        tasks.push(tokio::spawn(async move {
            let (s, a) = relay.post_gumroad_form(sale(n)).await;
            assert_eq!(s, 200, "{a}");
            let (s, a) = relay.post_gumroad_form(refund(n)).await;
            assert_eq!(s, 200, "{a}");
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    receiver
        .wait_for(std::time::Duration::from_secs(60), |got| {
            got.len() >= 2 * SUBJECTS
        })
        .await;
    // Let any second delivery arrive before counting.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let got = receiver.received();
    let mut per_id = std::collections::HashMap::<String, usize>::new();
    for r in &got {
        r.verify(&secret).expect("signed");
        *per_id.entry(r.id()).or_default() += 1;
    }
    assert_eq!(per_id.len(), 2 * SUBJECTS, "{per_id:?}");
    assert!(
        per_id.values().all(|&n| n == 1),
        "delivered twice: {per_id:?}"
    );
    let mut seen_sale = std::collections::HashSet::new();
    for r in &got {
        let body = r.json();
        let subject = body["data"]["subject_id"].as_str().unwrap().to_owned();
        match body["type"].as_str().unwrap() {
            "sale" => assert!(seen_sale.insert(subject)),
            "refund" => assert!(
                seen_sale.contains(&subject),
                "refund before sale: {subject}"
            ),
            other => panic!("{other}"),
        }
    }
    let attempts: Vec<ledger::AttemptRecord> = relays[0]
        .ledger
        .attempts(ledger::OutboxFilter::default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(attempts.len(), 2 * SUBJECTS, "one attempt per message");
    let owners: std::collections::HashSet<&str> =
        attempts.iter().map(|a| a.relay.as_str()).collect();
    println!(
        "three relays on one PostgreSQL ledger: {} messages, {} attempts, {} received, 0 twice, sent by {} relay(s)",
        2 * SUBJECTS,
        attempts.len(),
        got.len(),
        owners.len()
    );
    for relay in relays {
        let Ok(relay) = Arc::try_unwrap(relay) else {
            panic!("shared")
        };
        relay.stop().await;
    }
    receiver.stop();
    schema.drop_now().await;
}

/// On PostgreSQL the outbox worker writes on connections of its own: while
/// recording its attempts is stuck (another session holds
/// `delivery_attempts`), every delivery to the intake is still stored and
/// answered at once.
#[tokio::test]
#[cfg_attr(
    not(creator_pg_tests),
    ignore = "set CREATOR_TEST_POSTGRES_URL=postgres://… to run the PostgreSQL ledger tests (.ci/run starts a server)"
)]
async fn on_postgres_a_stuck_forwarder_never_holds_up_the_intake() {
    use std::time::{Duration, Instant};

    use crate::forward::{add_destination, fast_config, sale};
    use crate::receiver::Receiver;

    let schema = Schema::new("fwdstuck").await;
    let receiver = Receiver::ok().await;
    let relay = TestRelay::start_with(
        &schema.url,
        endpoints(),
        fast_config("1s", Duration::from_secs(5)),
    )
    .await;
    add_destination(&*relay.ledger, "app", &receiver.url()).await;
    let (locker, conn) = tokio_postgres::connect(&schema.url, NoTls).await.unwrap();
    tokio::spawn(conn);
    locker
        .batch_execute("BEGIN; LOCK TABLE delivery_attempts IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let (status, answer) = relay.post_gumroad_form(sale(0)).await;
    assert_eq!(status, 200, "{answer}");
    // Delivered, and now stuck recording the attempt.
    receiver
        .wait_for(Duration::from_secs(20), |got| !got.is_empty())
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    for n in 1..=16 {
        let started = Instant::now();
        let (status, answer) = relay.post_gumroad_form(sale(n)).await;
        assert_eq!(status, 200, "delivery {n}: {answer}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "delivery {n} waited {:?} behind the forwarder",
            started.elapsed()
        );
    }
    locker.batch_execute("COMMIT").await.unwrap();
    receiver
        .wait_for(Duration::from_secs(30), |got| got.len() >= 17)
        .await;
    relay.stop().await;
    receiver.stop();
    schema.drop_now().await;
}

/// The entitlement view on PostgreSQL, through every scenario.
#[tokio::test]
#[cfg_attr(
    not(creator_pg_tests),
    ignore = "set CREATOR_TEST_POSTGRES_URL=postgres://… to run the PostgreSQL ledger tests (.ci/run starts a server)"
)]
async fn the_postgres_entitlement_view_follows_every_scenario() {
    let schemas = std::sync::Mutex::new(Vec::new());
    crate::entitlements::scenarios(async |label: &str| {
        let schema = Schema::new(label).await;
        let url = schema.url.clone();
        schemas.lock().unwrap().push(schema);
        url
    })
    .await;
    let all: Vec<Schema> = std::mem::take(&mut *schemas.lock().unwrap());
    for s in all {
        s.drop_now().await;
    }
}

/// The PostgreSQL intake commits deliveries arriving together in shared
/// transactions (group commit), and still stores each event once: 24
/// distinct sales and a redelivery of each, all at once (48 connections,
/// within the relay's 64 per peer), are 24 events counting 48 deliveries,
/// written by fewer transactions than events.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(creator_pg_tests),
    ignore = "set CREATOR_TEST_POSTGRES_URL=postgres://… to run the PostgreSQL ledger tests (.ci/run starts a server)"
)]
async fn on_postgres_deliveries_arriving_together_share_a_commit_and_stay_distinct() {
    let schema = Schema::new("group").await;
    let relay = Arc::new(TestRelay::start(&schema.url).await);
    let template = String::from_utf8(fixture("gumroad/webhooks/sale.form")).unwrap();
    let mut tasks = Vec::new();
    for copy in 0..2 {
        for i in 0..24 {
            let body = template
                .replace(
                    "sale_id=FO8TXN-dvxYabdavG97Y-Q%3D%3D",
                    &format!("sale_id=group{i:04}"),
                )
                .into_bytes();
            let relay = relay.clone();
            tasks.push(tokio::spawn(async move {
                (copy, relay.post_gumroad_form(body).await)
            }));
        }
    }
    let mut stored = 0;
    for t in tasks {
        let (_, (status, answer)) = t.await.unwrap();
        assert_eq!(status, 200, "{answer}");
        stored += usize::from(answer["status"] == "stored");
    }
    assert_eq!(stored, 24, "each sale stored once");
    let stats = relay.stats().await;
    assert_eq!((stats.events, stats.deliveries), (24, 48));
    let row = schema
        .admin
        .query_one(
            &format!(
                "SELECT COUNT(*)::BIGINT, COUNT(DISTINCT tx)::BIGINT FROM {}.events",
                schema.name
            ),
            &[],
        )
        .await
        .unwrap();
    let (events, transactions): (i64, i64) = (row.get(0), row.get(1));
    assert_eq!(events, 24);
    assert!(
        transactions < events,
        "{events} events in {transactions} transactions: no delivery shared a commit"
    );
    Arc::try_unwrap(relay).ok().expect("one owner").stop().await;
    schema.drop_now().await;
}

/// Every delivery asks whether it claims a recovered event, through a
/// statement the intake prepares once per connection. PostgreSQL soon plans
/// such a statement once for any values (a generic plan), and that plan must
/// read only the recovered, unclaimed events: with `(provider, subject_id)`
/// indexed alone it walked `events_provider_id`, all of a provider's events,
/// for every delivery (the load test fell from 3,000 to 750 deliveries/s).
#[tokio::test]
#[cfg_attr(
    not(creator_pg_tests),
    ignore = "set CREATOR_TEST_POSTGRES_URL=postgres://… to run the PostgreSQL ledger tests (.ci/run starts a server)"
)]
async fn on_postgres_the_claim_every_delivery_asks_reads_only_unclaimed_events_in_any_plan() {
    let schema = Schema::new("claim_plan").await;
    ledger::open(&schema.url).await.unwrap().close().await;
    schema
        .admin
        .batch_execute(&format!(
            "SET search_path = {}; SET plan_cache_mode = force_generic_plan;
             PREPARE claim AS {}",
            schema.name,
            ledger::reconcile::CLAIM
        ))
        .await
        .unwrap();
    let plan: Vec<String> = schema
        .admin
        .simple_query("EXPLAIN EXECUTE claim('i', 'f', 'now', 'gumroad', 's', 'sale', false)")
        .await
        .unwrap()
        .into_iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
            _ => None,
        })
        .collect();
    assert!(
        plan.iter().any(|step| step.contains("events_unclaimed")),
        "{plan:#?}"
    );
    assert!(
        !plan.iter().any(|step| step.contains("events_provider_id")),
        "walks the provider's events: {plan:#?}"
    );
    schema.drop_now().await;
}

/// The forwarder claims a destination's oldest undelivered messages, each
/// the first of its subject. On an outbox that grew since its last
/// `ANALYZE` (a backlog builds in seconds; autovacuum analyzes a minute
/// later at best), PostgreSQL planned the old "no lower undelivered id of
/// this subject" as an anti-join comparing every pending message with every
/// other: 1.7 million buffer reads and over a second for one claim at 3,000
/// pending, 97 events/s forwarded in the benchmark. A claim now reads a
/// few pages whatever the statistics say.
#[tokio::test]
#[cfg_attr(
    not(creator_pg_tests),
    ignore = "set CREATOR_TEST_POSTGRES_URL=postgres://… to run the PostgreSQL ledger tests (.ci/run starts a server)"
)]
async fn on_postgres_a_claim_on_a_fresh_backlog_reads_a_few_pages_not_the_whole_outbox() {
    let schema = Schema::new("forward_claim").await;
    ledger::open(&schema.url).await.unwrap().close().await;
    let admin = &schema.admin;
    admin
        .batch_execute(&format!(
            "SET search_path = {};
             INSERT INTO destinations (name, url, secret, created_at, updated_at)
                VALUES ('app', 'http://127.0.0.1:9/hook', 'whsec_x', 't', 't');
             INSERT INTO events (identity, dedup_key, raw_body, test, provider, kind, name,
                    subject_id, verified, received_at, last_received_at, headers, event, endpoint)
                SELECT 'i' || g, 'k' || g, ''::bytea, false, 'gumroad', 'sale', 'sale',
                    's' || g, 'url_token', 't', 't', '{{}}', '{{}}', 'gumroad'
                FROM generate_series(1, 3000) g;
             INSERT INTO outbox (event_id, destination_id, subject, status, created_at, next_attempt_at)
                SELECT e.id, d.id, 'gumroad:' || e.subject_id,
                    CASE WHEN e.id % 15 = 0 THEN 'delivered' ELSE 'pending' END, 't', '2026-01-01'
                FROM events e, destinations d;
             PREPARE claim AS {}",
            schema.name,
            ledger::CLAIM_POSTGRES
        ))
        .await
        .unwrap();
    let destination: i64 = admin
        .query_one("SELECT id FROM destinations", &[])
        .await
        .unwrap()
        .get(0);
    admin.batch_execute("BEGIN").await.unwrap();
    let plan = admin
        .simple_query(&format!(
            "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)
             EXECUTE claim('relay', '2099-01-01', {destination}, '2026-12-02T00:00:00Z', 1)"
        ))
        .await
        .unwrap()
        .into_iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_owned),
            _ => None,
        })
        .unwrap();
    admin.batch_execute("ROLLBACK").await.unwrap();
    let plan: serde_json::Value = serde_json::from_str(&plan).unwrap();
    let top = &plan[0]["Plan"];
    assert_eq!(top["Actual Rows"], 1, "one message claimed: {top:#}");
    let pages =
        top["Shared Hit Blocks"].as_u64().unwrap() + top["Shared Read Blocks"].as_u64().unwrap();
    assert!(pages < 200, "{pages} pages read for one claim: {top:#}");
    schema.drop_now().await;
}

#[tokio::test]
#[cfg_attr(
    not(creator_pg_tests),
    ignore = "set CREATOR_TEST_POSTGRES_URL=postgres://… to run the PostgreSQL ledger tests (.ci/run starts a server)"
)]
async fn the_console_queries_hold_on_postgres() {
    let schema = Schema::new("console").await;
    crate::console::console_queries_hold_on(&schema.url).await;
    schema.drop_now().await;
}

/// On PostgreSQL too, `creator sync` enters its sales in the entitlement
/// view, and a rebuild fills an emptied view again from the stored events
/// and synced records.
#[tokio::test]
#[cfg_attr(
    not(creator_pg_tests),
    ignore = "set CREATOR_TEST_POSTGRES_URL=postgres://… to run the PostgreSQL ledger tests (.ci/run starts a server)"
)]
async fn on_postgres_sync_enters_the_view_and_a_rebuild_refills_it() {
    use creator_cli::ledger::entitlements::{Lookup, Who};
    use creator_core::AccessReason;

    let schema = Schema::new("view").await;
    let ledger = ledger::open(&schema.url).await.unwrap();
    let shop = FakeProvider::sample();
    sync_sales(&*ledger, "fake", &shop, &SyncOptions::default())
        .await
        .unwrap();
    ledger.close().await;
    let relay = TestRelay::start(&schema.url).await;
    relay
        .post_gumroad_form(fixture("gumroad/webhooks/sale.form"))
        .await;
    let lookups = [
        // sale_010: its buyer's only sale of the product (synced).
        ("prod_membership", "buyer0@example.com"),
        // The delivered ping.
        (crate::entitlements::PRODUCT, crate::entitlements::BUYER),
    ];
    let check = async |ledger: &dyn ledger::Ledger| {
        let mut reasons = Vec::new();
        for (product, email) in lookups {
            let v = ledger
                .access(
                    Lookup {
                        product_id: product.into(),
                        who: Who::Email(email.into()),
                        provider: None,
                    },
                    time::OffsetDateTime::now_utc(),
                )
                .await
                .unwrap();
            reasons.push(v.reason);
        }
        reasons
    };
    let granted = [
        AccessReason::LifetimePurchase,
        AccessReason::LifetimePurchase,
    ];
    assert_eq!(check(&*relay.ledger).await, granted);
    schema
        .admin
        .batch_execute(&format!("DELETE FROM {}.entitlements", schema.name))
        .await
        .unwrap();
    assert_eq!(
        check(&*relay.ledger).await,
        [AccessReason::NotFound, AccessReason::NotFound]
    );
    assert!(relay.ledger.rebuild_entitlements().await.unwrap() >= 2);
    assert_eq!(check(&*relay.ledger).await, granted);
    relay.stop().await;
    schema.drop_now().await;
}

/// On PostgreSQL too, a subscriber a complete sync no longer lists loses access.
#[tokio::test]
#[cfg_attr(
    not(creator_pg_tests),
    ignore = "set CREATOR_TEST_POSTGRES_URL=postgres://… to run the PostgreSQL ledger tests (.ci/run starts a server)"
)]
async fn on_postgres_subscribers_a_sync_no_longer_lists_lose_access() {
    let schema = Schema::new("sync_ended").await;
    crate::sync::unlisted_subscribers_lose_access_on(&schema.url).await;
    schema.drop_now().await;
}

/// A reconcile run hands its recovered events to the ledger together, so
/// they share the intake's group commits: 50 missed sales are stored in
/// fewer transactions than events (one at a time, each was its own commit).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(creator_pg_tests),
    ignore = "set CREATOR_TEST_POSTGRES_URL=postgres://… to run the PostgreSQL ledger tests (.ci/run starts a server)"
)]
async fn on_postgres_a_reconcile_run_stores_its_recovered_events_in_shared_commits() {
    use creator_cli::commands::reconcile::reconcile;
    let schema = Schema::new("reconcile_batch").await;
    let ledger = ledger::open(&schema.url).await.unwrap();
    let sales = (0..50)
        .map(|i| {
            crate::reconcile::api_sale(
                &format!("bWlzc2VkLXNhbGUt{i:04}"),
                &format!("buyer{i}@example.com"),
                serde_json::json!({}),
            )
        })
        .collect();
    let server = crate::reconcile::gumroad(sales, vec![]).await;
    let source = crate::reconcile::source(&server);
    let report = reconcile(&*ledger, &source, &crate::reconcile::options("relay"))
        .await
        .unwrap();
    assert_eq!(report.missing(), 50);
    let row = schema
        .admin
        .query_one(
            &format!(
                "SELECT COUNT(*)::BIGINT, COUNT(DISTINCT tx)::BIGINT FROM {}.events
                 WHERE recovered_from IS NOT NULL",
                schema.name
            ),
            &[],
        )
        .await
        .unwrap();
    let (events, transactions): (i64, i64) = (row.get(0), row.get(1));
    assert_eq!(events, 50);
    assert!(
        transactions < events / 2,
        "{events} recovered events in {transactions} transactions"
    );
    ledger.close().await;
    schema.drop_now().await;
}

/// Two relays' reconcile runs on one PostgreSQL ledger at once: one holds
/// the lease and runs, the other is turned away; each event is stored once.
#[tokio::test]
#[cfg_attr(
    not(creator_pg_tests),
    ignore = "set CREATOR_TEST_POSTGRES_URL=postgres://… to run the PostgreSQL ledger tests (.ci/run starts a server)"
)]
async fn two_relays_on_one_postgres_ledger_reconcile_one_at_a_time() {
    use creator_cli::commands::reconcile::{ReconcileError, reconcile};
    use std::time::Duration;
    let schema = Schema::new("reconcile").await;
    let (a, b) = tokio::join!(ledger::open(&schema.url), ledger::open(&schema.url));
    let (a, b) = (a.unwrap(), b.unwrap());
    // Slow pages, so the two runs overlap.
    let server = crate::reconcile::shop_answering_after(Duration::from_millis(400)).await;
    let source = crate::reconcile::source(&server);
    let (oa, ob) = (
        crate::reconcile::options("relay-a"),
        crate::reconcile::options("relay-b"),
    );
    let (ra, rb) = tokio::join!(reconcile(&*a, &source, &oa), async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        reconcile(&*b, &source, &ob).await
    });
    let busy = [&ra, &rb]
        .iter()
        .filter(|r| matches!(r, Err(ReconcileError::Busy { .. })))
        .count();
    let ran: Vec<_> = [ra, rb].into_iter().filter_map(Result::ok).collect();
    assert_eq!((ran.len(), busy), (1, 1));
    assert_eq!(ran[0].missing(), 7);
    assert_eq!(crate::reconcile::events(&*a).await.len(), 7);
    // The lease is free again: the other relay's next run finds it all stored.
    let next = reconcile(&*b, &source, &ob).await.unwrap();
    assert_eq!(next.missing(), 0);
    let state = b.reconcile_state("gumroad").await.unwrap().unwrap();
    assert_eq!(state.runs, 2);
    a.close().await;
    b.close().await;
    schema.drop_now().await;
}
