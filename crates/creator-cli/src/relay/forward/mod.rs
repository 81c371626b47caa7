//! The outbox worker: delivers every stored event to every matching
//! destination, signed per Standard Webhooks, at least once.
//!
//! - The intake writes one outbox message per event and destination in the
//!   transaction that stores the event ([`crate::ledger::outbox`]); this
//!   worker only reads and updates them, so it can never hold up the intake.
//! - It claims due messages per destination, at most
//!   [`ForwardConfig::max_in_flight`] at a time each: a slow or dead
//!   destination fills its own slots and no one else's. A claim is a lease
//!   (PostgreSQL: `FOR UPDATE SKIP LOCKED`), so several relays on one ledger
//!   send each message once at a time; a relay that dies holds its messages
//!   only until the lease runs out.
//! - Of one subject's messages to one destination only the oldest
//!   undelivered one is claimable: events about a subject arrive in the
//!   order they were stored.
//! - A 2xx within [`ForwardConfig::timeout`] is success; anything else is
//!   retried on the [`Schedule`] (exponential, jittered, about a day), then
//!   dead-lettered. `410 Gone` disables the destination (its messages wait).
//! - The webhook-id is `evt_<event id>`, the same on every attempt: a
//!   receiver deduplicates on it.

pub mod body;
pub mod schedule;
pub mod sign;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, mpsc, watch};
use tokio::task::{JoinHandle, JoinSet};

use crate::CliError;
use crate::ledger::{Attempt, Claim, Claimed, Destination, Ledger, Next, timestamp};

pub use schedule::Schedule;

/// How long after a request's timeout its lease still holds (the time to
/// record the attempt); a relay killed mid-request holds its messages no
/// longer than timeout + this.
const LEASE_MARGIN: Duration = Duration::from_secs(5);
/// How often the destinations are read again (one added by `creator
/// destinations add` while the relay runs is served within this).
const REFRESH_EVERY: Duration = Duration::from_secs(2);
/// Most attempts recorded in one transaction.
const RECORD_BATCH: usize = 512;
/// Bytes of a failed answer's body kept in the attempt's error.
const ERROR_BODY_BYTES: usize = 200;

/// Forwarding settings.
#[derive(Clone)]
pub struct ForwardConfig {
    /// How long a destination has to answer 2xx (default 10 s).
    pub timeout: Duration,
    /// When failed messages are tried again.
    pub schedule: Schedule,
    /// Most requests in flight per destination (default 16).
    pub max_in_flight: usize,
    /// How often the ledger is polled for work the relay was not told
    /// about (retries falling due, other relays' events; default 1 s).
    pub poll: Duration,
    /// This relay's name in leases and attempts.
    pub owner: String,
}

impl fmt::Debug for ForwardConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForwardConfig")
            .field("timeout", &self.timeout)
            .field("schedule", &self.schedule)
            .field("max_in_flight", &self.max_in_flight)
            .field("poll", &self.poll)
            .field("owner", &self.owner)
            .finish()
    }
}

impl Default for ForwardConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            schedule: Schedule::default(),
            max_in_flight: 16,
            poll: Duration::from_secs(1),
            owner: relay_name(),
        }
    }
}

/// `host:pid:random`, naming this relay in leases and attempts.
pub fn relay_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "relay".into());
    // Without randomness the host and pid still name the relay.
    let tag = crate::random::hex(3).unwrap_or_else(|_| "000000".into());
    format!("{host}:{}:{tag}", std::process::id())
}

/// The running worker.
pub(crate) struct Forwarder {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl fmt::Debug for Forwarder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Forwarder").finish_non_exhaustive()
    }
}

impl Forwarder {
    /// Starts the worker on `ledger`.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn start(ledger: Arc<dyn Ledger>, config: ForwardConfig) -> Result<Self, CliError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("creator-relay/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(config.max_in_flight.max(1))
            .build()
            .map_err(|e| CliError::Relay(format!("cannot build the forwarding client: {e}")))?;
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(run(ledger, Arc::new(config), http, stopped));
        Ok(Self { stop, task })
    }

    /// Stops claiming, lets the requests in flight finish (each within the
    /// timeout) and records them.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Requests in flight per destination, shared by the claim loop and the recorder.
type InFlight = Arc<Mutex<HashMap<i64, usize>>>;

