//! # gank-api
//!
//! A typed client for the [Gank](https://ganknow.com) Creator API, the V1
//! endpoints creators need, webhook registration, and Gank webhooks; with the
//! [`creator_core`] traits ([`Products`](creator_core::Products),
//! [`Sales`](creator_core::Sales), [`Subscribers`](creator_core::Subscribers),
//! [`Webhooks`](creator_core::Webhooks)) implemented on [`GankClient`].
//!
//! ## Hosts and tokens
//!
//! Gank has two hosts, both configurable: V2 `https://api-v2.ganknow.com/`
//! (the Creator API) and V1 `https://api.ganknow.com/` (Gank's site API, paths
//! under `/v1`). It has two kinds of JWT, both sent as `Authorization: Bearer`:
//!
//! | endpoint | host | token |
//! |---|---|---|
//! | [`creator_tokens().mint()`](CreatorTokensApi::mint) `POST /auth/creators` | V2 | login |
//! | [`webhook_registration()`](WebhookRegistrationApi) `POST`/`GET /auth/external-callback/register`, `PATCH …/events` | V2 | login |
//! | [`subscribers()`](SubscribersApi) `GET /payment/creator/subscribers[/export]` | V2 | creator |
//! | [`subscriptions().status(id)`](SubscriptionsApi::status) `GET /payment/creator/subscription/{id}/status` | V2 | creator |
//! | [`transactions().get(id)`](TransactionsApi::get) `GET /v1/payment/transaction/{id}` | V1 | login |
//! | [`transactions().list(..)`](TransactionsApi::list) `GET /payment/transactions` (undocumented) | V2 | login |
//! | [`users().me()`](UsersApi::me) `GET /v1/users/me` | V1 | login |
//! | [`memberships().settings(user_id)`](MembershipsApi::settings) `GET /v1/users/membership-settings-v2/{user_id}` | V1 | login |
//! | [`listings().list(user_id)`](ListingsApi::list) `GET /v1/catalogs/services?userId=` | V1 | login if configured, else none |
//!
//! A call whose token was not configured fails with
//! [`creator_core::Error::Config`] naming the token and where to get it,
//! before any request is sent. Tokens are [`creator_core::Secret`]s and never
//! appear in `Debug` output or URLs.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use gank_api::{GankClient, SubscriberFilter};
//!
//! # async fn run() -> creator_core::Result<()> {
//! let client = GankClient::builder()
//!     .login_token(std::env::var("GANK_LOGIN_TOKEN").unwrap_or_default())
//!     .creator_token(std::env::var("GANK_CREATOR_TOKEN").unwrap_or_default())
//!     .build()?;
//! let me = client.users().me().await?;
//! let tiers = client.memberships().settings(&me.id).await?;
//! let subscribers: Vec<_> = client
//!     .subscribers()
//!     .list(SubscriberFilter::new().active(true))
//!     .try_collect()
//!     .await?;
//! println!("{} tiers, {} active subscribers", tiers.len(), subscribers.len());
//! # Ok(()) }
//! ```
//!
//! ## Money
//!
//! Gank sends amounts in US dollars, as JSON numbers or strings (`20`,
//! `"4.99"`). [`Amount`] reads both losslessly into
//! [`creator_core::Money`] (cents), never through floating point.
//!
//! ## Pagination
//!
//! Lists are lazy streams over `page`/`per_page`. Pages are **1-based**: Gank
//! does not document the base; every third-party client starts at 1. The
//! subscriber list stops when the distinct rows received reach the response's
//! `total`; lists without `total` stop on a short or empty page. Rows seen on
//! an earlier page are skipped, because new subscribers or sales shift the
//! pages while you read.
//!
//! ## The creator-core traits
//!
//! - [`Products`](creator_core::Products): your shop listings, then your
//!   membership settings (tiers). The user id comes from
//!   [`GankClientBuilder::user_id`] or `GET /v1/users/me`.
//! - [`Subscribers`](creator_core::Subscribers): the subscriber list with
//!   `active=true` (status `Active`), then `active=false` (`Inactive`). A
//!   subscriber's id is `"{supporter_user_id}:{membership_setting_id}"`,
//!   which `subscription_status` accepts back, as it does a payment id. Gank
//!   cannot search by email: that search is [`creator_core::Error::Unsupported`].
//!   The trait's list is `client.list_subscribers(query)`; `client.subscribers()`
//!   is the endpoint group.
//! - [`Sales`](creator_core::Sales): one sale is the documented transaction
//!   detail; the list is the undocumented V2 wallet list, filtered per row.
//! - [`Webhooks`](creator_core::Webhooks): on [`GankWebhooks`], see below.
//!
//! ## Webhooks
//!
//! [`GankEvent::parse`] reads `USER_MEMBERSHIP.TX_SUCCEED` and
//! `DIGITAL_GOODS.TX_SUCCEED` deliveries into typed events; any other
//! `<USECASE>.TX_<STATUS>` event becomes [`GankEvent::Unknown`] with the raw
//! JSON kept. The payment's `human_id` is the dedup subject.
//!
//! **What is known about the signature:** registering a webhook returns a
//! `key`, "a secret key that you can use to check the signature of the webhook
//! payload".
//!
//! **What is not known:** Gank documents no header name, algorithm, encoding,
//! signed content, timestamp or replay window, retry policy, or expected
//! response code, and no public project verifies Gank signatures. So the
//! receiver, [`GankWebhooks`], takes any [`creator_core::verify`] verifier:
//! [`Hmac`](creator_core::verify::Hmac) covers the likely schemes
//! (HMAC-SHA256 or -SHA512 over the raw body or `timestamp.body`, hex or
//! base64, any header name, several keys for rotation, constant-time
//! comparison) and [`AnyOf`](creator_core::verify::AnyOf) tries several while
//! you identify the real one from a captured delivery. Until it is confirmed,
//! treat a delivery only as a hint and call
//! [`Webhooks::confirm`](creator_core::Webhooks::confirm), which re-reads the
//! transaction through the API before you grant anything; a secret in the
//! callback URL ([`UrlToken`](creator_core::verify::UrlToken), in an
//! [`AllOf`](creator_core::verify::AllOf) with the signature) adds a further check.
//!
//! ```no_run
//! use creator_core::verify::Hmac;
//! use creator_core::{Webhooks, WebhookDelivery};
//! use gank_api::{GankClient, GankWebhooks};
//!
//! # async fn handle(delivery: WebhookDelivery) -> creator_core::Result<()> {
//! let client = GankClient::builder()
//!     .login_token(std::env::var("GANK_LOGIN_TOKEN").unwrap_or_default())
//!     .build()?;
//! let hooks = GankWebhooks::builder()
//!     .verifier(
//!         Hmac::builder("X-Signature") // take the real name from a delivery
//!             .key(std::env::var("GANK_WEBHOOK_KEY").unwrap_or_default())
//!             .build()?,
//!     )
//!     .client(client)
//!     .build()?;
//! let event = hooks.receive(&delivery)?;        // verify, then parse
//! let confirmed = hooks.confirm(&event).await?; // re-read the payment
//! println!("{} {}", confirmed.name, confirmed.identity());
//! # Ok(()) }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod access;
mod api;
mod client;
/// The lenient serde helpers every provider shares.
use creator_core::de;
mod models;
mod normalize;
mod traits;
pub mod webhook;

pub use api::listings::{ListingQuery, ListingsApi};
pub use api::memberships::MembershipsApi;
pub use api::registration::WebhookRegistrationApi;
pub use api::subscribers::{SubscriberFilter, SubscribersApi, SubscriptionsApi};
pub use api::tokens::CreatorTokensApi;
pub use api::transactions::{TransactionFilter, TransactionsApi};
pub use api::users::UsersApi;
pub use client::{
    DEFAULT_PAGE_CONCURRENCY, DEFAULT_USER_AGENT, GankClient, GankClientBuilder, TokenKind,
    V1_BASE_URL, V2_BASE_URL,
};
pub use creator_core::de::parse_timestamp;
/// Re-exported: the transport settings every builder takes.
pub use creator_core::http::ClientOptions;
pub use models::*;
pub use webhook::{GankEvent, GankWebhooks, GankWebhooksBuilder, TxEvent};
