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
//! Every endpoint this crate models, sorted by resource. `(stream)` marks a
//! lazy [`Stream`](futures::Stream) that follows `next_page_key`; lists
//! marked `Vec` are unpaginated today and are still followed should Gumroad
//! start paginating them.
//!
//! | resource | method and path | Rust method |
//! |---|---|---|
//! | custom fields | `GET /v2/products/:product_id/custom_fields` | `client.custom_fields(product_id).list()` |
//! | custom fields | `POST /v2/products/:product_id/custom_fields` | `client.custom_fields(product_id).create(&NewCustomField)` |
//! | custom fields | `PUT /v2/products/:product_id/custom_fields/:name` | `client.custom_fields(product_id).update(name, required)` |
//! | custom fields | `DELETE /v2/products/:product_id/custom_fields/:name` | `client.custom_fields(product_id).delete(name)` |
//! | earnings | `GET /v2/earnings?year=` | `client.earnings().get(year)` |
//! | emails | `GET /v2/emails` | `client.emails().list(&EmailsQuery)` (stream), `.page(..)` |
//! | emails | `GET /v2/emails/:id` | `client.emails().get(id)` |
//! | emails | `POST /v2/emails` | `client.emails().create(&NewEmail)` |
//! | emails | `DELETE /v2/emails/:id` | `client.emails().delete(id)` |
//! | emails | `POST /v2/emails/:id/preview` | `client.emails().preview(id)` |
//! | emails | `POST /v2/emails/:id/send` | `client.emails().send(id)` |
//! | emails | `POST /v2/emails/:id/schedule` | `client.emails().schedule(id, SendAt)` |
//! | emails | `POST /v2/emails/:id/unschedule` | `client.emails().unschedule(id)` |
//! | licenses | `POST /v2/licenses/verify` | `client.licenses().verify(&VerifyLicense)` |
//! | licenses | `PUT /v2/licenses/enable` | `client.licenses().enable(product_id, key)` |
//! | licenses | `PUT /v2/licenses/disable` | `client.licenses().disable(product_id, key)` |
//! | licenses | `PUT /v2/licenses/decrement_uses_count` | `client.licenses().decrement_uses_count(product_id, key)` |
//! | licenses | `PUT /v2/licenses/rotate` | `client.licenses().rotate(product_id, key)` |
//! | offer codes | `GET /v2/products/:product_id/offer_codes` | `client.offer_codes(product_id).list()` |
//! | offer codes | `GET /v2/products/:product_id/offer_codes/:id` | `client.offer_codes(product_id).get(id)` |
//! | offer codes | `POST /v2/products/:product_id/offer_codes` | `client.offer_codes(product_id).create(&NewOfferCode)` |
//! | offer codes | `PUT /v2/products/:product_id/offer_codes/:id` | `client.offer_codes(product_id).update(id, max_purchase_count)` |
//! | offer codes | `DELETE /v2/products/:product_id/offer_codes/:id` | `client.offer_codes(product_id).delete(id)` |
//! | pages | `GET /v2/pages` | `client.pages().list()` (`Vec`) |
//! | pages | `GET /v2/pages/:slug` | `client.pages().get(slug)` |
//! | pages | `POST /v2/pages` | `client.pages().create(&NewPage)` |
//! | pages | `PUT /v2/pages/:slug` | `client.pages().update(slug, &PageUpdate)` |
//! | payouts | `GET /v2/payouts` | `client.payouts().list(&PayoutsQuery)` (stream), `.page(..)` |
//! | payouts | `GET /v2/payouts/:id` | `client.payouts().get(id, PayoutDetail)` |
//! | payouts | `GET /v2/payouts/upcoming` | `client.payouts().upcoming(PayoutDetail)` |
//! | products | `GET /v2/products` | `client.products().list()` (stream), `.page(..)` |
//! | products | `GET /v2/products/:id` | `client.products().get(id)` |
//! | products | `POST /v2/products` | `client.products().create(&ProductParams)` |
//! | products | `PUT /v2/products/:id` | `client.products().update(id, &ProductParams)` |
//! | products | `DELETE /v2/products/:id` | `client.products().delete(id)` |
//! | products | `PUT /v2/products/:id/enable` | `client.products().enable(id)` |
//! | products | `PUT /v2/products/:id/disable` | `client.products().disable(id)` |
//! | profile | `PUT /v2/user` | `client.user().update(&UserUpdate)` |
//! | profile | `GET /v2/user/custom_html` | `client.user().custom_html().get()` |
//! | profile | `PUT /v2/user/custom_html` | `client.user().custom_html().publish(html)`, `.clear()` |
//! | profile | `POST /v2/user/preview_custom_html` | `client.user().custom_html().preview(html)` |
//! | refund policy | `GET /v2/refund_policy` | `client.refund_policy().get()` |
//! | refund policy | `PUT /v2/refund_policy` | `client.refund_policy().update(&RefundPolicyUpdate)` |
//! | resource subscriptions | `GET /v2/resource_subscriptions?resource_name=` | `client.resource_subscriptions().list(&ResourceName)` |
//! | resource subscriptions | `PUT /v2/resource_subscriptions` | `client.resource_subscriptions().create(&ResourceName, post_url)` |
//! | resource subscriptions | `DELETE /v2/resource_subscriptions/:id` | `client.resource_subscriptions().delete(id)` |
//! | sales | `GET /v2/sales` | `client.sales().list(&SalesQuery)` (stream), `.page(..)` |
//! | sales | `GET /v2/sales/:id` | `client.sales().get(id)` |
//! | sales | `PUT /v2/sales/:id/mark_as_shipped` | `client.sales().mark_as_shipped(id, tracking_url)` |
//! | sales | `PUT /v2/sales/:id/refund` | `client.sales().refund(id, Refund)` |
//! | sales | `POST /v2/sales/:id/resend_receipt` | `client.sales().resend_receipt(id)` |
//! | subscribers | `GET /v2/products/:product_id/subscribers` | `client.subscribers().list(product_id, &SubscribersQuery)` (stream), `.all(..)` |
//! | subscribers | `GET /v2/subscribers/:id` | `client.subscribers().get(id)` |
//! | tax forms | `GET /v2/tax_forms` | `client.tax_forms().list(year)` |
//! | tax forms | `GET /v2/tax_forms/:year/:tax_form_type/download` | `client.tax_forms().download(year, &TaxFormType)` (PDF bytes) |
//! | upsells | `GET /v2/upsells` | `client.upsells().list()` (`Vec`) |
//! | upsells | `GET /v2/upsells/:id` | `client.upsells().get(id)` |
//! | upsells | `POST /v2/upsells` | `client.upsells().create(&UpsellParams)` |
//! | upsells | `PUT /v2/upsells/:id` | `client.upsells().update(id, &UpsellParams)` |
//! | upsells | `DELETE /v2/upsells/:id` | `client.upsells().delete(id)` |
//! | user | `GET /v2/user` | `client.user().get()` |
//! | variant categories | `GET /v2/products/:product_id/variant_categories` | `client.variant_categories(product_id).list()` |
//! | variant categories | `GET /v2/products/:product_id/variant_categories/:id` | `client.variant_categories(product_id).get(id)` |
//! | variant categories | `POST /v2/products/:product_id/variant_categories` | `client.variant_categories(product_id).create(title)` |
//! | variant categories | `PUT /v2/products/:product_id/variant_categories/:id` | `client.variant_categories(product_id).update(id, title)` |
//! | variant categories | `DELETE /v2/products/:product_id/variant_categories/:id` | `client.variant_categories(product_id).delete(id)` |
//! | variants | `GET …/variant_categories/:category_id/variants` | `client.variants(product_id, category_id).list()` |
//! | variants | `GET …/variants/:id` | `client.variants(product_id, category_id).get(id)` |
//! | variants | `POST …/variants` | `client.variants(product_id, category_id).create(&VariantParams)` |
//! | variants | `PUT …/variants/:id` | `client.variants(product_id, category_id).update(id, &VariantParams)` |
//! | variants | `DELETE …/variants/:id` | `client.variants(product_id, category_id).delete(id)` |
//! | workflows | `GET /v2/workflows` | `client.workflows().list()` (`Vec`) |
//! | workflows | `GET /v2/workflows/:id` | `client.workflows().get(id)` |
//! | workflows | `POST /v2/workflows/:workflow_id/emails` | `client.workflow_emails(workflow_id).create(&NewWorkflowEmail)` |
//! | workflows | `PUT /v2/workflows/:workflow_id/emails/:email_id` | `client.workflow_emails(workflow_id).update(email_id, &WorkflowEmailUpdate)` |
//!
//! OAuth (`/oauth/authorize`, `/oauth/token`) lives in [`oauth`]; webhook
//! deliveries in [`webhook`].
//!
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod api;
mod classify;
mod client;
mod de;
mod models;
pub mod oauth;
mod traits;
pub mod webhook;

