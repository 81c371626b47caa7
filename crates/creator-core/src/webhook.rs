//! Webhook deliveries and the normalized events parsed from them.

use std::fmt;

use bytes::Bytes;
use http::{HeaderMap, Uri};
use serde::Serialize;
use time::OffsetDateTime;

use crate::{Provider, ProviderData, Sale, Subscriber};

/// One HTTP delivery as received: the request target, headers and the raw body bytes.
///
/// Verification must run on exactly these bytes, before anything re-encodes them.
#[derive(Clone)]
pub struct WebhookDelivery {
    /// The request target (path and query), used for secret-in-URL checks.
    pub uri: Uri,
    /// The request headers.
    pub headers: HeaderMap,
    /// The body, byte for byte.
    pub body: Bytes,
}

impl WebhookDelivery {
    /// A delivery from its parts.
    pub fn new(uri: Uri, headers: HeaderMap, body: impl Into<Bytes>) -> Self {
        Self {
            uri,
            headers,
            body: body.into(),
        }
    }

    /// A delivery with only a body and a `Content-Type` (handy in tests); a
    /// content type that is not a valid header value is left out.
    pub fn with_content_type(content_type: &str, body: impl Into<Bytes>) -> Self {
        let mut headers = HeaderMap::new();
        if let Ok(value) = content_type.parse() {
            headers.insert(http::header::CONTENT_TYPE, value);
        }
        Self::new(Uri::from_static("/"), headers, body)
    }

    /// The media type without parameters, lower-cased (`application/json`).
    pub fn content_type(&self) -> Option<String> {
        let raw = self
            .headers
            .get(http::header::CONTENT_TYPE)?
            .to_str()
            .ok()?;
        Some(
            raw.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase(),
        )
    }
}

impl fmt::Debug for WebhookDelivery {
    // Headers may carry signatures or Basic credentials and the query a URL token: show names only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookDelivery")
            .field("path", &self.uri.path())
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// What a successful verification established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Verified {
    /// A cryptographic signature over the raw body matched.
    Signature,
    /// A shared secret in the callback URL (path or query) matched.
    UrlToken,
    /// HTTP Basic credentials matched.
    BasicAuth,
    /// Nothing could be checked and the verifier was told to accept that
    /// (only for tests or trusted networks).
    Unverified,
}

/// The normalized type of a webhook event.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// A new sale or charge (Gumroad `sale`, Gank `DIGITAL_GOODS.TX_SUCCEED`).
    Sale,
    /// A membership payment succeeded (Gank `USER_MEMBERSHIP.TX_SUCCEED`).
    MembershipPayment,
    /// A sale was refunded.
    Refund,
    /// A chargeback was opened.
    Dispute,
    /// A chargeback was won by the seller.
    DisputeWon,
    /// A subscription was cancelled (possibly effective later).
    SubscriptionCancelled,
    /// A subscription changed tier or price.
    SubscriptionUpdated,
    /// A subscription ended.
    SubscriptionEnded,
    /// A subscription was restarted.
    SubscriptionRestarted,
    /// An event this library does not know yet; the string is the platform's event name.
    Unknown(String),
}

/// A webhook event, normalized, with the provider's parsed payload kept.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// Which platform sent it.
    pub provider: Provider,
    /// Normalized type.
    pub kind: EventKind,
    /// The platform's own event name (`sale`, `refund`, `USER_MEMBERSHIP.TX_SUCCEED`).
    pub name: String,
    /// The id that identifies this event's subject across redeliveries
    /// (Gumroad `sale_id`/`subscription_id`, Gank `human_id`).
    pub subject_id: String,
    /// When the event happened, if the payload says.
    #[serde(with = "time::serde::rfc3339::option")]
    pub occurred_at: Option<OffsetDateTime>,
    /// True for test events (a seller's own purchase, a settings "send test ping").
    pub test: bool,
    /// The sale carried by the event, when it is about one.
    pub sale: Option<Sale>,
    /// The subscription carried by the event, when it is about one.
    pub subscriber: Option<Subscriber>,
    /// The provider's parsed payload.
    #[serde(skip)]
    pub provider_data: ProviderData,
}

impl WebhookEvent {
    /// An event with the required fields; the rest start empty.
    pub fn new(
        provider: Provider,
        kind: EventKind,
        name: impl Into<String>,
        subject_id: impl Into<String>,
    ) -> Self {
        Self {
            provider,
            kind,
            name: name.into(),
            subject_id: subject_id.into(),
            occurred_at: None,
            test: false,
            sale: None,
            subscriber: None,
            provider_data: ProviderData::none(),
        }
    }

    /// A key that is the same for every delivery of the same event and
    /// different for different events: `provider:event-name:subject-id`.
    ///
    /// A Gumroad refund reuses its sale's `sale_id`, so the event name is part
    /// of the key and a refund is never taken for a redelivered sale.
    ///
    /// ```
    /// use creator_core::{EventKind, Provider, WebhookEvent};
    ///
    /// let sale = WebhookEvent::new(Provider::Gumroad, EventKind::Sale, "sale", "abc==");
    /// let refund = WebhookEvent::new(Provider::Gumroad, EventKind::Refund, "refund", "abc==");
    /// assert_eq!(sale.dedup_key(), "gumroad:sale:abc==");
    /// assert_ne!(sale.dedup_key(), refund.dedup_key());
    /// ```
    pub fn dedup_key(&self) -> String {
        format!("{}:{}:{}", self.provider, self.name, self.subject_id)
    }

    /// The provider's parsed payload.
    pub fn provider_data(&self) -> &ProviderData {
        &self.provider_data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_debug_hides_query_and_header_values() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", "Basic dXNlcjpzM2NyM3Q=".parse().unwrap());
        let d = WebhookDelivery::new(
            "/webhooks/gumroad?token=s3cr3t".parse().unwrap(),
            headers,
            "a=b",
        );
        let shown = format!("{d:?}");
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("dXNlcjpzM2NyM3Q"),
            "{shown}"
        );
        assert!(shown.contains("authorization"));
    }

    #[test]
    fn content_type_drops_parameters() {
        let d = WebhookDelivery::with_content_type(
            "Application/X-WWW-Form-Urlencoded; charset=utf-8",
            "",
        );
        assert_eq!(
            d.content_type().as_deref(),
            Some("application/x-www-form-urlencoded")
        );
    }

    #[test]
    fn dedup_key_is_stable_and_separates_event_names() {
        let a = WebhookEvent::new(
            Provider::Gank,
            EventKind::Sale,
            "DIGITAL_GOODS.TX_SUCCEED",
            "DG-1",
        );
        let b = a.clone();
        assert_eq!(a.dedup_key(), b.dedup_key());
        assert_eq!(a.dedup_key(), "gank:DIGITAL_GOODS.TX_SUCCEED:DG-1");
    }
}
