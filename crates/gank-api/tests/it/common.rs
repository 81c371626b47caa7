//! Shared test helpers on creator-testkit, as for every provider: two mock
//! hosts, fixtures served as raw bytes, the testkit's fallback that names
//! unmatched requests, and a summary of outgoing requests built from its
//! recorded requests.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use creator_core::{ManualClock, RetryPolicy};
use creator_testkit::{MockServerExt, RecordedRequest, mount_fallback};
use gank_api::{ClientOptions, GankClient};
use serde_json::Value;
use wiremock::{MockServer, ResponseTemplate};

pub const LOGIN: &str = "eyJhbGciOiJIUzI1NiJ9.bG9naW4tdG9rZW4tdGVzdA.LoginSig_9f2k";
pub const CREATOR: &str = "eyJhbGciOiJIUzI1NiJ9.Y3JlYXRvci10b2tlbi10ZXN0.CreatorSig_4x7q";

/// The bytes of `fixtures/gank/<name>`.
pub fn fixture(name: &str) -> Vec<u8> {
    creator_testkit::fixture_bytes(&format!("gank/{name}"))
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

impl Hosts {
    pub async fn start() -> Self {
        Self {
            v1: MockServer::start().await,
            v2: MockServer::start().await,
        }
    }

    /// Mounts the testkit's catch-all fallback on both hosts (lowest
    /// priority, so mocks mounted before or after still win).
    pub async fn fallbacks(&self) {
        for server in [&self.v1, &self.v2] {
            mount_fallback(server).await;
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
        self.v1
            .mount_json("GET", p, &format!("gank/{fixture_name}"))
            .await;
    }

    /// Serves `fixture` for `GET path` on the V2 host.
    pub async fn v2_get(&self, p: &str, fixture_name: &str) {
        self.v2
            .mount_json("GET", p, &format!("gank/{fixture_name}"))
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
    server.recorded().await.iter().map(Sent::from).collect()
}

impl From<&RecordedRequest> for Sent {
    fn from(r: &RecordedRequest) -> Self {
        let token = match &r.authorization {
            None => "none".to_owned(),
            Some(v) if *v == format!("Bearer {LOGIN}") => "login".to_owned(),
            Some(v) if *v == format!("Bearer {CREATOR}") => "creator".to_owned(),
            Some(other) => other.clone(),
        };
        assert!(
            !r.url.contains(LOGIN) && !r.url.contains(CREATOR),
            "a token travelled in the URL: {}",
            r.url
        );
        Sent {
            method: r.method.clone(),
            path: r.path.clone(),
            query: r.query.clone(),
            token,
            content_type: r.headers.get("content-type").cloned(),
            body: (!r.body.is_empty()).then(|| {
                serde_json::from_str(&r.body).unwrap_or_else(|_| Value::String(r.body.clone()))
            }),
            raw_url: r.url.clone(),
        }
    }
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
