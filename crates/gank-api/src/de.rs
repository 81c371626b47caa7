//! Lenient deserializers for the shapes Gank really sends, and timestamp reading.
//!
//! Gank's payloads are documented only by samples, so numbers may arrive as
//! JSON strings, lists may arrive as `null`, and timestamps have no documented
//! format. Everything here accepts the plausible variants and rejects the rest
//! with a serde error (which the transport reports with its field path).

use serde::de::{self, Deserialize, Deserializer};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// A list that may be sent as `null` or left out: both read as empty.
pub(crate) fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

/// An unsigned integer sent as a JSON number or a numeric string; `null` is `None`.
pub(crate) fn opt_u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(Some)
            .ok_or_else(|| de::Error::custom(format!("expected a non-negative integer, got {n}"))),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s.trim().parse::<u64>().map(Some).map_err(|_| {
            de::Error::custom(format!("expected a non-negative integer, got \"{s}\""))
        }),
        Some(other) => Err(de::Error::custom(format!(
            "expected a non-negative integer, got {other}"
        ))),
    }
}

/// Like [`opt_u64`], narrowed to `u32`.
pub(crate) fn opt_u32<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    match opt_u64(deserializer)? {
        None => Ok(None),
        Some(n) => u32::try_from(n)
            .map(Some)
            .map_err(|_| de::Error::custom(format!("{n} is too large"))),
    }
}

/// A boolean sent as `true`/`false`, `"true"`/`"false"` or `1`/`0`; `null` is `None`.
pub(crate) fn opt_bool<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<bool>, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(Value::Number(n)) if n.as_u64() == Some(1) => Ok(Some(true)),
        Some(Value::Number(n)) if n.as_u64() == Some(0) => Ok(Some(false)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(other) => Err(de::Error::custom(format!(
            "expected a boolean, got {other}"
        ))),
    }
}

/// A string id that may be sent as a string or a number; `null` is `None`.
pub(crate) fn opt_id<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(de::Error::custom(format!(
            "expected a string id, got {other}"
        ))),
    }
}

/// A required string id that may be sent as a string or a number.
pub(crate) fn id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    opt_id(deserializer)?.ok_or_else(|| de::Error::custom("id is null"))
}

/// Reads a Gank timestamp. The format is not documented, so this accepts
/// RFC 3339 (`2025-09-25T10:00:00Z`, `2025-09-25T17:00:00+07:00`, with or
/// without fractions), the same without an offset or with a space instead of
/// `T` (read as UTC), and a bare date (midnight UTC). `None` for anything else;
/// the raw text always stays on the model.
pub fn parse_timestamp(raw: &str) -> Option<OffsetDateTime> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    if let Ok(t) = OffsetDateTime::parse(raw, &Rfc3339) {
        return Some(t);
    }
    // RFC 3339 with a space separator.
    if raw.len() > 10 && raw.as_bytes().get(10) == Some(&b' ') {
        let mut fixed = raw.to_owned();
        fixed.replace_range(10..11, "T");
        if let Ok(t) = OffsetDateTime::parse(&fixed, &Rfc3339) {
            return Some(t);
        }
    }
    let naive = format_description!(
        version = 2,
        "[year]-[month]-[day][first [T][ ]][hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    if let Ok(t) = time::PrimitiveDateTime::parse(raw, &naive) {
        return Some(t.assume_utc());
    }
    let date = format_description!("[year]-[month]-[day]");
    time::Date::parse(raw, &date)
        .ok()
        .map(|d| d.midnight().assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn timestamps_in_the_plausible_formats() {
        let table: &[(&str, Option<OffsetDateTime>)] = &[
            (
                "2025-09-25T10:00:00Z",
                Some(datetime!(2025-09-25 10:00:00 UTC)),
            ),
            (
                "2025-09-25T17:00:00+07:00",
                Some(datetime!(2025-09-25 10:00:00 UTC)),
            ),
            (
                "2025-09-25T10:00:00.123456Z",
                Some(datetime!(2025-09-25 10:00:00.123456 UTC)),
            ),
            (
                "2025-09-25 10:00:00Z",
                Some(datetime!(2025-09-25 10:00:00 UTC)),
            ),
            (
                "2025-09-25 10:00:00",
                Some(datetime!(2025-09-25 10:00:00 UTC)),
            ),
            (
                "2025-09-25T10:00:00",
                Some(datetime!(2025-09-25 10:00:00 UTC)),
            ),
            (
                "2025-09-25T10:00:00.5",
                Some(datetime!(2025-09-25 10:00:00.5 UTC)),
            ),
            ("2025-09-25", Some(datetime!(2025-09-25 00:00:00 UTC))),
            ("", None),
            ("yesterday", None),
            (
                "0001-01-01T00:00:00Z",
                Some(datetime!(0001-01-01 00:00:00 UTC)),
            ),
        ];
        for (raw, want) in table {
            assert_eq!(parse_timestamp(raw), *want, "{raw:?}");
        }
    }

    #[derive(serde::Deserialize, Debug)]
    struct Lenient {
        #[serde(default, deserialize_with = "opt_u32")]
        n: Option<u32>,
        #[serde(default, deserialize_with = "opt_bool")]
        b: Option<bool>,
        #[serde(default, deserialize_with = "null_as_empty")]
        v: Vec<u8>,
        #[serde(default, deserialize_with = "opt_id")]
        id: Option<String>,
    }

    #[test]
    fn numbers_as_strings_and_null_lists() {
        let l: Lenient = serde_json::from_str(r#"{"n":"3","b":"true","v":null,"id":7}"#).unwrap();
        assert_eq!(
            (l.n, l.b, l.v.len(), l.id.as_deref()),
            (Some(3), Some(true), 0, Some("7"))
        );
        let l: Lenient = serde_json::from_str(r#"{"n":3,"b":0}"#).unwrap();
        assert_eq!((l.n, l.b), (Some(3), Some(false)));
        let l: Lenient = serde_json::from_str(r#"{}"#).unwrap();
        assert_eq!((l.n, l.b, l.id), (None, None, None));
        assert!(serde_json::from_str::<Lenient>(r#"{"n":-1}"#).is_err());
        assert!(serde_json::from_str::<Lenient>(r#"{"n":"x"}"#).is_err());
        assert!(serde_json::from_str::<Lenient>(r#"{"b":"maybe"}"#).is_err());
        assert!(serde_json::from_str::<Lenient>(r#"{"n":99999999999}"#).is_err());
    }
}
