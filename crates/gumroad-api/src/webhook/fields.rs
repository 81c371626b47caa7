//! Typed extraction from a decoded delivery tree.
//!
//! Every helper *removes* the key it reads, so whatever is left at the end
//! is exactly the set of fields this library does not model; it is kept on
//! the payload (`extra`), never dropped. The helpers accept the shapes the
//! two encodings produce for the same value: `"1249"` and `1249`, `"true"`
//! and `true`, and `""` or `null` for Gumroad's `nil`.

use std::collections::BTreeMap;

use creator_core::WebhookError;
use serde_json::{Map, Number, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::form::{malformed, percent_decode_text, shorten};

/// A JSON object being taken apart field by field.
pub(crate) struct Fields {
    map: Map<String, Value>,
    /// Dotted path of this object inside the payload, for error messages.
    path: String,
    /// Leftovers of nested objects, merged back into `extra` by `finish`.
    nested_leftovers: Vec<(String, Map<String, Value>)>,
}

type R<T> = Result<T, WebhookError>;

impl Fields {
    pub(crate) fn new(map: Map<String, Value>) -> Self {
        Self {
            map,
            path: String::new(),
            nested_leftovers: Vec::new(),
        }
    }

    fn name(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn err(&self, key: &str, what: &str, got: &Value) -> WebhookError {
        malformed(format!(
            "field `{}`: expected {what}, got {}",
            self.name(key),
            describe(got)
        ))
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

    /// Text; `""` is `None` (Gumroad's `nil` in a form body), numbers and
    /// booleans are kept as their text.
    pub(crate) fn text(&mut self, key: &str) -> R<Option<String>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(other) => Err(self.err(key, "text", &other)),
        }
    }

    /// An identifier, email, URL or other value that never legitimately
    /// contains a `%` escape: a value still percent-encoded
    /// (`FO8TXN-dvxYabdavG97Y-Q%3D%3D`) is decoded once.
    pub(crate) fn ident(&mut self, key: &str) -> R<Option<String>> {
        Ok(self
            .text(key)?
            .map(|s| percent_decode_text(&s).unwrap_or(s)))
    }

    /// A URL. One that is still percent-encoded as a whole
    /// (`https%3A%2F%2F…`: no `:` but an encoded one) is decoded once; a URL
    /// with ordinary escapes in its path or query is kept as sent.
    pub(crate) fn url(&mut self, key: &str) -> R<Option<String>> {
        Ok(self.text(key)?.map(|s| {
            if !s.contains(':') && s.to_ascii_uppercase().contains("%3A") {
                percent_decode_text(&s).unwrap_or(s)
            } else {
                s
            }
        }))
    }

    /// An integer from a number, a string of digits, `""` (`None`) or `null`.
    pub(crate) fn int(&mut self, key: &str) -> R<Option<i64>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Number(n)) => match number_to_i64(&n) {
                Some(i) => Ok(Some(i)),
                None => Err(self.err(key, "an integer", &Value::Number(n))),
            },
            Some(Value::String(s)) => {
                let t = s.trim();
                if t.is_empty() {
                    return Ok(None);
                }
                t.parse::<i64>()
                    .map(Some)
                    .map_err(|_| self.err(key, "an integer", &Value::String(s.clone())))
            }
            Some(other) => Err(self.err(key, "an integer", &other)),
        }
    }

    /// A non-negative count that fits `u32` (`retry_count`).
    pub(crate) fn count(&mut self, key: &str) -> R<Option<u32>> {
        match self.int(key)? {
            None => Ok(None),
            Some(n) => u32::try_from(n).map(Some).map_err(|_| {
                malformed(format!(
                    "field `{}`: expected a small non-negative integer, got {n}",
                    self.name(key)
                ))
            }),
        }
    }

    /// A boolean from `true`/`false`, `"true"`/`"false"`, `""` (`None`) or `null`.
    pub(crate) fn flag(&mut self, key: &str) -> R<Option<bool>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(b)),
            Some(Value::String(s)) => match s.trim() {
                "true" => Ok(Some(true)),
                "false" => Ok(Some(false)),
                "" => Ok(None),
                _ => Err(self.err(key, "true or false", &Value::String(s.clone()))),
            },
            Some(other) => Err(self.err(key, "true or false", &other)),
        }
    }

    /// An RFC 3339 timestamp (`2025-03-14T10:21:07Z`); `""` is `None`, and a
    /// value still percent-encoded (`…T10%3A21%3A07Z`) is decoded first.
    pub(crate) fn time(&mut self, key: &str) -> R<Option<OffsetDateTime>> {
        let Some(raw) = self.ident(key)? else {
            return Ok(None);
        };
        OffsetDateTime::parse(raw.trim(), &Rfc3339)
            .map(Some)
            .map_err(|_| self.err(key, "an RFC 3339 timestamp", &Value::String(raw.clone())))
    }

    /// A nested object, for typed extraction of its own fields.
    /// `""` (a form `nil`) is `None`.
    pub(crate) fn object(&mut self, key: &str) -> R<Option<Fields>> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Fields {
                map,
                path: self.name(key),
                nested_leftovers: Vec::new(),
            })),
            Some(other) => Err(self.err(key, "an object", &other)),
        }
    }

    /// An object of text values (`variants`, `url_params`, `shipping_information`
    /// style hashes); numbers and booleans are kept as text, `""` values stay `""`.
    pub(crate) fn text_map(&mut self, key: &str) -> R<Option<BTreeMap<String, String>>> {
        let Some(mut obj) = self.object(key)? else {
            return Ok(None);
        };
        let mut out = BTreeMap::new();
        for (k, v) in std::mem::take(&mut obj.map) {
            let text = match v {
                Value::String(s) => s,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Null => String::new(),
                other => return Err(obj.err(&k, "text", &other)),
            };
            out.insert(k, text);
        }
        Ok(Some(out))
    }

    /// Leaves a nested object's unread fields for `extra`.
    pub(crate) fn keep_leftovers(&mut self, key: &str, child: Fields) {
        let leftovers = child.finish();
        if !leftovers.is_empty() {
            self.nested_leftovers.push((key.to_owned(), leftovers));
        }
    }

    /// Everything not read: the fields this library does not model.
    pub(crate) fn finish(mut self) -> Map<String, Value> {
        for (key, leftovers) in self.nested_leftovers {
            match self.map.get_mut(&key) {
                Some(Value::Object(existing)) => existing.extend(leftovers),
                _ => {
                    self.map.insert(key, Value::Object(leftovers));
                }
            }
        }
        self.map
    }
}