async fn run(
    ledger: Arc<dyn Ledger>,
    config: Arc<ForwardConfig>,
    http: reqwest::Client,
    mut stop: watch::Receiver<bool>,
) {
    let mut changes = ledger.subscribe();
    let mut destination_changes = ledger.subscribe_destinations();
    let in_flight: InFlight = Arc::default();
    let freed = Arc::new(Notify::new());
    let (done, attempts) = mpsc::unbounded_channel::<Attempt>();
    let recorder = tokio::spawn(record(
        ledger.clone(),
        attempts,
        in_flight.clone(),
        freed.clone(),
    ));
    let mut destinations: HashMap<i64, Arc<Destination>> = HashMap::new();
    let mut refreshed: Option<Instant> = None;
    let mut jitter = schedule::Jitter::new();
    let mut sends = JoinSet::new();
    let mut warned: Option<Instant> = None;
    loop {
        if *stop.borrow() {
            break;
        }
        let changed = destination_changes.has_changed().unwrap_or(false);
        if changed || refreshed.is_none_or(|at| at.elapsed() >= REFRESH_EVERY) {
            destination_changes.mark_unchanged();
            match ledger.destinations().await {
                Ok(list) => {
                    destinations = list.into_iter().map(|d| (d.id, Arc::new(d))).collect();
                    refreshed = Some(Instant::now());
                }
                Err(e) => warn_sometimes(&mut warned, format_args!("forwarding: {e}")),
            }
        }
        let slots: Vec<(i64, usize)> = {
            let busy = in_flight.lock().map(|m| m.clone()).unwrap_or_default();
            destinations
                .values()
                .filter(|d| d.enabled)
                .filter_map(|d| {
                    let free = config
                        .max_in_flight
                        .saturating_sub(busy.get(&d.id).copied().unwrap_or(0));
                    (free > 0).then_some((d.id, free))
                })
                .collect()
        };
        let wanted: usize = slots.iter().map(|s| s.1).sum();
        let mut got = 0;
        if !slots.is_empty() {
            let now = time::OffsetDateTime::now_utc();
            let claim = Claim {
                owner: config.owner.clone(),
                now: timestamp(now),
                lease_until: timestamp(now + config.timeout + LEASE_MARGIN),
                slots,
            };
            match ledger.claim(claim).await {
                Ok(claimed) => {
                    for c in claimed {
                        got += 1;
                        if let Ok(mut m) = in_flight.lock() {
                            *m.entry(c.destination_id).or_default() += 1;
                        }
                        let (http, config, done) = (http.clone(), config.clone(), done.clone());
                        let draw = jitter.next();
                        sends.spawn(async move {
                            let attempt = send(&http, c, &config, draw).await;
                            let _ = done.send(attempt);
                        });
                    }
                }
                Err(e) => warn_sometimes(&mut warned, format_args!("forwarding: {e}")),
            }
        }
        while sends.try_join_next().is_some() {}
        if got > 0 && got == wanted {
            // Every slot filled: more may be due at once.
            continue;
        }
        tokio::select! {
            changed = changes.changed() => {
                if changed.is_err() {
                    tokio::time::sleep(config.poll).await;
                }
            }
            () = freed.notified() => {}
            _ = destination_changes.changed() => {}
            () = tokio::time::sleep(config.poll) => {}
            _ = stop.changed() => {}
        }
    }
    while sends.join_next().await.is_some() {}
    drop(done);
    let _ = recorder.await;
}

/// A warning at most every 30 s (a ledger that fails keeps failing).
fn warn_sometimes(last: &mut Option<Instant>, message: fmt::Arguments<'_>) {
    if last.is_none_or(|at| at.elapsed() >= Duration::from_secs(30)) {
        *last = Some(Instant::now());
        tracing::warn!("{message}");
    }
}

