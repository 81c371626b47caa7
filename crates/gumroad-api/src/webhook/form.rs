//! A small, strict decoder for Gumroad's form-encoded deliveries.
//!
//! Gumroad serializes its payload hash with HTTParty's `to_params`: nested
//! hashes become Rails-style bracket keys (`card[visual]=…`,
//! `old_plan[tier][id]=…`), arrays become `purchase_ids[]=…`, `nil` becomes an
//! empty value, and keys and values are percent-encoded (`%5B`/`%5D` for the
//! brackets, `%20` for spaces). Keys that themselves contain brackets (a
//! custom field named `Size [EU]`) are pre-escaped by Gumroad and therefore
//! arrive double-encoded (`Size%20%255BEU%255D`).
//!
//! [`decode_form`] turns such a body into the same nested tree a JSON
//! delivery parses into, so one typed layer serves both encodings. It never
//! panics, whatever the bytes, and it bounds the work an abusive body can
//! cause: body size, number of fields and nesting depth are limited by
//! [`ParseLimits`](creator_core::ParseLimits), and every violation is a clear
//! [`WebhookError::Malformed`].

use std::borrow::Cow;

use creator_core::de::shorten;
use creator_core::{ParseLimits, WebhookError};
use serde_json::{Map, Value};

pub(crate) fn malformed(reason: impl Into<String>) -> WebhookError {
    WebhookError::Malformed {
        reason: reason.into(),
    }
}

/// Decodes an `application/x-www-form-urlencoded` body with Rails-style
/// bracket keys into a nested JSON-like tree: every scalar is a
/// [`Value::String`], `a[b]=…` builds objects, `a[]=…` builds arrays, and
/// an empty value stays an empty string (Gumroad's `nil`).
///
/// Rules, in the order they are applied to each `&`-separated pair:
/// 1. split at the first `=` (a pair without `=` has an empty value);
/// 2. percent-decode key and value (`+` is a space); an incomplete or
///    invalid escape, or bytes that are not UTF-8, are an error;
/// 3. split the key into a base and `[segment]`s; a key that does not
///    follow that grammar (`a[b`, `[x]`, `a[b]c`) is kept whole as a flat key;
/// 4. in the base and each segment, turn Gumroad's pre-escaped `%5B`/`%5D`
///    back into `[`/`]` (the double-encoded keys of custom fields whose
///    names contain brackets);
/// 5. insert: a repeated plain key keeps the last value (as Rails does);
///    a key used both as a value and as a parent (`a=1&a[b]=2`) is an error.
///
/// # Errors
/// [`WebhookError::Malformed`] naming the field for a bad escape, invalid
/// UTF-8, conflicting keys, or a body beyond `limits`.
///
/// ```
/// use gumroad_api::webhook::{decode_form, ParseLimits};
///
/// let tree = decode_form(
///     b"card%5Bvisual%5D=%2A%2A%2A%2A%204242&purchase_ids%5B%5D=a%3D%3D&purchase_ids%5B%5D=b%3D%3D&user_id=",
///     &ParseLimits::default(),
/// )?;
/// assert_eq!(tree["card"]["visual"], "**** 4242");
/// assert_eq!(tree["purchase_ids"][1], "b==");
/// assert_eq!(tree["user_id"], "");
/// # Ok::<(), creator_core::WebhookError>(())
/// ```
pub fn decode_form(body: &[u8], limits: &ParseLimits) -> Result<Map<String, Value>, WebhookError> {
    decode(body, limits, None)
}

/// [`decode_form`] for reading a delivery: a value whose bytes are not UTF-8
/// once decoded is read with replacement characters (`U+FFFD`) and reported
/// in `unreadable`, instead of failing the whole body (one bad field must not
/// reject an authentic delivery). Bad escapes, bad keys and the limits still fail.
pub(crate) fn decode_form_lenient(
    body: &[u8],
    limits: &ParseLimits,
    unreadable: &mut Vec<creator_core::FieldError>,
) -> Result<Map<String, Value>, WebhookError> {
    decode(body, limits, Some(unreadable))
}

