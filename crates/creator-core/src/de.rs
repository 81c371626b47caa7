//! Lenient serde helpers: the one set of rules every provider decodes by.
//!
//! Platforms document their payloads by samples, and real bodies carry
//! numbers as strings (`"1249"`), `""` for "no value" (Gumroad's `nil` in a
//! form body), `null` for an empty list, and booleans as `"true"`, `"TRUE"`,
//! `"1"` or `1`. The same text means the same value on every provider:
//!
//! | sent | `opt_bool` | `opt_i64` / `opt_u64` / `opt_u32` | `opt_string` |
//! |---|---|---|---|
//! | `true`, `"true"`, `"TRUE"`, `"1"`, `1` | `Some(true)` | `1` only for `"1"` / `1` | the text |
//! | `false`, `"false"`, `"FALSE"`, `"0"`, `0` | `Some(false)` | `0` only for `"0"` / `0` | the text |
//! | `""` (after trimming) | `None` | `None` | `Some("")` |
//! | `null` or absent | `None` | `None` | `None` |
//! | `12`, `"12"`, `12.0` | error | `Some(12)` | `"12"` |
//!
//! Anything else (`"maybe"`, `"12a"`, `1.5`, an object) is a serde error
//! naming what was expected, so nothing is silently coerced into a wrong
//! value; run through `serde_path_to_error` (as the transport does), the
//! error names the field. The scalar rules ([`bool_text`], [`int_text`],
//! [`whole_number`]) are public so decoders that read a `serde_json::Value`
//! tree by hand apply the very same rules.
//!
//! ```
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! struct Row {
//!     #[serde(default, deserialize_with = "creator_core::de::opt_bool")]
//!     paid: Option<bool>,
//!     #[serde(default, deserialize_with = "creator_core::de::opt_i64")]
//!     price: Option<i64>,
//! }
//!
//! let row: Row = serde_json::from_str(r#"{"paid": "TRUE", "price": "1249"}"#)?;
//! assert_eq!((row.paid, row.price), (Some(true), Some(1249)));
//! let row: Row = serde_json::from_str(r#"{"paid": "", "price": ""}"#)?;
//! assert_eq!((row.paid, row.price), (None, None));
//! assert!(serde_json::from_str::<Row>(r#"{"paid": "maybe"}"#).is_err());
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serializer};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// A boolean written as text: `true`/`false` in any case, `1`/`0`; `""`
/// (after trimming) is `Ok(None)`; anything else is `Err(())`.
///
/// ```
/// use creator_core::de::bool_text;
///
/// assert_eq!(bool_text(" TRUE "), Ok(Some(true)));
/// assert_eq!(bool_text("0"), Ok(Some(false)));
/// assert_eq!(bool_text(""), Ok(None));
/// assert_eq!(bool_text("yes"), Err(()));
/// ```
///
/// # Errors
/// `Err(())` for text that is no boolean; the caller names the field.
#[allow(clippy::result_unit_err)]
pub fn bool_text(text: &str) -> Result<Option<bool>, ()> {
    let t = text.trim();
    if t.is_empty() {
        Ok(None)
    } else if t.eq_ignore_ascii_case("true") || t == "1" {
        Ok(Some(true))
    } else if t.eq_ignore_ascii_case("false") || t == "0" {
        Ok(Some(false))
    } else {
        Err(())
    }
}

/// An integer written as text (`"1249"`, `" -3 "`); `""` (after trimming)
/// is `Ok(None)`; anything else (`"12a"`, `"12.5"`) is `Err(())`.
///
/// ```
/// use creator_core::de::int_text;
///
/// assert_eq!(int_text(" 1249 "), Ok(Some(1249)));
/// assert_eq!(int_text(""), Ok(None));
/// assert_eq!(int_text("12a"), Err(()));
/// ```
///
/// # Errors
/// `Err(())` for text that is no integer; the caller names the field.
#[allow(clippy::result_unit_err)]
pub fn int_text(text: &str) -> Result<Option<i64>, ()> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse().map(Some).map_err(|_| ())
}

/// A float with no fraction as an integer (`1249.0`, from relays that turn
/// every number into a float); `None` for a fraction or a value beyond the
/// range a double holds exactly.
///
/// ```
/// use creator_core::de::whole_number;
///
/// assert_eq!(whole_number(1249.0), Some(1249));
/// assert_eq!(whole_number(12.5), None);
/// ```
pub fn whole_number(value: f64) -> Option<i64> {
    #[allow(clippy::cast_possible_truncation)]
    (value.fract() == 0.0 && value.abs() < 9.0e15).then_some(value as i64)
}

/// Implements the `null`/`Some` plumbing every visitor here shares.
macro_rules! option_visits {
    () => {
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(self)
        }
    };
}

