//! The relay's HTTP/1 server: the accept loop and the limits that keep a
//! stranger from holding the relay's connections or memory.
//!
//! - at most [`ConnectionLimits::max_connections`] open connections, and
//!   [`ConnectionLimits::max_per_peer`] from one address (an IPv6 /64 counts
//!   as one; more are closed at once, before anything is read);
//! - the request head must arrive within
//!   [`ConnectionLimits::header_read_timeout`], which also closes idle
//!   keep-alive connections (hyper restarts the timer for each request);
//! - heads larger than [`ConnectionLimits::max_header_bytes`] are answered
//!   `431` by hyper before any handler runs;
//! - when all connections are taken, a new one makes room by closing the
//!   oldest connection without a request in progress, else the oldest whose
//!   request is not authenticated yet (a stranger's body being read); a
//!   connection whose delivery passed its secret or signature is never closed;
//! - at shutdown, connections without a request in progress are closed at
//!   once (a client that is still sending its head is not in progress), and
//!   requests in progress get the grace period to finish.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;

/// Bounds on connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Most open connections (default 1 024).
    pub max_connections: usize,
    /// Most open connections from one address (default 64).
    pub max_per_peer: usize,
    /// How long a client may take to send a request head, and how long an
    /// idle keep-alive connection stays open (default 5 s, Gumroad's own
    /// delivery timeout).
    pub header_read_timeout: Duration,
    /// Largest request head (request line and headers, default 32 KiB).
    pub max_header_bytes: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            max_per_peer: 64,
            header_read_timeout: Duration::from_secs(5),
            max_header_bytes: 32 * 1024,
        }
    }
}

/// Counters of the server, shown by `/healthz`.
#[derive(Debug, Default)]
pub(crate) struct ServerCounters {
    /// Connections open now.
    pub open: AtomicUsize,
    /// Connections closed at once because a limit was reached.
    pub refused: AtomicU64,
    /// Connections closed to make room for new ones.
    pub evicted: AtomicU64,
    /// Connections that ended with an error (a client that sent garbage,
    /// timed out sending its head, or reset the connection).
    pub connection_errors: AtomicU64,
    /// Failures of `accept` itself (out of file descriptors and the like).
    pub accept_errors: AtomicU64,
    /// Requests answered 503 because a budget of bodies was spent.
    pub busy: AtomicU64,
}

/// A copy of [`ServerCounters`].
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct ServerSnapshot {
    pub open_connections: usize,
    pub refused_connections: u64,
    pub evicted_connections: u64,
    pub connection_errors: u64,
    pub accept_errors: u64,
    pub busy_answers: u64,
}

impl ServerCounters {
    pub fn snapshot(&self) -> ServerSnapshot {
        ServerSnapshot {
            open_connections: self.open.load(Ordering::Relaxed),
            refused_connections: self.refused.load(Ordering::Relaxed),
            evicted_connections: self.evicted.load(Ordering::Relaxed),
            connection_errors: self.connection_errors.load(Ordering::Relaxed),
            accept_errors: self.accept_errors.load(Ordering::Relaxed),
            busy_answers: self.busy.load(Ordering::Relaxed),
        }
    }
}

/// What one connection is doing, for choosing which to close at the limit.
#[derive(Debug)]
pub(crate) struct ConnState {
    /// Requests being handled on it (0: idle, or a head still arriving).
    busy: AtomicUsize,
    /// Its request in progress passed a secret or signature check.
    authenticated: std::sync::atomic::AtomicBool,
    accepted: std::time::Instant,
    evict: tokio::sync::Notify,
}

impl ConnState {
    fn new() -> Self {
        Self {
            busy: AtomicUsize::new(0),
            authenticated: std::sync::atomic::AtomicBool::new(false),
            accepted: std::time::Instant::now(),
            evict: tokio::sync::Notify::new(),
        }
    }

    /// Marks the request in progress as authentic: its connection is not
    /// closed to make room.
    pub(crate) fn authenticated(&self) {
        self.authenticated.store(true, Ordering::SeqCst);
    }

