//! Parsing Gank webhook deliveries.
//!
//! A delivery is `{"event": "<USECASE>.TX_<STATUS>", "data": {"human_id",
//! "payment_status", "usecase_data": {"usecase", "data": {...}}}}`. Key order
//! differs between deliveries and is never relied on. `human_id` is the
//! subject: the same payment keeps it across redeliveries.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use creator_core::{FieldError, ParseLimits, WebhookError, from_value_lenient};

use crate::{DigitalGoodsTxData, GankEventName, MembershipTxData, PaymentStatus, Usecase};

/// A parsed Gank webhook delivery.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum GankEvent {
    /// `USER_MEMBERSHIP.TX_SUCCEED`: a membership payment succeeded.
    MembershipPayment(TxEvent<MembershipTxData>),
    /// `DIGITAL_GOODS.TX_SUCCEED`: a digital-goods purchase succeeded.
    DigitalGoodsPurchase(TxEvent<DigitalGoodsTxData>),
    /// Any other event (`DONATION.TX_SUCCEED`, a failure event, …): its name,
    /// its `human_id` when present, and the whole JSON as sent.
    Unknown {
        /// The event name.
        event: GankEventName,
        /// `data.human_id`, when present.
        human_id: Option<String>,
        /// The whole delivery, as sent.
        raw: Value,
    },
}

/// The `data` of a known transaction event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TxEvent<T> {
    /// The payment's human id (`UM-250925-NWKBIKATC`), the dedup key.
    pub human_id: String,
    /// `payment_status` (`SUCCEED`), when sent.
    pub payment_status: Option<PaymentStatus>,
    /// `usecase_data.usecase` (`USER_MEMBERSHIP_RECURRING`), when sent.
    pub usecase: Option<Usecase>,
    /// `usecase_data.data`, typed (empty when absent).
    pub data: T,
    /// Fields that could not be read (`"billing_period": {"x": 1}`): each is
    /// left out of the typed parts above, its raw value is in
    /// [`raw`](Self::raw), and the delivery is still accepted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub field_errors: Vec<FieldError>,
    /// The whole delivery, as sent.
    pub raw: Value,
}

impl GankEvent {
    /// The event name.
    pub fn event(&self) -> GankEventName {
        match self {
            GankEvent::MembershipPayment(_) => GankEventName::UserMembershipTxSucceed,
            GankEvent::DigitalGoodsPurchase(_) => GankEventName::DigitalGoodsTxSucceed,
            GankEvent::Unknown { event, .. } => event.clone(),
        }
    }

    /// The payment's `human_id`, when present (always, for known events).
    pub fn human_id(&self) -> Option<&str> {
        match self {
            GankEvent::MembershipPayment(e) => Some(&e.human_id),
            GankEvent::DigitalGoodsPurchase(e) => Some(&e.human_id),
            GankEvent::Unknown { human_id, .. } => human_id.as_deref(),
        }
    }

