//! Shared test setup: one MockServer per test, raw fixtures, the fallback
//! mock mounted last, and helpers to assert the outgoing request.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use creator_core::ManualClock;
pub use creator_core::http::ClientOptions;
use creator_core::retry::{Jitter, RetryPolicy};
use creator_testkit::{MockServerExt, RecordedRequest, mount_fallback};
use gumroad_api::GumroadClient;
use serde::Serialize;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const TOKEN: &str = "gr_test_tok_9f8e7d6c5b4a";

pub fn clock() -> ManualClock {
    ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_740_000_000))
}

/// A client for `server` with a deterministic retry policy and a manual clock.
pub fn client_with_clock(server: &MockServer, clock: &ManualClock) -> GumroadClient {
    GumroadClient::builder(TOKEN)
        .base_url(server.uri())
        .options(
            ClientOptions::new()
                .retry(RetryPolicy::default().with_jitter(Jitter::None))
                .clock(Arc::new(clock.clone())),
        )
        .build()
        .expect("client builds")
}

pub fn client(server: &MockServer) -> GumroadClient {
    client_with_clock(server, &clock())
}

/// The raw bytes of `fixtures/gumroad/<name>`.
pub fn fixture(name: &str) -> Vec<u8> {
    creator_testkit::fixture_bytes(&format!("gumroad/{name}"))
}

/// Serves `fixtures/gumroad/<fixture>` for `verb route` with HTTP 200, then the fallback.
pub async fn serve(server: &MockServer, verb: &str, route: &str, name: &str) {
    server
        .mount_json(verb, route, &format!("gumroad/{name}"))
        .await;
}

/// Serves a fixture with any status and content type.
pub async fn serve_status(
    server: &MockServer,
    verb: &str,
    route: &str,
    name: &str,
    status: u16,
    content_type: &str,
) {
    server
        .mount_fixture(
            verb,
            route,
            &format!("gumroad/{name}"),
            status,
            content_type,
        )
        .await;
}

/// Serves raw bytes with headers.
pub async fn serve_raw(server: &MockServer, verb: &str, route: &str, response: ResponseTemplate) {
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(response)
        .mount(server)
        .await;
}

/// A server with the fallback mock already mounted (it has the lowest
/// priority, so mocks mounted afterwards still win).
pub async fn server() -> MockServer {
    let server = MockServer::start().await;
    mount_fallback(&server).await;
    server
}

/// Every request the server saw, each checked for the bearer header and
/// for the token never appearing in the URL or body.
pub async fn requests(server: &MockServer) -> Vec<RecordedRequest> {
    let all = server.recorded().await;
    for r in &all {
        assert_eq!(
            r.bearer(),
            Some(TOKEN),
            "bearer header on {} {}",
            r.method,
            r.path
        );
        r.assert_not_leaked(TOKEN);
        assert!(
            !r.query.iter().any(|(k, _)| k == "access_token"),
            "no access_token query parameter"
        );
    }
    all
}

/// The path of every request the server saw, in order (checked as in [`requests`]).
pub async fn request_paths(server: &MockServer) -> Vec<String> {
    requests(server).await.into_iter().map(|r| r.path).collect()
}

/// The one request the server saw (checked as in [`requests`]).
pub async fn only_request(server: &MockServer) -> RecordedRequest {
    let mut all = requests(server).await;
    assert_eq!(all.len(), 1, "exactly one request: {all:#?}");
    all.remove(0)
}

/// A recorded form or query as borrowed `(key, value)` pairs, in order, to
/// compare with a list of literals.
pub fn pairs(list: &[(String, String)]) -> Vec<(&str, &str)> {
    list.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The request as JSON for snapshots, without the version-bearing user agent.
pub fn request_json(req: &RecordedRequest) -> Value {
    let mut v = serde_json::to_value(req).expect("request serializes");
    if let Some(h) = v.get_mut("headers").and_then(Value::as_object_mut) {
        h.remove("user-agent");
    }
    v
}

/// `{"request": …, "response": …}` for one snapshot per endpoint test.
pub fn exchange(req: &RecordedRequest, response: &impl Serialize) -> Value {
    json!({ "request": request_json(req), "response": response })
}
