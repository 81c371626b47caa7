//! `GET /v2/user`.

use serde::{Deserialize, Serialize};

use crate::de::{nullable, opt_string};

/// The account that owns the access token (`GET /v2/user`).
///
/// Every field is optional: which ones are sent depends on the token's
/// scopes (`display_name` only with `view_profile`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct User {
    /// Numeric external id, sent as a string (`"3523953790232"`).
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    /// Opaque id; equals `seller_id` on sales.
    #[serde(default, deserialize_with = "opt_string")]
    pub user_id: Option<String>,
    /// Account name.
    #[serde(default, deserialize_with = "opt_string")]
    pub name: Option<String>,
    /// Public display name (with the `view_profile` scope).
    #[serde(default, deserialize_with = "opt_string")]
    pub display_name: Option<String>,
    /// Email (the docs say it needs `view_sales`; the server sends it for any API scope).
    #[serde(default, deserialize_with = "opt_string")]
    pub email: Option<String>,
    /// Profile bio.
    #[serde(default, deserialize_with = "opt_string")]
    pub bio: Option<String>,
    /// Twitter handle.
    #[serde(default, deserialize_with = "opt_string")]
    pub twitter_handle: Option<String>,
    /// The seller's currency, lower-case (`usd`).
    #[serde(default, deserialize_with = "opt_string")]
    pub currency_type: Option<String>,
    /// Profile page URL.
    #[serde(default, deserialize_with = "opt_string")]
    pub url: Option<String>,
    /// The **avatar image** URL, despite its name.
    #[serde(default, deserialize_with = "opt_string")]
    pub profile_url: Option<String>,
    /// Avatar URL under its 2026 name, when sent.
    #[serde(default, deserialize_with = "opt_string")]
    pub profile_picture_url: Option<String>,
    /// Product permalinks (`null` is read as empty).
    #[serde(default, deserialize_with = "nullable")]
    pub links: Vec<String>,
}
