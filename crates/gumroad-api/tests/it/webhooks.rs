//! Gumroad webhooks: parsing (`webhook_parse.rs`), the fuzz-style "never
//! panics" loop (`webhook_fuzz.rs`), verification, normalization, `confirm`
//! and the conformance suite (`webhook_verify.rs`), and `subscribe_all`
//! (`webhook_subscribe.rs`).

#[path = "webhook_fuzz.rs"]
mod fuzz;
#[path = "webhook_golden.rs"]
mod golden;
#[path = "webhook_parse.rs"]
mod parse;
#[path = "webhook_subscribe.rs"]
mod subscribe;
#[path = "webhook_verify.rs"]
mod verify;

use creator_core::{ManualClock, WebhookDelivery};
use http::HeaderMap;

pub const FORM: &str = "application/x-www-form-urlencoded";
pub const JSON: &str = "application/json";

/// The raw bytes of `fixtures/gumroad/webhooks/<name>`.
pub fn body(name: &str) -> Vec<u8> {
    creator_testkit::fixture_bytes(&format!("gumroad/webhooks/{name}"))
}

/// The content type a fixture is sent with, by its extension.
pub fn content_type_of(name: &str) -> &'static str {
    if name.ends_with(".json") { JSON } else { FORM }
}

/// A delivery as Gumroad posts it: `uri` (path and query), the fixture's
/// content type, optional extra headers, the fixture's bytes.
pub fn delivery(uri: &str, name: &str, extra: &[(&str, &str)]) -> WebhookDelivery {
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::CONTENT_TYPE,
        content_type_of(name).parse().expect("content type"),
    );
    for (k, v) in extra {
        headers.append(
            http::HeaderName::from_bytes(k.as_bytes()).expect("header name"),
            v.parse().expect("header value"),
        );
    }
    WebhookDelivery::new(uri.parse().expect("uri"), headers, body(name))
}

/// 2025-03-20T00:00:00Z: after the fixtures' sales, before the cancellation's end of access.
pub fn clock() -> ManualClock {
    ManualClock::new(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_742_428_800))
}
