//! Lenient deserialization: a value whose optional fields may be mistyped.
//!
//! Platforms document their payloads by samples, and an authentic delivery
//! must not be rejected because one optional field arrived in another shape
//! (`"billing_period": {"x": 1}`). [`from_value_lenient`] deserializes with
//! serde as usual; when a field fails, it records a [`FieldError`] naming
//! it, removes that field from the value and tries again, so the field
//! reads as absent (`None` for an `Option`, the default for a
//! `#[serde(default)]` field) and everything else is kept.

use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_path_to_error::Segment;

use crate::FieldError;

/// A value deserialized by [`from_value_lenient`], with the fields that
/// could not be read (and were left out).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Lenient<T> {
    /// The deserialized value.
    pub value: T,
    /// One entry per field left out, in the order they were met.
    pub field_errors: Vec<FieldError>,
    /// The value of each field left out, with the keys on its way from the
    /// top (a list index as its decimal text), in the same order, so a
    /// caller can keep what it could not read.
    pub left_out: Vec<(Vec<String>, Value)>,
}

/// Deserializes `value` into `T`, leaving out each field that cannot be read.
///
/// On an error, the failing field (the innermost object key on the error's
/// path: an item of a list is left out with its whole list) is removed and
/// recorded as a [`FieldError`] whose path starts with `prefix`
/// (`data.usecase_data.data.billing_period`), and deserialization is tried
/// again; at most once per entry of `value`, so the work is bounded by its size.
///
/// ```
/// use creator_core::from_value_lenient;
/// use serde_json::json;
///
/// #[derive(serde::Deserialize, Debug)]
/// struct Payment {
///     human_id: String,
///     #[serde(default)]
///     billing_period: Option<u32>,
///     #[serde(default)]
///     title: Option<String>,
/// }
///
/// let read = from_value_lenient::<Payment>(
///     json!({"human_id": "UM-1", "billing_period": {"x": 1}, "title": "Gold"}),
///     "data",
/// )?;
/// assert_eq!(read.value.billing_period, None);
/// assert_eq!(read.value.title.as_deref(), Some("Gold"));
/// assert_eq!(read.field_errors[0].field, "data.billing_period");
///
/// // A required field cannot be left out: that is an error.
/// let err = from_value_lenient::<Payment>(json!({"human_id": 7}), "data").unwrap_err();
/// assert!(err.message.contains("human_id"), "{err}");
/// # Ok::<(), creator_core::FieldError>(())
/// ```
///
/// # Errors
/// A [`FieldError`] when `value` cannot become a `T` whatever is left out:
/// a required field is missing or unreadable, or `value` itself has the
/// wrong shape (its path is then `prefix`).
pub fn from_value_lenient<T: DeserializeOwned>(
    mut value: Value,
    prefix: &str,
) -> Result<Lenient<T>, FieldError> {
    let mut field_errors = Vec::new();
    let mut left_out = Vec::new();
    let mut budget = entries(&value) + 1;
    loop {
        let error = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(value) => {
                return Ok(Lenient {
                    value,
                    field_errors,
                    left_out,
                });
            }
            Err(error) => error,
        };
        let field = FieldError::new(
            joined(prefix, &error.path().to_string()),
            error.inner().to_string(),
        );
        let removed = if budget == 0 {
            None
        } else {
            remove_field(&mut value, error.path().iter().collect())
        };
        let Some(removed) = removed else {
            return Err(field);
        };
        budget -= 1;
        field_errors.push(field);
        left_out.push(removed);
    }
}

/// `prefix.path`, where serde_path_to_error writes the root as `.`.
fn joined(prefix: &str, path: &str) -> String {
    match (prefix, path) {
        (p, ".") => p.to_owned(),
        ("", p) => p.to_owned(),
        (prefix, p) if p.starts_with('[') => format!("{prefix}{p}"),
        (prefix, p) => format!("{prefix}.{p}"),
    }
}