    /// How readily this connection is closed to make room: `None` never.
    fn eviction_rank(&self) -> Option<u8> {
        match (
            self.busy.load(Ordering::SeqCst),
            self.authenticated.load(Ordering::SeqCst),
        ) {
            (0, _) => Some(0),
            (_, false) => Some(1),
            (_, true) => None,
        }
    }
}

/// The open connections' states, by connection number.
#[derive(Debug, Default)]
struct Registry {
    next: std::sync::atomic::AtomicU64,
    open: Mutex<HashMap<u64, Arc<ConnState>>>,
}

impl Registry {
    fn add(&self, state: Arc<ConnState>) -> u64 {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut open) = self.open.lock() {
            open.insert(id, state);
        }
        id
    }

    fn remove(&self, id: u64) {
        if let Ok(mut open) = self.open.lock() {
            open.remove(&id);
        }
    }

    /// Asks the most evictable connection to close; false when none may be.
    fn evict_one(&self) -> bool {
        let Ok(open) = self.open.lock() else {
            return false;
        };
        let victim = open
            .values()
            .filter_map(|c| c.eviction_rank().map(|rank| (rank, c.accepted, c)))
            .min_by_key(|(rank, accepted, _)| (*rank, *accepted))
            .map(|(_, _, c)| c.clone());
        match victim {
            Some(c) => {
                c.evict.notify_one();
                true
            }
            None => false,
        }
    }
}

/// Open connections per peer address.
#[derive(Debug, Default)]
struct PerPeer(Mutex<HashMap<IpAddr, usize>>);

