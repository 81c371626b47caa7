//! Typed extraction from a decoded delivery tree.
//!
//! Every helper *removes* the key it reads, so whatever is left at the end
//! is exactly the set of fields this library does not model; it is kept on
//! the payload (`extra`), never dropped. The helpers accept the shapes the
//! two encodings produce for the same value: `"1249"` and `1249`, `"true"`
//! and `true`, and `""` or `null` for Gumroad's `nil`.
//!
//! Scalars follow creator-core's lenient rules ([`creator_core::de`]), so
//! `"1"`, `""` and `"TRUE"` mean here what they mean in every API model.
//!
//! A value of another shape (`order_number=12a`, an object where text was
//! expected) never fails the delivery: the helper reads `None`, puts the raw
//! value back (so it ends up in `extra`) and records a [`FieldError`] naming
//! the field, which [`Fields::finish`] hands over with the leftovers.

use std::collections::BTreeMap;

use creator_core::{FieldError, de};
use serde_json::{Map, Number, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::form::{percent_decode_text, shorten};

/// A JSON object being taken apart field by field.
pub(crate) struct Fields {
    map: Map<String, Value>,
    /// Dotted path of this object inside the payload, for error messages.
    path: String,
    /// Leftovers of nested objects, merged back into `extra` by `finish`.
    nested_leftovers: Vec<(String, Map<String, Value>)>,
    /// Fields that could not be read, in the order they were met.
    errors: Vec<FieldError>,
}

/// What a reader made of a value: read, empty (Gumroad's `nil`), or of another shape.
enum Read<T> {
    Value(T),
    Empty,
    Wrong(&'static str),
}

impl Fields {
    pub(crate) fn new(map: Map<String, Value>) -> Self {
        Self {
            map,
            path: String::new(),
            nested_leftovers: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn name(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    pub(crate) fn map(&self) -> &Map<String, Value> {
        &self.map
    }

    pub(crate) fn map_mut(&mut self) -> &mut Map<String, Value> {
        &mut self.map
    }

    /// Removes a key; `null` reads as absent.
    pub(crate) fn take(&mut self, key: &str) -> Option<Value> {
        match self.map.remove(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    /// Records that `key` holds `value`, which is not `what` was expected,
    /// and puts the value back so it is kept in `extra`.
    pub(crate) fn reject(&mut self, key: &str, what: &str, value: Value) {
        self.errors.push(FieldError::new(
            self.name(key),
            format!("expected {what}, got {}", describe(&value)),
        ));
        self.map.insert(key.to_owned(), value);
    }

    /// The error recorded for `key` of this object, if any.
    pub(crate) fn error_for(&self, key: &str) -> Option<&FieldError> {
        let name = self.name(key);
        self.errors.iter().find(|e| e.field == name)
    }

    /// Takes `key` and reads it with `read`; a value of another shape is
    /// rejected (kept, and recorded).
    fn read<T>(&mut self, key: &str, read: impl FnOnce(&Value) -> Read<T>) -> Option<T> {
        let value = self.take(key)?;
        match read(&value) {
            Read::Value(v) => Some(v),
            Read::Empty => None,
            Read::Wrong(what) => {
                self.reject(key, what, value);
                None
            }
        }
    }

    /// Text; `""` is `None` (Gumroad's `nil` in a form body), numbers and
    /// booleans are kept as their text.
    pub(crate) fn text(&mut self, key: &str) -> Option<String> {
        self.read(key, |v| match as_text(v) {
            Some(s) if s.is_empty() => Read::Empty,
            Some(s) => Read::Value(s),
            None => Read::Wrong("text"),
        })
    }

    /// An identifier, email, URL or other value that never legitimately
    /// contains a `%` escape: a value still percent-encoded
    /// (`FO8TXN-dvxYabdavG97Y-Q%3D%3D`) is decoded once.
    pub(crate) fn ident(&mut self, key: &str) -> Option<String> {
        self.text(key).map(|s| percent_decode_text(&s).unwrap_or(s))
    }

    /// A URL. One that is still percent-encoded as a whole
    /// (`https%3A%2F%2F…`: no `:` but an encoded one) is decoded once; a URL
    /// with ordinary escapes in its path or query is kept as sent.
    pub(crate) fn url(&mut self, key: &str) -> Option<String> {
        self.text(key).map(|s| {
            if !s.contains(':') && s.to_ascii_uppercase().contains("%3A") {
                percent_decode_text(&s).unwrap_or(s)
            } else {
                s
            }
        })
    }

    /// An integer from a number, a string of digits, `""` (`None`) or `null`.
    pub(crate) fn int(&mut self, key: &str) -> Option<i64> {
        self.read(key, |v| read_int(v, "an integer"))
    }

    /// A non-negative count that fits `u32` (`retry_count`).
    pub(crate) fn count(&mut self, key: &str) -> Option<u32> {
        const WHAT: &str = "a small non-negative integer";
        self.read(key, |v| match read_int(v, WHAT) {
            Read::Value(n) => u32::try_from(n).map_or(Read::Wrong(WHAT), Read::Value),
            Read::Empty => Read::Empty,
            Read::Wrong(what) => Read::Wrong(what),
        })
    }

    /// A boolean by creator-core's rules ([`de::bool_text`]): `true`/`false`
    /// and their text in any case, `1`/`0`; `""` (`None`) or `null`.
    pub(crate) fn flag(&mut self, key: &str) -> Option<bool> {
        const WHAT: &str = "true or false";
        self.read(key, |v| match v {
            Value::Bool(b) => Read::Value(*b),
            Value::Number(n) => match n.as_u64() {
                Some(1) => Read::Value(true),
                Some(0) => Read::Value(false),
                _ => Read::Wrong(WHAT),
            },
            Value::String(s) => match de::bool_text(s) {
                Ok(Some(b)) => Read::Value(b),
                Ok(None) => Read::Empty,
                Err(()) => Read::Wrong(WHAT),
            },
            _ => Read::Wrong(WHAT),
        })
    }

    /// An RFC 3339 timestamp (`2025-03-14T10:21:07Z`); `""` is `None`, and a
    /// value still percent-encoded (`…T10%3A21%3A07Z`) is decoded first.
    pub(crate) fn time(&mut self, key: &str) -> Option<OffsetDateTime> {
        const WHAT: &str = "an RFC 3339 timestamp";
        self.read(key, |v| match as_text(v) {
            Some(s) if s.trim().is_empty() => Read::Empty,
            Some(s) => {
                let s = percent_decode_text(&s).unwrap_or(s);
                OffsetDateTime::parse(s.trim(), &Rfc3339).map_or(Read::Wrong(WHAT), Read::Value)
            }
            None => Read::Wrong(WHAT),
        })
    }

    /// A nested object, for typed extraction of its own fields; hand it back
    /// with [`keep_leftovers`](Self::keep_leftovers). `""` (a form `nil`) is `None`.
    pub(crate) fn object(&mut self, key: &str) -> Option<Fields> {
        match self.take(key)? {
            Value::String(s) if s.is_empty() => None,
            Value::Object(map) => Some(Fields {
                map,
                path: self.name(key),
                nested_leftovers: Vec::new(),
                errors: Vec::new(),
            }),
            other => {
                self.reject(key, "an object", other);
                None
            }
        }
    }

    /// An object of text values (`variants`, `url_params`, `shipping_information`
    /// style hashes); numbers and booleans are kept as text, `""` values stay
    /// `""`, and an entry of another shape is rejected on its own.
    pub(crate) fn text_map(&mut self, key: &str) -> Option<BTreeMap<String, String>> {
        let mut obj = self.object(key)?;
        let mut out = BTreeMap::new();
        for (k, v) in std::mem::take(&mut obj.map) {
            match v {
                Value::Null => {
                    out.insert(k, String::new());
                }
                other => match as_text(&other) {
                    Some(text) => {
                        out.insert(k, text);
                    }
                    None => obj.reject(&k, "text", other),
                },
            }
        }
        self.keep_leftovers(key, obj);
        Some(out)
    }

    /// Leaves a nested object's unread fields for `extra`, and its errors with ours.
    pub(crate) fn keep_leftovers(&mut self, key: &str, child: Fields) {
        let (leftovers, errors) = child.finish();
        self.errors.extend(errors);
        if !leftovers.is_empty() {
            self.nested_leftovers.push((key.to_owned(), leftovers));
        }
    }

    /// Everything not read (the fields this library does not model, and the
    /// raw values of those it could not read), and the errors met.
    pub(crate) fn finish(mut self) -> (Map<String, Value>, Vec<FieldError>) {
        for (key, leftovers) in self.nested_leftovers {
            match self.map.get_mut(&key) {
                Some(Value::Object(existing)) => existing.extend(leftovers),
                _ => {
                    self.map.insert(key, Value::Object(leftovers));
                }
            }
        }
        (self.map, self.errors)
    }
}

/// A scalar as text (numbers and booleans as their text); `None` for a list or an object.
fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An integer by creator-core's rules ([`de::int_text`], [`de::whole_number`]).
fn read_int(v: &Value, what: &'static str) -> Read<i64> {
    match v {
        Value::Number(n) => number_to_i64(n).map_or(Read::Wrong(what), Read::Value),
        Value::String(s) => match de::int_text(s) {
            Ok(Some(n)) => Read::Value(n),
            Ok(None) => Read::Empty,
            Err(()) => Read::Wrong(what),
        },
        _ => Read::Wrong(what),
    }
}

fn number_to_i64(n: &Number) -> Option<i64> {
    n.as_i64().or_else(|| n.as_f64().and_then(de::whole_number))
}

/// A short description of a value for error messages.
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("{:?}", shorten(s)),
        Value::Array(a) => format!("an array of {} items", a.len()),
        Value::Object(o) => format!("an object with {} keys", o.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(v: Value) -> Fields {
        match v {
            Value::Object(m) => Fields::new(m),
            _ => unreachable!(),
        }
    }

    #[test]
    fn integers_accept_numbers_strings_and_empty() {
        let mut f = fields(
            json!({"a": 1249, "b": "1249", "c": "", "d": null, "e": 12.0, "f": "12.5", "g": [1]}),
        );
        assert_eq!(f.int("a"), Some(1249));
        assert_eq!(f.int("b"), Some(1249));
        assert_eq!(f.int("c"), None);
        assert_eq!(f.int("d"), None);
        assert_eq!(f.int("e"), Some(12));
        assert_eq!(f.int("missing"), None);
        assert_eq!(f.int("f"), None);
        assert_eq!(f.int("g"), None);
        let (extra, errors) = f.finish();
        assert_eq!(
            Value::Object(extra),
            json!({"f": "12.5", "g": [1]}),
            "raw values kept"
        );
        assert_eq!(
            errors,
            [
                FieldError::new("f", "expected an integer, got \"12.5\""),
                FieldError::new("g", "expected an integer, got an array of 1 items"),
            ]
        );
    }

    #[test]
    fn flags_text_idents_counts_and_times() {
        let mut f = fields(json!({
            "a": "true", "b": false, "c": "", "d": "yes", "e": "", "g": "x%3D%3D", "h": "100%",
            "n": "-1", "t": "2025-03-14T10%3A21%3A07Z", "u": "last tuesday", "o": {"x": 1}
        }));
        assert_eq!(f.flag("a"), Some(true));
        assert_eq!(f.flag("b"), Some(false));
        assert_eq!(f.flag("c"), None);
        assert_eq!(f.flag("d"), None);
        assert_eq!(f.text("e"), None);
        assert_eq!(f.ident("g").as_deref(), Some("x=="));
        assert_eq!(f.ident("h").as_deref(), Some("100%"));
        assert_eq!(f.count("n"), None);
        assert!(f.time("t").is_some());
        assert_eq!(f.time("u"), None);
        assert_eq!(f.text("o"), None);
        assert!(f.error_for("d").is_some() && f.error_for("a").is_none());
        let (extra, errors) = f.finish();
        let named: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(named, ["d", "n", "u", "o"]);
        assert_eq!(extra["u"], "last tuesday");
        assert_eq!(extra["o"], json!({"x": 1}));
    }

    /// One rule for every provider: a delivery's flag reads `"TRUE"`, `"1"`,
    /// `1` and `"0"` as creator-core's `de::opt_bool` does for API models.
    #[test]
    fn flags_follow_the_shared_lenient_rules() {
        #[derive(serde::Deserialize)]
        struct Model {
            #[serde(default, deserialize_with = "creator_core::de::opt_bool")]
            b: Option<bool>,
        }
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
            let mut f = fields(json!({ "b": sent.clone() }));
            assert_eq!(f.flag("b"), model.b, "{sent}");
            assert!(f.finish().1.is_empty(), "{sent} is no field error");
        }
        let mut f = fields(json!({"b": "maybe", "c": 2}));
        assert_eq!((f.flag("b"), f.flag("c")), (None, None));
        assert_eq!(f.finish().1.len(), 2);
    }

    #[test]
    fn nested_paths_appear_in_errors_and_leftovers_are_kept() {
        let mut f = fields(
            json!({"old_plan": {"tier": {"id": [1], "new": "x"}}, "v": {"Size": {"a": 1}, "Color": "Blue"}}),
        );
        let mut plan = f.object("old_plan").unwrap();
        let mut tier = plan.object("tier").unwrap();
        assert_eq!(tier.text("id"), None);
        plan.keep_leftovers("tier", tier);
        f.keep_leftovers("old_plan", plan);
        let variants = f.text_map("v").unwrap();
        assert_eq!(variants.get("Color").map(String::as_str), Some("Blue"));
        let (extra, errors) = f.finish();
        assert_eq!(
            Value::Object(extra),
            json!({"old_plan": {"tier": {"id": [1], "new": "x"}}, "v": {"Size": {"a": 1}}})
        );
        let named: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(named, ["old_plan.tier.id", "v.Size"]);
    }
}