    /// Fields of a known event that could not be read (see [`TxEvent::field_errors`]).
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            GankEvent::MembershipPayment(e) => &e.field_errors,
            GankEvent::DigitalGoodsPurchase(e) => &e.field_errors,
            GankEvent::Unknown { .. } => &[],
        }
    }

    /// The whole delivery as sent.
    pub fn raw(&self) -> &Value {
        match self {
            GankEvent::MembershipPayment(e) => &e.raw,
            GankEvent::DigitalGoodsPurchase(e) => &e.raw,
            GankEvent::Unknown { raw, .. } => raw,
        }
    }

    /// Parses a delivery body. Verify the delivery first.
    ///
    /// ```
    /// use gank_api::GankEvent;
    ///
    /// let body = br#"{"data":{"human_id":"UM-250925-NWKBIKATC","payment_status":"SUCCEED",
    ///   "usecase_data":{"usecase":"USER_MEMBERSHIP_RECURRING","data":{"billing_period":1}}},
    ///   "event":"USER_MEMBERSHIP.TX_SUCCEED"}"#;
    /// match GankEvent::parse(body)? {
    ///     GankEvent::MembershipPayment(e) => assert_eq!(e.data.billing_period, Some(1)),
    ///     other => panic!("{other:?}"),
    /// }
    /// # Ok::<(), creator_core::WebhookError>(())
    /// ```
    ///
    /// # Errors
    /// [`WebhookError::Malformed`] when the body is beyond the default
    /// [`ParseLimits`], is not a JSON object, has no `event` string, or is a
    /// known event without an object `data` holding a `human_id`. Any other
    /// field of the wrong type is not an error: it is left out and named in
    /// [`GankEvent::field_errors`].
    pub fn parse(body: &[u8]) -> Result<GankEvent, WebhookError> {
        Self::parse_with_limits(body, &ParseLimits::default())
    }

    /// [`GankEvent::parse`] with explicit [`ParseLimits`] (body size,
    /// field count, nesting depth), checked before the body is typed.
    ///
    /// # Errors
    /// As [`GankEvent::parse`], and [`WebhookError::Malformed`] for a body beyond `limits`.
    pub fn parse_with_limits(body: &[u8], limits: &ParseLimits) -> Result<GankEvent, WebhookError> {
        let obj = limits.parse_json_object(body)?;
        let event = match obj.get("event") {
            Some(Value::String(s)) => s
                .parse::<GankEventName>()
                .unwrap_or(GankEventName::Unknown(s.clone())),
            Some(_) => {
                return Err(WebhookError::Malformed {
                    reason: "`event` is not a string".into(),
                });
            }
            None => {
                return Err(WebhookError::Malformed {
                    reason: "the body has no `event` field".into(),
                });
            }
        };
        let data = obj.get("data").cloned().unwrap_or(Value::Null);
        let raw = Value::Object(obj);
        Ok(match event {
            GankEventName::UserMembershipTxSucceed => {
                GankEvent::MembershipPayment(tx_event(data, raw)?)
            }
            GankEventName::DigitalGoodsTxSucceed => {
                GankEvent::DigitalGoodsPurchase(tx_event(data, raw)?)
            }
            event @ GankEventName::Unknown(_) => GankEvent::Unknown {
                event,
                human_id: data
                    .get("human_id")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                raw,
            },
        })
    }
}

/// `data` as far as the envelope goes; every part of it may be mistyped
/// except `human_id`, which is checked by hand.
#[derive(Deserialize)]
struct RawData {
    #[serde(default)]
    human_id: Option<Value>,
    #[serde(default)]
    payment_status: Option<PaymentStatus>,
    #[serde(default)]
    usecase_data: Option<RawUsecase>,
}

#[derive(Deserialize)]
struct RawUsecase {
    #[serde(default)]
    usecase: Option<Usecase>,
    #[serde(default)]
    data: Option<Value>,
}

fn malformed(reason: impl Into<String>) -> WebhookError {
    WebhookError::Malformed {
        reason: reason.into(),
    }
}

/// Types `data` of a known event leniently: the payload is typed by the
/// event name, whatever usecase string came with it, and each optional field
/// that cannot be read is left out and reported in `field_errors`.
fn tx_event<T: DeserializeOwned + Default>(
    data: Value,
    raw: Value,
) -> Result<TxEvent<T>, WebhookError> {
    if !data.is_object() {
        return Err(malformed("`data` is missing or not an object"));
    }
    let envelope = from_value_lenient::<RawData>(data, "data")
        .map_err(|e| malformed(format!("at `{}`: {}", e.field, e.message)))?;
    let mut field_errors = envelope.field_errors;
    let parsed = envelope.value;
    let human_id = match parsed.human_id {
        Some(Value::String(s)) if !s.trim().is_empty() => s,
        _ => {
            return Err(malformed(
                "`data.human_id` (the payment's id) is missing or not a non-empty string",
            ));
        }
    };
    let (usecase, inner) = match parsed.usecase_data {
        Some(u) => (u.usecase, u.data.filter(|v| !v.is_null())),
        None => (None, None),
    };
    let data = match inner {
        None => T::default(),
        Some(inner) => match from_value_lenient::<T>(inner, "data.usecase_data.data") {
            Ok(read) => {
                field_errors.extend(read.field_errors);
                read.value
            }
            // Not an object at all: the payload is left out as a whole.
            Err(e) => {
                field_errors.push(e);
                T::default()
            }
        },
    };
    Ok(TxEvent {
        human_id,
        payment_status: parsed.payment_status,
        usecase,
        data,
        field_errors,
        raw,
    })
}