/// Holds one connection's place in the counters until dropped.
struct Slot {
    peers: Arc<PerPeer>,
    counters: Arc<ServerCounters>,
    ip: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.counters.open.fetch_sub(1, Ordering::Relaxed);
        if let Ok(mut map) = self.peers.0.lock()
            && let Some(n) = map.get_mut(&self.ip)
        {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

/// Takes a place for a connection from `ip`, or `None` when a limit is
/// reached (at the total limit, after making room when a connection may go).
fn admit(
    limits: &ConnectionLimits,
    peers: &Arc<PerPeer>,
    counters: &Arc<ServerCounters>,
    registry: &Registry,
    ip: IpAddr,
) -> Option<Slot> {
    let mut map = peers.0.lock().ok()?;
    if counters.open.load(Ordering::Relaxed) >= limits.max_connections {
        // Room is made by closing another; this one is over the limit until
        // that one is gone, by one at most per accept.
        if !registry.evict_one() {
            return None;
        }
        counters.evicted.fetch_add(1, Ordering::Relaxed);
    }
    let n = map.entry(ip).or_insert(0);
    if *n >= limits.max_per_peer {
        return None;
    }
    *n += 1;
    counters.open.fetch_add(1, Ordering::Relaxed);
    Some(Slot {
        peers: peers.clone(),
        counters: counters.clone(),
        ip,
    })
}

/// How a served listener ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Finished {
    /// Requests still in progress when the grace period ran out (cut off).
    pub cut_off: usize,
}

/// Serves `router` on `listener` until `shutdown` turns true, then stops
/// accepting, closes idle connections and gives requests in progress up to
/// `grace`.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    counters: Arc<ServerCounters>,
    mut shutdown: watch::Receiver<bool>,
    grace: Duration,
) -> Finished {
    let peers = Arc::new(PerPeer::default());
    let registry = Arc::new(Registry::default());
    let mut connections = JoinSet::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_header_size(limits.max_header_bytes)
        // hyper buffers what a connection sends ahead of the handler; keep
        // that small so a thousand connections cannot hold much memory.
        .max_buf_size(limits.max_header_bytes.max(8 * 1024) + 16 * 1024)
        .keep_alive(true);
    let builder = Arc::new(builder);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        // Out of file descriptors and the like: wait, do not
                        // spin, and say so once, not fifty times a second
                        // (the periodic summary counts the rest).
                        if counters.accept_errors.fetch_add(1, Ordering::Relaxed) == 0 {
                            tracing::warn!(error = %e, "accepting a connection failed (further failures are counted in the relay's summary)");
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Some(slot) = admit(&limits, &peers, &counters, &registry, super::peer::sender_key(peer.ip())) else {
                    counters.refused.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!(%peer, "connection refused: connection limit reached");
                    drop(stream);
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let state = Arc::new(ConnState::new());
                let id = registry.add(state.clone());
                let registry = registry.clone();
                let shared = Shared {
                    router: router.clone(),
                    builder: builder.clone(),
                    shutdown: shutdown.clone(),
                    grace,
                    counters: counters.clone(),
                };
                connections.spawn(async move {
                    let cut_off = connection(shared, Accepted { stream, peer, _slot: slot, state }).await;
                    registry.remove(id);
                    cut_off
                });
            }
            _ = shutdown.changed() => break,
            // Reap finished connection tasks so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let mut cut_off = 0;
    let deadline = tokio::time::Instant::now() + grace + Duration::from_millis(500);
    while !connections.is_empty() {
        match tokio::time::timeout_at(deadline, connections.join_next()).await {
            Ok(Some(Ok(n))) => cut_off += n,
            Ok(Some(Err(_))) => {}
            Ok(None) => break,
            Err(_) => {
                cut_off += connections.len();
                connections.abort_all();
                break;
            }
        }
    }
    Finished { cut_off }
}

/// What every connection's task is given.
struct Shared {
    router: Router,
    builder: Arc<hyper::server::conn::http1::Builder>,
    shutdown: watch::Receiver<bool>,
    grace: Duration,
    counters: Arc<ServerCounters>,
}

/// One accepted connection and its place in the limits.
struct Accepted {
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    _slot: Slot,
    state: Arc<ConnState>,
}

/// Serves one connection; returns how many requests were cut off at shutdown.
async fn connection(shared: Shared, accepted: Accepted) -> usize {
    let Shared {
        router,
        builder,
        mut shutdown,
        grace,
        counters,
    } = shared;
    let Accepted {
        stream,
        peer,
        _slot,
        state,
    } = accepted;
    let service = {
        let state = state.clone();
        hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            req.extensions_mut().insert(state.clone());
            let state = state.clone();
            state.busy.fetch_add(1, Ordering::SeqCst);
            let call = router.clone().oneshot(req.map(axum::body::Body::new));
            async move {
                let response = call.await;
                state.authenticated.store(false, Ordering::SeqCst);
                state.busy.fetch_sub(1, Ordering::SeqCst);
                Ok::<_, Infallible>(response.unwrap_or_else(|never| match never {}))
            }
        })
    };
    let busy = &state.busy;
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        biased;
        result = conn.as_mut() => {
            if let Err(e) = result {
                counters.connection_errors.fetch_add(1, Ordering::Relaxed);
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
            return 0;
        }
        _ = state.evict.notified() => {
            tracing::debug!(%peer, "connection closed to make room for a new one");
            return 0;
        }
        _ = shutdown.wait_for(|stop| *stop) => {}
    }
    // Shutting down: hyper closes the connection now if it is idle, or after
    // the response to the request in progress.
    conn.as_mut().graceful_shutdown();
    let started = tokio::time::Instant::now();
    let deadline = started + grace;
    // Time for a response already produced to reach the socket.
    let drained = started + Duration::from_millis(100);
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    loop {
        tokio::select! {
            biased;
            _ = conn.as_mut() => return 0,
            _ = tick.tick() => {
                let now = tokio::time::Instant::now();
                if now >= drained && busy.load(Ordering::SeqCst) == 0 {
                    // No request in progress (at most a head still arriving): close.
                    return 0;
                }
                if now >= deadline {
                    return busy.load(Ordering::SeqCst);
                }
            }
        }
    }
}
