//! Shared test helpers: two mock hosts, fixtures served as raw bytes, a
//! fallback that names unmatched requests, and a summary of outgoing requests.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use creator_core::{ManualClock, RetryPolicy};
use gank_api::{ClientOptions, GankClient};
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const LOGIN: &str = "eyJhbGciOiJIUzI1NiJ9.bG9naW4tdG9rZW4tdGVzdA.LoginSig_9f2k";
pub const CREATOR: &str = "eyJhbGciOiJIUzI1NiJ9.Y3JlYXRvci10b2tlbi10ZXN0.CreatorSig_4x7q";

/// The bytes of `fixtures/gank/<name>`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../fixtures/gank/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

/// A 200 answer with a fixture's raw bytes.
pub fn ok_fixture(name: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(fixture(name), "application/json")
}

/// The V1 and V2 hosts.
pub struct Hosts {
    pub v1: MockServer,
    pub v2: MockServer,
}

struct Fallback(&'static str);

impl Respond for Fallback {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        ResponseTemplate::new(599).set_body_string(format!(
            "no mock on the {} host matched {} {}",
            self.0, req.method, req.url
        ))
    }
}

impl Hosts {
    pub async fn start() -> Self {
        Self {
            v1: MockServer::start().await,
            v2: MockServer::start().await,
        }
    }

    /// Mounts the catch-all fallbacks; call after the real mocks.
    pub async fn fallbacks(&self) {
        for (server, name) in [(&self.v1, "V1"), (&self.v2, "V2")] {
            Mock::given(wiremock::matchers::any())
                .respond_with(Fallback(name))
                .with_priority(u8::MAX)
                .mount(server)
                .await;
        }
    }

    /// A client with both tokens, pointed at both hosts, never retrying.
    pub fn client(&self) -> GankClient {
        self.builder()
            .login_token(LOGIN)
            .creator_token(CREATOR)
            .build()
            .unwrap()
    }

    /// A builder pointed at both hosts with no tokens, no retries and a manual clock.
    pub fn builder(&self) -> gank_api::GankClientBuilder {
        GankClient::builder()
            .v1_base_url(self.v1.uri())
            .v2_base_url(self.v2.uri())
            .options(
                ClientOptions::new()
                    .retry(RetryPolicy::none())
                    .timeout(Duration::from_secs(5))
                    .clock(Arc::new(ManualClock::new(
                        UNIX_EPOCH + Duration::from_secs(1_767_600_000),
                    ))),
            )
    }

    /// Serves `fixture` for `GET path` on the V1 host.
    pub async fn v1_get(&self, p: &str, fixture_name: &str) {
        Mock::given(method("GET"))
            .and(path(p.to_owned()))
            .respond_with(ok_fixture(fixture_name))
            .mount(&self.v1)
            .await;
    }

    /// Serves `fixture` for `GET path` on the V2 host.
    pub async fn v2_get(&self, p: &str, fixture_name: &str) {
        Mock::given(method("GET"))
            .and(path(p.to_owned()))
            .respond_with(ok_fixture(fixture_name))
            .mount(&self.v2)
            .await;
    }

    pub async fn v1_sent(&self) -> Vec<Sent> {
        sent(&self.v1).await
    }

    pub async fn v2_sent(&self) -> Vec<Sent> {
        sent(&self.v2).await
    }
}

/// What a request carried, with the token replaced by which token it was.
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    /// `login`, `creator`, `none`, or the raw header when it is something else.
    pub token: String,
    pub content_type: Option<String>,
    pub body: Option<Value>,
    pub raw_url: String,
}

impl Sent {
    /// `GET /path`.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    pub fn query(&self, key: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

pub async fn sent(server: &MockServer) -> Vec<Sent> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let token = match r
                .headers
                .get("authorization")
                .map(|v| v.to_str().unwrap_or("<non-ascii>").to_owned())
            {
                None => "none".to_owned(),
                Some(v) if v == format!("Bearer {LOGIN}") => "login".to_owned(),
                Some(v) if v == format!("Bearer {CREATOR}") => "creator".to_owned(),
                Some(other) => other,
            };
            let raw_url = r.url.to_string();
            assert!(
                !raw_url.contains(LOGIN) && !raw_url.contains(CREATOR),
                "a token travelled in the URL: {raw_url}"
            );
            Sent {
                method: r.method.to_string(),
                path: r.url.path().to_owned(),
                query: r
                    .url
                    .query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect(),
                token,
                content_type: r
                    .headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                body: (!r.body.is_empty()).then(|| {
                    serde_json::from_slice(&r.body)
                        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&r.body).into()))
                }),
                raw_url,
            }
        })
        .collect()
}

/// The single request a host received, failing when there were others.
pub async fn only(server: &MockServer) -> Sent {
    let mut all = sent(server).await;
    assert_eq!(all.len(), 1, "expected exactly one request, got {all:#?}");
    all.remove(0)
}

/// q!("a" => "b", ...) as owned pairs.
#[macro_export]
macro_rules! q {
    ($($k:expr => $v:expr),* $(,)?) => {
        vec![$(($k.to_string(), $v.to_string())),*]
    };
}
