//! # maton-gateway
//!
//! A client for the [Maton](https://maton.ai) API gateway, which holds a
//! user's OAuth connections to ~150 apps and proxies requests to them:
//! `{base}/{app}/{native path}` with `Authorization: Bearer <MATON_API_KEY>`
//! and an optional `Maton-Connection: <connection id>` header.
//!
//! - **Gumroad through Maton**: [`MatonClient::gumroad`] returns the full
//!   [`gumroad_api::GumroadClient`] — every endpoint and its
//!   `creator_core` trait implementations ([`creator_core::Products`],
//!   [`creator_core::Sales`], [`creator_core::Subscribers`]) — with its
//!   requests sent to `{base}/gumroad/v2/...`. Nothing is copied from the
//!   Gumroad crate; only the transport differs.
//! - **Connections** (the control plane): [`MatonClient::connections`] lists
//!   (by app and status), creates, gets and deletes connections; a new
//!   connection's [`Connection::url`] is the page the user opens to authorize.
//! - **Any other app**: [`MatonClient::app`] sends any method, path, query,
//!   headers and body to an app (`maton.app("slack").post("/api/chat.postMessage")`)
//!   and returns the raw [`Response`](creator_core::http::Response), or
//!   decodes it with [`AppRequest::json`].
//! - **Errors**: [`MatonClassifier`] tells Maton's own errors (400 no
//!   connection, 401 bad key, 429 rate limit, 500 often an expired upstream
//!   OAuth token) from errors the app passes through; see
//!   [`MatonErrorKind::of`]. It is a documented heuristic, since Maton does
//!   not document its error bodies. Bodies are always kept raw.
//! - **Traits**: [`MatonClient`] itself implements [`creator_core::Products`],
//!   [`creator_core::Sales`] and [`creator_core::Subscribers`] (Gumroad
//!   through the default connection), and [`MatonClient::gumroad_webhooks`]
//!   starts the [`creator_core::Webhooks`] receiver whose `confirm` reads back
//!   through the gateway.
//! - **Rate limit**: a client-side limiter, on by default at Maton's
//!   documented 10 requests per second per account, shared by every clone.
//!
//! ## Hosts
//!
//! Maton moved both the gateway and the control plane to one host,
//! [`DEFAULT_BASE_URL`] (`https://api.maton.ai`), on 2026-04-30. Older guides
//! show `https://gateway.maton.ai` for the proxy and `https://ctrl.maton.ai`
//! for `/connections` ([`LEGACY_GATEWAY_URL`], [`LEGACY_CONTROL_URL`]); it is
//! not verified whether these still answer. Set them separately with
//! [`MatonClientBuilder::gateway_base_url`] and
//! [`MatonClientBuilder::control_base_url`], or both with
//! [`MatonClientBuilder::base_url`] (also read from `MATON_API_URL` by
//! [`MatonClientBuilder::env`]).
//!
//! ## Example
//!
//! ```no_run
//! use creator_core::{collect, SaleQuery, Sales};
//! use maton_gateway::{ConnectionStatus, ListConnections, MatonClient};
//!
//! # async fn run() -> creator_core::Result<()> {
//! let maton = MatonClient::from_env()?; // MATON_API_KEY
//! let active = maton
//!     .connections()
//!     .list(&ListConnections::new().app("gumroad").status(ConnectionStatus::Active))
//!     .await?;
//! let Some(first) = active.first() else {
//!     println!("no Gumroad connection yet");
//!     return Ok(());
//! };
//! let gumroad = maton.gumroad_with_connection(&first.connection_id)?;
//! let sales = collect(gumroad.list_sales(SaleQuery::new()), Some(10)).await?;
//! println!("{} recent sales", sales.len());
//! # Ok(()) }
//! ```

mod access;
mod api;
mod classify;
mod client;
mod models;
mod traits;

pub use api::connections::{ConnectionsApi, CreateConnection, ListConnections};
pub use api::proxy::{AppProxy, AppRequest, MAX_PATH_SEGMENTS};
pub use classify::{
    CODE_BAD_REQUEST, CODE_NO_CONNECTION, CODE_SERVER_ERROR, ErrorSource, MatonClassifier,
    MatonErrorKind, UpstreamShape,
};
pub use client::{
    API_KEY_ENV, API_URL_ENV, CONNECTION_HEADER, DEFAULT_BASE_URL, DEFAULT_REQUESTS_PER_SECOND,
    DEFAULT_USER_AGENT, LEGACY_CONTROL_URL, LEGACY_GATEWAY_URL, MatonClient, MatonClientBuilder,
};
pub use models::{AuthMethod, Connection, ConnectionStatus};

/// Re-exported: the transport settings every builder takes.
pub use creator_core::http::ClientOptions;
/// Re-exported: the Gumroad client [`MatonClient::gumroad`] returns.
pub use gumroad_api;
