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
}

/// A copy of [`ServerCounters`].
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct ServerSnapshot {
    pub open_connections: usize,
    pub refused_connections: u64,
}

impl ServerCounters {
    pub fn snapshot(&self) -> ServerSnapshot {
        ServerSnapshot {
            open_connections: self.open.load(Ordering::Relaxed),
            refused_connections: self.refused.load(Ordering::Relaxed),
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

/// Takes a place for a connection from `ip`, or `None` when a limit is reached.
fn admit(
    limits: &ConnectionLimits,
    peers: &Arc<PerPeer>,
    counters: &Arc<ServerCounters>,
    ip: IpAddr,
) -> Option<Slot> {
    let mut map = peers.0.lock().ok()?;
    if counters.open.load(Ordering::Relaxed) >= limits.max_connections {
        return None;
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
                        // Out of file descriptors and the like: wait, do not spin.
                        tracing::warn!(error = %e, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Some(slot) = admit(&limits, &peers, &counters, super::peer::sender_key(peer.ip())) else {
                    counters.refused.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!(%peer, "connection refused: connection limit reached");
                    drop(stream);
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let router = router.clone();
                let builder = builder.clone();
                let shutdown = shutdown.clone();
                connections.spawn(connection(stream, peer, router, builder, shutdown, grace, slot));
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

/// Serves one connection; returns how many requests were cut off at shutdown.
async fn connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    router: Router,
    builder: Arc<hyper::server::conn::http1::Builder>,
    mut shutdown: watch::Receiver<bool>,
    grace: Duration,
    _slot: Slot,
) -> usize {
    let busy = Arc::new(AtomicUsize::new(0));
    let service = {
        let busy = busy.clone();
        hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let busy = busy.clone();
            busy.fetch_add(1, Ordering::SeqCst);
            let call = router.clone().oneshot(req.map(axum::body::Body::new));
            async move {
                let response = call.await;
                busy.fetch_sub(1, Ordering::SeqCst);
                Ok::<_, Infallible>(response.unwrap_or_else(|never| match never {}))
            }
        })
    };
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
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
