//! A string that must never be printed: tokens, API keys, webhook keys.

use std::fmt;

use subtle::ConstantTimeEq;

/// A secret value (access token, API key, webhook signing key).
///
/// `Debug` prints `<redacted>`, there is no `Display`, and equality is
/// constant-time. Read the value with [`Secret::expose`] at the one place it
/// is needed (an `Authorization` header, an HMAC key).
///
/// ```
/// use creator_core::Secret;
///
/// let token = Secret::new("tok_live_123");
/// assert_eq!(format!("{token:?}"), "Secret(<redacted>)");
/// assert_eq!(token.expose(), "tok_live_123");
/// ```
#[derive(Clone)]
pub struct Secret(Box<str>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into().into_boxed_str())
    }

    /// Returns the secret value. Call this only where the value is sent or used as a key.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the secret is the empty string (usually a configuration mistake).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Compares with `other` in constant time (for tokens taken from a request).
    pub fn matches(&self, other: &[u8]) -> bool {
        self.0.as_bytes().ct_eq(other).into()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.matches(other.0.as_bytes())
    }
}

impl Eq for Secret {}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_also_inside_containers() {
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            token: Secret,
            maybe: Option<Secret>,
        }
        let holder = Holder {
            token: Secret::new("s3cr3t-token"),
            maybe: Some(Secret::from("other-s3cr3t")),
        };
        let printed = format!("{holder:?} {holder:#?}");
        assert!(!printed.contains("s3cr3t"), "{printed}");
        assert!(printed.contains("<redacted>"));
    }

    #[test]
    fn equality_is_by_value() {
        assert_eq!(Secret::new("a"), Secret::new("a"));
        assert_ne!(Secret::new("a"), Secret::new("ab"));
        assert!(Secret::new("abc").matches(b"abc"));
        assert!(!Secret::new("abc").matches(b"abd"));
        assert!(Secret::new("").is_empty());
    }

    #[test]
    fn deserializes_from_a_json_string() {
        let key: Secret = serde_json::from_str(r#""whsec_1""#).unwrap();
        assert_eq!(key.expose(), "whsec_1");
    }
}
