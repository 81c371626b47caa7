//! The shared HTTP transport every provider crate is built on (feature `http`).
//!
//! One [`Transport`] per host: base URL with its path prefix kept, credentials
//! in a sensitive header (never in the URL), a per-attempt timeout, the retry
//! loop of [`RetryPolicy`](crate::RetryPolicy) sleeping through the injected
//! [`Clock`](crate::Clock), an optional shared [`RateLimiter`], a `tracing`
//! span per request (method, path template, status, attempt — never the query
//! or a body), and a [`ResponseClassifier`] hook through which each provider
//! turns its own error shapes into [`Error`](crate::Error)s. Client builders
//! take their transport settings as one [`ClientOptions`]. An [`Observer`]
//! set with [`observe`] sees (and may hold back) every attempt, for a command
//! line's `--debug` and `--dry-run`.

mod classify;
mod observe;
mod options;
mod path;
mod transport;

pub use crate::limiter::{RateLimiter, SpacedLimiter, WindowLimiter};
pub use classify::{DefaultClassifier, ResponseClassifier, default_error, message_from_body};
pub use observe::{ObservedResponse, Observer, OutgoingRequest, Verdict, observe};
pub use options::ClientOptions;
pub use path::Path;
pub use transport::{Auth, Request, Response, Transport, TransportBuilder};
