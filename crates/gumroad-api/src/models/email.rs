//! Audience emails (`/v2/emails`) and the enums they share with workflows.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::de::{opt_bool, opt_i64, opt_string, ts};

creator_core::string_enum! {
    /// Who an email or workflow goes to, as the server names it.
    pub enum AudienceType {
        /// Customers and followers (the API also accepts `all` when creating).
        Audience = "audience",
        /// Customers (the API also accepts `customers` when creating).
        Seller = "seller",
        /// Followers (the API also accepts `followers` when creating).
        Follower = "follower",
        /// Buyers of one product.
        Product = "product",
        /// Buyers of one variant (workflows).
        Variant = "variant",
        /// Affiliates (workflows).
        Affiliate = "affiliate",
        /// Abandoned carts (workflows).
        AbandonedCart = "abandoned_cart",
    }
}

creator_core::string_enum! {
    /// Where an email (or workflow) stands. Also the `type` filter of
    /// `GET /v2/emails`.
    pub enum PostState {
        /// Not sent.
        Draft = "draft",
        /// Waiting for its send time.
        Scheduled = "scheduled",
        /// Sent (for a workflow: live).
        Published = "published",
    }
}

/// An audience email (a broadcast "post").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Email {
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
    /// The product, for product audiences.
    #[serde(default, deserialize_with = "opt_string")]
    pub product_id: Option<String>,
    /// Draft, scheduled or published.
    #[serde(default)]
    pub state: Option<PostState>,
    /// When it was sent.
    #[serde(default, with = "ts")]
    pub published_at: Option<OffsetDateTime>,
    /// When it is scheduled to be sent.
    #[serde(default, with = "ts")]
    pub scheduled_at: Option<OffsetDateTime>,
    /// Whether it is emailed (and not only posted on the profile).
    #[serde(default, deserialize_with = "opt_bool")]
    pub send_emails: Option<bool>,
    /// Whether it is shown on the profile.
    #[serde(default, deserialize_with = "opt_bool")]
    pub shown_on_profile: Option<bool>,
    /// Estimated audience size, when computed.
    #[serde(default, deserialize_with = "opt_i64")]
    pub audience_count: Option<i64>,
    /// Recipients it was delivered to (after sending).
    #[serde(default, deserialize_with = "opt_i64")]
    pub recipients_count: Option<i64>,
    /// Public post URL once published (may be a path such as `/seller/p/slug`).
    #[serde(default, deserialize_with = "opt_string")]
    pub url: Option<String>,
    /// When it was created.
    #[serde(default, with = "ts")]
    pub created_at: Option<OffsetDateTime>,
    /// When it was last changed.
    #[serde(default, with = "ts")]
    pub updated_at: Option<OffsetDateTime>,
}

/// The answer to `POST /v2/emails/:id/preview`: the preview was emailed to the seller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EmailPreview {
    /// The email.
    pub email: Email,
    /// The public post URL when published, else the seller's edit page in preview mode.
    #[serde(default, deserialize_with = "opt_string")]
    pub preview_url: Option<String>,
    /// The server's message, e.g. `"A preview has been sent to your email."`.
    #[serde(default, deserialize_with = "opt_string")]
    pub message: Option<String>,
}
