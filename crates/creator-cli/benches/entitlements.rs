//! The entitlement view: what it adds to storing an event, and how fast it
//! answers. Not a test; figures go into docs/performance.md.
//!
//! `cargo bench -p creator-cli --bench entitlements` on an SQLite ledger in
//! the temp directory:
//! - store: events written 64 at a time (the relay's group commit), first of
//!   a kind the view ignores, then sales and refunds that each upsert a row;
//!   the difference per event is the view's update cost;
//! - the view's own update cost, without the commit's `fsync` around it:
//!   `Ledger::rebuild_entitlements` runs the view's update for every stored
//!   event in one transaction; once over the 4,000 ignored events only (the
//!   reading of the rows, which the intake does not pay, plus the parse that
//!   finds nothing to enter), once over all 12,000; the difference per
//!   sale/refund event is what entering an event in the view costs;
//! - lookup: `Ledger::access` by email and by license key over the stored
//!   sales, one at a time, as `GET /v1/access` calls it.
//!
//! The events are built in the shape the relay stores for a Gumroad sale
//! ping (`fixtures/gumroad/webhooks/sale.form` as the raw body, with the
//! sale id, email and license key varied per event).

use std::time::Instant;

use bytes::Bytes;
use creator_cli::ledger::entitlements::{Lookup, Who};
use creator_cli::ledger::{self, NewEvent};
use futures::future::join_all;

const EVENTS: usize = 4_000;
const BATCH: usize = 64;
const LOOKUPS: usize = 20_000;

fn event(i: usize, kind: &str) -> NewEvent {
    let sale = format!("bench-sale-{i}");
    let email = format!("buyer{i}@example.com");
    let key = format!("{i:08X}-C11D4B06-A2335A6B-8C079166");
    let body = format!(
        "sale_id={sale}&product_id=prod_bench&email={email}&license_key={key}&refunded={}",
        kind == "refund"
    );
    let json = serde_json::json!({
        "provider": "gumroad", "kind": kind, "name": kind, "subject_id": sale,
        "sale": {"id": sale, "product_id": "prod_bench", "customer": {"email": email},
                 "created_at": "2025-03-14T10:21:07Z", "refunded": kind == "refund"},
    });
    NewEvent {
        identity: format!("gumroad:{kind}:{sale}"),
        fingerprint: None,
        retry: None,
        endpoint: "gumroad".into(),
        provider: "gumroad".into(),
        kind: kind.into(),
        name: kind.into(),
        subject_id: sale,
        occurred_at: None,
        test: false,
        verified: "url_token".into(),
        received_at: ledger::timestamp(time::OffsetDateTime::now_utc()),
        content_type: Some("application/x-www-form-urlencoded".into()),
        headers: "{}".into(),
        raw_body: Bytes::from(body),
        event: json.to_string(),
        field_errors: "[]".into(),
        recovered_from: None,
    }
}

async fn store(ledger: &dyn ledger::Ledger, kind: &str) -> f64 {
    let start = Instant::now();
    for chunk in (0..EVENTS).collect::<Vec<_>>().chunks(BATCH) {
        let writes = chunk.iter().map(|i| ledger.record_event(event(*i, kind)));
        for r in join_all(writes).await {
            r.expect("stored");
        }
    }
    start.elapsed().as_secs_f64() * 1e6 / EVENTS as f64
}

/// Microseconds per event of a rebuild of the view over `events` stored events.
async fn rebuild(ledger: &dyn ledger::Ledger, events: usize) -> f64 {
    let start = Instant::now();
    ledger.rebuild_entitlements().await.expect("rebuild");
    start.elapsed().as_secs_f64() * 1e6 / events as f64
}

async fn lookups(ledger: &dyn ledger::Ledger, by_key: bool) -> (f64, f64) {
    let now = time::OffsetDateTime::now_utc();
    let start = Instant::now();
    for n in 0..LOOKUPS {
        let i = (n * 7919) % EVENTS;
        let who = if by_key {
            Who::LicenseKey(format!("{i:08X}-C11D4B06-A2335A6B-8C079166"))
        } else {
            Who::Email(format!("buyer{i}@example.com"))
        };
        let v = ledger
            .access(
                Lookup {
                    product_id: "prod_bench".into(),
                    who,
                    provider: None,
                },
                now,
            )
            .await
            .expect("lookup");
        assert!(!v.granted, "every bench sale is refunded");
    }
    let secs = start.elapsed().as_secs_f64();
    (LOOKUPS as f64 / secs, secs * 1e6 / LOOKUPS as f64)
}

#[tokio::main]
async fn main() {
    let dir =
        std::env::temp_dir().join(format!("creator-bench-entitlements-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = dir.join("bench.db");
    let ledger = ledger::open(db.to_str().expect("utf-8"))
        .await
        .expect("ledger");
    let ignored = store(&*ledger, "unknown").await;
    // The rebuild over the ignored events alone, then (below) over all.
    let rebuild_ignored = rebuild(&*ledger, EVENTS).await;
    let sales = store(&*ledger, "sale").await;
    let refunds = store(&*ledger, "refund").await;
    println!("store, kind the view ignores: {ignored:8.1} µs/event");
    println!(
        "store, sale (view insert):    {sales:8.1} µs/event  (+{:.1})",
        sales - ignored
    );
    println!(
        "store, refund (view update):  {refunds:8.1} µs/event  (+{:.1})",
        refunds - ignored
    );
    let rebuild_all = rebuild(&*ledger, 3 * EVENTS).await;
    // All: 4,000 ignored + 8,000 entered; the entered ones' share per event.
    let entered = (rebuild_all * 3.0 - rebuild_ignored) / 2.0;
    println!(
        "view update (rebuild): {rebuild_ignored:6.1} µs/event ignored, {entered:6.1} µs/event entered  (+{:.1})",
        entered - rebuild_ignored
    );
    let (rate, us) = lookups(&*ledger, false).await;
    println!("lookup by email:   {rate:9.0} lookups/s  {us:6.1} µs/lookup");
    let (rate, us) = lookups(&*ledger, true).await;
    println!("lookup by license: {rate:9.0} lookups/s  {us:6.1} µs/lookup");
    ledger.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
