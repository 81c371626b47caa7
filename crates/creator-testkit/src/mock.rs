//! wiremock helpers: raw-byte fixtures, a readable fallback, recorded requests.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use serde::Serialize;
use wiremock::matchers::{method as method_is, path as path_is};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The workspace's `fixtures/` directory.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// The path of a fixture, relative to `fixtures/` (`"gumroad/sales/page1.json"`).
pub fn fixture_path(relative: &str) -> PathBuf {
    fixtures_dir().join(relative)
}

/// The bytes of a fixture, exactly as stored.
///
/// # Panics
/// When the file cannot be read (a broken test setup), naming the path.
pub fn fixture_bytes(relative: &str) -> Vec<u8> {
    let path = fixture_path(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
}

/// The fixture `relative` as JSON, with `changes` set on the object under
/// `key` (`"purchase"`, `"sale"`): a recorded body with one flag changed,
/// for the reasons no fixture carries as recorded.
///
/// # Panics
/// When the fixture is missing or not JSON.
pub fn fixture_changed(
    relative: &str,
    key: &str,
    changes: &[(&str, serde_json::Value)],
) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_slice(&fixture_bytes(relative))
        .unwrap_or_else(|e| panic!("fixture {relative} is not JSON: {e}"));
    for (k, val) in changes {
        v[key][*k] = val.clone();
    }
    v
}

/// Answers `verb route` with `status` and `body` as JSON bytes.
pub async fn respond_json(
    server: &MockServer,
    verb: &str,
    route: &str,
    status: u16,
    body: &serde_json::Value,
) {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    Mock::given(method_is(verb))
        .and(path_is(route))
        .respond_with(ResponseTemplate::new(status).set_body_raw(bytes, "application/json"))
        .mount(server)
        .await;
}

/// Counts the pages of a listing a mock served (clones share one count), so
/// the conformance suite can check what a provider really fetched.
///
/// ```
/// use creator_testkit::PageCounter;
/// use wiremock::{Mock, ResponseTemplate, matchers::path};
///
/// let pages = PageCounter::new();
/// let mock = Mock::given(path("/v2/sales")).respond_with(pages.serving(ResponseTemplate::new(200)));
/// # let _ = mock;
/// assert_eq!(pages.get(), 0);
/// ```
#[derive(Debug, Clone, Default)]
pub struct PageCounter(Arc<AtomicUsize>);

impl PageCounter {
    /// A counter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many pages were served so far.
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    /// Counts one page served.
    pub fn count(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    /// `responder`, counting every answer it gives as one page.
    pub fn serving<R: Respond>(&self, responder: R) -> Counted<R> {
        Counted {
            inner: responder,
            pages: self.clone(),
        }
    }
}

/// A responder that counts its answers in a [`PageCounter`]; from [`PageCounter::serving`].
#[derive(Debug)]
pub struct Counted<R> {
    inner: R,
    pages: PageCounter,
}

impl<R: Respond> Respond for Counted<R> {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.pages.count();
        self.inner.respond(request)
    }
}

/// The status the fallback mock answers with; no platform uses it.
pub const FALLBACK_STATUS: u16 = 599;

struct Fallback;

impl Respond for Fallback {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body = String::from_utf8_lossy(&request.body);
        ResponseTemplate::new(FALLBACK_STATUS).set_body_string(format!(
            "no mock matched: {} {} (body: {})",
            request.method,
            request.url,
            body.chars().take(200).collect::<String>()
        ))
    }
}

/// Mounts a catch-all mock with the lowest priority that answers
/// [`FALLBACK_STATUS`] with a body naming the unmatched request, so a
/// missed route reads clearly in the client's error instead of a bare 404.
pub async fn mount_fallback(server: &MockServer) {
    Mock::given(wiremock::matchers::any())
        .respond_with(Fallback)
        .with_priority(u8::MAX)
        .named("fallback")
        .mount(server)
        .await;
}

/// Convenience methods on `MockServer`.
#[async_trait]
pub trait MockServerExt {
    /// Serves the fixture's raw bytes for `method path` with the given status and content type.
    async fn mount_fixture(
        &self,
        method: &str,
        path: &str,
        fixture: &str,
        status: u16,
        content_type: &str,
    );

    /// Serves a JSON fixture with status 200.
    async fn mount_json(&self, method: &str, path: &str, fixture: &str) {
        self.mount_fixture(method, path, fixture, 200, "application/json")
            .await;
    }

