//! The body of a forwarded event: versioned, normalized JSON, the same for
//! Gumroad and Gank, with the provider's payload kept (schema:
//! `docs/event.schema.json`). The webhook push, `GET /v1/events` and
//! `creator events --follow` all send this shape.

use base64::Engine as _;
use serde_json::{Map, Value, json};

use crate::ledger::StoredEvent;

/// The version in every body (`"version": 1`); a change that breaks
/// readers gets a new one.
pub const BODY_VERSION: u64 = 1;

/// The `webhook-id` of an event: the same on every attempt, on a replay and
/// for every destination, so receivers deduplicate on it.
pub fn message_id(event_id: i64) -> String {
    format!("evt_{event_id}")
}

/// The body for `event`, as a JSON value.
pub fn document(event: &StoredEvent) -> Value {
    let normalized = &event.event;
    let sale = normalized.get("sale").filter(|v| !v.is_null());
    let subscriber = normalized.get("subscriber").filter(|v| !v.is_null());
    let customer = sale
        .and_then(|s| s.get("customer"))
        .or_else(|| subscriber.and_then(|s| s.get("customer")))
        .cloned()
        .unwrap_or(Value::Null);
    let amount = sale
        .and_then(|s| s.get("amount"))
        .filter(|v| !v.is_null())
        .cloned()
        .unwrap_or(Value::Null);
    let product_id = sale
        .and_then(|s| s.get("product_id"))
        .or_else(|| subscriber.and_then(|s| s.get("product_id")))
        .filter(|v| !v.is_null());
    let product_name = sale
        .and_then(|s| s.get("product_name"))
        .filter(|v| !v.is_null());
    let product = if product_id.is_some() || product_name.is_some() {
        json!({
            "id": product_id.cloned().unwrap_or(Value::Null),
            "name": product_name.cloned().unwrap_or(Value::Null),
        })
    } else {
        Value::Null
    };
    let (payload, raw) = payload(event);
    let mut data = Map::new();
    data.insert("event_id".into(), event.id.into());
    data.insert("dedup_key".into(), event.dedup_key.clone().into());
    data.insert("provider".into(), event.provider.clone().into());
    data.insert("kind".into(), event.kind.clone().into());
    data.insert("name".into(), event.name.clone().into());
    data.insert("subject_id".into(), event.subject_id.clone().into());
    data.insert("test".into(), event.test.into());
    data.insert(
        "occurred_at".into(),
        event.occurred_at.clone().map_or(Value::Null, Value::String),
    );
    data.insert("received_at".into(), event.received_at.clone().into());
    data.insert("customer".into(), customer);
    data.insert("amount".into(), amount);
    data.insert("product".into(), product);
    data.insert("sale".into(), sale.cloned().unwrap_or(Value::Null));
    data.insert(
        "subscription".into(),
        subscriber.cloned().unwrap_or(Value::Null),
    );
    data.insert(
        "field_errors".into(),
        match &event.field_errors {
            Value::Array(_) => event.field_errors.clone(),
            _ => Value::Array(Vec::new()),
        },
    );
    data.insert(
        "content_type".into(),
        event
            .content_type
            .clone()
            .map_or(Value::Null, Value::String),
    );
    data.insert("payload".into(), payload);
    if let Some(raw) = raw {
        data.insert("raw_body_base64".into(), raw.into());
    }
    json!({
        "version": BODY_VERSION,
        "id": message_id(event.id),
        "type": event.kind,
        "timestamp": event.received_at,
        "data": Value::Object(data),
    })
}

/// The body for `event`, as the bytes sent.
pub fn render(event: &StoredEvent) -> Vec<u8> {
    serde_json::to_vec(&document(event)).unwrap_or_else(|_| b"{}".to_vec())
}

/// The provider's payload as JSON: a JSON body as it is, a form body
/// decoded into its nested object (Gumroad's `card[type]` becomes
/// `{"card": {"type": …}}`); anything else is `null` with the raw bytes
/// in base64 beside it, so nothing is lost.
fn payload(event: &StoredEvent) -> (Value, Option<String>) {
    let body = &event.raw_body[..];
    let content_type = event.content_type.as_deref().unwrap_or("");
    if let Ok(value) = serde_json::from_slice::<Value>(body)
        && (value.is_object() || value.is_array())
    {
        return (value, None);
    }
    if content_type.contains("x-www-form-urlencoded")
        && let Ok(map) =
            gumroad_api::webhook::decode_form(body, &gumroad_api::webhook::ParseLimits::default())
    {
        return (Value::Object(map), None);
    }
    (
        Value::Null,
        Some(base64::engine::general_purpose::STANDARD.encode(body)),
    )
}
