//! Webhook registrations and the event names Gank sends.

use std::fmt;

use creator_core::{Result, Secret};
use serde::{Deserialize, Serialize};

use crate::de;

creator_core::string_enum! {
    /// A Gank webhook event name, `<USECASE>.TX_<STATUS>`.
    ///
    /// Only the two `TX_SUCCEED` events are documented; any other name (Gank may
    /// add `DONATION.TX_SUCCEED` or failure events) is kept in
    /// [`GankEventName::Unknown`] with its exact spelling.
    ///
    /// ```
    /// use gank_api::GankEventName;
    ///
    /// let e: GankEventName = "USER_MEMBERSHIP.TX_SUCCEED".parse().unwrap();
    /// assert_eq!(e, GankEventName::UserMembershipTxSucceed);
    /// let other: GankEventName = "DONATION.TX_SUCCEED".parse().unwrap();
    /// assert_eq!(other.usecase(), Some("DONATION"));
    /// assert_eq!(other.tx_status(), Some("SUCCEED"));
    /// assert_eq!(other.as_str(), "DONATION.TX_SUCCEED");
    /// ```
    pub enum GankEventName {
        /// `USER_MEMBERSHIP.TX_SUCCEED`: a membership payment succeeded.
        UserMembershipTxSucceed = "USER_MEMBERSHIP.TX_SUCCEED",
        /// `DIGITAL_GOODS.TX_SUCCEED`: a digital-goods purchase succeeded
        /// (Gank enables it on request).
        DigitalGoodsTxSucceed = "DIGITAL_GOODS.TX_SUCCEED",
    }
}

impl GankEventName {
    /// The part before `.TX_` (`USER_MEMBERSHIP`, `DIGITAL_GOODS`), when the
    /// name follows the `<USECASE>.TX_<STATUS>` pattern.
    pub fn usecase(&self) -> Option<&str> {
        self.as_str().split_once(".TX_").map(|(u, _)| u)
    }

    /// The part after `.TX_` (`SUCCEED`), when the name follows the pattern.
    pub fn tx_status(&self) -> Option<&str> {
        self.as_str().split_once(".TX_").map(|(_, s)| s)
    }
}

/// The registered webhook: `{id, owner_user_id, key, external_callback_url, events}`.
///
/// `key` is the secret Gank says to check webhook signatures with; it is held
/// as a [`Secret`] and serialized as `"<redacted>"`.
#[derive(Clone, Deserialize, Serialize)]
#[non_exhaustive]
pub struct WebhookRegistration {
    /// The registration's id.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub id: Option<String>,
    /// Your Gank user id.
    #[serde(default, deserialize_with = "de::opt_string")]
    pub owner_user_id: Option<String>,
    /// The signing key for webhook payloads.
    #[serde(default, serialize_with = "redact_opt")]
    pub key: Option<Secret>,
    /// Where Gank sends deliveries.
    #[serde(default)]
    pub external_callback_url: Option<String>,
    /// The subscribed events (`null` reads as none).
    #[serde(default, deserialize_with = "de::nullable")]
    pub events: Vec<GankEventName>,
}

fn redact_opt<S: serde::Serializer>(key: &Option<Secret>, s: S) -> Result<S::Ok, S::Error> {
    match key {
        Some(_) => s.serialize_some("<redacted>"),
        None => s.serialize_none(),
    }
}

impl fmt::Debug for WebhookRegistration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookRegistration")
            .field("id", &self.id)
            .field("owner_user_id", &self.owner_user_id)
            .field("key", &self.key)
            .field("external_callback_url", &self.external_callback_url)
            .field("events", &self.events)
            .finish()
    }
}
