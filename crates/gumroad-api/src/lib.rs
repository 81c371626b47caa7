//! # gumroad-api
//!
//! A typed async client for the [Gumroad API v2](https://gumroad.com/api),
//! built on the shared `creator-core` transport (retries that never repeat
//! an unsafe write, timeouts, redacted secrets, injectable clock).
//!
//! - Every endpoint is a method grouped by resource: [`GumroadClient::user`],
//!   [`GumroadClient::products`], [`GumroadClient::sales`], … Request
//!   builders in, typed models out.
//! - Lists are lazy streams that follow `page_key` cursors and keep the
//!   filters on every page.
//! - Models accept what Gumroad really sends (absent keys, integers as
//!   strings, shapes that change between endpoints, `null` ids), and every
//!   server-valued enum has an `Unknown(String)` arm.
//! - Gumroad's error shapes (HTTP 200 with `"success": false`, empty
//!   401/403 bodies, `{status, error}` 400s, license 404/500s, plain-text
//!   429s, HTML edge pages) become [`creator_core::Error`]s in one place,
//!   [`GumroadClassifier`], always keeping the raw body.
//! - The client implements the provider-agnostic [`creator_core::Products`],
//!   [`creator_core::Sales`] and [`creator_core::Subscribers`] traits:
//!   `client.list_sales(query)` streams normalized sales, while
//!   `client.sales()` is the endpoint group with Gumroad's own models.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use gumroad_api::{GumroadClient, SalesQuery};
//! use time::macros::date;
//!
//! # async fn run() -> creator_core::Result<()> {
//! let client = GumroadClient::builder(std::env::var("GUMROAD_TOKEN").unwrap_or_default()).build()?;
//! let mut sales = client.sales().list(&SalesQuery::new().after(date!(2025-01-01)));
//! while let Some(sale) = sales.try_next().await? {
//!     println!("{} {:?} {:?}", sale.id, sale.email, sale.price_money());
//! }
//! # Ok(()) }
//! ```
//!
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod api;
mod classify;
mod client;
mod de;
pub mod login;
mod models;
pub mod oauth;
mod traits;
pub mod upload;
pub mod webhook;

pub use api::builds::{NewFile, ProductFilesApi};
pub use api::catalog::{BundleItem, CategoriesApi, ComparablesQuery};
pub use api::custom_fields::{CustomFieldsApi, NewCustomField};
pub use api::files::{DirectUploadRequest, FilesApi, MAX_FILE_SIZE, MediaApi, PART_SIZE};
pub use api::licenses::{LicensesApi, VerifyLicense, required_product_id};
pub use api::meta::MetaApi;
pub use api::offer_codes::OfferCodeChanges;
pub use api::offer_codes::{NewOfferCode, OfferCodesApi};
pub use api::payouts::{PayoutDetail, PayoutsApi, PayoutsQuery};
pub use api::product_media::{CoversApi, ThumbnailApi};
pub use api::products::{ProductParams, ProductsApi, SavedProduct};
pub use api::resource_subscriptions::ResourceSubscriptionsApi;
pub use api::sales::{Refund, SalesApi, SalesQuery};
pub use api::sales::{SalesExport, SalesSummaryQuery};
pub use api::subscribers::{SubscribersApi, SubscribersQuery};
pub use api::user::UserApi;
pub use api::variants::{VariantCategoriesApi, VariantParams, VariantsApi};
pub use classify::GumroadClassifier;
pub use client::{DEFAULT_BASE_URL, DEFAULT_USER_AGENT, GumroadClient, GumroadClientBuilder};
pub use models::*;
pub use traits::{to_core_product, to_core_sale, to_core_status, to_core_subscriber};
