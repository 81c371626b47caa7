//! How a decoded delivery tree becomes a typed payload: serde shadow
//! structs (the way async-stripe decodes events into a shadow struct and
//! then fixes up), read through [`creator_core::from_value_lenient`] and so
//! through `serde_path_to_error`.
//!
//! Each shadow field names its reader: creator-core's lenient rules
//! ([`creator_core::de::field`]: `"1249"` and `1249`, `"true"` and `true`,
//! `""` or `null` for Gumroad's `nil`), or one of the Gumroad readers here
//! for values a relay may have left percent-encoded. A value of another
//! shape (`order_number=12a`, an object where text was expected) never
//! fails the delivery: it reads as `None`, the error names the field by its
//! path (`order_number`, `card.type`, `variants.Size`), and its raw value is
//! kept in `extra` with every key the shadow struct does not read.

use std::collections::BTreeMap;

use creator_core::de::{expected, field};
use creator_core::{FieldError, from_value_lenient};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::form::percent_decode_text;
use crate::PurchaseIds;

/// An identifier, email or other value that never legitimately contains a
/// `%` escape: one still percent-encoded (`FO8TXN-dvxYabdavG97Y-Q%3D%3D`)
/// is decoded once. Otherwise as [`field::text`].
pub(crate) fn ident<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(field::text(d)?.map(|s| percent_decode_text(&s).unwrap_or(s)))
}

/// A URL. One that is still percent-encoded as a whole (`https%3A%2F%2F…`:
/// no `:` but an encoded one) is decoded once; a URL with ordinary escapes
/// in its path or query is kept as sent.
pub(crate) fn url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(field::text(d)?.map(|s| {
        if !s.contains(':') && s.to_ascii_uppercase().contains("%3A") {
            percent_decode_text(&s).unwrap_or(s)
        } else {
            s
        }
    }))
}

/// An RFC 3339 timestamp (`2025-03-14T10:21:07Z`); `""` is `None`, and a
/// value still percent-encoded (`…T10%3A21%3A07Z`) is decoded first.
pub(crate) fn time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<OffsetDateTime>, D::Error> {
    const WHAT: &str = "an RFC 3339 timestamp";
    let value = Value::deserialize(d)?;
    if value.is_null() {
        return Ok(None);
    }
    let Some(text) = field::scalar_text(&value) else {
        return Err(expected(WHAT, &value));
    };
    if text.trim().is_empty() {
        return Ok(None);
    }
    let text = percent_decode_text(&text).unwrap_or(text);
    OffsetDateTime::parse(text.trim(), &Rfc3339)
        .map(Some)
        .map_err(|_| expected(WHAT, &value))
}

/// `purchase_ids[]=a&purchase_ids[]=b` (a list), `{"": "a"}` from naive
/// converters, a bare string, or `""` for an empty list; empty ids are
/// dropped and percent-encoded ones decoded once.
pub(crate) fn purchase_ids<'de, D: Deserializer<'de>>(d: D) -> Result<PurchaseIds, D::Error> {
    let value = Value::deserialize(d)?;
    if value.is_null() {
        return Ok(PurchaseIds::default());
    }
    let ids =
        PurchaseIds::deserialize(&value).map_err(|_| expected("a list of sale ids", &value))?;
    Ok(PurchaseIds(
        ids.0
            .into_iter()
            .filter(|id| !id.is_empty())
            .map(|id| percent_decode_text(&id).unwrap_or(id))
            .collect(),
    ))
}

/// Custom field answers as sent: an object (name → answer), or a
/// license-style list of `"Name: value"` texts; `""` is `None`. They are
/// typed by [`FieldValue`](crate::FieldValue) rules once the encoding is known.
pub(crate) fn custom_fields<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::String(s) if s.is_empty() => Ok(None),
        v @ Value::Object(_) => Ok(Some(v)),
        Value::Array(items) if items.iter().all(Value::is_string) => Ok(Some(Value::Array(items))),
        other => Err(expected("an object or a list of text", &other)),
    }
}