fn decode(
    body: &[u8],
    limits: &ParseLimits,
    mut unreadable: Option<&mut Vec<creator_core::FieldError>>,
) -> Result<Map<String, Value>, WebhookError> {
    limits.check_body(body.len())?;
    let mut root = Map::new();
    let mut fields = 0usize;
    for (index, pair) in body.split(|b| *b == b'&').enumerate() {
        if pair.is_empty() {
            continue;
        }
        fields += 1;
        if fields > limits.max_fields_value() {
            return Err(malformed(format!(
                "more than {} fields (limit reached at pair #{})",
                limits.max_fields_value(),
                index + 1
            )));
        }
        let (raw_key, raw_value) = match pair.iter().position(|b| *b == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &pair[pair.len()..]),
        };
        let key = decode_component(raw_key)
            .map_err(|why| malformed(format!("the key of pair #{}: {why}", index + 1)))?;
        if key.is_empty() {
            return Err(malformed(format!("pair #{} has an empty key", index + 1)));
        }
        let value = match (decode_component(raw_value), unreadable.as_deref_mut()) {
            (Ok(value), _) => value,
            (Err(why), Some(unreadable)) if why.contains("UTF-8") => {
                let lossy = percent_decode(raw_value, true)
                    .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                    .map_err(|why| malformed(format!("the value of `{}`: {why}", shorten(&key))))?;
                unreadable.push(creator_core::FieldError::new(
                    shorten(&key).into_owned(),
                    format!("{why}; read with replacement characters"),
                ));
                lossy
            }
            (Err(why), _) => {
                return Err(malformed(format!(
                    "the value of `{}`: {why}",
                    shorten(&key)
                )));
            }
        };
        insert_path(&mut root, &key, Value::String(value), limits)?;
    }
    Ok(root)
}

/// Inserts `value` under a possibly bracketed `key` (`a`, `a[b]`, `a[]`,
/// `a[b][c]`), creating objects and arrays on the way.
pub(crate) fn insert_path(
    root: &mut Map<String, Value>,
    key: &str,
    value: Value,
    limits: &ParseLimits,
) -> Result<(), WebhookError> {
    let Some((base, segments)) = split_key(key) else {
        return insert_leaf(root, unescape_brackets(key).into_owned(), value, key);
    };
    if segments.len() > limits.max_depth_value() {
        return Err(malformed(format!(
            "key `{}` is nested {} levels deep, above the limit of {}",
            shorten(key),
            segments.len(),
            limits.max_depth_value()
        )));
    }
    let base = unescape_brackets(base).into_owned();
    let slot = root
        .entry(base)
        .or_insert_with(|| empty_container(&segments[0]));
    insert_into(slot, &segments, value, key)
}

/// One `[…]` part of a key: `[]` appends, `[name]` indexes.
enum Segment<'a> {
    Push,
    Key(&'a str),
}

fn empty_container(next: &Segment<'_>) -> Value {
    match next {
        Segment::Push => Value::Array(Vec::new()),
        Segment::Key(_) => Value::Object(Map::new()),
    }
}

/// Splits `base[a][b][]` into `base` and its segments, or `None` when the
/// key is not in bracket form (it is then used whole).
fn split_key(key: &str) -> Option<(&str, Vec<Segment<'_>>)> {
    let open = key.find('[')?;
    if open == 0 {
        return None;
    }
    let (base, mut rest) = key.split_at(open);
    let mut segments = Vec::new();
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let close = inner.find(']')?;
        let name = &inner[..close];
        if name.contains('[') {
            return None;
        }
        segments.push(if name.is_empty() {
            Segment::Push
        } else {
            Segment::Key(name)
        });
        rest = &inner[close + 1..];
    }
    Some((base, segments))
}

/// Sets a leaf. A repeated plain key keeps the last value, as Rails does
/// (Gumroad's payload is a hash, so it never repeats a key itself); a leaf
/// over a nested value is a conflict.
fn insert_leaf(
    map: &mut Map<String, Value>,
    key: String,
    value: Value,
    full_key: &str,
) -> Result<(), WebhookError> {
    if matches!(map.get(&key), Some(Value::Object(_) | Value::Array(_))) {
        return Err(conflict(full_key));
    }
    map.insert(key, value);
    Ok(())
}

