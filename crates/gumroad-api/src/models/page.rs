//! Storefront pages (`/v2/pages`), addressed by slug.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::de::{opt_string, ts};

/// A slugged storefront page, served at the store URL plus `/<slug>`.
///
/// A page carries either rich text ([`StorefrontPage::content`]) or a full custom
/// HTML takeover ([`StorefrontPage::custom_html`]), never both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StorefrontPage {
    /// The slug, which is also the page's id in the API.
    pub slug: String,
    /// Title (`""` when unset).
    #[serde(default, deserialize_with = "opt_string")]
    pub title: Option<String>,
    /// Rich text HTML, for pages edited in the dashboard.
    #[serde(default, deserialize_with = "opt_string")]
    pub content: Option<String>,
    /// Custom HTML, for pages built by the CLI or an agent.
    #[serde(default, deserialize_with = "opt_string")]
    pub custom_html: Option<String>,
    /// Public URL (`None` for an account without a username).
    #[serde(default, deserialize_with = "opt_string")]
    pub url: Option<String>,
    /// When it was created.
    #[serde(default, with = "ts")]
    pub created_at: Option<OffsetDateTime>,
    /// When it was last changed.
    #[serde(default, with = "ts")]
    pub updated_at: Option<OffsetDateTime>,
}

impl StorefrontPage {
    /// True for a custom HTML page (as opposed to rich text).
    pub fn is_custom_html(&self) -> bool {
        self.custom_html.as_deref().is_some_and(|h| !h.is_empty())
    }
}

/// One page with its current render (`GET /v2/pages/:slug`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PageDetail {
    /// The page.
    pub page: StorefrontPage,
    /// A standalone render of the page as it serves today, when the server
    /// sends one (the CLI reads it; the version of the controller read does
    /// not send it yet).
    pub rendered_html: Option<String>,
}