pub use api::custom_fields::{CustomFieldsApi, NewCustomField};
pub use api::earnings::EarningsApi;
pub use api::emails::{EmailAudience, EmailsApi, EmailsQuery, NewEmail, SendAt};
pub use api::licenses::{LicensesApi, VerifyLicense, required_product_id};
pub use api::offer_codes::{NewOfferCode, OfferCodesApi};
pub use api::pages::{NewPage, PageContent, PageUpdate, PagesApi};
pub use api::payouts::{PayoutDetail, PayoutsApi, PayoutsQuery};
pub use api::products::{ProductParams, ProductsApi, SavedProduct};
pub use api::profile::{ProfileHtmlApi, UserUpdate};
pub use api::refund_policy::{RefundPolicyApi, RefundPolicyUpdate};
pub use api::resource_subscriptions::ResourceSubscriptionsApi;
pub use api::sales::{Refund, SalesApi, SalesQuery};
pub use api::subscribers::{SubscribersApi, SubscribersQuery};
pub use api::tax_forms::TaxFormsApi;
pub use api::upsells::{UpsellOffer, UpsellParams, UpsellsApi, VariantUpgrade};
pub use api::user::UserApi;
pub use api::variants::{VariantCategoriesApi, VariantParams, VariantsApi};
pub use api::workflows::{NewWorkflowEmail, WorkflowEmailUpdate, WorkflowEmailsApi, WorkflowsApi};
pub use classify::GumroadClassifier;
pub use client::{DEFAULT_BASE_URL, DEFAULT_USER_AGENT, GumroadClient, GumroadClientBuilder};
pub use models::*;
pub use traits::{to_core_product, to_core_sale, to_core_status, to_core_subscriber};