fn insert_into(
    slot: &mut Value,
    segments: &[Segment<'_>],
    value: Value,
    full_key: &str,
) -> Result<(), WebhookError> {
    let Some((first, rest)) = segments.split_first() else {
        return Err(malformed(format!(
            "key `{}` has no segment",
            shorten(full_key)
        )));
    };
    match first {
        Segment::Key(name) => {
            let Value::Object(map) = slot else {
                return Err(conflict(full_key));
            };
            let name = unescape_brackets(name).into_owned();
            match rest.first() {
                None => insert_leaf(map, name, value, full_key),
                Some(next) => {
                    let child = map.entry(name).or_insert_with(|| empty_container(next));
                    insert_into(child, rest, value, full_key)
                }
            }
        }
        Segment::Push => {
            let Value::Array(items) = slot else {
                return Err(conflict(full_key));
            };
            match rest.first() {
                None => {
                    items.push(value);
                    Ok(())
                }
                Some(Segment::Push) => Err(malformed(format!(
                    "key `{}` nests an array directly in an array, which form encoding cannot express",
                    shorten(full_key)
                ))),
                Some(Segment::Key(next_name)) => {
                    // Rails: `a[][x]=1&a[][y]=2` fills the last hash until a key repeats.
                    let next_name = unescape_brackets(next_name);
                    let reuse = matches!(items.last(), Some(Value::Object(m)) if !m.contains_key(next_name.as_ref()));
                    if !reuse {
                        items.push(Value::Object(Map::new()));
                    }
                    match items.last_mut() {
                        Some(last) => insert_into(last, rest, value, full_key),
                        None => Err(conflict(full_key)),
                    }
                }
            }
        }
    }
}

fn conflict(key: &str) -> WebhookError {
    malformed(format!(
        "key `{}` conflicts with another key of the body (used both as a value and as a parent)",
        shorten(key)
    ))
}

/// Gumroad pre-escapes `[` and `]` inside key names (`encode_brackets`), so
/// after the first decoding they still read `%5B`/`%5D`.
fn unescape_brackets(s: &str) -> Cow<'_, str> {
    if !s.contains('%') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let code = tail.get(1..3).map(str::to_ascii_uppercase);
        match code.as_deref() {
            Some("5B") => {
                out.push('[');
                rest = &tail[3..];
            }
            Some("5D") => {
                out.push(']');
                rest = &tail[3..];
            }
            _ => {
                out.push('%');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Percent-decodes one form component (`+` is a space), strictly: an
/// incomplete or non-hex escape is an error, and so are bytes that are not UTF-8.
pub(crate) fn decode_component(raw: &[u8]) -> Result<String, String> {
    if !raw.iter().any(|b| *b == b'%' || *b == b'+') {
        return std::str::from_utf8(raw)
            .map(str::to_owned)
            .map_err(|e| format!("not valid UTF-8 (at byte {})", e.valid_up_to()));
    }
    let bytes = percent_decode(raw, true)?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not valid UTF-8 once decoded (at byte {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Strict percent-decoding into bytes.
pub(crate) fn percent_decode(raw: &[u8], plus_is_space: bool) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        match b {
            b'%' => {
                let hi = raw.get(i + 1).copied().and_then(hex);
                let lo = raw.get(i + 2).copied().and_then(hex);
                match (hi, lo) {
                    (Some(hi), Some(lo)) => {
                        out.push(hi << 4 | lo);
                        i += 3;
                    }
                    _ => {
                        return Err(if raw.len() < i + 3 {
                            format!("incomplete percent escape at byte {i} (truncated body?)")
                        } else {
                            format!("invalid percent escape at byte {i}")
                        });
                    }
                }
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Decodes `%XX` escapes of a text value once, if every `%` starts a valid
/// escape and the result is UTF-8; otherwise returns `None` (the value is
/// then taken as it is).
pub(crate) fn percent_decode_text(s: &str) -> Option<String> {
    if !s.contains('%') {
        return None;
    }
    let bytes = percent_decode(s.as_bytes(), false).ok()?;
    String::from_utf8(bytes).ok()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(body: &str) -> Result<Map<String, Value>, WebhookError> {
        decode_form(body.as_bytes(), &ParseLimits::default())
    }

    #[test]
    fn flat_nested_and_array_keys() {
        let t = decode("a=1&b%5Bc%5D=2&b%5Bd%5D%5Be%5D=3&l%5B%5D=x&l%5B%5D=y&l%5B%5D=").unwrap();
        assert_eq!(
            Value::Object(t),
            serde_json::json!({
                "a": "1", "b": {"c": "2", "d": {"e": "3"}}, "l": ["x", "y", ""]
            })
        );
    }

    #[test]
    fn raw_brackets_work_too() {
        let t = decode("card[visual]=x&purchase_ids[]=a").unwrap();
        assert_eq!(t["card"]["visual"], "x");
        assert_eq!(t["purchase_ids"][0], "a");
    }

    #[test]
    fn double_encoded_brackets_in_names_are_restored() {
        let t = decode("custom_fields%5BSize%20%255BEU%255D%5D=42&Size%20%255BEU%255D=42").unwrap();
        assert_eq!(t["custom_fields"]["Size [EU]"], "42");
        assert_eq!(t["Size [EU]"], "42");
    }

    #[test]
    fn plus_is_space_and_missing_equals_is_empty() {
        let t = decode("a=x+y&flag&&b=").unwrap();
        assert_eq!(t["a"], "x y");
        assert_eq!(t["flag"], "");
        assert_eq!(t["b"], "");
    }

    #[test]
    fn arrays_of_hashes_follow_rails() {
        let t = decode("a[][x]=1&a[][y]=2&a[][x]=3").unwrap();
        assert_eq!(
            Value::Object(t),
            serde_json::json!({"a": [{"x": "1", "y": "2"}, {"x": "3"}]})
        );
    }

    #[test]
    fn odd_keys_are_kept_whole() {
        let t = decode("a%5Bb=1&%5Bx%5D=2&a%5Bb%5Dc=3").unwrap();
        assert_eq!(t["a[b"], "1");
        assert_eq!(t["[x]"], "2");
        assert_eq!(t["a[b]c"], "3");
    }

    #[test]
    fn errors_are_clear() {
        let e = decode("a=1&a%5Bb%5D=2").unwrap_err().to_string();
        assert!(e.contains("conflicts"), "{e}");
        let e = decode("a%5Bb%5D=2&a=1").unwrap_err().to_string();
        assert!(e.contains("conflicts"), "{e}");
        let e = decode("sale_id=abc%3").unwrap_err().to_string();
        assert!(
            e.contains("incomplete percent escape") && e.contains("sale_id"),
            "{e}"
        );
        let e = decode("a=%zz").unwrap_err().to_string();
        assert!(e.contains("invalid percent escape"), "{e}");
        let e = decode("a=%FF").unwrap_err().to_string();
        assert!(e.contains("UTF-8"), "{e}");
        let e = decode("=1").unwrap_err().to_string();
        assert!(e.contains("empty key"), "{e}");
        let e = decode("a[][]=1").unwrap_err().to_string();
        assert!(e.contains("array directly in an array"), "{e}");
    }

    #[test]
    fn limits_are_enforced() {
        let limits = ParseLimits::default()
            .max_fields(3)
            .max_depth(2)
            .max_body_bytes(64);
        assert!(decode_form(b"a=1&b=2&c=3", &limits).is_ok());
        let e = decode_form(b"a=1&b=2&c=3&d=4", &limits)
            .unwrap_err()
            .to_string();
        assert!(e.contains("more than 3 fields"), "{e}");
        let e = decode_form(b"a[b][c][d]=1", &limits)
            .unwrap_err()
            .to_string();
        assert!(e.contains("nested 3 levels"), "{e}");
        let e = decode_form(&[b'a'; 65], &limits).unwrap_err().to_string();
        assert!(e.contains("above the limit of 64 bytes"), "{e}");
    }

    #[test]
    fn percent_decode_text_only_when_clean() {
        assert_eq!(percent_decode_text("a%3D%3D").as_deref(), Some("a=="));
        assert_eq!(percent_decode_text("100%"), None);
        assert_eq!(percent_decode_text("plain"), None);
    }
}
