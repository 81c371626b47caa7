//! [`ParseLimits`]: the bounds every provider's webhook parser enforces
//! before doing real work on a body.

use serde_json::{Map, Value};

use crate::WebhookError;

/// Bounds on what one webhook delivery may contain. A body outside them is
/// rejected with [`WebhookError::Malformed`] before any real work is done.
///
/// The defaults are far above anything the platforms send (a Gumroad sale
/// Ping is about 40 fields, 1–3 KiB, nested at most three levels:
/// `old_plan[tier][id]`; a Gank delivery about 20 fields, three levels:
/// `data.usecase_data.data`).
///
/// ```
/// use creator_core::ParseLimits;
///
/// let strict = ParseLimits::default().max_fields(200).max_depth(4);
/// assert_eq!(strict.max_fields_value(), 200);
/// assert!(strict.parse_json_object(br#"{"a":{"b":1}}"#).is_ok());
/// // Five objects nested below the top level: one too many.
/// assert!(strict.parse_json_object(br#"{"a":{"b":{"c":{"d":{"e":{"f":1}}}}}}"#).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseLimits {
    max_body_bytes: usize,
    max_fields: usize,
    max_depth: usize,
}

impl Default for ParseLimits {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            max_fields: 2_000,
            max_depth: 8,
        }
    }
}

impl ParseLimits {
    /// Largest accepted body, in bytes (default 1 MiB).
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Most `key=value` pairs (form) or object entries and array items in
    /// total (JSON) accepted (default 2 000).
    pub fn max_fields(mut self, fields: usize) -> Self {
        self.max_fields = fields;
        self
    }

    /// Deepest accepted nesting: bracket segments after the base key
    /// (`a[b][c]` is 2), or nested objects/arrays in JSON (default 8).
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// The configured body size limit.
    pub fn max_body_bytes_value(&self) -> usize {
        self.max_body_bytes
    }

    /// The configured field count limit.
    pub fn max_fields_value(&self) -> usize {
        self.max_fields
    }

    /// The configured nesting limit.
    pub fn max_depth_value(&self) -> usize {
        self.max_depth
    }

    /// Checks a body's size, before it is decoded.
    ///
    /// # Errors
    /// [`WebhookError::Malformed`] for a body above [`max_body_bytes`](Self::max_body_bytes).
    pub fn check_body(&self, len: usize) -> Result<(), WebhookError> {
        if len > self.max_body_bytes {
            return Err(malformed(format!(
                "body is {len} bytes, above the limit of {} bytes",
                self.max_body_bytes
            )));
        }
        Ok(())
    }

    /// Decodes a JSON body that must be an object, within these limits:
    /// the size is checked before decoding, the field count and depth of
    /// the decoded tree right after.
    ///
    /// # Errors
    /// [`WebhookError::Malformed`] for a body beyond the limits, one that is
    /// not JSON (saying so when it ends too early, as a truncated body
    /// does), or JSON that is not an object.
    pub fn parse_json_object(&self, body: &[u8]) -> Result<Map<String, Value>, WebhookError> {
        self.check_body(body.len())?;
        let value: Value = serde_json::from_slice(body).map_err(|e| {
            malformed(if e.is_eof() {
                format!("the body is not valid JSON: it ends too early (truncated?): {e}")
            } else {
                format!("the body is not valid JSON: {e}")
            })
        })?;
        let Value::Object(map) = value else {
            return Err(malformed(format!(
                "the body is not a JSON object (it is {})",
                match value {
                    Value::Array(_) => "an array",
                    Value::String(_) => "a string",
                    Value::Number(_) => "a number",
                    Value::Bool(_) => "a boolean",
                    _ => "null",
                }
            )));
        };
        let mut count = 0usize;
        self.check_object(&map, 1, &mut count)?;
        Ok(map)
    }

    fn check_object(
        &self,
        map: &Map<String, Value>,
        depth: usize,
        count: &mut usize,
    ) -> Result<(), WebhookError> {
        map.values()
            .try_for_each(|value| self.check_value(value, depth, count))
    }

    fn check_value(
        &self,
        value: &Value,
        depth: usize,
        count: &mut usize,
    ) -> Result<(), WebhookError> {
        *count += 1;
        if *count > self.max_fields {
            return Err(malformed(format!(
                "more than {} fields in the JSON body",
                self.max_fields
            )));
        }
        let nested = |d: usize| {
            if d > self.max_depth {
                Err(malformed(format!(
                    "the JSON body is nested more than {} levels deep",
                    self.max_depth
                )))
            } else {
                Ok(())
            }
        };
        match value {
            Value::Object(m) => {
                nested(depth)?;
                self.check_object(m, depth + 1, count)
            }
            Value::Array(items) => {
                nested(depth)?;
                items
                    .iter()
                    .try_for_each(|item| self.check_value(item, depth + 1, count))
            }
            _ => Ok(()),
        }
    }
}

fn malformed(reason: String) -> WebhookError {
    WebhookError::Malformed { reason }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(result: Result<Map<String, Value>, WebhookError>) -> String {
        match result {
            Err(WebhookError::Malformed { reason }) => reason,
            other => panic!("expected Malformed, got {other:?}"),
        }
    }

    #[test]
    fn json_bodies_are_bounded_in_size_fields_and_depth() {
        let limits = ParseLimits::default()
            .max_fields(3)
            .max_depth(2)
            .max_body_bytes(64);
        assert!(limits.parse_json_object(br#"{"a":1,"b":{"c":2}}"#).is_ok());
        let e = reason(limits.parse_json_object(br#"{"a":1,"b":2,"c":3,"d":4}"#));
        assert!(e.contains("more than 3 fields"), "{e}");
        // Two containers below the top level are allowed, a third is not.
        assert!(limits.parse_json_object(br#"{"a":{"b":{"c":1}}}"#).is_ok());
        assert!(limits.parse_json_object(br#"{"a":[{"c":1}]}"#).is_ok());
        let e = reason(limits.parse_json_object(br#"{"a":{"b":{"c":{"d":1}}}}"#));
        assert!(e.contains("nested more than 2 levels"), "{e}");
        let e = reason(limits.parse_json_object(&[b' '; 65]));
        assert!(e.contains("above the limit of 64 bytes"), "{e}");
    }

    #[test]
    fn bad_json_says_what_is_wrong() {
        let limits = ParseLimits::default();
        let e = reason(limits.parse_json_object(br#"{"a":"#));
        assert!(
            e.contains("not valid JSON") && e.contains("truncated"),
            "{e}"
        );
        let e = reason(limits.parse_json_object(b"nope"));
        assert!(e.contains("not valid JSON"), "{e}");
        let e = reason(limits.parse_json_object(b"[1]"));
        assert!(e.contains("not a JSON object (it is an array)"), "{e}");
    }
}
