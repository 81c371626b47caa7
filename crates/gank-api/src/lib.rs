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
//! | [`membership_settings(user_id)`](GankClient::membership_settings) `GET /v1/users/membership-settings-v2/{user_id}` | V1 | login |
//! | [`listings(user_id)`](GankClient::listings) `GET /v1/catalogs/services?userId=` | V1 | login if configured, else none |
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
//! let tiers = client.membership_settings(&me.id).await?;
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
//! - [`Webhooks`](creator_core::Webhooks): see below.
//!
//! ## Webhooks
//!
//! [`GankWebhook::parse`] reads `USER_MEMBERSHIP.TX_SUCCEED` and
//! `DIGITAL_GOODS.TX_SUCCEED` deliveries into typed events; any other
//! `<USECASE>.TX_<STATUS>` event becomes [`GankWebhook::Unknown`] with the raw
//! JSON kept. The payment's `human_id` is the dedup subject.
//!
//! **What is known about the signature:** registering a webhook returns a
//! `key`, "a secret key that you can use to check the signature of the webhook
//! payload".
//!
//! **What is not known:** Gank documents no header name, algorithm, encoding,
//! signed content, timestamp or replay window, retry policy, or expected
//! response code, and no public project verifies Gank signatures. So
//! verification is pluggable ([`SignatureVerifier`]): [`HmacVerifier`] covers
//! the likely schemes (HMAC-SHA256 or -SHA512 over the raw body or
//! `timestamp.body`, hex or base64, any header name, several keys for
//! rotation, constant-time comparison) and [`AnyOf`] tries several while you
//! identify the real one from a captured delivery. Until it is confirmed,
//! treat a delivery only as a hint and call
//! [`Webhooks::confirm`](creator_core::Webhooks::confirm), which re-reads the
//! transaction through the API before you grant anything; a secret in the
//! callback URL ([`UrlTokenVerifier`]) adds a further check.
//!
//! ```no_run
//! use creator_core::{Webhooks, WebhookDelivery};
//! use gank_api::{GankClient, HmacVerifier};
//!
//! # async fn handle(delivery: WebhookDelivery) -> creator_core::Result<()> {
//! let client = GankClient::builder()
//!     .login_token(std::env::var("GANK_LOGIN_TOKEN").unwrap_or_default())
//!     .webhook_verifier(
//!         HmacVerifier::builder("X-Signature") // take the real name from a delivery
//!             .key(std::env::var("GANK_WEBHOOK_KEY").unwrap_or_default())
//!             .build()?,
//!     )
//!     .build()?;
//! let event = client.receive(&delivery)?;       // verify, then parse
//! let confirmed = client.confirm(&event).await?; // re-read the payment
//! println!("{} {}", confirmed.name, confirmed.identity());
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod access;
mod amount;
mod client;
mod core_impl;
mod de;
mod listings;
mod memberships;
mod pager;
mod registration;
mod subscribers;
mod tokens;
mod transactions;
mod users;
pub mod verify;
mod webhook;

pub use amount::Amount;
pub use client::{GankClient, GankClientBuilder, TokenKind, V1_BASE_URL, V2_BASE_URL};
pub use de::parse_timestamp;
pub use listings::{Listing, ListingPage, ListingQuery, ServicePrice};
pub use memberships::{MembershipDetail, MembershipSetting};
pub use registration::{GankEvent, WebhookRegistration, WebhookRegistrationApi};
pub use subscribers::{
    GankSubscriber, GankSubscriptionStatus, SubscriberFilter, SubscriberPage, SubscribersApi,
    SubscriptionType, SubscriptionsApi,
};
pub use tokens::{CreatorToken, CreatorTokensApi};
pub use transactions::{
    DigitalGoodsTxData, MembershipTxData, PaymentStatus, Transaction, TransactionFilter,
    TransactionPage, TransactionsApi, Usecase, UsecaseData, UsecasePayload,
};
pub use users::{GankUser, UsersApi};
pub use verify::{
    AcceptUnsigned, AnyOf, HmacAlgorithm, HmacVerifier, HmacVerifierBuilder, SignatureEncoding,
    SignatureVerifier, UrlTokenVerifier,
};
pub use webhook::{GankWebhook, TxEvent};
