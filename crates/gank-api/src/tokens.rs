//! Minting creator tokens: `POST {V2}/auth/creators`.

use std::fmt;

use creator_core::http::Path;
use creator_core::{Result, Secret};
use serde::Deserialize;

use crate::client::{GankClient, Host, TokenKind};

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

/// Creator-token endpoints; from [`GankClient::creator_tokens`].
#[derive(Debug, Clone, Copy)]
pub struct CreatorTokensApi<'a> {
    client: &'a GankClient,
}

impl<'a> CreatorTokensApi<'a> {
    pub(crate) fn new(client: &'a GankClient) -> Self {
        Self { client }
    }

    /// Mints a new creator token with the login token.
    ///
    /// **This revokes the previously generated creator token** (Gank keeps one
    /// valid creator token per account), including the one this client may be
    /// using: switch with [`GankClient::with_creator_token`]. The request is a
    /// non-idempotent POST and is never retried automatically.
    ///
    /// ```no_run
    /// # async fn run(client: gank_api::GankClient) -> creator_core::Result<()> {
    /// let minted = client.creator_tokens().mint().await?;
    /// let client = client.with_creator_token(minted.token)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`creator_core::Error::Config`] without a login token; request and decode errors.
    pub async fn mint(&self) -> Result<CreatorToken> {
        let auth = self
            .client
            .bearer(TokenKind::Login, "POST /auth/creators")?;
        self.client
            .transport(Host::V2)
            .post(Path::fixed("/auth/creators"))
            .auth(auth)
            .json()
            .await
    }
}
