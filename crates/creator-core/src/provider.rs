//! Which platform a value or an error came from.

use std::fmt;

/// A platform (or gateway) that creator-commerce talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Provider {
    /// Gumroad, directly (`api.gumroad.com`).
    Gumroad,
    /// Gank (`ganknow.com`).
    Gank,
    /// The Maton API gateway (its own control plane, or an app behind it).
    Maton,
    /// Any other implementation, such as the in-memory fake in `creator-testkit`.
    Other(&'static str),
}

impl Provider {
    /// The lower-case name used in logs, dedup keys and the CLI (`gumroad`, `gank`, `maton`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Provider::Gumroad => "gumroad",
            Provider::Gank => "gank",
            Provider::Maton => "maton",
            Provider::Other(name) => name,
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Provider {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}
