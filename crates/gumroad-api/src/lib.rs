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
//! ## Endpoints
//!
//! Every endpoint and the method that calls it, by resource. Scopes and
//! response shapes are in `docs/gumroad-api-surface.md` (and
//! `docs/gumroad-api-surface-storefront.md`) and on each method. Lists marked
//! paginated are lazy streams that follow `next_page_key`; the others are
//! unpaginated today and are still followed should Gumroad start paginating them.
//!
//! | resource | method and path | Rust method |
//! |---|---|---|
//! | auth (confidential apps) | `POST /oauth/token` (`authorization_code`, `refresh_token`) | [`oauth::OAuthApp::exchange_code`], [`oauth::OAuthApp::refresh`] |
//! | auth (public clients) | `GET /oauth/authorize` (PKCE S256 + state) | [`login::PublicClient::authorization_request`] |
//! | auth (public clients) | loopback redirect to `http://127.0.0.1:<port>/callback` | [`login::PublicClient::loopback_login`], [`login::LoopbackListener`] |
//! | auth (public clients) | `POST /oauth/token` (`authorization_code` + `code_verifier`) | [`login::PublicClient::exchange_code`] |
//! | auth (public clients) | `POST /oauth/device/code` | [`login::PublicClient::request_device_code`] |
//! | auth (public clients) | `POST /oauth/token` (device-code grant, polled) | [`login::PublicClient::poll_device_token`], [`login::PublicClient::device_login`] |
//! | categories | `GET /v2/categories` | [`CategoriesApi::list`] |
//! | custom fields | `GET/POST/PUT/DELETE /v2/products/:id/custom_fields[/:name]` | [`CustomFieldsApi`] |
//! | earnings | `GET /v2/earnings?year=` | [`EarningsApi::get`] |
//! | emails | `GET /v2/emails` (paginated) | [`EmailsApi::list`], [`EmailsApi::page`] |
//! | emails | `GET /v2/emails/:id` | [`EmailsApi::get`] |
//! | emails | `POST /v2/emails` | [`EmailsApi::create`] |
//! | emails | `DELETE /v2/emails/:id` | [`EmailsApi::delete`] |
//! | emails | `POST /v2/emails/:id/preview` | [`EmailsApi::preview`] |
//! | emails | `POST /v2/emails/:id/send` | [`EmailsApi::send`] |
//! | emails | `POST /v2/emails/:id/schedule` | [`EmailsApi::schedule`] |
//! | emails | `POST /v2/emails/:id/unschedule` | [`EmailsApi::unschedule`] |
//! | files | `POST /v2/files/presign` | [`FilesApi::presign`] |
//! | files | `POST /v2/files/complete` | [`FilesApi::complete`] |
//! | files | `POST /v2/files/abort` | [`FilesApi::abort`] |
//! | files | presign → part `PUT`s → complete, from disk | [`upload::Uploader::upload_file`] |
//! | files | `POST /v2/direct_uploads` (+ the signed `PUT`) | [`FilesApi::direct_upload`], [`upload::Uploader::upload_direct`] |
//! | licenses | `POST /v2/licenses/verify`, `PUT …/enable`, `…/disable`, `…/decrement_uses_count`, `…/rotate` | [`LicensesApi`] |
//! | media | `GET /v2/media` | [`MediaApi::list`] |
//! | media | `POST /v2/media` | [`MediaApi::create`] |
//! | media | `DELETE /v2/media/:id` | [`MediaApi::delete`] |
//! | meta | `GET /v2/meta` (route uncertain: the controller exists, no route table read routes it) | [`MetaApi::get`] |
//! | offer codes | `GET/POST /v2/products/:id/offer_codes`, `GET/PUT/DELETE …/:id` | [`OfferCodesApi`] ([`OfferCodesApi::update_with`] for `minimum_amount_cents`) |
//! | pages | `GET /v2/pages` | [`PagesApi::list`] |
//! | pages | `GET /v2/pages/:slug` | [`PagesApi::get`] |
//! | pages | `POST /v2/pages` | [`PagesApi::create`] |
//! | pages | `PUT /v2/pages/:slug` | [`PagesApi::update`] |
//! | payouts | `GET /v2/payouts`, `GET /v2/payouts/:id`, `GET /v2/payouts/upcoming` | [`PayoutsApi`] |
//! | products | `GET /v2/products` (paginated) | [`ProductsApi::list`], [`ProductsApi::page`] |
//! | products | `GET /v2/products/:id` | [`ProductsApi::get`] |
//! | products | `POST /v2/products` | [`ProductsApi::create`] |
//! | products | `PUT /v2/products/:id` | [`ProductsApi::update`] |
//! | products | `DELETE /v2/products/:id` | [`ProductsApi::delete`] |
//! | products | `PUT /v2/products/:id/enable`, `…/disable` | [`ProductsApi::enable`], [`ProductsApi::disable`] |
//! | products | `GET /v2/products/comps` (used by the official CLI) | [`ProductsApi::price_comparables`] |
//! | products | `PUT /v2/products/:id/bundle_contents` | [`ProductsApi::set_bundle_contents`] |
//! | products | `POST /v2/products/:id/covers` | [`CoversApi::add`] |
//! | products | `DELETE /v2/products/:id/covers/:cover_id` | [`CoversApi::remove`] |
//! | products | `PUT /v2/products/:id` with `cover_ids[]` | [`CoversApi::reorder`] |
//! | products | `POST /v2/products/:id/thumbnail` | [`ThumbnailApi::set`] |
//! | products | `DELETE /v2/products/:id/thumbnail` | [`ThumbnailApi::remove`] |
//! | products | `GET /v2/products/:id/skus` | [`ProductsApi::skus`] |
//! | products | `GET /v2/products/:id/reviews` (paginated) | [`ProductsApi::reviews`], [`ProductsApi::reviews_page`] |
//! | products | `POST /v2/products/:id/preview_custom_html` | [`ProductsApi::preview_custom_html`] |
//! | products | `PUT /v2/products/:id` (+ `PUT …/variants/:id`) with new files | [`ProductFilesApi::attach`], [`ProductFilesApi::attach_to_variant`] |
//! | profile | `PUT /v2/user` | [`UserApi::update`] |
//! | profile | `GET /v2/user/custom_html` | [`ProfileHtmlApi::get`] |
//! | profile | `PUT /v2/user/custom_html` | [`ProfileHtmlApi::publish`], [`ProfileHtmlApi::clear`] |
//! | profile | `POST /v2/user/preview_custom_html` | [`ProfileHtmlApi::preview`] |
//! | refund policy | `GET /v2/refund_policy` | [`RefundPolicyApi::get`] |
//! | refund policy | `PUT /v2/refund_policy` | [`RefundPolicyApi::update`] |
//! | resource subscriptions | `GET /v2/resource_subscriptions?resource_name=` | [`ResourceSubscriptionsApi::list`] |
//! | resource subscriptions | `PUT /v2/resource_subscriptions` | [`ResourceSubscriptionsApi::create`] (all of them: [`webhook::subscribe_all`]) |
//! | resource subscriptions | `DELETE /v2/resource_subscriptions/:id` | [`ResourceSubscriptionsApi::delete`] |
//! | sales | `GET /v2/sales` (paginated; `name`, `license_key` filters) | [`SalesApi::list`], [`SalesApi::page`] |
//! | sales | `GET /v2/sales/:id` | [`SalesApi::get`] |
//! | sales | `GET /v2/sales/summary` | [`SalesApi::summary`] |
//! | sales | `POST /v2/sales/exports` | [`SalesApi::export`] |
//! | sales | `PUT /v2/sales/:id/mark_as_shipped` | [`SalesApi::mark_as_shipped`] |
//! | sales | `PUT /v2/sales/:id/refund` | [`SalesApi::refund`] |
//! | sales | `POST /v2/sales/:id/resend_receipt` | [`SalesApi::resend_receipt`] |
//! | sales | `PUT /v2/sales/:id/revoke_access`, `…/undo_revoke_access` (**route unverified**: in no v2 routes or controller read; shaped after the mobile API's) | [`SalesApi::revoke_access`], [`SalesApi::undo_revoke_access`] |
//! | subscribers | `GET /v2/products/:id/subscribers`, `GET /v2/subscribers/:id` | [`SubscribersApi`] |
//! | tax forms | `GET /v2/tax_forms` | [`TaxFormsApi::list`] |
//! | tax forms | `GET /v2/tax_forms/:year/:tax_form_type/download` (PDF bytes) | [`TaxFormsApi::download`] |
//! | upsells | `GET /v2/upsells` | [`UpsellsApi::list`] |
//! | upsells | `GET /v2/upsells/:id` | [`UpsellsApi::get`] |
//! | upsells | `POST /v2/upsells` | [`UpsellsApi::create`] |
//! | upsells | `PUT /v2/upsells/:id` | [`UpsellsApi::update`] |
//! | upsells | `DELETE /v2/upsells/:id` | [`UpsellsApi::delete`] |
//! | user | `GET /v2/user` | [`UserApi::get`] |
//! | variants | `GET/POST/PUT/DELETE /v2/products/:id/variant_categories[/:id]` | [`VariantCategoriesApi`] |
//! | variants | `GET/POST/PUT/DELETE …/variant_categories/:id/variants[/:id]` (`rich_content` on update) | [`VariantsApi`] |
//! | workflows | `GET /v2/workflows` | [`WorkflowsApi::list`] |
//! | workflows | `GET /v2/workflows/:id` | [`WorkflowsApi::get`] |
//! | workflows | `POST /v2/workflows/:workflow_id/emails` | [`WorkflowEmailsApi::create`] |
//! | workflows | `PUT /v2/workflows/:workflow_id/emails/:email_id` | [`WorkflowEmailsApi::update`] |
//!
//! OAuth for confidential apps lives in [`oauth`], for public clients in
//! [`login`]; webhook deliveries in [`webhook`].
//!

