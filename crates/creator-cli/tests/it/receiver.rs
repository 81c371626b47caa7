//! A destination for forwarding tests: an HTTP server on 127.0.0.1 that
//! keeps every request it gets and answers as its script says.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;

/// One request as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
    pub status: u16,
}

impl Received {
    pub fn id(&self) -> String {
        self.header("webhook-id")
    }

    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// Verifies the signature with `secret` (the `standardwebhooks` crate's verifier).
    pub fn verify(&self, secret: &str) -> Result<(), String> {
        standardwebhooks::Webhook::new(secret)
            .map_err(|e| e.to_string())?
            .verify(&self.body, &self.headers)
            .map_err(|e| e.to_string())
    }
}

/// What the receiver answers to its `n`-th request (from 0).
pub type Script = Arc<dyn Fn(usize) -> Reply + Send + Sync>;

/// One answer.
#[derive(Debug, Clone, Copy)]
pub enum Reply {
    /// This status at once.
    Status(u16),
    /// This status after a delay.
    Slow(u16, Duration),
}

#[derive(Clone)]
struct Inner {
    got: Arc<Mutex<Vec<Received>>>,
    count: Arc<AtomicUsize>,
    script: Script,
}

/// A running receiver.
pub struct Receiver {
    pub addr: SocketAddr,
    got: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// A receiver answering 200 to everything.
    pub async fn ok() -> Self {
        Self::start(Arc::new(|_| Reply::Status(200))).await
    }

    /// A receiver answering as `script` says.
    pub async fn start(script: Script) -> Self {
        Self::start_on("127.0.0.1:0".parse().unwrap(), script).await
    }

    /// The same on a given address (a restarted receiver keeps its port).
    pub async fn start_on(addr: SocketAddr, script: Script) -> Self {
        let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
        let addr = listener.local_addr().unwrap();
        let got = Arc::new(Mutex::new(Vec::new()));
        let inner = Inner {
            got: got.clone(),
            count: Arc::default(),
            script,
        };
        let app = axum::Router::new().fallback(handle).with_state(inner);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, got, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hooks", self.addr)
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until `done` holds for what was received (at most `within`).
    pub async fn wait_for(
        &self,
        within: Duration,
        done: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let got = self.received();
            if done(&got) {
                return got;
            }
            if Instant::now() >= deadline {
                panic!(
                    "the receiver did not get what was expected within {within:?}; it got {} request(s): {:#?}",
                    got.len(),
                    got.iter().map(|r| (r.id(), r.status)).collect::<Vec<_>>()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn stop(self) {
        self.task.abort();
    }
}

async fn handle(State(inner): State<Inner>, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    let n = inner.count.fetch_add(1, Ordering::SeqCst);
    let reply = (inner.script)(n);
    let status = match reply {
        Reply::Status(s) => s,
        Reply::Slow(s, d) => {
            tokio::time::sleep(d).await;
            s
        }
    };
    inner.got.lock().unwrap().push(Received {
        headers,
        body,
        status,
    });
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}
