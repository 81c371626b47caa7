//! Shared helpers: temporary ledgers, an in-process relay, the binary.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use creator_cli::ledger::{self, Ledger, LedgerStats, QuarantinedDelivery, StoredEvent};
use creator_cli::relay::{Endpoint, Relay, RelayConfig};
use creator_core::Webhooks;
use creator_core::verify::Hmac;
use creator_testkit::FakeProvider;
use futures::TryStreamExt;
use gank_api::GankWebhooks;
use gumroad_api::webhook::GumroadWebhooks;
use tokio::io::{AsyncBufReadExt, BufReader};

/// The Gumroad URL secret of the test relays.
pub const GUMROAD_SECRET: &str = "test-secret-0123456789abcdef";
/// The Gank registration key and signature header of the test relays.
pub const GANK_KEY: &str = "gank-registration-key-for-tests";
pub const GANK_HEADER: &str = "x-gank-signature";
/// The test relays' body limit.
pub const MAX_BODY: usize = 64 * 1024;

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(label: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "creator-cli-it-{}-{}-{}-{label}",
            std::process::id(),
            time::OffsetDateTime::now_utc().unix_timestamp_nanos(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        Self(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn db(&self) -> PathBuf {
        self.0.join("creator.db")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn gank_verifier() -> Hmac {
    Hmac::builder(GANK_HEADER)
        .key(GANK_KEY)
        .build()
        .expect("verifier")
}

/// The endpoints of the in-process test relay: Gumroad (URL token checked by
/// gumroad-api), Gank (HMAC checked by gank-api), and `fake` (the testkit's
/// signed fake provider).
pub fn endpoints() -> Vec<Endpoint> {
    // The relay checks Gumroad's URL secret itself, before reading the body.
    let gumroad: Arc<dyn Webhooks> = Arc::new(
        GumroadWebhooks::builder()
            .accept_unverified()
            .build()
            .expect("gumroad receiver"),
    );
    let gank: Arc<dyn Webhooks> = Arc::new(
        GankWebhooks::builder()
            .verifier(gank_verifier())
            .build()
            .expect("gank receiver"),
    );
    vec![
        Endpoint::new("gumroad", gumroad)
            .url_secret(GUMROAD_SECRET)
            .expect("gumroad URL secret")
            .verifies_headers_only(),
        Endpoint::new("gank", gank),
        Endpoint::new("fake", Arc::new(FakeProvider::sample())),
    ]
}

pub fn config() -> RelayConfig {
    RelayConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        max_body_bytes: MAX_BODY,
        ..RelayConfig::default()
    }
}

/// A relay on a loopback port with its ledger.
pub struct TestRelay {
    pub relay: Relay,
    pub base: String,
    pub ledger: Arc<dyn Ledger>,
    pub http: reqwest::Client,
}

impl Deliver for TestRelay {
    fn ledger(&self) -> &Arc<dyn Ledger> {
        &self.ledger
    }

    async fn post(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
        headers: &[(&str, &str)],
    ) -> (u16, serde_json::Value) {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.expect("send");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        (status, json)
    }
}

impl TestRelay {
    pub async fn start(db: &str) -> Self {
        Self::start_with(db, endpoints(), config()).await
    }

    pub async fn start_with(db: &str, endpoints: Vec<Endpoint>, config: RelayConfig) -> Self {
        let ledger = ledger::open(db).await.expect("open ledger");
        let relay = Relay::start(config, endpoints, ledger.clone())
            .await
            .expect("start relay");
        let base = format!("http://{}", relay.local_addr());
        Self {
            relay,
            base,
            ledger,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .expect("client"),
        }
    }

    /// A relay with the default endpoints and config on a new temporary ledger
    /// (keep the directory alive as long as the relay).
    pub async fn fresh(label: &str) -> (TempDir, Self) {
        let dir = TempDir::new(label);
        let relay = Self::start(dir.db().to_str().expect("utf-8 path")).await;
        (dir, relay)
    }

    /// The same with the default endpoints and `config`.
    pub async fn fresh_with(label: &str, config: RelayConfig) -> (TempDir, Self) {
        let dir = TempDir::new(label);
        let relay =
            Self::start_with(dir.db().to_str().expect("utf-8 path"), endpoints(), config).await;
        (dir, relay)
    }

    pub async fn stop(self) {
        self.relay.shutdown().await.expect("graceful shutdown");
    }
}

/// What the relay tests do to a relay, served on a loopback port
/// ([`TestRelay`]) or answered in-process by `Router::oneshot` ([`TestRouter`]).
#[allow(async_fn_in_trait)]
pub trait Deliver {
    /// The relay's ledger.
    fn ledger(&self) -> &Arc<dyn Ledger>;

    /// POSTs `body` with `content_type` to `path` and returns status and JSON answer.
    async fn post(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
        headers: &[(&str, &str)],
    ) -> (u16, serde_json::Value);

    /// POSTs a Gank JSON body signed with the test key.
    async fn post_gank(&self, body: Vec<u8>) -> (u16, serde_json::Value) {
        let sig = gank_verifier().sign(&body);
        self.post(
            "/webhooks/gank",
            "application/json",
            body,
            &[(GANK_HEADER, &sig)],
        )
        .await
    }

    async fn post_gumroad_form(&self, body: Vec<u8>) -> (u16, serde_json::Value) {
        self.post(
            &format!("/webhooks/gumroad/{GUMROAD_SECRET}"),
            "application/x-www-form-urlencoded",
            body,
            &[],
        )
        .await
    }

    /// A delivery to the Gumroad endpoint with the wrong URL secret (401,
    /// quarantined as `verification`).
    async fn post_wrong_gumroad_secret(&self) -> (u16, serde_json::Value) {
        self.post(
            "/webhooks/gumroad/wrong-secret-xxxxxxxx",
            "text/plain",
            "x",
            &[],
        )
        .await
    }

    async fn stats(&self) -> LedgerStats {
        self.ledger().stats().await.expect("stats")
    }

    async fn events(&self) -> Vec<StoredEvent> {
        self.ledger()
            .events(Default::default())
            .try_collect()
            .await
            .expect("events")
    }

    async fn quarantined(&self) -> Vec<QuarantinedDelivery> {
        self.ledger()
            .quarantined(Default::default())
            .try_collect()
            .await
            .expect("quarantine")
    }
}

/// The relay's routes answered in-process with `Router::oneshot` (no
/// listener, no connection limits), over a temporary SQLite ledger: for
/// routing and status tests. Body limits, timeouts and shutdown are tested
/// on a [`TestRelay`].
pub struct TestRouter {
    pub router: axum::Router,
    pub ledger: Arc<dyn Ledger>,
    _dir: TempDir,
}

impl TestRouter {
    /// The default endpoints and config on a new temporary ledger.
    pub async fn fresh(label: &str) -> Self {
        Self::with(label, endpoints(), config()).await
    }

    /// `endpoints` and `config` on a new temporary ledger.
    pub async fn with(label: &str, endpoints: Vec<Endpoint>, config: RelayConfig) -> Self {
        let dir = TempDir::new(label);
        let ledger = ledger::open(dir.db().to_str().expect("utf-8 path"))
            .await
            .expect("open ledger");
        let router = Relay::router(config, endpoints, ledger.clone()).layer(
            axum::extract::connect_info::MockConnectInfo(std::net::SocketAddr::from((
                [127, 0, 0, 1],
                40_000,
            ))),
        );
        Self {
            router,
            ledger,
            _dir: dir,
        }
    }

    /// Answers `request`: status, headers and the body as JSON (or as a string).
    pub async fn send(
        &self,
        request: http::Request<axum::body::Body>,
    ) -> (u16, http::HeaderMap, serde_json::Value) {
        use tower::ServiceExt;
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        (status, headers, json)
    }

    /// GETs `path` with `headers`: status and JSON answer.
    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> (u16, serde_json::Value) {
        let mut request = http::Request::get(path);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let (status, _, json) = self
            .send(request.body(axum::body::Body::empty()).expect("request"))
            .await;
        (status, json)
    }

    /// Closes the ledger.
    pub async fn stop(self) {
        self.ledger.close().await;
    }
}

impl Deliver for TestRouter {
    fn ledger(&self) -> &Arc<dyn Ledger> {
        &self.ledger
    }

    async fn post(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
        headers: &[(&str, &str)],
    ) -> (u16, serde_json::Value) {
        let body = body.into();
        let bytes = body.as_bytes().expect("a body held in memory").to_vec();
        let mut request = http::Request::post(path).header("content-type", content_type);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let (status, _, json) = self
            .send(
                request
                    .body(axum::body::Body::from(bytes))
                    .expect("request"),
            )
            .await;
        (status, json)
    }
}

/// The `creator` binary with a clean environment for credentials.
pub fn creator() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_creator"));
    for var in [
        "CREATOR_DB",
        "CREATOR_FORWARD",
        "CREATOR_READ_TOKEN",
        "CREATOR_DESTINATION_SECRET",
        "CREATOR_GUMROAD_SECRET",
        "CREATOR_GANK_SECRET",
        "GUMROAD_ACCESS_TOKEN",
        "GUMROAD_API_URL",
        "GANK_LOGIN_TOKEN",
        "GANK_CREATOR_TOKEN",
        "GANK_V1_URL",
        "GANK_V2_URL",
        "GANK_WEBHOOK_KEY",
        "GANK_SIGNATURE_HEADER",
        "MATON_API_KEY",
        "MATON_API_URL",
        "MATON_CONNECTION",
        "RUST_LOG",
        "CREATOR_PROFILE",
        "CREATOR_GUMROAD_CLIENT_ID",
        "GUMROAD_OAUTH_URL",
        "CREATOR_CREDENTIAL_STORE",
        "CREATOR_PUBLIC_URL",
    ] {
        cmd.env_remove(var);
    }
    // Never the developer's own credentials or keyring: an empty config
    // directory of its own unless a test names one, and no D-Bus session
    // (so no OS keyring: credentials go to the 0600 file).
    cmd.env(
        "CREATOR_CONFIG_DIR",
        std::env::temp_dir().join("creator-cli-it-no-config"),
    );
    cmd.env(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/creator-it-bus",
    );
    cmd
}

/// Runs the binary with `input` on its standard input.
pub async fn run_with_stdin(mut cmd: std::process::Command, input: &str) -> Output {
    let input = input.to_owned();
    tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn creator");
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(input.as_bytes());
        }
        child.wait_with_output().expect("wait for creator")
    })
    .await
    .expect("join")
}

