//! Minting creator tokens: `POST {V2}/auth/creators`.

use creator_core::Result;
use creator_core::http::Path;

use crate::CreatorToken;
use crate::client::{GankClient, Host, TokenKind};

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