/// Reads an integer as [`opt_i64`] describes; `what` names it in errors
/// (`an integer`, `a non-negative integer`).
struct IntVisitor(&'static str);

impl<'de> Visitor<'de> for IntVisitor {
    type Value = Option<i64>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, a string of digits, an empty string or null", self.0)
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
        whole_number(v)
            .map(Some)
            .ok_or_else(|| E::custom(format!("expected {}, got {v}", self.0)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        int_text(v).map_err(|()| E::custom(format!("expected {}, got the string {v:?}", self.0)))
    }
    option_visits!();
}

/// `Option<i64>` from an integer, a float with no fraction, a string of
/// digits (`"12"`), `""`, or `null`.
///
/// # Errors
/// A serde error for any other value.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_any(IntVisitor("an integer"))
}

/// `Option<u64>`: as [`opt_i64`], and not negative.
///
/// # Errors
/// A serde error for any other value, or a negative one.
pub fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match d.deserialize_any(IntVisitor("a non-negative integer"))? {
        None => Ok(None),
        Some(n) => u64::try_from(n)
            .map(Some)
            .map_err(|_| de::Error::custom(format!("expected a non-negative integer, got {n}"))),
    }
}

/// `Option<u32>`: as [`opt_u64`], narrowed to `u32`.
///
/// # Errors
/// A serde error for any other value, a negative one, or one too large.
pub fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    match opt_u64(d)? {
        None => Ok(None),
        Some(n) => u32::try_from(n)
            .map(Some)
            .map_err(|_| de::Error::custom(format!("{n} is too large"))),
    }
}

/// `Option<String>` from a string (kept as sent, `""` included), a number
/// (kept as its JSON text, so numeric ids such as `"3523953790232"` or
/// `3523953790232` both work), or `null`. A boolean, list or object is an error.
///
/// # Errors
/// A serde error for any other value.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
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
        option_visits!();
    }
    d.deserialize_any(V)
}

/// A required id sent as a string or a number ([`opt_string`] without `null`).
///
/// # Errors
/// A serde error for `null` or any value [`opt_string`] refuses.
pub fn id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    opt_string(d)?.ok_or_else(|| de::Error::custom("id is null"))
}

/// `Option<bool>` by [`bool_text`] for strings, `1`/`0` for numbers, a
/// boolean as is, and `null`.
///
/// # Errors
/// A serde error for any other value.
pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a boolean, \"true\", \"false\", 1, 0, an empty string or null")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            match v {
                1 => Ok(Some(true)),
                0 => Ok(Some(false)),
                other => Err(E::custom(format!("expected a boolean, got {other}"))),
            }
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            bool_text(v).map_err(|()| E::custom(format!("expected a boolean, got {:?}", v.trim())))
        }
        option_visits!();
    }
    d.deserialize_any(V)
}

/// `T::default()` for `null` or an absent field (with `#[serde(default)]`),
/// otherwise `T` (lists platforms send as `null`).
///
/// # Errors
/// The error of `T`'s own deserialization.
pub fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Strict RFC 3339 timestamps (`2021-01-05T19:38:56Z`) for
/// `Option<OffsetDateTime>` fields (`#[serde(default, with = "creator_core::de::ts")]`):
/// `null`, absent or `""` are `None`; serialized back as RFC 3339.
pub mod ts {
    use super::*;

    /// Reads an optional RFC 3339 timestamp.
    ///
    /// # Errors
    /// A serde error naming the text for anything else.
    pub fn deserialize<'de, D: Deserializer<'de>>(
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

    /// Writes an optional timestamp as RFC 3339 (or `null`).
    ///
    /// # Errors
    /// The serializer's error, or one for a time RFC 3339 cannot express.
    pub fn serialize<S: Serializer>(
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

/// Reads a timestamp whose format a platform does not document (Gank): RFC
/// 3339 (`2025-09-25T10:00:00Z`, `2025-09-25T17:00:00+07:00`, with or
/// without fractions), the same without an offset or with a space instead of
/// `T` (read as UTC), and a bare date (midnight UTC). `None` for anything
/// else, so keep the raw text beside it.
///
/// ```
/// use creator_core::de::parse_timestamp;
///
/// let t = parse_timestamp("2025-09-25 10:00:00").unwrap();
/// assert_eq!(t.unix_timestamp(), 1_758_794_400);
/// assert_eq!(parse_timestamp("yesterday"), None);
/// ```
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

/// The start of `text` for an error message: at most 60 characters, with
/// `…` where it was cut (a hostile value never floods a log).
///
/// ```
/// use creator_core::de::shorten;
///
/// assert_eq!(shorten("12a"), "12a");
/// assert!(shorten(&"x".repeat(500)).ends_with('…'));
/// ```
pub fn shorten(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(60) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => Cow::Owned(format!("{}…", &text[..cut])),
    }
}

/// A short description of a value for error messages: a string quoted
/// (and [`shorten`]ed), a number or boolean as itself, `an array of 2
/// items`, `an object with 3 keys`.
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("{:?}", shorten(s)),
        Value::Array(a) => format!("an array of {} items", a.len()),
        Value::Object(o) => format!("an object with {} keys", o.len()),
    }
}

