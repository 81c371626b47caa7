//! The webhook relay: an HTTP server with one endpoint per platform that
//! verifies each delivery, parses it, stores it in the [`ledger`](crate::ledger)
//! and answers well within Gumroad's 5-second limit.
//!
//! | request | answer |
//! |---|---|
//! | `POST /webhooks/<name>[/<secret>][/]`, verified and parsed, new | `200 {"status":"stored","id":…,"dedup_key":…}` |
//! | a redelivery of a stored event (see [`ledger::identity`](crate::ledger::identity)) | `200 {"status":"duplicate",…}`, counted, stored once |
//! | wrong or missing URL secret, signature or credentials | `401`, kept in quarantine as metadata (size, hash, first bytes) |
//! | authentic, but the body cannot be read | `400`, kept in quarantine whole (replayable) |
//! | body over the size limit | `413`, quarantined as metadata |
//! | body not received in time | `400`, quarantined as metadata |
//! | unknown endpoint, extra path segments, `//` | `404`, quarantined as metadata |
//! | endpoint known but not configured | `503`, quarantined as metadata (the platform retries) |
//! | too many rejected requests from one address | `429`, counted, not kept |
//! | the ledger cannot write in time | `503` (the platform retries; redeliveries are deduplicated) |
//! | `GET /healthz` | `200` when the ledger proved it can commit, else `503` with the problems |
//!
//! Nothing posted under `/webhooks/` goes unanswered or unlogged; secrets in
//! the URL are never stored or logged. The server itself bounds what a
//! stranger can hold ([`ConnectionLimits`]): connections, slow heads, idle
//! keep-alives, head size, and the memory of bodies being read.
//!
//! ```no_run
//! use std::sync::Arc;
//! use creator_cli::relay::{Endpoint, Relay, RelayConfig};
//!
//! # async fn run() -> Result<(), creator_cli::CliError> {
//! # let gumroad_webhooks: Arc<dyn creator_core::Webhooks> = todo!();
//! let ledger = creator_cli::ledger::open("creator.db").await?;
//! let endpoints = vec![Endpoint::new("gumroad", gumroad_webhooks).url_secret("a-long-random-secret")?];
//! let relay = Relay::start(RelayConfig::default(), endpoints, ledger).await?;
//! println!("listening on {}", relay.local_addr());
//! relay.shutdown().await?; // finishes in-flight requests, then closes the ledger
//! # Ok(()) }
//! ```

mod access;
mod body;
pub mod console;
mod deliver;
mod feed;
pub mod forward;
mod health;
mod log;
mod peer;
mod read_token;
mod rejection;
mod server;
mod shed;
mod summary;

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use creator_core::verify::UrlToken;
use creator_core::{Clock, Secret, SystemClock, Webhooks};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

use crate::CliError;
use crate::ledger::Ledger;
// What the ledger keeps of a request's headers; the stages read them from here.
use crate::ledger::headers;

pub use body::PREFIX_BYTES;
pub use health::HealthPolicy;
pub use log::MAX_LOGGED_CHARS;
pub use server::ConnectionLimits;
pub use shed::ShedPolicy;

/// The default body limit: Gumroad pings are a few KiB, Gank JSON events smaller.
pub const DEFAULT_MAX_BODY_BYTES: usize = 256 * 1024;

