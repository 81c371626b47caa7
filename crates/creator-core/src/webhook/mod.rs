//! Webhook deliveries and the normalized events parsed from them.

use std::fmt;

use bytes::Bytes;
use http::{HeaderMap, Uri};
use serde::Serialize;
use time::OffsetDateTime;

use crate::{Provider, ProviderData, Sale, Subscriber};

mod limits;
pub mod repeat;
pub mod verify;

pub use limits::ParseLimits;

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

/// A field of a delivery that could not be read into its typed model.
///
/// An authentic delivery is never rejected for one mistyped optional field:
/// the event is kept with what could be read, and each field that could not
/// is reported here (its raw value stays in the provider payload).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Where the field is, dotted (`order_number`, `data.usecase_data.data.billing_period`).
    pub field: String,
    /// What was wrong (`expected an integer, got "12a"`).
    pub message: String,
}

impl FieldError {
    /// A field error from its path and message.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.field, self.message)
    }
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
    /// The id of the object the event is about (Gumroad `sale_id` or
    /// `subscription_id`, Gank `human_id`). Several events can share it: a
    /// sale and its refunds, every change of one subscription.
    pub subject_id: String,
    /// When the event happened, if the payload says.
    #[serde(with = "time::serde::rfc3339::option")]
    pub occurred_at: Option<OffsetDateTime>,
    /// True for test events (a seller's own purchase, a settings "send test ping").
    pub test: bool,
    /// The platform's retry number for this delivery (Gumroad's `retry_count`,
    /// 1 to 3), `None` on a first attempt or when the platform does not say.
    pub retry: Option<u32>,
    /// A fingerprint of the payload without the fields that only a retry
    /// changes ([`fingerprint`]), for platforms whose deliveries carry no event
    /// id (Gumroad). `None` when `name` and `subject_id` alone name one event
    /// (a Gank `human_id` names one transaction).
    pub fingerprint: Option<String>,
    /// Fields that could not be read into the typed model (the event was kept
    /// with what could be read; the raw values are in the provider payload).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub field_errors: Vec<FieldError>,
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
            retry: None,
            fingerprint: None,
            field_errors: Vec::new(),
            sale: None,
            subscriber: None,
            provider_data: ProviderData::none(),
        }
    }

    /// The event's identity: the same for every redelivery of one event, and
    /// different for events that differ in anything but their retry fields.
    ///
    /// `provider:name:subject`, then `:test` for test events (a "send test
    /// ping" never collides with the live sale it copies), then `:` and the
    /// [`fingerprint`](Self::fingerprint) when the platform sends no event id.
    ///
    /// So a Gumroad refund (which reuses its sale's `sale_id`) never matches
    /// the sale, and two different `subscription_updated` deliveries of one
    /// subscription never match each other, while a retry (`retry_count=1`)
    /// matches its first attempt. Two deliveries with the *same* identity
    /// can still be two events when the platform sends no event id at all
    /// (a second partial refund of one sale has the same body as the first);
    /// a store tells those apart by [`retry`](Self::retry) and arrival (the
    /// relay's ledger keeps them as `identity`, `identity#2`, …).
    ///
    /// ```
    /// use creator_core::{EventKind, Provider, WebhookEvent};
    ///
    /// let sale = WebhookEvent::new(Provider::Gank, EventKind::Sale, "DIGITAL_GOODS.TX_SUCCEED", "DG-1");
    /// assert_eq!(sale.identity(), "gank:DIGITAL_GOODS.TX_SUCCEED:DG-1");
    ///
    /// let mut ping = WebhookEvent::new(Provider::Gumroad, EventKind::Sale, "sale", "abc==");
    /// ping.fingerprint = Some("4be0b9a1".into());
    /// let mut test = ping.clone();
    /// test.test = true;
    /// assert_eq!(ping.identity(), "gumroad:sale:abc==:4be0b9a1");
    /// assert_eq!(test.identity(), "gumroad:sale:abc==:test:4be0b9a1");
    /// ```
    pub fn identity(&self) -> String {
        let mut key = format!("{}:{}:{}", self.provider, self.name, self.subject_id);
        if self.test {
            key.push_str(":test");
        }
        if let Some(fp) = &self.fingerprint {
            key.push(':');
            key.push_str(fp);
        }
        key
    }

    /// The provider's parsed payload.
    pub fn provider_data(&self) -> &ProviderData {
        &self.provider_data
    }
}