    /// Every request received so far, in order, in a form easy to assert and snapshot.
    async fn recorded(&self) -> Vec<RecordedRequest>;
}

#[async_trait]
impl MockServerExt for MockServer {
    async fn mount_fixture(
        &self,
        method: &str,
        path: &str,
        fixture: &str,
        status: u16,
        content_type: &str,
    ) {
        Mock::given(method_is(method))
            .and(path_is(path))
            .respond_with(
                ResponseTemplate::new(status).set_body_raw(fixture_bytes(fixture), content_type),
            )
            .named(fixture)
            .mount(self)
            .await;
    }

    async fn recorded(&self) -> Vec<RecordedRequest> {
        self.received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .map(RecordedRequest::from_request)
            .collect()
    }
}

/// An outgoing request as the mock server saw it. Serializes with the
/// `authorization` header redacted, for snapshots.
#[derive(Debug, Clone, Serialize)]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: String,
    /// Path, percent-encoded as sent.
    pub path: String,
    /// Query pairs, decoded, in order.
    pub query: Vec<(String, String)>,
    /// Headers that matter for assertions (lower-case names), `authorization` redacted.
    pub headers: BTreeMap<String, String>,
    /// A form body decoded into pairs, in order (empty for other bodies).
    pub form: Vec<(String, String)>,
    /// A JSON body, parsed.
    pub json: Option<serde_json::Value>,
    /// The raw body as text.
    #[serde(skip)]
    pub body: String,
    /// The raw `authorization` header, for assertions (never serialized).
    #[serde(skip)]
    pub authorization: Option<String>,
    /// The full URL as sent, for "no token in the URL" assertions (never serialized).
    #[serde(skip)]
    pub url: String,
    /// Every header line as received, in order, each value of a repeated
    /// header on its own (lower-case names; `authorization` redacted; never
    /// serialized). [`RecordedRequest::header_values`] reads it.
    #[serde(skip)]
    pub all_headers: Vec<(String, String)>,
}

impl RecordedRequest {
    fn from_request(req: &Request) -> Self {
        let header = |name: &str| {
            req.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let mut headers = BTreeMap::new();
        for name in ["content-type", "accept", "maton-connection", "user-agent"] {
            if let Some(v) = header(name) {
                headers.insert(name.to_owned(), v);
            }
        }
        let authorization = header("authorization");
        if let Some(auth) = &authorization {
            let scheme = auth.split_whitespace().next().unwrap_or("");
            headers.insert("authorization".into(), format!("{scheme} [redacted]"));
        }
        let content_type = header("content-type").unwrap_or_default();
        let form = if content_type.starts_with("application/x-www-form-urlencoded") {
            url::form_urlencoded::parse(&req.body)
                .into_owned()
                .collect()
        } else {
            Vec::new()
        };
        let json = if content_type.starts_with("application/json") {
            serde_json::from_slice(&req.body).ok()
        } else {
            None
        };
        Self {
            method: req.method.to_string(),
            path: req.url.path().to_owned(),
            query: req.url.query_pairs().into_owned().collect(),
            headers,
            form,
            json,
            body: String::from_utf8_lossy(&req.body).into_owned(),
            authorization,
            url: req.url.to_string(),
            all_headers: req
                .headers
                .iter()
                .map(|(name, value)| {
                    let value = if *name == http::header::AUTHORIZATION {
                        "[redacted]".to_owned()
                    } else {
                        String::from_utf8_lossy(value.as_bytes()).into_owned()
                    };
                    (name.as_str().to_owned(), value)
                })
                .collect(),
        }
    }

    /// Every value sent for the header `name` (case-insensitive), in order:
    /// a header sent twice shows twice, where [`RecordedRequest::headers`]
    /// keeps one value.
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.all_headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The value of a query parameter (the first, if repeated).
    pub fn query_value(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The value of a form field (the first, if repeated).
    pub fn form_value(&self, key: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The bearer token sent, if any.
    pub fn bearer(&self) -> Option<&str> {
        self.authorization.as_deref()?.strip_prefix("Bearer ")
    }

    /// Asserts `secret` appears neither in the URL nor in the body.
    ///
    /// # Panics
    /// When it does.
    pub fn assert_not_leaked(&self, secret: &str) {
        assert!(
            !self.url.contains(secret),
            "secret found in URL {}",
            self.url
        );
        assert!(!self.body.contains(secret), "secret found in body");
    }
}