pub mod access;
mod api;
mod classify;
mod client;
/// The lenient serde helpers every provider shares.
use creator_core::de;
pub mod login;
mod models;
mod normalize;
pub mod oauth;
mod traits;
pub mod upload;
pub mod webhook;

pub use api::builds::{NewFile, ProductFilesApi};
pub use api::catalog::{BundleItem, CategoriesApi, ComparablesQuery};
pub use api::custom_fields::{CustomFieldsApi, NewCustomField};
pub use api::earnings::EarningsApi;
pub use api::emails::{EmailAudience, EmailsApi, EmailsQuery, NewEmail, SendAt};
pub use api::files::{DirectUploadRequest, FilesApi, MAX_FILE_SIZE, MediaApi, PART_SIZE};
pub use api::licenses::{LicensesApi, VerifyLicense, required_product_id};
pub use api::meta::MetaApi;
pub use api::offer_codes::OfferCodeChanges;
pub use api::offer_codes::{NewOfferCode, OfferCodesApi};
pub use api::pages::{NewPage, PageContent, PageUpdate, PagesApi};
pub use api::payouts::{PayoutDetail, PayoutsApi, PayoutsQuery};
pub use api::product_media::{CoversApi, ThumbnailApi};
pub use api::products::{ProductParams, ProductsApi, SavedProduct};
pub use api::profile::{ProfileHtmlApi, UserUpdate};
pub use api::refund_policy::{RefundPolicyApi, RefundPolicyUpdate};
pub use api::resource_subscriptions::ResourceSubscriptionsApi;
pub use api::sales::{Refund, SalesApi, SalesQuery};
pub use api::sales::{SalesExport, SalesSummaryQuery};
pub use api::sales_windows::FIRST_SALE_DAY;
pub use api::subscribers::{SubscribersApi, SubscribersQuery};
pub use api::tax_forms::TaxFormsApi;
pub use api::upsells::{UpsellOffer, UpsellParams, UpsellsApi, VariantUpgrade};
pub use api::user::UserApi;
pub use api::variants::{VariantCategoriesApi, VariantParams, VariantsApi};
pub use api::workflows::{NewWorkflowEmail, WorkflowEmailUpdate, WorkflowEmailsApi, WorkflowsApi};
pub use classify::GumroadClassifier;
pub use client::{DEFAULT_BASE_URL, DEFAULT_USER_AGENT, GumroadClient, GumroadClientBuilder};
/// Re-exported: the transport settings every builder takes.
pub use creator_core::http::ClientOptions;
pub use models::*;
pub use normalize::{to_core_product, to_core_sale, to_core_status, to_core_subscriber};