/// A stable fingerprint of a decoded payload object: the first 128 bits of SHA-256,
/// in hex, over a canonical text of `payload` with the top-level keys in
/// `ignore` left out (the fields only a retry changes, such as `retry_count`).
///
/// Canonical means the same content gives the same fingerprint however it
/// was encoded: object keys are sorted, and scalars are compared as text
/// (`1249`, `"1249"` and `1249.0` are the same; `true` and `"true"` too;
/// `null` and `""` too), so a form body and a JSON body of one event agree.
///
/// ```
/// use creator_core::fingerprint;
/// use serde_json::json;
///
/// let first = json!({"sale_id": "abc==", "price": "1249", "refunded": "false"});
/// let retry = json!({"refunded": false, "price": 1249, "sale_id": "abc==", "retry_count": "1"});
/// let (first, retry) = (first.as_object().unwrap(), retry.as_object().unwrap());
/// assert_eq!(fingerprint(first, &["retry_count"]), fingerprint(retry, &["retry_count"]));
/// assert_eq!(fingerprint(first, &[]).len(), 32);
/// ```
pub fn fingerprint(
    payload: &serde_json::Map<String, serde_json::Value>,
    ignore: &[&str],
) -> String {
    use sha2::Digest;
    let mut canonical = Vec::new();
    canonical_object(payload, ignore, &mut canonical);
    sha2::Sha256::digest(&canonical)[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes `value` in a canonical form: sorted keys, every scalar as a JSON string.
fn canonical_text(value: &serde_json::Value, out: &mut Vec<u8>) {
    use serde_json::Value;
    let text = |s: &str, out: &mut Vec<u8>| {
        out.extend_from_slice(
            serde_json::Value::String(s.to_owned())
                .to_string()
                .as_bytes(),
        );
    };
    match value {
        Value::Null => text("", out),
        Value::Bool(b) => text(if *b { "true" } else { "false" }, out),
        Value::Number(n) => {
            let shown = match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => i.to_string(),
                (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => (f as i64).to_string(),
                _ => n.to_string(),
            };
            text(&shown, out);
        }
        Value::String(s) => text(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical_text(item, out);
            }
            out.push(b']');
        }
        Value::Object(map) => canonical_object(map, &[], out),
    }
}

fn canonical_object(
    map: &serde_json::Map<String, serde_json::Value>,
    ignore: &[&str],
    out: &mut Vec<u8>,
) {
    let mut keys: Vec<&String> = map
        .keys()
        .filter(|k| !ignore.contains(&k.as_str()))
        .collect();
    keys.sort();
    out.push(b'{');
    for (i, key) in keys.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(
            serde_json::Value::String(key.clone())
                .to_string()
                .as_bytes(),
        );
        out.push(b':');
        canonical_text(&map[key], out);
    }
    out.push(b'}');
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
    fn fingerprints_ignore_encoding_order_and_retry_fields_only() {
        use serde_json::{Value, json};
        let fp = |v: &Value, ignore: &[&str]| fingerprint(v.as_object().unwrap(), ignore);
        let form = json!({"a": "1", "b": {"c": "true", "d": ""}, "l": ["x", "y"]});
        let json = json!({"l": ["x", "y"], "b": {"d": null, "c": true}, "a": 1});
        assert_eq!(fp(&form, &[]), fp(&json, &[]));
        let retried =
            json!({"a": "1", "b": {"c": "true", "d": ""}, "l": ["x", "y"], "retry_count": "2"});
        assert_eq!(fp(&form, &["retry_count"]), fp(&retried, &["retry_count"]));
        assert_ne!(fp(&form, &[]), fp(&retried, &[]));
        // Order inside arrays matters, and so does any other change.
        let reordered = json!({"a": "1", "b": {"c": "true", "d": ""}, "l": ["y", "x"]});
        assert_ne!(fp(&form, &[]), fp(&reordered, &[]));
        // A value cannot be moved across keys without changing it.
        assert_ne!(fp(&json!({"a": "b:c"}), &[]), fp(&json!({"a:b": "c"}), &[]));
    }

    #[test]
    fn test_events_and_fingerprints_are_part_of_the_identity() {
        let mut live = WebhookEvent::new(Provider::Gumroad, EventKind::Sale, "sale", "S1");
        live.fingerprint = Some("f1".into());
        let mut test = live.clone();
        test.test = true;
        let mut other = live.clone();
        other.fingerprint = Some("f2".into());
        assert_ne!(live.identity(), test.identity());
        assert_ne!(live.identity(), other.identity());
        let mut retry = live.clone();
        retry.retry = Some(2);
        assert_eq!(live.identity(), retry.identity());
    }

    #[test]
    fn identity_is_stable_and_separates_event_names() {
        let a = WebhookEvent::new(
            Provider::Gank,
            EventKind::Sale,
            "DIGITAL_GOODS.TX_SUCCEED",
            "DG-1",
        );
        let b = a.clone();
        assert_eq!(a.identity(), b.identity());
        assert_eq!(a.identity(), "gank:DIGITAL_GOODS.TX_SUCCEED:DG-1");
    }
}