/// Relay settings.
#[derive(Clone)]
pub struct RelayConfig {
    /// Address to listen on (`127.0.0.1:8787`; port 0 picks a free one).
    pub listen: SocketAddr,
    /// Largest accepted body.
    pub max_body_bytes: usize,
    /// How long reading one request body may take.
    pub read_timeout: Duration,
    /// How long storing one delivery may take before the relay answers 503
    /// (below Gumroad's 5-second limit).
    pub store_timeout: Duration,
    /// How long a graceful shutdown waits for requests in progress.
    pub shutdown_grace: Duration,
    /// Bounds on connections.
    pub connections: ConnectionLimits,
    /// Bytes of request bodies being read at once, over all connections, for
    /// deliveries already authenticated by a URL secret or their headers
    /// (default 64 MiB); past it a delivery waits, then gets 503.
    pub body_budget_bytes: usize,
    /// The same for bodies still to be authenticated by a signature over
    /// them (default 16 MiB, at most 8 bodies at once per sender).
    pub stranger_body_budget_bytes: usize,
    /// Proxies whose `X-Forwarded-For` / `Forwarded` headers name the real
    /// sender (a TLS-terminating proxy in front of the relay); everyone
    /// else's such headers are ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// How many rejected requests per sender are kept.
    pub shed: ShedPolicy,
    /// How often the relay logs one line counting what it turned away
    /// without a line each (refused, evicted and broken connections, shed
    /// requests); zero: never (default 60 s).
    pub summary_every: Duration,
    /// When `/healthz` says the ledger is healthy.
    pub health: HealthPolicy,
    /// The clock deliveries are stamped with (tests use a manual one).
    pub clock: Arc<dyn Clock>,
    /// Deliver stored events to the ledger's destinations (`None`: this
    /// relay only stores; another one delivers).
    pub forward: Option<forward::ForwardConfig>,
    /// The token the read API asks for, `GET /v1/events` and
    /// `GET /v1/access` alike (`None`: both are off).
    pub read_token: Option<Secret>,
    /// The web console at `/console` (`None`: off; see [`console`]).
    pub console: Option<console::ConsoleConfig>,
}

impl fmt::Debug for RelayConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RelayConfig")
            .field("listen", &self.listen)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("read_timeout", &self.read_timeout)
            .field("store_timeout", &self.store_timeout)
            .field("shutdown_grace", &self.shutdown_grace)
            .field("connections", &self.connections)
            .field("body_budget_bytes", &self.body_budget_bytes)
            .field(
                "stranger_body_budget_bytes",
                &self.stranger_body_budget_bytes,
            )
            .field("trusted_proxies", &self.trusted_proxies)
            .field("shed", &self.shed)
            .field("summary_every", &self.summary_every)
            .field("health", &self.health)
            .field("forward", &self.forward)
            .field(
                "read_token",
                &self.read_token.as_ref().map(|_| "<redacted>"),
            )
            .finish_non_exhaustive()
    }
}

impl Default for RelayConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            read_timeout: Duration::from_secs(10),
            store_timeout: Duration::from_secs(4),
            shutdown_grace: Duration::from_secs(30),
            connections: ConnectionLimits::default(),
            body_budget_bytes: 64 * 1024 * 1024,
            stranger_body_budget_bytes: 16 * 1024 * 1024,
            trusted_proxies: Vec::new(),
            shed: ShedPolicy::default(),
            summary_every: Duration::from_secs(60),
            health: HealthPolicy::default(),
            clock: Arc::new(SystemClock),
            forward: Some(forward::ForwardConfig::default()),
            read_token: None,
            console: None,
        }
    }
}

/// One `/webhooks/<name>` endpoint backed by a provider's [`Webhooks`].
#[derive(Clone)]
pub struct Endpoint {
    name: String,
    webhooks: Result<Arc<dyn Webhooks>, String>,
    url_secret: Option<UrlToken>,
    verifies_headers_only: bool,
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("name", &self.name)
            .field(
                "provider",
                &self.webhooks.as_ref().map(|w| w.provider().as_str()),
            )
            .field(
                "url_secret",
                &self.url_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("verifies_headers_only", &self.verifies_headers_only)
            .finish()
    }
}

impl Endpoint {
    /// An endpoint at `/webhooks/<name>` that verifies and parses with `webhooks`.
    pub fn new(name: impl Into<String>, webhooks: Arc<dyn Webhooks>) -> Self {
        Self {
            name: name.into(),
            webhooks: Ok(webhooks),
            url_secret: None,
            verifies_headers_only: false,
        }
    }

