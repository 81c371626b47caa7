//! The request span carries method, path template, attempt and status, and
//! never the query string, a body or a credential.
//!
//! A test binary of its own: a subscriber set for one thread sees a callsite
//! only if no other thread met it first without one, and the other transport
//! tests send requests on other threads at the same time (tracing caches a
//! callsite's interest; the race made this test fail about one run in four).
#![cfg(feature = "http")]

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use creator_core::Provider;
use creator_core::http::{Auth, Path, Transport};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Writes every span field and event field it sees into one string.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<String>>);

struct Writer<'a>(&'a mut String);

impl Visit for Writer<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={:?};", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut out = self.0.lock().unwrap();
        let _ = write!(out, "[span {}] ", span.metadata().name());
        span.record(&mut Writer(&mut out));
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Writer(&mut self.0.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        event.record(&mut Writer(&mut self.0.lock().unwrap()));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn span_has_template_status_attempt_and_no_query_body_or_token() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"secret_body":"yes"}"#))
        .mount(&server)
        .await;
    let t = Transport::builder(Provider::Gumroad, server.uri())
        .auth(Auth::bearer("tok_in_span?"))
        .build()
        .unwrap();
    let capture = Capture::default();
    let guard = tracing::subscriber::set_default(capture.clone());
    t.put(Path::new("/v2/sales/{}/mark_as_shipped", &["SALE_ID_123"]))
        .query("email", "buyer@example.com")
        .form([("tracking_url", "https://track/BODY_VALUE")])
        .send()
        .await
        .unwrap();
    drop(guard);
    let seen = capture.0.lock().unwrap().clone();
    for expected in [
        "creator_http",
        "provider=gumroad",
        "method=PUT",
        "path=\"/v2/sales/{}/mark_as_shipped\"",
        "attempt=1",
        "status=200",
    ] {
        assert!(seen.contains(expected), "missing {expected} in {seen}");
    }
    for leaked in [
        "buyer@example.com",
        "email",
        "BODY_VALUE",
        "SALE_ID_123",
        "tok_in_span",
        "secret_body",
    ] {
        assert!(
            !seen.contains(leaked),
            "{leaked} leaked into tracing: {seen}"
        );
    }
}
