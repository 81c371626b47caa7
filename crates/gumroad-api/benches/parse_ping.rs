//! Parses a typical sale Ping (`fixtures/gumroad/webhooks/sale.form`, 40
//! form fields, 1.2 KiB) and reports events per second, next to the
//! baseline the issue sets: `serde_urlencoded` into a flat
//! `HashMap<String, String>` (no nesting, no types, no quirks).
//!
//! `cargo bench -p gumroad-api --bench parse_ping` runs the full
//! measurement (5 rounds of about 1 s per phase, best round reported).
//! Under `cargo test` (no `--bench` argument) it runs a short smoke pass.
//!
//! Phases:
//! - `baseline`: `serde_urlencoded::from_bytes::<HashMap<String, String>>`;
//! - `decode_form`: the form decoder alone, into the nested tree;
//! - `typed_form`: `GumroadEvent::from_form`, the typed event (the figure
//!   that must stay within 3x of the baseline);
//! - `verify+parse`: `GumroadWebhooks::receive` on a delivery (URL token
//!   check, typed parse, normalization into `WebhookEvent`);
//! - `typed_json`: `GumroadEvent::from_json` on the same sale as JSON.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use creator_core::{WebhookDelivery, Webhooks};
use gumroad_api::webhook::{GumroadEvent, GumroadWebhooks, ParseLimits, decode_form};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../fixtures/gumroad/webhooks/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// Runs `f` repeatedly for about `budget` and returns calls per second.
fn rate(budget: Duration, mut f: impl FnMut()) -> f64 {
    // Calibrate a batch that takes about 10 ms.
    let mut batch = 1u64;
    loop {
        let start = Instant::now();
        for _ in 0..batch {
            f();
        }
        if start.elapsed() >= Duration::from_millis(10) || batch >= 1 << 20 {
            break;
        }
        batch *= 2;
    }
    let start = Instant::now();
    let mut calls = 0u64;
    while start.elapsed() < budget {
        for _ in 0..batch {
            f();
        }
        calls += batch;
    }
    calls as f64 / start.elapsed().as_secs_f64()
}

fn best_of(rounds: usize, budget: Duration, mut f: impl FnMut()) -> f64 {
    (0..rounds)
        .map(|_| rate(budget, &mut f))
        .fold(0.0, f64::max)
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (rounds, budget) = if full {
        (5, Duration::from_millis(1000))
    } else {
        (1, Duration::from_millis(20))
    };

    let form = fixture("sale.form");
    let json = fixture("sale.json");
    let fields = form.split(|b| *b == b'&').count();
    let limits = ParseLimits::default();
    let hooks = GumroadWebhooks::builder()
        .url_token("bench-token-0123456789")
        .build()
        .expect("a receiver");
    let delivery =
        WebhookDelivery::with_content_type("application/x-www-form-urlencoded", form.clone());
    let delivery = WebhookDelivery::new(
        "/hooks/gumroad?token=bench-token-0123456789"
            .parse()
            .expect("uri"),
        delivery.headers.clone(),
        delivery.body.clone(),
    );

    // Sanity: every phase parses the body it is timed on.
    let flat: HashMap<String, String> =
        serde_urlencoded::from_bytes(&form).expect("baseline parses");
    assert_eq!(flat.len(), fields, "40 distinct flat keys");
    let typed = GumroadEvent::from_form(&form).expect("typed parse");
    assert_eq!(typed, GumroadEvent::from_json(&json).expect("json parse"));
    assert_eq!(hooks.receive(&delivery).expect("receive").name, "sale");

    let baseline = best_of(rounds, budget, || {
        let m: HashMap<String, String> =
            serde_urlencoded::from_bytes(black_box(&form)).expect("parses");
        black_box(m);
    });
    let tree = best_of(rounds, budget, || {
        black_box(decode_form(black_box(&form), &limits).expect("decodes"));
    });
    let typed_form = best_of(rounds, budget, || {
        black_box(GumroadEvent::from_form(black_box(&form)).expect("parses"));
    });
    let received = best_of(rounds, budget, || {
        black_box(hooks.receive(black_box(&delivery)).expect("receives"));
    });
    let typed_json = best_of(rounds, budget, || {
        black_box(GumroadEvent::from_json(black_box(&json)).expect("parses"));
    });

    println!(
        "parse_ping: sale Ping, {fields} form fields, {} bytes form / {} bytes JSON{}",
        form.len(),
        json.len(),
        if full {
            ""
        } else {
            " (smoke pass; run `cargo bench` for figures)"
        }
    );
    println!(
        "{:<14} {:>14} {:>12} {:>16}",
        "phase", "events/s", "µs/event", "vs baseline"
    );
    for (name, r) in [
        ("baseline", baseline),
        ("decode_form", tree),
        ("typed_form", typed_form),
        ("verify+parse", received),
        ("typed_json", typed_json),
    ] {
        println!(
            "{name:<14} {r:>14.0} {:>12.2} {:>15.2}x",
            1e6 / r,
            baseline / r
        );
    }
    let ratio = baseline / typed_form;
    println!(
        "typed parse costs {ratio:.2}x the flat baseline (target: within 3x) -> {}",
        if ratio <= 3.0 { "ok" } else { "OVER TARGET" }
    );
}