/// The serde error `expected {what}, got {value}` ([`describe`]).
pub fn expected<E: de::Error>(what: &str, value: &Value) -> E {
    E::custom(format!("expected {what}, got {}", describe(value)))
}

/// The field names a derived `Deserialize` struct reads (its
/// `#[serde(rename)]`d names, in declaration order), so a shadow struct
/// can tell which keys of a tree it left unread.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Card {
///     visual: Option<String>,
///     #[serde(rename = "type")]
///     kind: Option<String>,
/// }
/// assert_eq!(creator_core::de::fields_of::<Card>(), ["visual", "type"]);
/// ```
pub fn fields_of<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    /// Answers `deserialize_struct` by keeping its field list.
    struct Fields<'a>(&'a mut &'static [&'static str]);
    #[derive(Debug)]
    struct Stop;
    impl fmt::Display for Stop {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("only the field names are read")
        }
    }
    impl std::error::Error for Stop {}
    impl de::Error for Stop {
        fn custom<M: fmt::Display>(_: M) -> Self {
            Stop
        }
    }
    impl<'de> Deserializer<'de> for Fields<'_> {
        type Error = Stop;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Stop> {
            *self.0 = fields;
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Fields(&mut fields));
    fields
}

/// Lenient readers of one field of a delivery tree (`serde_json::Value`),
/// for `#[serde(default, deserialize_with = "…")]` on a shadow struct: each
/// reads `null` (and `""`, Gumroad's `nil` in a form body) as `None`, takes
/// the shapes both encodings give one value (`"1249"` and `1249`, `"true"`
/// and `true`), and fails on any other shape with `expected …, got …`, which
/// [`from_value_lenient`](crate::from_value_lenient) records under the
/// field's name (the value itself is left out and kept).
pub mod field {
    use super::*;

