//! Gumroad webhooks: the settings **Ping** and **resource-subscription**
//! deliveries, verified as far as Gumroad allows and parsed into typed events.
//!
//! # What Gumroad sends
//!
//! Gumroad POSTs each event to the seller's URL, by default as
//! `application/x-www-form-urlencoded` with Rails-style bracket keys
//! (`card[visual]=…`, `variants[Size]=…`, `purchase_ids[]=…`,
//! `old_plan[tier][id]=…`), as JSON for subscriptions to `*.zapier.com`.
//! Delivery is at least once, unordered (a `refund` can arrive before its
//! `sale`), with a 5-second timeout and at most three retries (after 1, 3
//! and 10 minutes, only for HTTP 499/500/502/503/504), each carrying
//! `retry_count=1|2|3`.
//!
//! [`GumroadEvent::parse`] decodes either encoding into one typed event:
//! the settings Ping, one of the eight resources (`sale`, `refund`,
//! `dispute`, `dispute_won`, `cancellation`, `subscription_updated`,
//! `subscription_ended`, `subscription_restarted`), or an unknown resource
//! kept whole. It handles what the wire really looks like:
//!
//! - nested and array keys, including keys Gumroad double-encodes (a custom
//!   field named `Size [EU]` arrives as `Size%20%255BEU%255D`);
//! - `""` standing for `nil`, for integers too (`charge_occurrence_count=`);
//! - every scalar as a string in form bodies (`"true"`, `"1249"`), and in
//!   JSON bodies relayed by converters that keep them strings;
//! - JSON (or form) bodies whose values are still percent-encoded (detected
//!   from values that always hold `=`, `@` or `:`, then decoded once);
//! - each custom field answer repeated as a top-level key (folded into
//!   `custom_fields`; when a custom field is named like a standard key,
//!   the shadowed key is reported in [`SalePing::shadowed_by_custom_fields`]);
//! - `retry_count`, `test=true`, and money in **USD cents** whatever the
//!   product currency ([`SalePing::price_money`]).
//!
//! The parser never panics on any bytes, and bounds the work a hostile body
//! can cause ([`ParseLimits`]); a bad body (cut short, not an object, bad
//! percent escapes, no `sale_id` / `subscription_id`) is a clear
//! [`WebhookError::Malformed`]. An authentic delivery is never rejected for
//! one mistyped optional field (`order_number=12a`): that field reads as
//! `None`, its raw value stays in `extra`, and it is named in
//! [`GumroadEvent::field_errors`] (and `WebhookEvent::field_errors`).
//!
//! # Security: Gumroad does not sign deliveries
//!
//! There is **no signature header**: anyone who learns your URL can post a
//! body that parses perfectly. [`GumroadWebhooks`] offers what is possible,
//! and it is worth being plain about what each option does:
//!
//! - **A secret token in the callback URL** (`?token=…` or the last path
//!   segment), compared in constant time. It proves the sender knew the URL,
//!   which Gumroad only shows to the seller and the app that subscribed. It
//!   does *not* protect the body (no integrity), does not stop replays of a
//!   captured delivery, and leaks wherever the URL is logged (proxies,
//!   access logs). Use HTTPS, a long random token, and rotate it by
//!   re-subscribing.
//! - **HTTP Basic credentials** (register `https://user:pass@host/…`; Gumroad's
//!   current delivery worker sends them as an `Authorization: Basic` header).
//!   Same guarantees as the token (a shared secret, no integrity, no replay
//!   protection), but kept out of access logs of the path and query. Older
//!   Gumroad workers may not have sent them; test with "Send test ping".
//! - **Read back before granting anything** ([`Webhooks::confirm`]): take the
//!   `sale_id` and read the sale through the API (Gumroad's own advice:
//!   treat a ping as a trigger, not as data), checking that the API agrees
//!   with what the delivery claims (the product, and that the sale really is
//!   refunded for a `refund`, the subscription really cancelled for a
//!   `cancellation`, …). This is the only check an attacker who knows your
//!   URL cannot pass with made-up data; it costs one API call.
//!
//! Deduplicate on [`WebhookEvent::identity`] (`gumroad:<resource>:<sale_id
//! or subscription_id>[:test]:<fingerprint>`, the fingerprint being of the
//! decoded body without `retry_count`): a retried delivery gets the same
//! identity, while a refund (which reuses its sale's `sale_id`), a second
//! `subscription_updated` of one subscription, or a "send test ping" of a
//! live sale get different ones. Gumroad sends no event id, so two events
//! with identical bodies (a second partial refund of one sale, a second
//! cancellation after a restart) share an identity too: tell those apart
//! by [`WebhookEvent::retry`] and arrival, as `creator relay` does.
//!
//! ```
//! use creator_core::{EventKind, WebhookDelivery, Webhooks};
//! use gumroad_api::webhook::GumroadWebhooks;
//!
//! let hooks = GumroadWebhooks::builder().url_token("4f9c2e7a1b8d").build()?;
//! let delivery = WebhookDelivery::new(
//!     "/hooks/gumroad?token=4f9c2e7a1b8d".parse().unwrap(),
//!     {
//!         let mut h = http::HeaderMap::new();
//!         h.insert("content-type", "application/x-www-form-urlencoded".parse().unwrap());
//!         h
//!     },
//!     "sale_id=FO8TXN-dvxYabdavG97Y-Q%3D%3D&resource_name=sale&price=1249&email=buyer%40example.com",
//! );
//! let event = hooks.receive(&delivery)?;
//! assert_eq!(event.kind, EventKind::Sale);
//! assert!(event.identity().starts_with("gumroad:sale:FO8TXN-dvxYabdavG97Y-Q==:"));
//! assert_eq!(event.sale.unwrap().amount.unwrap().minor_units(), 1249);
//! # Ok::<(), creator_core::Error>(())
//! ```
//!
//! [`Webhooks::confirm`]: creator_core::Webhooks::confirm
//! [`WebhookEvent::identity`]: creator_core::WebhookEvent::identity
//! [`WebhookEvent::retry`]: creator_core::WebhookEvent::retry

