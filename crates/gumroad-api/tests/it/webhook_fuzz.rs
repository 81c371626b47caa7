//! Fuzz-style property: no byte string panics the parser. A deterministic
//! pseudo-random generator (xorshift64*) drives thousands of inputs: random
//! bytes biased towards the characters that matter to the decoders, and
//! mutations of every real fixture. Each must give an event or a parse
//! error (never a verification error), and every event must normalize.

use creator_core::{WebhookDelivery, WebhookError, Webhooks};
use gumroad_api::webhook::{GumroadEvent, GumroadWebhooks, ParseLimits};

use super::{FORM, JSON, clock};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const TOKENS: &[&[u8]] = &[
    b"%",
    b"%5B",
    b"%5D",
    b"[",
    b"]",
    b"[]",
    b"&",
    b"=",
    b"+",
    b"%25",
    b"%255B",
    b"%FF",
    b"%C3",
    b"\0",
    b"{",
    b"}",
    b"\"",
    b":",
    b",",
    b"[[",
    b"]]",
    b"%3D%3D",
    b"resource_name=",
    b"sale_id=",
    b"custom_fields%5B",
    b"purchase_ids%5B%5D=",
    b"\xff\xfe",
    b"\xe2\x82",
    b"retry_count=99999999999",
    b"resource_name=refund",
    b"resource_name=cancellation",
    b"subscription_id=x",
];

fn check(hooks: &GumroadWebhooks, content_type: Option<&str>, bytes: &[u8], ok: &mut usize) {
    match GumroadEvent::parse(content_type, bytes) {
        Ok(event) => {
            *ok += 1;
            let _ = (event.subject_id(), event.retry_count(), event.is_test());
            let _ = hooks.normalize(event).identity();
        }
        Err(e) => {
            assert!(
                matches!(
                    e,
                    WebhookError::Malformed { .. } | WebhookError::UnsupportedContentType(_)
                ),
                "only parse errors: {e:?}"
            );
            assert!(!e.to_string().is_empty());
        }
    }
    let tight = ParseLimits::default()
        .max_fields(16)
        .max_depth(2)
        .max_body_bytes(512);
    let _ = GumroadEvent::parse_with_limits(content_type, bytes, &tight);
}

fn receiver() -> GumroadWebhooks {
    GumroadWebhooks::builder()
        .accept_unverified()
        .clock(std::sync::Arc::new(clock()))
        .build()
        .unwrap()
}

#[test]
fn arbitrary_bytes_never_panic_the_parser() {
    let hooks = receiver();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut ok = 0;
    for _ in 0..6_000 {
        let len = rng.below(400);
        let mut bytes = Vec::with_capacity(len);
        while bytes.len() < len {
            match rng.below(4) {
                0 => bytes.push(rng.next() as u8),
                1 => bytes.extend_from_slice(TOKENS[rng.below(TOKENS.len())]),
                _ => bytes.push(b"abcdef0123456789_=&%[]"[rng.below(22)]),
            }
        }
        for ct in [Some(FORM), Some(JSON), None] {
            check(&hooks, ct, &bytes, &mut ok);
        }
    }
    assert!(ok > 0, "some random bodies are valid deliveries");
}

#[test]
fn mutations_of_real_fixtures_never_panic_the_parser() {
    let hooks = receiver();
    let dir = creator_testkit::fixture_path("gumroad/webhooks");
    let mut fixtures: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixture dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("form" | "json")
            )
        })
        .collect();
    fixtures.sort();
    assert!(
        fixtures.len() > 40,
        "all fixtures found: {}",
        fixtures.len()
    );
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let (mut ok, mut total) = (0, 0);
    for path in &fixtures {
        let original = std::fs::read(path).expect("fixture");
        let content_type = if path.extension().is_some_and(|e| e == "json") {
            JSON
        } else {
            FORM
        };
        for _ in 0..150 {
            let mut bytes = original.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(bytes.len() + 1);
                match rng.below(6) {
                    0 if !bytes.is_empty() => {
                        let i = rng.below(bytes.len());
                        bytes[i] ^= 1 << rng.below(8);
                    }
                    1 => {
                        let token = TOKENS[rng.below(TOKENS.len())];
                        bytes.splice(at..at, token.iter().copied());
                    }
                    2 => {
                        let end = (at + rng.below(40)).min(bytes.len());
                        bytes.drain(at..end);
                    }
                    3 => bytes.truncate(at),
                    4 => {
                        let end = (at + rng.below(80)).min(bytes.len());
                        let copy = bytes[at..end].to_vec();
                        let to = rng.below(bytes.len() + 1);
                        bytes.splice(to..to, copy);
                    }
                    _ => {
                        let i = rng.below(bytes.len() + 1);
                        bytes.insert(i.min(bytes.len()), rng.next() as u8);
                    }
                }
            }
            total += 1;
            check(&hooks, Some(content_type), &bytes, &mut ok);
            let d = WebhookDelivery::with_content_type(content_type, bytes);
            let _ = hooks.parse(&d);
        }
    }
    assert!(total >= 6_000, "{total} mutated inputs");
    assert!(
        ok > 0 && ok < total,
        "mutations both survive and break: {ok}/{total}"
    );
}