/// One entry of an object of text (`variants[Size]`, `url_params[…]`).
#[derive(Deserialize)]
#[serde(transparent)]
pub(crate) struct TextEntry(#[serde(deserialize_with = "field::text_entry")] pub String);

/// An object of text values (`variants`, `url_params`): numbers and
/// booleans as text, `null` as `""`, an entry of another shape named on its
/// own (`variants.Size`); `""` (a form `nil`) is `None`.
pub(crate) fn text_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<BTreeMap<String, String>>, D::Error> {
    let map: Option<BTreeMap<String, TextEntry>> = field::object(d)?;
    Ok(map.map(|m| m.into_iter().map(|(k, TextEntry(v))| (k, v)).collect()))
}

/// The keys a shadow struct reads, and the shapes of its nested objects
/// whose unread keys are kept too (`card[new_key]` lands in `extra.card`).
pub(crate) struct Shape {
    fields: &'static [&'static str],
    nested: Vec<(&'static str, Shape)>,
}

impl Shape {
    /// The shape of the shadow struct `T`, with `nested` objects.
    pub(crate) fn of<T: DeserializeOwned>(nested: Vec<(&'static str, Shape)>) -> Self {
        Self {
            fields: creator_core::de::fields_of::<T>(),
            nested,
        }
    }

    /// Where `path` (keys from the top) comes in reading order: the
    /// position of each key among the fields of its level.
    fn rank(&self, path: &[&str]) -> Vec<usize> {
        let mut rank = Vec::new();
        let mut shape = Some(self);
        for key in path {
            let Some(s) = shape else { break };
            rank.push(s.fields.iter().position(|f| f == key).unwrap_or(usize::MAX));
            shape = s.nested.iter().find(|(n, _)| n == key).map(|(_, s)| s);
        }
        rank
    }

    /// What of `map` this shape does not read.
    fn unread(&self, map: &Map<String, Value>) -> Map<String, Value> {
        let mut out = Map::new();
        for (key, value) in map {
            if !self.fields.contains(&key.as_str()) {
                out.insert(key.clone(), value.clone());
                continue;
            }
            let nested = self.nested.iter().find(|(n, _)| n == key);
            if let (Some((_, shape)), Value::Object(inner)) = (nested, value) {
                let rest = shape.unread(inner);
                if !rest.is_empty() {
                    out.insert(key.clone(), Value::Object(rest));
                }
            }
        }
        out
    }
}

/// A shadow struct read from a delivery tree: the value, everything it did
/// not read or could not read (`extra`), and the fields it could not read,
/// in reading order.
pub(crate) struct Read<T> {
    pub value: T,
    pub extra: Map<String, Value>,
    pub field_errors: Vec<FieldError>,
}

/// Reads `map` into the shadow struct `T` of shape `shape`.
///
/// # Errors
/// The [`FieldError`] of a field `T` cannot do without (the shadow structs
/// here have none: every field is optional, so this does not happen).
pub(crate) fn read<T: DeserializeOwned>(
    map: Map<String, Value>,
    shape: &Shape,
) -> Result<Read<T>, FieldError> {
    let mut extra = shape.unread(&map);
    let read = from_value_lenient::<T>(Value::Object(map), "")?;
    for (keys, value) in read.left_out {
        keep(&mut extra, &keys, value);
    }
    let mut ranked: Vec<(Vec<usize>, FieldError)> = read
        .field_errors
        .into_iter()
        .map(|e| {
            let path: Vec<&str> = e.field.split('.').collect();
            (shape.rank(&path), e)
        })
        .collect();
    ranked.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Read {
        value: read.value,
        extra,
        field_errors: ranked.into_iter().map(|(_, e)| e).collect(),
    })
}

/// Puts `value` back at `keys` in `extra`, making the objects on the way.
fn keep(extra: &mut Map<String, Value>, keys: &[String], value: Value) {
    let Some((last, parents)) = keys.split_last() else {
        return;
    };
    let mut at = extra;
    for key in parents {
        let slot = at
            .entry(key.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        let Value::Object(next) = slot else {
            return;
        };
        at = next;
    }
    at.insert(last.clone(), value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Deserialize, Debug)]
    struct Probe {
        #[serde(default, deserialize_with = "field::int")]
        a: Option<i64>,
        #[serde(default, deserialize_with = "field::int")]
        b: Option<i64>,
        #[serde(default, deserialize_with = "field::int")]
        c: Option<i64>,
        #[serde(default, deserialize_with = "field::int")]
        d: Option<i64>,
        #[serde(default, deserialize_with = "field::int")]
        e: Option<i64>,
        #[serde(default, deserialize_with = "field::int")]
        f: Option<i64>,
        #[serde(default, deserialize_with = "field::int")]
        g: Option<i64>,
        #[serde(default, deserialize_with = "field::int")]
        missing: Option<i64>,
    }

    fn tree(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn integers_accept_numbers_strings_and_empty() {
        let r = read::<Probe>(
            tree(
                json!({"a": 1249, "b": "1249", "c": "", "d": null, "e": 12.0, "f": "12.5", "g": [1]}),
            ),
            &Shape::of::<Probe>(vec![]),
        )
        .unwrap();
        let p = r.value;
        assert_eq!(
            (p.a, p.b, p.c, p.d, p.e),
            (Some(1249), Some(1249), None, None, Some(12))
        );
        assert_eq!((p.f, p.g, p.missing), (None, None, None));
        assert_eq!(
            Value::Object(r.extra),
            json!({"f": "12.5", "g": [1]}),
            "raw values kept"
        );
        assert_eq!(
            r.field_errors,
            [
                FieldError::new("f", "expected an integer, got \"12.5\""),
                FieldError::new("g", "expected an integer, got an array of 1 items"),
            ]
        );
    }

    #[derive(Deserialize, Debug)]
    struct Mixed {
        #[serde(default, deserialize_with = "field::flag")]
        a: Option<bool>,
        #[serde(default, deserialize_with = "field::flag")]
        b: Option<bool>,
        #[serde(default, deserialize_with = "field::flag")]
        c: Option<bool>,
        #[serde(default, deserialize_with = "field::flag")]
        d: Option<bool>,
        #[serde(default, deserialize_with = "field::text")]
        e: Option<String>,
        #[serde(default, deserialize_with = "ident")]
        g: Option<String>,
        #[serde(default, deserialize_with = "ident")]
        h: Option<String>,
        #[serde(default, deserialize_with = "field::count")]
        n: Option<u32>,
        #[serde(default, deserialize_with = "time")]
        t: Option<OffsetDateTime>,
        #[serde(default, deserialize_with = "time")]
        u: Option<OffsetDateTime>,
        #[serde(default, deserialize_with = "field::text")]
        o: Option<String>,
    }

    #[test]
    fn flags_text_idents_counts_and_times() {
        let r = read::<Mixed>(
            tree(json!({
                "a": "true", "b": false, "c": "", "d": "yes", "e": "", "g": "x%3D%3D", "h": "100%",
                "n": "-1", "t": "2025-03-14T10%3A21%3A07Z", "u": "last tuesday", "o": {"x": 1}
            })),
            &Shape::of::<Mixed>(vec![]),
        )
        .unwrap();
        let m = r.value;
        assert_eq!((m.a, m.b, m.c, m.d), (Some(true), Some(false), None, None));
        assert_eq!(m.e, None);
        assert_eq!(m.g.as_deref(), Some("x=="));
        assert_eq!(m.h.as_deref(), Some("100%"));
        assert_eq!(m.n, None);
        assert!(m.t.is_some());
        assert_eq!((m.u, m.o), (None, None));
        let named: Vec<&str> = r.field_errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(named, ["d", "n", "u", "o"], "in reading order");
        assert_eq!(r.extra["u"], "last tuesday");
        assert_eq!(r.extra["o"], json!({"x": 1}));
    }

    /// One rule for every provider: a delivery's flag reads `"TRUE"`, `"1"`,
    /// `1` and `"0"` as creator-core's `de::opt_bool` does for API models.
    #[test]
    fn flags_follow_the_shared_lenient_rules() {
        #[derive(Deserialize)]
        struct Model {
            #[serde(default, deserialize_with = "creator_core::de::opt_bool")]
            b: Option<bool>,
        }
        #[derive(Deserialize)]
        struct Ping {
            #[serde(default, deserialize_with = "field::flag")]
            b: Option<bool>,
            #[serde(default, deserialize_with = "field::flag")]
            c: Option<bool>,
        }
        let shape = Shape::of::<Ping>(vec![]);
        for sent in [
            json!("TRUE"),
            json!("1"),
            json!(1),
            json!("0"),
            json!(" False "),
            json!(""),
            json!(true),
        ] {
            let model: Model = serde_json::from_value(json!({ "b": sent.clone() })).unwrap();
            let r = read::<Ping>(tree(json!({ "b": sent.clone() })), &shape).unwrap();
            assert_eq!(r.value.b, model.b, "{sent}");
            assert!(r.field_errors.is_empty(), "{sent} is no field error");
        }
        let r = read::<Ping>(tree(json!({"b": "maybe", "c": 2})), &shape).unwrap();
        assert_eq!((r.value.b, r.value.c), (None, None));
        assert_eq!(r.field_errors.len(), 2);
    }

    #[derive(Deserialize)]
    struct Tier {
        #[serde(default, deserialize_with = "field::text")]
        id: Option<String>,
    }

    #[derive(Deserialize)]
    struct Plan {
        #[serde(default, deserialize_with = "field::object")]
        tier: Option<Tier>,
    }

    #[derive(Deserialize)]
    struct Outer {
        #[serde(default, deserialize_with = "field::object")]
        old_plan: Option<Plan>,
        #[serde(default, deserialize_with = "text_map")]
        v: Option<BTreeMap<String, String>>,
    }

    #[test]
    fn nested_paths_appear_in_errors_and_leftovers_are_kept() {
        let shape = Shape::of::<Outer>(vec![(
            "old_plan",
            Shape::of::<Plan>(vec![("tier", Shape::of::<Tier>(vec![]))]),
        )]);
        let r = read::<Outer>(
            tree(
                json!({"old_plan": {"tier": {"id": [1], "new": "x"}}, "v": {"Size": {"a": 1}, "Color": "Blue"}}),
            ),
            &shape,
        )
        .unwrap();
        let tier = r.value.old_plan.and_then(|p| p.tier).unwrap();
        assert_eq!(tier.id, None);
        let variants = r.value.v.unwrap();
        assert_eq!(variants.get("Color").map(String::as_str), Some("Blue"));
        assert_eq!(
            Value::Object(r.extra),
            json!({"old_plan": {"tier": {"id": [1], "new": "x"}}, "v": {"Size": {"a": 1}}})
        );
        let named: Vec<&str> = r.field_errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(named, ["old_plan.tier.id", "v.Size"]);
    }
}