fn number_to_i64(n: &Number) -> Option<i64> {
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    let f = n.as_f64()?;
    // 1249.0 from a relay that turned every number into a float.
    (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
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
        assert_eq!(f.int("a").unwrap(), Some(1249));
        assert_eq!(f.int("b").unwrap(), Some(1249));
        assert_eq!(f.int("c").unwrap(), None);
        assert_eq!(f.int("d").unwrap(), None);
        assert_eq!(f.int("e").unwrap(), Some(12));
        assert_eq!(f.int("missing").unwrap(), None);
        let e = f.int("f").unwrap_err().to_string();
        assert!(
            e.contains("`f`") && e.contains("an integer") && e.contains("12.5"),
            "{e}"
        );
        assert!(f.int("g").is_err());
    }

    #[test]
    fn flags_text_and_idents() {
        let mut f = fields(
            json!({"a": "true", "b": false, "c": "", "d": "yes", "e": "", "g": "x%3D%3D", "h": "100%"}),
        );
        assert_eq!(f.flag("a").unwrap(), Some(true));
        assert_eq!(f.flag("b").unwrap(), Some(false));
        assert_eq!(f.flag("c").unwrap(), None);
        assert!(f.flag("d").is_err());
        assert_eq!(f.text("e").unwrap(), None);
        assert_eq!(f.ident("g").unwrap().as_deref(), Some("x=="));
        assert_eq!(f.ident("h").unwrap().as_deref(), Some("100%"));
    }

    #[test]
    fn nested_paths_appear_in_errors_and_leftovers_are_kept() {
        let mut f = fields(json!({"old_plan": {"tier": {"id": [1], "new": "x"}}}));
        let mut plan = f.object("old_plan").unwrap().unwrap();
        let mut tier = plan.object("tier").unwrap().unwrap();
        let e = tier.text("id").unwrap_err().to_string();
        assert!(e.contains("old_plan.tier.id"), "{e}");
        plan.keep_leftovers("tier", tier);
        f.keep_leftovers("old_plan", plan);
        assert_eq!(
            Value::Object(f.finish()),
            json!({"old_plan": {"tier": {"new": "x"}}})
        );
    }
}