    /// An endpoint that exists but cannot verify yet (missing key, provider
    /// support not built): deliveries are quarantined and answered 503 so the
    /// platform retries once it is configured.
    pub fn unavailable(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            webhooks: Err(reason.into()),
            url_secret: None,
            verifies_headers_only: false,
        }
    }

    /// Requires a secret as the last path segment, `/webhooks/<name>/<secret>`,
    /// checked by the relay before the body is read with creator-core's
    /// [`UrlToken`] (percent-decoded, compared in constant time), for
    /// platforms that do not sign, or as a second check; the provider's
    /// [`Webhooks::verify`] then runs on top.
    ///
    /// # Errors
    /// [`CliError::Usage`] for an empty secret, which no URL could carry.
    pub fn url_secret(mut self, secret: impl Into<Secret>) -> Result<Self, CliError> {
        let token = UrlToken::last_path_segment(secret).map_err(|e| {
            CliError::Usage(format!("the URL secret of /webhooks/{}: {e}", self.name))
        })?;
        self.url_secret = Some(token);
        Ok(self)
    }

    /// Says the provider's [`Webhooks::verify`] reads only the request target
    /// and headers (Gumroad's URL token or HTTP Basic, never a signature over
    /// the body): the relay then verifies before reading the body, so a
    /// stranger's body is never read into memory beyond a short drain.
    pub fn verifies_headers_only(mut self) -> Self {
        self.verifies_headers_only = true;
        self
    }

    /// The endpoint name (the path segment after `/webhooks/`).
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// The path the relay serves an endpoint's deliveries at:
/// `/webhooks/<name>`, or `/webhooks/<name>/<secret>` with a URL secret
/// (the one place outside the router that knows it; `creator doctor`
/// compares the platforms' registrations with it).
///
/// ```
/// assert_eq!(creator_cli::relay::webhook_path("gank", None), "/webhooks/gank");
/// assert_eq!(creator_cli::relay::webhook_path("gumroad", Some("s3cr3t")), "/webhooks/gumroad/s3cr3t");
/// ```
pub fn webhook_path(endpoint: &str, url_secret: Option<&str>) -> String {
    match url_secret {
        Some(secret) => format!("{}/{endpoint}/{secret}", deliver::PREFIX),
        None => format!("{}/{endpoint}", deliver::PREFIX),
    }
}

/// What every request handler shares.
pub(crate) struct App {
    endpoints: HashMap<String, Endpoint>,
    ledger: Arc<dyn Ledger>,
    config: RelayConfig,
    shedder: shed::Shedder,
    body_budget: Arc<Semaphore>,
    stranger_budget: Arc<Semaphore>,
    stranger_bodies: peer::SenderSlots,
    /// Bodies over 16 KiB verified and parsed at once (one per core).
    large_bodies: Semaphore,
    counters: Arc<server::ServerCounters>,
}

/// A running relay.
pub struct Relay {
    local_addr: SocketAddr,
    stop: watch::Sender<bool>,
    server: JoinHandle<server::Finished>,
    probe: JoinHandle<()>,
    summary: JoinHandle<()>,
    ledger: Arc<dyn Ledger>,
    forwarder: Option<forward::Forwarder>,
}

impl fmt::Debug for Relay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Relay")
            .field("local_addr", &self.local_addr)
            .field("ledger", &self.ledger.backend())
            .finish_non_exhaustive()
    }
}