/// Removes the innermost object key on `path`, returning the keys on its
/// way and its value; `None` when there is none (an error at the top, or a
/// path this cannot follow).
fn remove_field(value: &mut Value, path: Vec<&Segment>) -> Option<(Vec<String>, Value)> {
    let last_key = path
        .iter()
        .rposition(|s| matches!(s, Segment::Map { .. }))?;
    let keys = path[..=last_key]
        .iter()
        .map(|s| match s {
            Segment::Map { key } => key.clone(),
            Segment::Seq { index } => index.to_string(),
            _ => String::new(),
        })
        .collect();
    let mut parent = value;
    for segment in &path[..last_key] {
        let next = match (segment, parent) {
            (Segment::Map { key }, Value::Object(map)) => map.get_mut(key.as_str()),
            (Segment::Seq { index }, Value::Array(items)) => items.get_mut(*index),
            _ => None,
        };
        parent = next?;
    }
    match (path[last_key], parent) {
        (Segment::Map { key }, Value::Object(map)) => map.remove(key.as_str()).map(|v| (keys, v)),
        _ => None,
    }
}

/// Object entries and list items in `value`, all levels.
fn entries(value: &Value) -> usize {
    match value {
        Value::Object(map) => map.values().map(|v| 1 + entries(v)).sum(),
        Value::Array(items) => items.iter().map(|v| 1 + entries(v)).sum(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize, PartialEq, Default)]
    struct Inner {
        #[serde(default)]
        n: Option<u32>,
        #[serde(default)]
        s: Option<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Outer {
        id: String,
        #[serde(default)]
        inner: Option<Inner>,
        #[serde(default)]
        list: Vec<Inner>,
        #[serde(default)]
        flag: Option<bool>,
    }

    #[test]
    fn each_bad_field_is_left_out_and_named() {
        let read = from_value_lenient::<Outer>(
            json!({"id": "x", "inner": {"n": "seven", "s": "kept"}, "list": [{"n": 1}, {"n": []}], "flag": 3}),
            "data",
        )
        .unwrap();
        assert_eq!(read.value.id, "x");
        assert_eq!(
            read.value.inner,
            Some(Inner {
                n: None,
                s: Some("kept".into())
            })
        );
        assert_eq!(
            read.value.list.len(),
            2,
            "only the bad field of the item goes"
        );
        assert_eq!(read.value.list[1].n, None);
        assert_eq!(read.value.flag, None);
        let fields: Vec<&str> = read.field_errors.iter().map(|e| e.field.as_str()).collect();
        // Fields are met in the order serde_json keeps object keys (sorted).
        assert_eq!(fields, ["data.flag", "data.inner.n", "data.list[1].n"]);
        let kept: Vec<(Vec<String>, Value)> = read.left_out;
        assert_eq!(
            kept,
            [
                (vec!["flag".to_owned()], json!(3)),
                (vec!["inner".to_owned(), "n".to_owned()], json!("seven")),
                (
                    vec!["list".to_owned(), "1".to_owned(), "n".to_owned()],
                    json!([])
                ),
            ]
        );
    }

    #[test]
    fn a_list_that_is_not_a_list_is_left_out_whole() {
        let read = from_value_lenient::<Outer>(json!({"id": "x", "list": "none"}), "").unwrap();
        assert!(read.value.list.is_empty());
        assert_eq!(read.field_errors[0].field, "list");
    }

    #[test]
    fn required_fields_and_the_top_level_shape_are_errors() {
        let err = from_value_lenient::<Outer>(json!({"inner": {}}), "data").unwrap_err();
        assert_eq!(err.field, "data");
        assert!(err.message.contains("missing field `id`"), "{err}");
        let err = from_value_lenient::<Outer>(json!({"id": ["x"]}), "data").unwrap_err();
        assert!(
            err.message.contains("missing field `id`"),
            "removed, then missing: {err}"
        );
        let err = from_value_lenient::<Outer>(json!("text"), "data").unwrap_err();
        assert_eq!(err.field, "data");
    }

    #[test]
    fn the_work_is_bounded_by_the_size_of_the_value() {
        let list: Vec<Value> = (0..500).map(|_| json!({"n": "bad", "s": "ok"})).collect();
        let read = from_value_lenient::<Outer>(json!({"id": "x", "list": list}), "").unwrap();
        assert_eq!(read.field_errors.len(), 500);
        assert_eq!(read.value.list.len(), 500);
        assert!(read.value.list.iter().all(|i| i.s.as_deref() == Some("ok")));
    }
}
