//! The relay's web console (`creator relay --console`), served at
//! `/console`: what came in, what was rejected and why, what reached the
//! destinations and what is failing, with buttons to send things again.
//!
//! Pages are rendered on the server (askama templates, HTML auto-escaped),
//! with one small stylesheet and no script. Every list is a keyset page
//! ([`crate::ledger::pages`]), so a ledger of a million events opens as fast
//! as an empty one. Sign-in, cookies and CSRF: [`session`]. Secrets of
//! webhooks and destinations are never shown, except a destination's new
//! secret once, right after the console made it (as the CLI does).
//!
//! | page | what |
//! |---|---|
//! | `GET /console/events` | events, filtered by provider, kind, time and text |
//! | `GET /console/events/<id>` | one event: normalized, provider payload, raw body |
//! | `GET /console/quarantine[/<id>]` | rejected deliveries (headers redacted), replay |
//! | `GET /console/deliveries` | messages per destination: status, latency, next attempt, dead letters, replay |
//! | `GET /console/destinations` | add, disable, enable, rotate a secret |
//! | `GET /console/activity` | attempts per hour per provider and forwarding latency (SVG) |
//! | `GET /console/doctor` | the checks of `creator doctor`, run when opened ([`checkup`]) |

mod chart;
pub mod checkup;
#[cfg(test)]
mod handler_tests;
mod pages;
pub mod session;

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use creator_core::{Clock, Secret};

use crate::CliError;
use crate::ledger::{Ledger, LedgerError};

/// Rows on one page of a list.
pub const PAGE_SIZE: u64 = 50;

/// Settings of the console.
#[derive(Clone)]
pub struct ConsoleConfig {
    /// The admin token typed into the login form.
    pub token: Secret,
    /// What the doctor page checks besides the ledger.
    pub doctor: checkup::DoctorSetup,
}

impl std::fmt::Debug for ConsoleConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsoleConfig")
            .field("token", &"<redacted>")
            .field("doctor", &self.doctor)
            .finish()
    }
}

/// What the console's handlers share.
#[derive(Debug)]
pub(crate) struct Console {
    ledger: Arc<dyn Ledger>,
    sessions: session::Sessions,
    clock: Arc<dyn Clock>,
    doctor: checkup::DoctorSetup,
}

impl Console {
    fn now(&self) -> time::OffsetDateTime {
        time::OffsetDateTime::from(self.clock.now())
    }
}

/// Why a console request failed; each kind has its status and page.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// No live session: the browser is sent to the login form.
    #[error("sign in first")]
    SignedOut,
    /// A wrong token, a missing or wrong CSRF token, a cross-site request.
    #[error("{0}")]
    Forbidden(String),
    /// A form or query that does not make sense.
    #[error("{0}")]
    BadRequest(String),
    /// No such row.
    #[error("{0}")]
    NotFound(String),
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// Anything else.
    #[error("{0}")]
    Internal(String),
}

impl From<CliError> for ConsoleError {
    fn from(e: CliError) -> Self {
        match e {
            CliError::Usage(m) | CliError::NotAvailable(m) => ConsoleError::BadRequest(m),
            CliError::Ledger(e) => ConsoleError::Ledger(e),
            other => ConsoleError::Internal(crate::error::one_line(&other)),
        }
    }
}

impl From<askama::Error> for ConsoleError {
    fn from(e: askama::Error) -> Self {
        ConsoleError::Internal(format!("a page could not be rendered: {e}"))
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let status = match &self {
            ConsoleError::SignedOut => return Redirect::to("/console/login").into_response(),
            ConsoleError::Forbidden(_) => StatusCode::FORBIDDEN,
            ConsoleError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ConsoleError::NotFound(_) => StatusCode::NOT_FOUND,
            ConsoleError::Ledger(_) => StatusCode::SERVICE_UNAVAILABLE,
            ConsoleError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status.is_server_error() {
            tracing::warn!(error = %self, "console request failed");
        }
        let page = pages::ErrorPage {
            status: status.as_u16(),
            message: self.to_string(),
        };
        let body = askama::Template::render(&page)
            .unwrap_or_else(|_| format!("{} {}", status.as_u16(), status));
        (status, Html(body)).into_response()
    }
}

/// The console's routes, to be nested at `/console`.
pub(crate) fn router(
    config: ConsoleConfig,
    ledger: Arc<dyn Ledger>,
    clock: Arc<dyn Clock>,
) -> Router {
    let console = Arc::new(Console {
        ledger,
        sessions: session::Sessions::new(config.token),
        clock,
        doctor: config.doctor,
    });
    Router::new()
        .route("/", get(pages::home))
        .route("/style.css", get(pages::style))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/events", get(pages::events))
        .route("/events/{id}", get(pages::event))
        .route("/quarantine", get(pages::quarantine))
        .route("/quarantine/{id}", get(pages::quarantined))
        .route("/quarantine/{id}/replay", post(pages::replay_quarantined))
        .route("/deliveries", get(pages::deliveries))
        .route("/deliveries/replay", post(pages::replay_event))
        .route(
            "/destinations",
            get(pages::destinations).post(pages::add_destination),
        )
        .route(
            "/destinations/{name}/{action}",
            post(pages::change_destination),
        )
        .route("/activity", get(pages::activity))
        .route("/doctor", get(checkup::doctor))
        .layer(axum::middleware::map_response(protect))
        .with_state(console)
}

/// Headers on every console answer: never cached (a page may show a new
/// secret once), never framed, no scripts, forms only to the console itself.
async fn protect(mut response: Response) -> Response {
    use axum::http::HeaderValue;
    use axum::http::header;
    let headers = response.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// The warning printed when the console is served where its token and
/// cookie would cross a network in clear (`None`: loopback, or a trusted
/// TLS-terminating proxy in front).
pub fn exposure_warning(listen: std::net::SocketAddr, behind_proxy: bool) -> Option<String> {
    (!listen.ip().is_loopback() && !behind_proxy).then(|| {
        format!(
            "warning: the console is served on {listen}, which is not a loopback address, over plain HTTP: \
             its token and session cookie would cross the network unencrypted, and browsers refuse its Secure \
             cookie there. Put a TLS-terminating proxy in front (and name it with --trusted-proxy), or listen on 127.0.0.1"
        )
    })
}

/// A new admin token, for when `CREATOR_CONSOLE_TOKEN` is not set.
///
/// # Errors
/// When the OS has no random bytes to give.
pub fn generate_token() -> Result<Secret, CliError> {
    session::random_token()
        .map(Secret::new)
        .map_err(|e| CliError::Relay(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_public_address_without_a_proxy_is_warned_about() {
        let public: std::net::SocketAddr = "0.0.0.0:8787".parse().unwrap();
        let local: std::net::SocketAddr = "127.0.0.1:8787".parse().unwrap();
        assert!(exposure_warning(public, false).unwrap().contains("TLS"));
        assert!(exposure_warning(public, true).is_none());
        assert!(exposure_warning(local, false).is_none());
        assert!(
            !format!(
                "{:?}",
                ConsoleConfig {
                    token: Secret::new("hunter2-hunter2"),
                    doctor: checkup::DoctorSetup::default(),
                }
            )
            .contains("hunter2")
        );
    }
}
