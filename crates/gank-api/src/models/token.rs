//! Creator tokens (`POST /auth/creators`).

use std::fmt;

use creator_core::{Result, Secret};
use serde::Deserialize;

/// A freshly minted creator token.
///
/// `Debug` and serialization never show the token.
#[derive(Clone, Deserialize)]
#[non_exhaustive]
pub struct CreatorToken {
    /// The creator JWT.
    pub token: Secret,
}

impl fmt::Debug for CreatorToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatorToken")
            .field("token", &self.token)
            .finish()
    }
}

impl serde::Serialize for CreatorToken {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("CreatorToken", 1)?;
        s.serialize_field("token", "<redacted>")?;
        s.end()
    }
}
