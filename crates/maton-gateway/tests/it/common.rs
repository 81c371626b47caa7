//! Shared setup: one MockServer per test, raw fixtures, the fallback mock
//! mounted last, a manual clock, and no rate limiter (unless a test is about it).

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use creator_core::ManualClock;
pub use creator_core::http::ClientOptions;
use creator_core::retry::{Jitter, RetryPolicy};
use creator_testkit::{MockServerExt, RecordedRequest, mount_fallback};
use maton_gateway::{MatonClient, MatonClientBuilder};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The Maton API key used by every test; asserted never to leak.
pub const KEY: &str = "mtn_test_key_4f3e2d1c0b9a8877";

/// A connection id as Maton formats them.
pub const CONNECTION: &str = "e1a4444f-2bb8-4e09-9265-3afe71b74b1f";

pub fn clock() -> ManualClock {
    ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_740_000_000))
}

/// A builder for `server`: deterministic retries, a manual clock, no limiter.
/// The tests' transport settings: no jitter, `clock`, no rate limiter.
pub fn options(clock: &ManualClock) -> ClientOptions {
    ClientOptions::new()
        .retry(RetryPolicy::default().with_jitter(Jitter::None))
        .clock(Arc::new(clock.clone()))
        .rate_limiter(None)
}

pub fn builder(server: &MockServer, clock: &ManualClock) -> MatonClientBuilder {
    MatonClient::builder()
        .api_key(KEY)
        .base_url(server.uri())
        .options(options(clock))
}

pub fn client(server: &MockServer) -> MatonClient {
    builder(server, &clock()).build().expect("client builds")
}

pub fn client_with_connection(server: &MockServer) -> MatonClient {
    builder(server, &clock())
        .connection(CONNECTION)
        .build()
        .expect("client builds")
}

/// The raw bytes of `fixtures/<rel>`.
pub fn fixture(rel: &str) -> Vec<u8> {
    creator_testkit::fixture_bytes(rel)
}

/// Serves `fixtures/<rel>` as JSON with `status` for `verb route`.
pub async fn serve(server: &MockServer, verb: &str, route: &str, rel: &str, status: u16) {
    server
        .mount_fixture(verb, route, rel, status, "application/json")
        .await;
}

/// Serves any response for `verb route`.
pub async fn serve_raw(server: &MockServer, verb: &str, route: &str, response: ResponseTemplate) {
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(response)
        .mount(server)
        .await;
}

/// Mounts the fallback (call after the routes).
pub async fn fallback(server: &MockServer) {
    mount_fallback(server).await;
}

/// Every request received, each checked for the Maton key: only in the
/// `Authorization: Bearer` header, never in the URL or body.
pub async fn requests(server: &MockServer) -> Vec<RecordedRequest> {
    let recorded = server.recorded().await;
    for r in &recorded {
        r.assert_not_leaked(KEY);
        assert_eq!(r.bearer(), Some(KEY), "{} {}: bearer", r.method, r.path);
    }
    recorded
}

/// The only request received.
pub async fn only_request(server: &MockServer) -> RecordedRequest {
    let mut all = requests(server).await;
    assert_eq!(all.len(), 1, "expected exactly one request, got {all:#?}");
    all.remove(0)
}

/// A recorded request as JSON for a snapshot, without the version-bearing
/// `user-agent` (checked on its own in `proxy::user_agent_is_the_crates`).
pub fn request_json(r: &RecordedRequest) -> serde_json::Value {
    let mut v = serde_json::to_value(r).expect("serializable");
    if let Some(headers) = v.get_mut("headers").and_then(|h| h.as_object_mut()) {
        headers.remove("user-agent");
    }
    v
}
