//! The profile landing page (`/v2/user/custom_html`) and the sanitizer's report.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::de::{nullable, opt_bool, opt_i64, opt_string};

/// The profile's custom HTML landing page (`GET /v2/user/custom_html`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProfileHtml {
    /// The published HTML; `None` while the default profile is shown.
    #[serde(default, deserialize_with = "opt_string")]
    pub custom_html: Option<String>,
    /// A standalone render of the profile as it serves today: the published
    /// HTML, or a render of the default storefront. A starting point to edit.
    #[serde(default, deserialize_with = "opt_string")]
    pub rendered_html: Option<String>,
    /// Whether a custom landing page is set.
    #[serde(default, deserialize_with = "opt_bool")]
    pub has_landing_page: Option<bool>,
    /// The public profile URL (`None` for an account without a username).
    #[serde(default, deserialize_with = "opt_string")]
    pub profile_url: Option<String>,
}

/// The answer to publishing or clearing custom HTML (`PUT /v2/user/custom_html`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CustomHtmlPublished {
    /// The HTML as stored, after sanitizing; `None` when cleared.
    #[serde(default, deserialize_with = "opt_string")]
    pub custom_html: Option<String>,
    /// The value before this write, for a one-step rollback.
    #[serde(default, deserialize_with = "opt_string")]
    pub previous_custom_html: Option<String>,
    /// What the sanitizer removed.
    #[serde(default)]
    pub sanitization_report: Option<SanitizationReport>,
    /// The public profile URL.
    #[serde(default, deserialize_with = "opt_string")]
    pub profile_url: Option<String>,
}

/// The answer to a dry-run sanitize (`POST /v2/user/preview_custom_html`,
/// `POST /v2/products/:id/preview_custom_html`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CustomHtmlPreview {
    /// The HTML as it would be stored (not saved).
    #[serde(default, deserialize_with = "opt_string")]
    pub custom_html: Option<String>,
    /// What the sanitizer would remove.
    #[serde(default)]
    pub sanitization_report: Option<SanitizationReport>,
    /// A product page only: the warning a publish would carry, e.g. that the
    /// page has no buy element (`data-gumroad-action="buy"`).
    #[serde(default, deserialize_with = "opt_string")]
    pub warning: Option<String>,
}

/// What Gumroad's HTML sanitizer stripped from a page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SanitizationReport {
    /// Removed elements.
    #[serde(default, deserialize_with = "nullable")]
    pub removed_tags: Vec<RemovedTag>,
    /// Removed attributes.
    #[serde(default, deserialize_with = "nullable")]
    pub removed_attributes: Vec<RemovedAttribute>,
    /// How many things were removed in all.
    #[serde(default, deserialize_with = "opt_i64")]
    pub total_removed: Option<i64>,
    /// True when the lists above were cut short.
    #[serde(default, deserialize_with = "opt_bool")]
    pub truncated: Option<bool>,
}

/// One element the sanitizer removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RemovedTag {
    /// The tag name, e.g. `"iframe"`.
    #[serde(default, deserialize_with = "opt_string")]
    pub tag: Option<String>,
    /// Its attributes as sent.
    #[serde(default, deserialize_with = "nullable")]
    pub attrs: BTreeMap<String, serde_json::Value>,
    /// Why it was removed.
    #[serde(default, deserialize_with = "opt_string")]
    pub reason: Option<String>,
}

/// One attribute the sanitizer removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RemovedAttribute {
    /// The element it was on.
    #[serde(default, deserialize_with = "opt_string")]
    pub tag: Option<String>,
    /// The attribute name, e.g. `"onclick"`.
    #[serde(default, deserialize_with = "opt_string")]
    pub attribute: Option<String>,
    /// Its value.
    #[serde(default, deserialize_with = "opt_string")]
    pub value: Option<String>,
    /// Why it was removed.
    #[serde(default, deserialize_with = "opt_string")]
    pub reason: Option<String>,
}
