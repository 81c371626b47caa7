//! Endpoint groups, one per resource. Reach them through the client:
//! `client.products()`, `client.sales()`, ….

pub(crate) mod builds;
pub(crate) mod catalog;
pub(crate) mod custom_fields;
pub(crate) mod earnings;
pub(crate) mod emails;
pub(crate) mod files;
pub(crate) mod licenses;
pub(crate) mod meta;
pub(crate) mod offer_codes;
pub(crate) mod pages;
pub(crate) mod payouts;
pub(crate) mod product_media;
pub(crate) mod products;
pub(crate) mod profile;
pub(crate) mod refund_policy;
pub(crate) mod resource;
pub(crate) mod resource_subscriptions;
pub(crate) mod sales;
pub(crate) mod sales_windows;
pub(crate) mod subscribers;
pub(crate) mod tax_forms;
pub(crate) mod upsells;
pub(crate) mod user;
pub(crate) mod variants;
pub(crate) mod workflows;

use crate::GumroadClient;

impl GumroadClient {
    /// `GET /v2/user`.
    pub fn user(&self) -> user::UserApi<'_> {
        user::UserApi { client: self }
    }

    /// `/v2/products`: list (streamed), get, create, update, delete, enable, disable.
    pub fn products(&self) -> products::ProductsApi<'_> {
        products::ProductsApi { client: self }
    }

    /// `/v2/products/:product_id/variant_categories`: list, get, create, update, delete.
    pub fn variant_categories<'a>(
        &'a self,
        product_id: &'a str,
    ) -> variants::VariantCategoriesApi<'a> {
        variants::VariantCategoriesApi {
            client: self,
            product_id,
        }
    }

    /// `/v2/products/:product_id/variant_categories/:category_id/variants`:
    /// list, get, create, update, delete.
    pub fn variants<'a>(
        &'a self,
        product_id: &'a str,
        category_id: &'a str,
    ) -> variants::VariantsApi<'a> {
        variants::VariantsApi {
            client: self,
            product_id,
            category_id,
        }
    }

    /// `/v2/products/:product_id/offer_codes`: list, get, create, update, delete.
    pub fn offer_codes<'a>(&'a self, product_id: &'a str) -> offer_codes::OfferCodesApi<'a> {
        offer_codes::OfferCodesApi {
            client: self,
            product_id,
        }
    }

    /// `/v2/products/:product_id/custom_fields`: list, create, update, delete (by name).
    pub fn custom_fields<'a>(&'a self, product_id: &'a str) -> custom_fields::CustomFieldsApi<'a> {
        custom_fields::CustomFieldsApi {
            client: self,
            product_id,
        }
    }

    /// `/v2/sales`: list (streamed), get, mark as shipped, refund, resend receipt.
    pub fn sales(&self) -> sales::SalesApi<'_> {
        sales::SalesApi { client: self }
    }

    /// `/v2/products/:id/subscribers` and `/v2/subscribers/:id`.
    pub fn subscribers(&self) -> subscribers::SubscribersApi<'_> {
        subscribers::SubscribersApi { client: self }
    }

    /// `/v2/licenses/*`: verify (no token needed), enable, disable, decrement uses, rotate.
    pub fn licenses(&self) -> licenses::LicensesApi<'_> {
        licenses::LicensesApi { client: self }
    }

    /// `/v2/resource_subscriptions`: webhook registrations.
    pub fn resource_subscriptions(&self) -> resource_subscriptions::ResourceSubscriptionsApi<'_> {
        resource_subscriptions::ResourceSubscriptionsApi { client: self }
    }

    /// `/v2/payouts`: list (streamed), get, upcoming.
    pub fn payouts(&self) -> payouts::PayoutsApi<'_> {
        payouts::PayoutsApi { client: self }
    }
}

/// Storefront, marketing and money (the 2026 API).
impl GumroadClient {
    /// `/v2/pages`: storefront pages by slug (list, get, create, update).
    /// The profile landing page is `client.user().custom_html()`.
    pub fn pages(&self) -> pages::PagesApi<'_> {
        pages::PagesApi { client: self }
    }

    /// `/v2/refund_policy`: the account-level refund policy (get, update).
    pub fn refund_policy(&self) -> refund_policy::RefundPolicyApi<'_> {
        refund_policy::RefundPolicyApi { client: self }
    }

    /// `/v2/upsells`: upsells and cross-sells (list, get, create, update, delete).
    pub fn upsells(&self) -> upsells::UpsellsApi<'_> {
        upsells::UpsellsApi { client: self }
    }

    /// `/v2/emails`: audience emails (list streamed, get, create, delete,
    /// preview, send, schedule, unschedule).
    pub fn emails(&self) -> emails::EmailsApi<'_> {
        emails::EmailsApi { client: self }
    }

    /// `/v2/workflows`: email workflows (list, get).
    pub fn workflows(&self) -> workflows::WorkflowsApi<'_> {
        workflows::WorkflowsApi { client: self }
    }

    /// `/v2/workflows/:workflow_id/emails`: a workflow's email steps (create, update).
    pub fn workflow_emails<'a>(&'a self, workflow_id: &'a str) -> workflows::WorkflowEmailsApi<'a> {
        workflows::WorkflowEmailsApi {
            client: self,
            workflow_id,
        }
    }

    /// `GET /v2/earnings`: a tax year's earnings.
    pub fn earnings(&self) -> earnings::EarningsApi<'_> {
        earnings::EarningsApi { client: self }
    }

    /// `/v2/tax_forms`: tax forms (list, download the PDF).
    pub fn tax_forms(&self) -> tax_forms::TaxFormsApi<'_> {
        tax_forms::TaxFormsApi { client: self }
    }
}

impl GumroadClient {
    /// `GET /v2/meta`: token introspection (scopes, application).
    pub fn meta(&self) -> meta::MetaApi<'_> {
        meta::MetaApi { client: self }
    }
}

impl GumroadClient {
    /// `GET /v2/categories`.
    pub fn categories(&self) -> catalog::CategoriesApi<'_> {
        catalog::CategoriesApi { client: self }
    }

    /// `/v2/products/:id/covers`: add, remove, reorder.
    pub fn covers<'a>(&'a self, product_id: &'a str) -> product_media::CoversApi<'a> {
        product_media::CoversApi {
            client: self,
            product_id,
        }
    }

    /// `/v2/products/:id/thumbnail`: set, remove.
    pub fn thumbnail<'a>(&'a self, product_id: &'a str) -> product_media::ThumbnailApi<'a> {
        product_media::ThumbnailApi {
            client: self,
            product_id,
        }
    }
}

impl GumroadClient {
    /// `/v2/files/*` and `/v2/direct_uploads`: multipart and direct uploads.
    pub fn files(&self) -> files::FilesApi<'_> {
        files::FilesApi { client: self }
    }

    /// `/v2/media`: the public media library.
    pub fn media(&self) -> files::MediaApi<'_> {
        files::MediaApi { client: self }
    }
}

impl GumroadClient {
    /// Attaching uploaded files to a product or a variant.
    pub fn product_files<'a>(&'a self, product_id: &'a str) -> builds::ProductFilesApi<'a> {
        builds::ProductFilesApi {
            client: self,
            product_id,
        }
    }
}
