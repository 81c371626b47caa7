//! Email workflows (`/v2/workflows`) and their email steps.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::de::{nullable, opt_bool, opt_i64, opt_string, ts};
use crate::{AudienceType, PostState};

creator_core::string_enum! {
    /// The unit of a workflow email's delay.
    pub enum DelayUnit {
        /// Hours.
        Hour = "hour",
        /// Days.
        Day = "day",
        /// Weeks.
        Week = "week",
        /// Months.
        Month = "month",
    }
}

creator_core::string_enum! {
    /// A workflow's trigger, when it is not the audience's default one.
    pub enum WorkflowTrigger {
        /// A member cancelled their membership.
        MemberCancellation = "member_cancellation",
    }
}

/// An email workflow: a sequence of emails sent after a trigger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Workflow {
    /// External id.
    pub id: String,
    /// Name.
    #[serde(default, deserialize_with = "opt_string")]
    pub name: Option<String>,
    /// Audience.
    #[serde(default)]
    pub audience_type: Option<AudienceType>,
    /// A trigger override; `None` for the audience's default trigger.
    #[serde(default)]
    pub trigger: Option<WorkflowTrigger>,
    /// Target product.
    #[serde(default, deserialize_with = "opt_string")]
    pub product_id: Option<String>,
    /// Target variant.
    #[serde(default, deserialize_with = "opt_string")]
    pub variant_id: Option<String>,
    /// Draft or published.
    #[serde(default)]
    pub state: Option<PostState>,
    /// When it was published.
    #[serde(default, with = "ts")]
    pub published_at: Option<OffsetDateTime>,
    /// When it was first published.
    #[serde(default, with = "ts")]
    pub first_published_at: Option<OffsetDateTime>,
    /// New steps also go to earlier eligible recipients.
    #[serde(default, deserialize_with = "opt_bool")]
    pub send_to_past_customers: Option<bool>,
    /// Number of live email steps.
    #[serde(default, deserialize_with = "opt_i64")]
    pub emails_count: Option<i64>,
    /// The active audience filters (absent ones do not restrict).
    #[serde(default)]
    pub filters: Option<WorkflowFilters>,
    /// When it was created.
    #[serde(default, with = "ts")]
    pub created_at: Option<OffsetDateTime>,
    /// When it was last changed.
    #[serde(default, with = "ts")]
    pub updated_at: Option<OffsetDateTime>,
    /// The email steps, ordered by delay (`GET /v2/workflows/:id` only).
    #[serde(default)]
    pub emails: Option<Vec<WorkflowEmail>>,
}

/// A workflow's audience filters; only the active ones are sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WorkflowFilters {
    /// Product permalinks recipients bought.
    #[serde(default, deserialize_with = "nullable")]
    pub bought_products: Vec<String>,
    /// Product permalinks recipients did not buy.
    #[serde(default, deserialize_with = "nullable")]
    pub not_bought_products: Vec<String>,
    /// Variant ids recipients bought.
    #[serde(default, deserialize_with = "nullable")]
    pub bought_variants: Vec<String>,
    /// Variant ids recipients did not buy.
    #[serde(default, deserialize_with = "nullable")]
    pub not_bought_variants: Vec<String>,
    /// Minimum purchase amount, a decimal string in the seller's currency.
    #[serde(default, deserialize_with = "opt_string")]
    pub paid_more_than: Option<String>,
    /// Maximum purchase amount, a decimal string in the seller's currency.
    #[serde(default, deserialize_with = "opt_string")]
    pub paid_less_than: Option<String>,
    /// Earliest purchase or signup date, as sent.
    #[serde(default, deserialize_with = "opt_string")]
    pub created_after: Option<String>,
    /// Latest purchase or signup date, as sent.
    #[serde(default, deserialize_with = "opt_string")]
    pub created_before: Option<String>,
    /// Purchase country.
    #[serde(default, deserialize_with = "opt_string")]
    pub bought_from: Option<String>,
    /// Leaves out recipients with cancelled subscriptions.
    #[serde(default, deserialize_with = "opt_bool")]
    pub active_customers_only: Option<bool>,
    /// Minimum license uses.
    #[serde(default, deserialize_with = "opt_i64")]
    pub minimum_license_uses: Option<i64>,
    /// Product permalinks recipients promote as affiliates.
    #[serde(default, deserialize_with = "nullable")]
    pub affiliate_products: Vec<String>,
}

/// How long after the trigger a workflow email goes out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Delay {
    /// The amount.
    #[serde(default, deserialize_with = "opt_i64")]
    pub amount: Option<i64>,
    /// The unit.
    #[serde(default)]
    pub unit: Option<DelayUnit>,
}

/// One email step of a workflow. Write responses carry no analytics
/// (`open_count`, `click_count` and the rates are `None`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WorkflowEmail {
    /// External id.
    pub id: String,
    /// Subject line.
    #[serde(default, deserialize_with = "opt_string")]
    pub subject: Option<String>,
    /// HTML body.
    #[serde(default, deserialize_with = "opt_string")]
    pub message: Option<String>,
    /// Audience.
    #[serde(default)]
    pub audience_type: Option<AudienceType>,
    /// Target product.
    #[serde(default, deserialize_with = "opt_string")]
    pub product_id: Option<String>,
    /// The workflow's state, inherited.
    #[serde(default)]
    pub state: Option<PostState>,
    /// When it was published.
    #[serde(default, with = "ts")]
    pub published_at: Option<OffsetDateTime>,
    /// Whether this step sends an email.
    #[serde(default, deserialize_with = "opt_bool")]
    pub send_emails: Option<bool>,
    /// Delay after the trigger.
    #[serde(default)]
    pub delay: Option<Delay>,
    /// Emails sent for this step.
    #[serde(default, deserialize_with = "opt_i64")]
    pub sent_count: Option<i64>,
    /// Unique opens.
    #[serde(default, deserialize_with = "opt_i64")]
    pub open_count: Option<i64>,
    /// Unique opens as a percentage of sent emails.
    #[serde(default)]
    pub open_rate: Option<f64>,
    /// Unique clicks.
    #[serde(default, deserialize_with = "opt_i64")]
    pub click_count: Option<i64>,
    /// Unique clicks as a percentage of sent emails.
    #[serde(default)]
    pub click_rate: Option<f64>,
    /// When it was created.
    #[serde(default, with = "ts")]
    pub created_at: Option<OffsetDateTime>,
    /// When it was last changed.
    #[serde(default, with = "ts")]
    pub updated_at: Option<OffsetDateTime>,
}
