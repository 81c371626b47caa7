//! An ordered payload tree (the platforms' key order is part of the wire
//! shape), its two encodings, and `--set key[sub]=value` edits.

use std::fmt::Write as _;

/// One value of a payload, typed as the platform's code types it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `nil` / `null` (an empty string in a form body).
    Nil,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string.
    Str(String),
    /// An array (`key[]=` in a form body).
    List(Vec<Value>),
    /// A nested hash (`key[sub]=` in a form body).
    Map(Fields),
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl From<Fields> for Value {
    fn from(f: Fields) -> Self {
        Value::Map(f)
    }
}

/// The keys of a hash, in insertion order (Ruby's and the wire's).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields(Vec<(String, Value)>);

impl Fields {
    /// An empty hash.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` (in place when present, appended otherwise), as Ruby's `[]=` does.
    pub fn set(&mut self, key: &str, value: impl Into<Value>) -> &mut Self {
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = value,
            None => self.0.push((key.to_owned(), value)),
        }
        self
    }

    /// The same, by value (for building literals).
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.set(key, value);
        self
    }

    /// Removes `key`.
    pub fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key);
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The keys and values in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Sets the value at a bracket path (`card[type]`, `old_plan[tier][name]`,
    /// `purchase_ids[]`), creating the hashes on the way.
    ///
    /// # Errors
    /// A path that is not `name` or `name[sub]…`, or that runs through a
    /// value that is not a hash.
    pub fn set_path(&mut self, path: &str, value: Value) -> Result<(), String> {
        let segments = split_path(path)?;
        let mut here = self;
        let (last, parents) = segments.split_last().ok_or("an empty key")?;
        for segment in parents {
            if here.get(segment).is_none() {
                here.set(segment, Fields::new());
            }
            let Some(Value::Map(next)) = here
                .0
                .iter_mut()
                .find(|(k, _)| k == segment)
                .map(|(_, v)| v)
            else {
                return Err(format!(
                    "`{path}`: `{segment}` holds a value, not fields, so it has no `[…]` inside"
                ));
            };
            here = next;
        }
        if last.is_empty() {
            return Err(format!("`{path}`: `[]` adds to a list; set the whole key"));
        }
        here.set(last, value);
        Ok(())
    }
}

/// `a[b][c]` as `["a", "b", "c"]`.
fn split_path(path: &str) -> Result<Vec<&str>, String> {
    let bad = || format!("`{path}` is not a key: use `name` or `name[sub]` (brackets nest)");
    let (head, mut rest) = match path.find('[') {
        Some(i) => (&path[..i], &path[i..]),
        None => (path, ""),
    };
    if head.is_empty() {
        return Err(bad());
    }
    let mut segments = vec![head];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[').ok_or_else(bad)?;
        let end = inner.find(']').ok_or_else(bad)?;
        segments.push(&inner[..end]);
        rest = &inner[end + 1..];
    }
    Ok(segments)
}

/// `ERB::Util.url_encode`: everything but `A-Za-z0-9_.~-` as upper-case `%XX`.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'~' | b'-') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Ruby's `to_s` of a scalar (nil as the empty string).
fn to_s(v: &Value) -> String {
    match v {
        Value::Nil => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Int(n) => n.to_string(),
        Value::Str(s) => s.clone(),
        Value::List(_) | Value::Map(_) => String::new(),
    }
}

/// Gumroad's `encode_brackets`: a `[` or `]` inside a key is pre-escaped.
fn encode_brackets(key: &str) -> String {
    key.replace('[', "%5B").replace(']', "%5D")
}

/// HTTParty's `HashConversions.normalize_keys`: the flat `(key, value)`
/// pairs of one top-level entry; a hash's nested hashes come after its scalars.
fn normalize_keys<'a>(key: String, value: &'a Value, out: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::List(items) if items.is_empty() => out.push((format!("{key}[]"), &Value::Nil)),
        Value::List(items) => {
            for item in items {
                normalize_keys(format!("{key}[]"), item, out);
            }
        }
        Value::Map(fields) => {
            let mut stack = vec![(key, fields)];
            let mut i = 0;
            while i < stack.len() {
                let (parent, hash) = (stack[i].0.clone(), stack[i].1);
                for (ck, cv) in &hash.0 {
                    let ck = encode_brackets(ck);
                    match cv {
                        Value::Map(inner) => stack.push((format!("{parent}[{ck}]"), inner)),
                        Value::List(items) => {
                            for item in items {
                                normalize_keys(format!("{parent}[{ck}][]"), item, out);
                            }
                        }
                        scalar => out.push((format!("{parent}[{ck}]"), scalar)),
                    }
                }
                i += 1;
            }
        }
        scalar => out.push((key, scalar)),
    }
}

/// The form body Gumroad posts: HTTParty's `to_params` of the payload.
pub fn to_form(payload: &Fields) -> String {
    let mut pairs = Vec::new();
    for (k, v) in &payload.0 {
        normalize_keys(encode_brackets(k), v, &mut pairs);
    }
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", url_encode(k), url_encode(&to_s(v))))
        .collect::<Vec<_>>()
        .join("&")
}

/// Compact JSON in the payload's key order.
pub fn to_json(payload: &Fields) -> String {
    let mut out = String::new();
    write_json(&Value::Map(payload.clone()), &mut out);
    out
}

/// Rails' `to_json`: compact, with `<`, `>`, `&`, U+2028 and U+2029 escaped.
pub fn to_rails_json(payload: &Fields) -> String {
    to_json(payload)
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

fn write_json(v: &Value, out: &mut String) {
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(n) => out.push_str(&n.to_string()),
        Value::Str(s) => out.push_str(&serde_json::Value::from(s.as_str()).to_string()),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Map(fields) => {
            out.push('{');
            for (i, (k, item)) in fields.0.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::from(k.as_str()).to_string());
                out.push(':');
                write_json(item, out);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_hashes_come_after_their_scalars_and_lists_repeat() {
        let f = Fields::new()
            .with(
                "a",
                Fields::new()
                    .with("x", Fields::new().with("y", 1))
                    .with("b", "c d"),
            )
            .with("ids", Value::List(vec!["1".into(), "2".into()]))
            .with("none", Value::List(vec![]))
            .with("k[1]", Value::Nil);
        assert_eq!(
            to_form(&f),
            "a%5Bb%5D=c%20d&a%5Bx%5D%5By%5D=1&ids%5B%5D=1&ids%5B%5D=2&none%5B%5D=&k%255B1%255D="
        );
    }

    #[test]
    fn paths_set_in_place_or_append_and_refuse_nonsense() {
        let mut f = Fields::new().with("card", Fields::new().with("type", "visa"));
        f.set_path("card[type]", "amex".into()).unwrap();
        f.set_path("card[new][deep]", Value::Int(1)).unwrap();
        assert_eq!(to_json(&f), r#"{"card":{"type":"amex","new":{"deep":1}}}"#);
        for bad in ["", "[x]", "card[type", "card[type][x]", "card[]"] {
            assert!(f.set_path(bad, Value::Nil).is_err(), "{bad}");
        }
    }
}
