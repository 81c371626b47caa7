//! The forwarded body against its documented schema, `docs/event.schema.json`
//! (checked with the `jsonschema` crate): every example in `docs/events/`,
//! and the bodies this build makes from every Gumroad webhook fixture and
//! the Gank ones, as the relay stores and forwards them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use creator_cli::relay::forward::body;
use serde_json::Value;

use crate::support::*;

fn docs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs")
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(docs().join("event.schema.json")).expect("the schema");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("a valid JSON Schema")
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn examples() -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = std::fs::read_dir(docs().join("events"))
        .expect("docs/events")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (
                name,
                serde_json::from_str(&text).expect("an example is JSON"),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn every_example_matches_the_schema_and_every_kind_has_one() {
    let v = validator();
    let examples = examples();
    for (name, doc) in &examples {
        let errs = errors(&v, doc);
        assert!(errs.is_empty(), "docs/events/{name}: {errs:#?}");
    }
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(docs().join("event.schema.json")).unwrap())
            .unwrap();
    let kinds: BTreeSet<&str> = schema["$defs"]["kind"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    let shown: BTreeSet<&str> = examples
        .iter()
        .map(|(_, d)| d["type"].as_str().unwrap())
        .collect();
    // Gank's membership payment is the one kind without a recorded delivery
    // among the fixtures (fixtures/gank has no USER_MEMBERSHIP webhook).
    let missing: Vec<&&str> = kinds
        .difference(&shown)
        .filter(|k| **k != "membership_payment")
        .collect();
    assert!(missing.is_empty(), "kinds without an example: {missing:?}");
    let providers: BTreeSet<&str> = examples
        .iter()
        .map(|(_, d)| d["data"]["provider"].as_str().unwrap())
        .collect();
    assert_eq!(providers, BTreeSet::from(["gank", "gumroad"]));
}

#[test]
fn the_schema_refuses_bodies_that_break_it() {
    let v = validator();
    let (_, sale) = examples()
        .into_iter()
        .find(|(n, _)| n == "gumroad-sale.json")
        .unwrap();
    type Change = fn(&mut Value);
    let broken: [(&str, Change); 6] = [
        ("another version", |d| d["version"] = 2.into()),
        ("no subject", |d| {
            d["data"].as_object_mut().unwrap().remove("subject_id");
        }),
        ("money as a float", |d| {
            d["data"]["amount"]["minor_units"] = 12.49.into()
        }),
        ("a lower-case currency", |d| {
            d["data"]["amount"]["currency"] = "usd".into()
        }),
        ("an unknown kind", |d| d["type"] = "purchase".into()),
        ("a time that is not RFC 3339", |d| {
            d["timestamp"] = "yesterday".into()
        }),
    ];
    for (what, change) in broken {
        let mut doc = sale.clone();
        change(&mut doc);
        assert!(!v.is_valid(&doc), "{what} passed the schema");
    }
}

/// The bodies this build makes, not only the examples: every Gumroad
/// webhook fixture the parser accepts and the Gank digital-goods ones, stored
/// by the in-process relay and rendered as forwarded.
#[tokio::test]
async fn bodies_made_from_every_fixture_match_the_schema() {
    let (_dir, relay) = TestRelay::fresh("schema").await;
    let gumroad = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/gumroad/webhooks");
    let mut posted = 0;
    for entry in std::fs::read_dir(&gumroad).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
            continue;
        };
        if !matches!(ext, "form" | "json") || name.starts_with("malformed") {
            continue;
        }
        let content_type = if ext == "form" {
            "application/x-www-form-urlencoded"
        } else {
            "application/json"
        };
        let (status, answer) = relay
            .post(
                &format!("/webhooks/gumroad/{GUMROAD_SECRET}"),
                content_type,
                std::fs::read(&path).unwrap(),
                &[],
            )
            .await;
        assert_eq!(status, 200, "{name}: {answer}");
        posted += 1;
    }
    for name in [
        "webhook_digital_goods.json",
        "webhook_digital_goods_minimal.json",
    ] {
        let body = fixture(&format!("gank/{name}"));
        let (status, answer) = relay.post_gank(body).await;
        assert_eq!(status, 200, "{name}: {answer}");
        posted += 1;
    }
    let v = validator();
    let events = relay.events().await;
    assert!(events.len() >= 20, "{} of {posted} stored", events.len());
    let mut kinds = BTreeSet::new();
    for event in &events {
        let doc = body::document(event);
        let errs = errors(&v, &doc);
        assert!(
            errs.is_empty(),
            "event {} ({}): {errs:#?}\n{doc:#}",
            event.id,
            event.name
        );
        // What is sent is exactly this document.
        let sent: Value = serde_json::from_slice(&body::render(event)).unwrap();
        assert_eq!(sent, doc);
        kinds.insert(event.kind.clone());
    }
    assert!(kinds.len() >= 9, "{kinds:?}");
    relay.stop().await;
}

/// `docs/receiving-events.md` shows the Rust receiver as the compiled
/// example is (`examples/receive_events.rs`), not an older copy.
#[test]
fn the_guide_shows_the_compiled_rust_receiver_as_it_is() {
    let guide = std::fs::read_to_string(docs().join("receiving-events.md")).unwrap();
    let example = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/receive_events.rs"),
    )
    .unwrap();
    assert!(
        guide.contains(&format!("```rust\n{example}```")),
        "docs/receiving-events.md must show examples/receive_events.rs as it is"
    );
}