    /// A scalar as text (numbers and booleans as their text); `None` for a
    /// list or an object.
    pub fn scalar_text(value: &Value) -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Text; `""` is `None`, numbers and booleans are kept as their text.
    ///
    /// # Errors
    /// `expected text` for a list or an object.
    pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            v => match scalar_text(&v) {
                Some(s) if s.is_empty() => Ok(None),
                Some(s) => Ok(Some(s)),
                None => Err(expected("text", &v)),
            },
        }
    }

    /// Text of an entry in a map of text (`variants[Size]`): `null` and
    /// `""` are `""`, numbers and booleans their text.
    ///
    /// # Errors
    /// `expected text` for a list or an object.
    pub fn text_entry<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(String::new()),
            v => scalar_text(&v).ok_or_else(|| expected("text", &v)),
        }
    }

    /// An integer from a number (a float with no fraction too), a string of
    /// digits ([`int_text`]), `""` or `null`.
    ///
    /// # Errors
    /// `expected an integer` for anything else.
    pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        read_int(&Value::deserialize(d)?, "an integer")
    }

    /// A non-negative count that fits `u32` (`retry_count`).
    ///
    /// # Errors
    /// `expected a small non-negative integer` for anything else.
    pub fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
        const WHAT: &str = "a small non-negative integer";
        let v = Value::deserialize(d)?;
        read_int(&v, WHAT)?
            .map(|n| u32::try_from(n).map_err(|_| expected(WHAT, &v)))
            .transpose()
    }

    /// A boolean by [`bool_text`] for text, `1`/`0` for numbers, a boolean
    /// as is; `""` or `null` are `None`.
    ///
    /// # Errors
    /// `expected true or false` for anything else.
    pub fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        const WHAT: &str = "true or false";
        let v = Value::deserialize(d)?;
        match &v {
            Value::Null => Ok(None),
            Value::Bool(b) => Ok(Some(*b)),
            Value::Number(n) => match n.as_u64() {
                Some(1) => Ok(Some(true)),
                Some(0) => Ok(Some(false)),
                _ => Err(expected(WHAT, &v)),
            },
            Value::String(s) => bool_text(s).map_err(|()| expected(WHAT, &v)),
            _ => Err(expected(WHAT, &v)),
        }
    }

    /// A nested object read as `T` (its fields keep their path in errors,
    /// `card.type`); `""` or `null` are `None`.
    ///
    /// # Errors
    /// `expected an object` for another shape; `T`'s own errors.
    pub fn object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Option<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                if v.is_empty() {
                    Ok(None)
                } else {
                    Err(expected("an object", &Value::String(v.to_owned())))
                }
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = 0;
                while seq.next_element::<de::IgnoredAny>()?.is_some() {
                    items += 1;
                }
                Err(de::Error::custom(format!(
                    "expected an object, got an array of {items} items"
                )))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Err(expected("an object", &Value::Bool(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Err(expected("an object", &Value::from(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Err(expected("an object", &Value::from(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Err(expected("an object", &Value::from(v)))
            }
            option_visits!();
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }

    /// An integer by [`int_text`] and [`whole_number`]; `""` and `null` are `None`.
    fn read_int<E: de::Error>(v: &Value, what: &str) -> Result<Option<i64>, E> {
        match v {
            Value::Null => Ok(None),
            Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_f64().and_then(whole_number))
                .map(Some)
                .ok_or_else(|| expected(what, v)),
            Value::String(s) => int_text(s).map_err(|()| expected(what, v)),
            _ => Err(expected(what, v)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use time::macros::datetime;

    #[derive(Deserialize, Debug)]
    struct T {
        #[serde(default, deserialize_with = "opt_i64")]
        n: Option<i64>,
        #[serde(default, deserialize_with = "opt_u32")]
        small: Option<u32>,
        #[serde(default, deserialize_with = "opt_string")]
        s: Option<String>,
        #[serde(default, deserialize_with = "opt_bool")]
        b: Option<bool>,
        #[serde(default, with = "ts")]
        t: Option<OffsetDateTime>,
        #[serde(default, deserialize_with = "nullable")]
        v: Vec<u8>,
    }

    fn parse(json: &str) -> Result<T, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn integers_may_arrive_as_strings_or_empty() {
        assert_eq!(parse(r#"{"n":"12"}"#).unwrap().n, Some(12));
        assert_eq!(parse(r#"{"n":12}"#).unwrap().n, Some(12));
        assert_eq!(parse(r#"{"n":12.0}"#).unwrap().n, Some(12));
        assert_eq!(parse(r#"{"n":""}"#).unwrap().n, None);
        assert_eq!(parse(r#"{"n":null}"#).unwrap().n, None);
        assert_eq!(parse(r#"{}"#).unwrap().n, None);
        assert!(parse(r#"{"n":"twelve"}"#).is_err());
        assert!(parse(r#"{"n":1.5}"#).is_err());
    }

    #[test]
    fn unsigned_integers_refuse_negatives_and_overflow() {
        assert_eq!(parse(r#"{"small":"3"}"#).unwrap().small, Some(3));
        assert_eq!(parse(r#"{"small":3}"#).unwrap().small, Some(3));
        assert!(parse(r#"{"small":-1}"#).is_err());
        assert!(parse(r#"{"small":"x"}"#).is_err());
        assert!(parse(r#"{"small":99999999999}"#).is_err());
    }

    #[test]
    fn strings_accept_numbers_and_bools_accept_every_spelling() {
        assert_eq!(
            parse(r#"{"s":3523953790232}"#).unwrap().s.as_deref(),
            Some("3523953790232")
        );
        assert!(parse(r#"{"s":true}"#).is_err());
        for (sent, want) in [
            (r#""true""#, Some(true)),
            (r#""TRUE""#, Some(true)),
            (r#""1""#, Some(true)),
            ("1", Some(true)),
            ("true", Some(true)),
            (r#""false""#, Some(false)),
            (r#""False""#, Some(false)),
            (r#""0""#, Some(false)),
            ("0", Some(false)),
            (r#""""#, None),
            ("null", None),
        ] {
            assert_eq!(
                parse(&format!(r#"{{"b":{sent}}}"#)).unwrap().b,
                want,
                "{sent}"
            );
        }
        assert!(parse(r#"{"b":"maybe"}"#).is_err());
        assert!(parse(r#"{"b":2}"#).is_err());
    }

    #[test]
    fn null_lists_are_empty() {
        assert!(parse(r#"{"v":null}"#).unwrap().v.is_empty());
        assert_eq!(parse(r#"{"v":[1,2]}"#).unwrap().v, [1, 2]);
    }

    #[test]
    fn timestamps_parse_rfc3339_and_treat_empty_as_none() {
        let t = parse(r#"{"t":"2021-01-05T19:38:56Z"}"#).unwrap().t.unwrap();
        assert_eq!(t.unix_timestamp(), 1_609_875_536);
        assert_eq!(parse(r#"{"t":""}"#).unwrap().t, None);
        let err = parse(r#"{"t":"yesterday"}"#).unwrap_err().to_string();
        assert!(err.contains("yesterday"), "{err}");
    }

    #[test]
    fn undocumented_timestamps_in_the_plausible_formats() {
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
}