impl Relay {
    /// Binds the listener and starts serving.
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn start(
        config: RelayConfig,
        endpoints: Vec<Endpoint>,
        ledger: Arc<dyn Ledger>,
    ) -> Result<Relay, CliError> {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|e| {
                CliError::Relay(format!(
                    "cannot listen on {}: {e} (choose another --listen address)",
                    config.listen
                ))
            })?;
        let local_addr = listener
            .local_addr()
            .map_err(|e| CliError::Relay(e.to_string()))?;
        let counters = Arc::new(server::ServerCounters::default());
        let (stop, stopped) = watch::channel(false);
        let limits = config.connections;
        let grace = config.shutdown_grace;
        let forwarder = match config.forward.clone() {
            Some(forwarding) => Some(forward::Forwarder::start(ledger.clone(), forwarding)?),
            None => None,
        };
        let (app, routes) = assemble(
            config,
            endpoints,
            ledger.clone(),
            counters.clone(),
            stopped.clone(),
            None,
        );
        let probe = tokio::spawn(health::probe_when_quiet(app.clone(), stopped.clone()));
        let summary = tokio::spawn(summary::log_every(
            app.clone(),
            app.config.summary_every,
            stopped.clone(),
        ));
        let server = tokio::spawn(server::serve(
            listener, routes, limits, counters, stopped, grace,
        ));
        Ok(Relay {
            local_addr,
            stop,
            server,
            probe,
            summary,
            ledger,
            forwarder,
        })
    }

    /// The relay's routes without a listener: what [`Relay::start`] serves,
    /// minus the server's connection limits and the background tasks (health
    /// probe, summary log, forwarding), for `tower::ServiceExt::oneshot` in
    /// tests. Each request needs its sender's address as a
    /// `ConnectInfo<SocketAddr>` extension (axum's `MockConnectInfo` layer).
    pub fn router(
        config: RelayConfig,
        endpoints: Vec<Endpoint>,
        ledger: Arc<dyn Ledger>,
    ) -> Router {
        let (keep_open, stopped) = watch::channel(false);
        let counters = Arc::default();
        assemble(
            config,
            endpoints,
            ledger,
            counters,
            stopped,
            Some(keep_open),
        )
        .1
    }

    /// The address the relay listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting connections, closes the ones without a request in
    /// progress, lets the requests in progress finish (up to the configured
    /// grace period), then closes the ledger.
    ///
    /// # Errors
    /// When requests in progress outlived the grace period.
    pub async fn shutdown(self) -> Result<(), CliError> {
        let _ = self.stop.send(true);
        let finished = self.server.await;
        let _ = self.probe.await;
        let _ = self.summary.await;
        if let Some(forwarder) = self.forwarder {
            forwarder.stop().await;
        }
        self.ledger.close().await;
        match finished {
            Ok(server::Finished { cut_off: 0 }) => Ok(()),
            Ok(server::Finished { cut_off }) => Err(CliError::Relay(format!(
                "{cut_off} request(s) in progress did not finish within the shutdown grace period; stopped anyway (the platforms retry what was not acknowledged)"
            ))),
            Err(e) => Err(CliError::Relay(format!("the server task failed: {e}"))),
        }
    }
}

/// The shared state and the routes of a relay (the feed's long polls end
/// when `stopped` turns true; `keep_open` holds its sender where no server does).
fn assemble(
    config: RelayConfig,
    endpoints: Vec<Endpoint>,
    ledger: Arc<dyn Ledger>,
    counters: Arc<server::ServerCounters>,
    stopped: watch::Receiver<bool>,
    keep_open: Option<watch::Sender<bool>>,
) -> (Arc<App>, Router) {
    let feed = Arc::new(feed::Feed {
        token: config.read_token.clone(),
        ledger: ledger.clone(),
        stopped,
        _keep_open: keep_open,
    });
    let app = Arc::new(App {
        endpoints: endpoints.into_iter().map(|e| (e.name.clone(), e)).collect(),
        ledger,
        shedder: shed::Shedder::new(config.shed),
        body_budget: Arc::new(Semaphore::new(
            (config.body_budget_bytes / 1024).clamp(1, Semaphore::MAX_PERMITS),
        )),
        stranger_budget: Arc::new(Semaphore::new(
            (config.stranger_body_budget_bytes / 1024).clamp(1, Semaphore::MAX_PERMITS),
        )),
        stranger_bodies: peer::SenderSlots::new(deliver::STRANGER_BODIES_PER_SENDER),
        large_bodies: Semaphore::new(
            std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
        ),
        counters,
        config,
    });
    let mut routes =
        router(app.clone()).route("/v1/events", get(feed::events).layer(axum::Extension(feed)));
    if let Some(console) = app.config.console.clone() {
        routes = routes.nest(
            "/console",
            console::router(console, app.ledger.clone(), app.config.clock.clone()),
        );
    }
    (app, routes)
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/v1/access", get(access::check))
        .fallback(deliver::handle)
        .with_state(app)
}