mod builder;
mod claims;
mod fields;
mod form;
mod payload;
mod receiver;
mod subscribe;

use creator_core::{WebhookDelivery, WebhookError};
use serde_json::{Map, Value};

pub use builder::GumroadWebhooksBuilder;
/// Re-exported from creator-core, where every provider's parser finds it.
pub use creator_core::ParseLimits;
/// Re-exported from creator-core, whose [`UrlToken`](creator_core::verify::UrlToken) reads it.
pub use creator_core::verify::TokenLocation;
pub use form::decode_form;
pub use payload::{
    CancelledBy, Encoding, EndedReason, GumroadEvent, Plan, PlanChange, SalePing,
    ShippingInformation, SubscriptionPing, Tier, UnknownPing,
};
pub use receiver::GumroadWebhooks;
pub use subscribe::{SubscribeOutcome, subscribe_all};

use form::insert_path;

impl GumroadEvent {
    /// Parses a delivery body given its `Content-Type` (parameters such as
    /// `; charset=utf-8` are ignored). Form and JSON are accepted; without a
    /// content type the body is sniffed (`{` starts JSON, anything else is form).
    ///
    /// # Errors
    /// [`WebhookError::UnsupportedContentType`] for another media type;
    /// [`WebhookError::Malformed`] for a body that cannot be decoded or lacks
    /// its subject id (`sale_id` / `subscription_id`).
    pub fn parse(content_type: Option<&str>, body: &[u8]) -> Result<Self, WebhookError> {
        Self::parse_with_limits(content_type, body, &ParseLimits::default())
    }

    /// [`GumroadEvent::parse`] with explicit [`ParseLimits`].
    ///
    /// # Errors
    /// As [`GumroadEvent::parse`], and [`WebhookError::Malformed`] for a body beyond `limits`.
    pub fn parse_with_limits(
        content_type: Option<&str>,
        body: &[u8],
        limits: &ParseLimits,
    ) -> Result<Self, WebhookError> {
        match encoding_of(content_type, body)? {
            Encoding::Form => Self::from_form_with_limits(body, limits),
            Encoding::Json => Self::from_json_with_limits(body, limits),
        }
    }

    /// Parses a [`WebhookDelivery`] by its `Content-Type` header (no verification).
    ///
    /// # Errors
    /// As [`GumroadEvent::parse`].
    pub fn from_delivery(delivery: &WebhookDelivery) -> Result<Self, WebhookError> {
        Self::parse(delivery.content_type().as_deref(), &delivery.body)
    }

    /// Parses a form-encoded body.
    ///
    /// # Errors
    /// As [`GumroadEvent::parse`].
    pub fn from_form(body: &[u8]) -> Result<Self, WebhookError> {
        Self::from_form_with_limits(body, &ParseLimits::default())
    }

    /// Parses a JSON body.
    ///
    /// # Errors
    /// As [`GumroadEvent::parse`].
    pub fn from_json(body: &[u8]) -> Result<Self, WebhookError> {
        Self::from_json_with_limits(body, &ParseLimits::default())
    }

    fn from_form_with_limits(body: &[u8], limits: &ParseLimits) -> Result<Self, WebhookError> {
        let mut unreadable = Vec::new();
        let tree = form::decode_form_lenient(body, limits, &mut unreadable)?;
        let mut event = payload::event_from_tree(tree, Encoding::Form)?;
        event.add_field_errors(unreadable);
        Ok(event)
    }

    fn from_json_with_limits(body: &[u8], limits: &ParseLimits) -> Result<Self, WebhookError> {
        let (tree, relayed_form) = decode_json(body, limits)?;
        let encoding = if relayed_form {
            Encoding::Form
        } else {
            Encoding::Json
        };
        payload::event_from_tree(tree, encoding)
    }
}

/// Which decoder a content type calls for.
pub(crate) fn encoding_of(
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Encoding, WebhookError> {
    let media = content_type
        .map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .filter(|ct| !ct.is_empty());
    match media.as_deref() {
        Some("application/x-www-form-urlencoded") => Ok(Encoding::Form),
        Some("application/json") => Ok(Encoding::Json),
        Some(other) if other.starts_with("application/") && other.ends_with("+json") => {
            Ok(Encoding::Json)
        }
        Some(other) => Err(WebhookError::UnsupportedContentType(other.to_owned())),
        None => {
            let first = body.iter().find(|b| !b.is_ascii_whitespace());
            Ok(if first == Some(&b'{') {
                Encoding::Json
            } else {
                Encoding::Form
            })
        }
    }
}

/// Parses a JSON body into a tree, within `limits`. Top-level keys in
/// bracket form (`"card[visual]"`, from relays that kept the form keys)
/// are nested like form keys, and the body is then reported as a relayed
/// form (`true` in the second place) so form rules apply to its values.
fn decode_json(
    body: &[u8],
    limits: &ParseLimits,
) -> Result<(Map<String, Value>, bool), WebhookError> {
    let mut map = limits.parse_json_object(body)?;
    let bracketed: Vec<String> = map.keys().filter(|k| k.contains('[')).cloned().collect();
    let relayed_form = !bracketed.is_empty();
    for key in bracketed {
        if let Some(v) = map.remove(&key) {
            insert_path(&mut map, &key, v, limits)?;
        }
    }
    Ok((map, relayed_form))
}
