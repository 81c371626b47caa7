//! Watching, and holding back, the requests a [`Transport`](super::Transport)
//! sends: what a command line needs for `--debug` (each request and response
//! line) and `--dry-run` (the exact request, never sent).
//!
//! An [`Observer`] is in force for one future, [`observe`]`(observer, fut)`,
//! and sees every attempt of every request sent while that future runs (on
//! its task), whatever client sends it. Without an observer nothing changes
//! and nothing is copied.
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use creator_core::http::{observe, Observer, OutgoingRequest, Transport, Verdict};
//! use creator_core::Provider;
//!
//! /// Holds back every write and remembers it.
//! #[derive(Default)]
//! struct DryRun(Mutex<Vec<String>>);
//!
//! impl Observer for DryRun {
//!     fn on_request(&self, request: &OutgoingRequest<'_>) -> Verdict {
//!         self.0.lock().unwrap().push(format!("{} {}", request.method, request.url));
//!         Verdict::Hold
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> creator_core::Result<()> {
//! let transport = Transport::builder(Provider::Gumroad, "https://api.gumroad.com").build()?;
//! let dry = Arc::new(DryRun::default());
//! let sent = observe(dry.clone(), transport.put("/v2/sales/abc/refund").send()).await;
//! assert!(matches!(sent, Err(creator_core::Error::NotSent { .. })));
//! assert_eq!(dry.0.lock().unwrap()[0], "PUT https://api.gumroad.com/v2/sales/abc/refund");
//! # Ok(()) }
//! ```

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, Method};
use url::Url;

use crate::Provider;

/// One attempt of a request, as it is about to be sent. Header values that
/// carry a credential are marked sensitive ([`http::HeaderValue::is_sensitive`]):
/// show them redacted.
#[derive(Debug)]
#[non_exhaustive]
pub struct OutgoingRequest<'a> {
    /// The platform.
    pub provider: Provider,
    /// The method.
    pub method: &'a Method,
    /// The absolute URL, query included.
    pub url: &'a Url,
    /// The path template (`/v2/sales/{}/refund`), without ids or query.
    pub path_template: &'a str,
    /// Every header sent: the client's, the request's, the credential and
    /// the content type.
    pub headers: &'a HeaderMap,
    /// The body, exactly as sent (empty when there is none).
    pub body: &'a [u8],
    /// 1 for the first attempt.
    pub attempt: u32,
}

/// What became of one attempt.
#[derive(Debug)]
#[non_exhaustive]
pub struct ObservedResponse<'a> {
    /// The platform.
    pub provider: Provider,
    /// The method.
    pub method: &'a Method,
    /// The absolute URL, query included.
    pub url: &'a Url,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// The HTTP status, when a response arrived.
    pub status: Option<u16>,
    /// The response headers (empty without a response).
    pub headers: &'a HeaderMap,
    /// The body's size in bytes, when a response arrived.
    pub body_len: Option<usize>,
    /// Why no response arrived (a timeout, a refused connection).
    pub failure: Option<String>,
    /// From sending to the end of the body.
    pub elapsed: Duration,
}

/// Whether an attempt goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// Send it.
    Send,
    /// Do not send it: the request fails with
    /// [`Error::NotSent`](crate::Error::NotSent) and is not retried.
    Hold,
}

/// Sees the requests sent under [`observe`].
pub trait Observer: Send + Sync {
    /// Called before each attempt; [`Verdict::Hold`] keeps it from being sent.
    fn on_request(&self, request: &OutgoingRequest<'_>) -> Verdict;

    /// Called after each attempt that was sent (default: nothing).
    fn on_response(&self, response: &ObservedResponse<'_>) {
        let _ = response;
    }
}

tokio::task_local! {
    static OBSERVER: Arc<dyn Observer>;
}

/// Runs `future` with `observer` watching every request sent while it runs
/// on this task (a task it spawns is not watched).
pub async fn observe<F: Future>(observer: Arc<dyn Observer>, future: F) -> F::Output {
    OBSERVER.scope(observer, future).await
}

/// The observer in force, if any.
pub(crate) fn current() -> Option<Arc<dyn Observer>> {
    OBSERVER.try_with(Arc::clone).ok()
}
