//! Typed models of what Gumroad returns.
//!
//! They follow what the server really sends (reference notes §5), not only
//! the docs: anything not guaranteed is an `Option`, unknown keys are
//! ignored, every server-valued enum has an `Unknown(String)` arm, and the
//! shapes that change between endpoints are enums ([`Variants`],
//! [`CustomFieldValues`], [`OfferCodeUsed`], [`PurchaseIds`]).

mod catalog;
mod common;
mod content;
mod custom_field;
mod email;
mod file;
mod license;
mod meta;
mod offer_code;
mod page;
mod payout;
mod product;
mod profile;
mod refund_policy;
mod resource_subscription;
mod sale;
mod sales_report;
mod subscriber;
mod tax;
mod upsell;
mod user;
mod variant;
mod workflow;

pub use catalog::{
    Category, ComparableProduct, PriceComparables, PriceQuartiles, ProductReview, ReviewResponse,
    Sku,
};
pub use common::{
    Card, CustomFieldValues, Deleted, FieldValue, ListPage, OfferCodeUsed, PurchaseIds, Recurrence,
    Variants,
};
pub use content::{Cover, Covers, FileEntry, ImageSource, RichContentPage, Thumbnail};
pub(crate) use content::{FileWrite, append_file_embeds, uuid_v4};
pub use custom_field::{CustomField, CustomFieldType};
pub use email::{AudienceType, Email, EmailPreview, PostState};
pub use file::{
    AbortStatus, CompletedPart, DirectUpload, DirectUploadTarget, MediaFile, Presigned,
    PresignedPart, UploadedFile,
};
pub(crate) use license::LicenseEnvelope;
pub use license::{ImportedCustomer, License, LicenseHolder, LicensePurchase};
pub use meta::{ApiInfo, MetaToken, MetaUser, TokenInfo};
pub use offer_code::{Discount, OfferCode};
pub use page::{PageDetail, StorefrontPage};
pub use payout::{PaymentProcessor, Payout, PayoutStatus, PayoutTransaction};
pub use product::{
    NativeType, Product, ProductFile, ProductVariantCategory, ProductVariantOption,
    RecurrencePrice, RefundPolicy,
};
pub use profile::{
    CustomHtmlPreview, CustomHtmlPublished, ProfileHtml, RemovedAttribute, RemovedTag,
    SanitizationReport,
};
pub use refund_policy::{AccountRefundPolicy, RefundPeriod};
pub use resource_subscription::{GumroadEventName, ResourceSubscription};
pub use sale::BuyerPresentment;
pub use sale::{Affiliate, Ppp, Sale};
pub use sales_report::{
    ExportState, SalesExportStatus, SalesSummary, SalesTotals, SummaryBucket, SummaryGroup,
};
pub use subscriber::{Subscriber, SubscriberStatus};
pub use tax::{Earnings, TaxForm, TaxFormPdf, TaxFormType};
pub use upsell::{
    NamedRef, Upsell, UpsellDiscount, UpsellDiscountType, UpsellProduct, UpsellVariant,
};
pub use user::User;
pub use variant::{RecurrencePriceValue, Variant, VariantCategory};
pub use workflow::{Delay, DelayUnit, Workflow, WorkflowEmail, WorkflowFilters, WorkflowTrigger};