/// Records finished attempts in batches, then frees their slots (so the
/// next message of a subject is claimed only once this one is recorded).
async fn record(
    ledger: Arc<dyn Ledger>,
    mut attempts: mpsc::UnboundedReceiver<Attempt>,
    in_flight: InFlight,
    freed: Arc<Notify>,
) {
    let mut warned = None;
    while let Some(first) = attempts.recv().await {
        let mut batch = vec![first];
        while batch.len() < RECORD_BATCH {
            match attempts.try_recv() {
                Ok(a) => batch.push(a),
                Err(_) => break,
            }
        }
        let mut tries = 0u32;
        loop {
            match ledger.finish(batch.clone()).await {
                Ok(()) => break,
                Err(e) => {
                    tries += 1;
                    warn_sometimes(
                        &mut warned,
                        format_args!(
                            "forwarding: could not record {} attempt(s): {e}",
                            batch.len()
                        ),
                    );
                    // The leases run out and the messages are sent again if
                    // this never succeeds (at least once, never lost).
                    if tries >= 30 || attempts.is_closed() && tries >= 3 {
                        break;
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
        if let Ok(mut m) = in_flight.lock() {
            for a in &batch {
                if let Some(n) = m.get_mut(&a.destination_id) {
                    *n = n.saturating_sub(1);
                }
            }
        }
        freed.notify_one();
    }
}

/// What an answer or failure was.
struct Answer {
    status: Option<u16>,
    retry_after: Option<Duration>,
    error: Option<String>,
}

/// One attempt of one message.
async fn send(
    http: &reqwest::Client,
    claimed: Claimed,
    config: &ForwardConfig,
    jitter: f64,
) -> Attempt {
    let dest = &claimed.destination;
    let body = body::render(&claimed.event);
    let id = body::message_id(claimed.event.id);
    let now = time::OffsetDateTime::now_utc();
    let started_at = timestamp(now);
    let started = Instant::now();
    let answer = match sign::signature(
        &dest.signing_secrets(&started_at),
        &id,
        now.unix_timestamp(),
        &body,
    ) {
        Err(e) => Answer {
            status: None,
            retry_after: None,
            error: Some(e),
        },
        Ok(signature) => {
            post(
                http,
                dest,
                &id,
                now.unix_timestamp(),
                &signature,
                body,
                config,
            )
            .await
        }
    };
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let next = match answer.status {
        Some(s) if (200..300).contains(&s) => Next::Delivered,
        Some(410) => Next::Gone(format!(
            "answered 410 Gone at {started_at}: `creator destinations enable {}` once it takes events again",
            dest.name
        )),
        _ => match config
            .schedule
            .after(claimed.attempt, jitter, answer.retry_after)
        {
            Some(delay) => Next::RetryAt(timestamp(
                time::OffsetDateTime::now_utc()
                    + time::Duration::try_from(delay).unwrap_or(time::Duration::DAY),
            )),
            None => Next::Dead,
        },
    };
    log_attempt(dest, &claimed, &answer, latency_ms, &next);
    Attempt {
        message_id: claimed.message_id,
        destination_id: claimed.destination_id,
        owner: config.owner.clone(),
        attempt: claimed.attempt,
        started_at,
        status_code: answer.status,
        latency_ms,
        error: answer.error,
        next,
    }
}

async fn post(
    http: &reqwest::Client,
    dest: &Destination,
    id: &str,
    timestamp: i64,
    signature: &str,
    body: Vec<u8>,
    config: &ForwardConfig,
) -> Answer {
    let sent = http
        .post(&dest.url)
        .header(http::header::CONTENT_TYPE, "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await;
    let mut response = match sent {
        Ok(r) => r,
        Err(e) => {
            return Answer {
                status: None,
                retry_after: None,
                error: Some(transport_error(&e, config.timeout)),
            };
        }
    };
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    // Read (a little of) the answer, so the connection can be kept.
    let mut snippet = Vec::new();
    let mut cut_off = None;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if snippet.len() < ERROR_BODY_BYTES {
                    snippet.extend_from_slice(&chunk[..chunk.len().min(ERROR_BODY_BYTES)]);
                }
                if snippet.len() >= 64 * 1024 {
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => {
                cut_off = Some(transport_error(&e, config.timeout));
                break;
            }
        }
    }
    let ok = (200..300).contains(&status);
    let error = match (ok, cut_off) {
        (true, _) => None,
        (false, Some(e)) => Some(format!("HTTP {status}, then {e}")),
        (false, None) => {
            let text = String::from_utf8_lossy(&snippet[..snippet.len().min(ERROR_BODY_BYTES)]);
            let text = super::log::clean(text.trim());
            Some(if text.is_empty() {
                format!("HTTP {status}")
            } else {
                format!("HTTP {status}: {text}")
            })
        }
    };
    Answer {
        status: Some(status),
        retry_after,
        error,
    }
}

/// A transport failure in one line, with its cause (connection refused,
/// DNS, TLS, timeout).
fn transport_error(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!("no answer within {timeout:?}");
    }
    let mut text = if e.is_connect() {
        "could not connect".to_owned()
    } else {
        "the request failed".to_owned()
    };
    let mut cause = std::error::Error::source(e);
    let mut last = None;
    while let Some(c) = cause {
        last = Some(c.to_string());
        cause = c.source();
    }
    if let Some(last) = last {
        text.push_str(": ");
        text.push_str(&super::log::clean(&last));
    }
    text
}

fn log_attempt(dest: &Destination, c: &Claimed, answer: &Answer, latency_ms: u64, next: &Next) {
    let name = super::log::clean(&dest.name);
    let error = answer.error.as_deref().unwrap_or("");
    match next {
        Next::Delivered => tracing::debug!(
            destination = %name,
            event = c.event.id,
            attempt = c.attempt,
            status = answer.status.unwrap_or(0),
            ms = latency_ms,
            "forwarded"
        ),
        Next::RetryAt(at) => tracing::info!(
            destination = %name,
            event = c.event.id,
            attempt = c.attempt,
            ms = latency_ms,
            "forwarding failed ({error}); next attempt at {at}"
        ),
        Next::Dead => tracing::warn!(
            destination = %name,
            event = c.event.id,
            attempt = c.attempt,
            "forwarding failed ({error}) on the last attempt: dead-lettered (`creator deliveries --status dead`, `creator events replay {}`)",
            c.event.id
        ),
        Next::Gone(_) => tracing::warn!(
            destination = %name,
            "the destination answered 410 Gone: disabled (`creator destinations enable {name}` once it takes events again); its messages wait"
        ),
    }
}
