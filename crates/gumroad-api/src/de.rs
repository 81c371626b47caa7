//! Tolerant deserializers for the shapes Gumroad really sends.
//!
//! Each helper accepts the documented type *and* the variants seen in
//! practice (integers as strings, `""` for "no value", `null` for empty
//! lists), and rejects anything else with a clear decode error: nothing is
//! silently coerced into a wrong value.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// `Option<i64>` from an integer, a float with no fraction, a string of
/// digits (`"12"`), `""`, or `null`.
pub(crate) fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<i64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer, a string of digits, an empty string or null")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            i64::try_from(v)
                .map(Some)
                .map_err(|_| E::custom(format!("integer {v} is out of range")))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            if v.fract() == 0.0 && v.abs() < 9.0e15 {
                Ok(Some(v as i64))
            } else {
                Err(E::custom(format!("expected an integer, got {v}")))
            }
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let t = v.trim();
            if t.is_empty() {
                return Ok(None);
            }
            t.parse::<i64>()
                .map(Some)
                .map_err(|_| E::custom(format!("expected an integer, got the string {v:?}")))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(self)
        }
    }
    d.deserialize_any(V)
}

/// `Option<String>` from a string, a number (kept as its JSON text, so
/// numeric ids such as `"3523953790232"` or `3523953790232` both work), or `null`.
pub(crate) fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string, a number or null")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(self)
        }
    }
    d.deserialize_any(V)
}

/// `Option<bool>` from a boolean, the strings `"true"`/`"false"` (Gumroad's
/// classic docs show `"required": "false"`), `""` or `null`.
pub(crate) fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a boolean, \"true\", \"false\", an empty string or null")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            match v.trim() {
                "true" => Ok(Some(true)),
                "false" => Ok(Some(false)),
                "" => Ok(None),
                other => Err(E::custom(format!("expected a boolean, got {other:?}"))),
            }
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(self)
        }
    }
    d.deserialize_any(V)
}

/// `T::default()` for `null`, otherwise `T` (lists Gumroad sends as `null`).
pub(crate) fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Timestamps: ISO-8601 / RFC 3339 (Gumroad sends second precision,
/// `2021-01-05T19:38:56Z`); `null`, absent or `""` are `None`. Serialized
/// back as RFC 3339.
pub(crate) mod ts {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<OffsetDateTime>, D::Error> {
        let raw: Option<String> = Option::deserialize(d)?;
        match raw.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(s) => OffsetDateTime::parse(s, &Rfc3339).map(Some).map_err(|e| {
                de::Error::custom(format!("invalid timestamp {s:?} (expected RFC 3339): {e}"))
            }),
        }
    }

    pub(crate) fn serialize<S: Serializer>(
        value: &Option<OffsetDateTime>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(t) => {
                let text = t.format(&Rfc3339).map_err(serde::ser::Error::custom)?;
                s.serialize_str(&text)
            }
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    struct T {
        #[serde(default, deserialize_with = "opt_i64")]
        n: Option<i64>,
        #[serde(default, deserialize_with = "opt_string")]
        s: Option<String>,
        #[serde(default, deserialize_with = "opt_bool")]
        b: Option<bool>,
        #[serde(default, with = "ts")]
        t: Option<OffsetDateTime>,
    }

    fn parse(json: &str) -> Result<T, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn integers_may_arrive_as_strings_or_empty() {
        assert_eq!(parse(r#"{"n":"12"}"#).unwrap().n, Some(12));
        assert_eq!(parse(r#"{"n":12}"#).unwrap().n, Some(12));
        assert_eq!(parse(r#"{"n":""}"#).unwrap().n, None);
        assert_eq!(parse(r#"{"n":null}"#).unwrap().n, None);
        assert_eq!(parse(r#"{}"#).unwrap().n, None);
        assert!(parse(r#"{"n":"twelve"}"#).is_err());
        assert!(parse(r#"{"n":1.5}"#).is_err());
    }

    #[test]
    fn strings_accept_numbers_and_bools_accept_strings() {
        assert_eq!(
            parse(r#"{"s":3523953790232}"#).unwrap().s.as_deref(),
            Some("3523953790232")
        );
        assert_eq!(parse(r#"{"b":"false"}"#).unwrap().b, Some(false));
        assert_eq!(parse(r#"{"b":true}"#).unwrap().b, Some(true));
        assert!(parse(r#"{"b":"maybe"}"#).is_err());
    }

    #[test]
    fn timestamps_parse_rfc3339_and_treat_empty_as_none() {
        let t = parse(r#"{"t":"2021-01-05T19:38:56Z"}"#).unwrap().t.unwrap();
        assert_eq!(t.unix_timestamp(), 1_609_875_536);
        assert_eq!(parse(r#"{"t":""}"#).unwrap().t, None);
        let err = parse(r#"{"t":"yesterday"}"#).unwrap_err().to_string();
        assert!(err.contains("yesterday"), "{err}");
    }
}