/// Runs the binary to completion off the async runtime.
/// `creator relay --listen 127.0.0.1:0 --db DB` followed by `extra`.
pub fn relay_command(db: &str, extra: &[&str]) -> std::process::Command {
    let mut cmd = creator();
    cmd.args(["relay", "--listen", "127.0.0.1:0", "--db", db])
        .args(extra);
    cmd
}

pub async fn run(mut cmd: std::process::Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output().expect("run creator"))
        .await
        .expect("join")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Stdout of a `--format jsonl` run, one JSON value per line.
pub fn jsonl(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts the command failed with exactly one stderr line containing `needle`.
pub fn assert_one_line_error(o: &Output, code: i32, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    assert!(err.contains(needle), "`{needle}` not in: {err}");
}

pub fn fixture(rel: &str) -> Vec<u8> {
    creator_testkit::fixture_bytes(rel)
}

/// HTTP 200 with a fixture's raw bytes as JSON.
pub fn json_fixture(rel: &str) -> wiremock::ResponseTemplate {
    wiremock::ResponseTemplate::new(200).set_body_raw(fixture(rel), "application/json")
}

/// Mounts Gumroad's three recorded sales pages (`GET /v2/sales`, following
/// `page_key`) on `server`.
pub async fn mount_gumroad_sales_pages(server: &wiremock::MockServer) {
    use wiremock::Mock;
    use wiremock::matchers::{method, path, query_param, query_param_is_missing};
    let pages = [
        (None, "gumroad/sales_page1.json"),
        (
            Some("20250220221540000000-2938475"),
            "gumroad/sales_page2.json",
        ),
        (
            Some("20241120101112000000-1029384"),
            "gumroad/sales_page3.json",
        ),
    ];
    for (key, rel) in pages {
        let mock = Mock::given(method("GET")).and(path("/v2/sales"));
        let mock = match key {
            None => mock.and(query_param_is_missing("page_key")),
            Some(k) => mock.and(query_param("page_key", k)),
        };
        mock.respond_with(json_fixture(rel)).mount(server).await;
    }
}

/// A `creator relay` process.
pub struct RunningRelay {
    pub child: tokio::process::Child,
    pub base: String,
    pub banner: Vec<String>,
}

/// Starts `creator relay` on a free loopback port and waits for its banner.
pub async fn spawn_relay(db: &str, envs: &[(&str, &str)]) -> RunningRelay {
    spawn_relay_with(db, envs, &[]).await
}

/// [`spawn_relay`] with extra arguments.
pub async fn spawn_relay_with(db: &str, envs: &[(&str, &str)], extra: &[&str]) -> RunningRelay {
    let (relay, mut lines) = spawn_relay_keeping_stderr(db, envs, extra).await;
    // Keep draining stderr so the relay never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    relay
}

/// The rest of a relay's stderr, after its banner.
pub type StderrLines = tokio::io::Lines<BufReader<tokio::process::ChildStderr>>;

/// [`spawn_relay_with`], handing the rest of stderr to the caller (to read
/// the log, or to close it).
pub async fn spawn_relay_keeping_stderr(
    db: &str,
    envs: &[(&str, &str)],
    extra: &[&str],
) -> (RunningRelay, StderrLines) {
    let mut cmd = tokio::process::Command::from(creator());
    cmd.arg("relay");
    if !extra.contains(&"--listen") {
        cmd.args(["--listen", "127.0.0.1:0"]);
    }
    cmd.args(["--db", db])
        .args(extra)
        .envs(envs.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn().expect("spawn creator relay");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let mut banner = Vec::new();
    let mut base = None;
    let read = async {
        while let Some(line) = lines.next_line().await.expect("read stderr") {
            if let Some(rest) = line.split("listening on ").nth(1) {
                base = rest.split_whitespace().next().map(str::to_owned);
            }
            let done = line.contains("health:");
            banner.push(line);
            if done {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), read)
        .await
        .expect("relay banner in time");
    let relay = RunningRelay {
        child,
        base: base.expect("listening line"),
        banner,
    };
    (relay, lines)
}

/// Sends SIGTERM and waits for the exit.
pub async fn sigterm_and_wait(mut relay: RunningRelay) -> std::process::ExitStatus {
    let pid = relay.child.id().expect("pid").to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    tokio::time::timeout(Duration::from_secs(20), relay.child.wait())
        .await
        .expect("exits after SIGTERM")
        .expect("wait")
}

/// Runs `probe` until `done` holds for what it gives (at most `within`,
/// looking every 50 ms) and returns that; panics naming `what` and the last
/// result otherwise.
pub async fn eventually<T: std::fmt::Debug, F: std::future::Future<Output = T>>(
    within: Duration,
    what: &str,
    mut probe: impl FnMut() -> F,
    done: impl Fn(&T) -> bool,
) -> T {
    let deadline = std::time::Instant::now() + within;
    loop {
        let got = probe().await;
        if done(&got) {
            return got;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what} did not happen within {within:?}; the last look: {got:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
