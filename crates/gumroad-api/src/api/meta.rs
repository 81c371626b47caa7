//! `GET /v2/meta`: token introspection.

use creator_core::Result;

use crate::{GumroadClient, TokenInfo};

#[derive(serde::Deserialize)]
struct MetaEnvelope {
    #[serde(default)]
    success: Option<bool>,
    #[serde(flatten)]
    info: TokenInfo,
}

impl crate::client::Envelope for MetaEnvelope {
    fn success(&self) -> Option<bool> {
        self.success
    }
}

/// Token introspection. Get it with [`GumroadClient::meta`].
#[derive(Debug, Clone, Copy)]
pub struct MetaApi<'a> {
    pub(crate) client: &'a GumroadClient,
}

impl MetaApi<'_> {
    /// `GET /v2/meta`: the token's owner id, scopes and application name.
    /// Any public scope (or `view_public`) may call it, so it tells which
    /// scopes a token really has before an endpoint answers 403.
    ///
    /// # Errors
    /// [`creator_core::Error::Unauthorized`] (empty 401) for a missing,
    /// invalid or revoked token, or any request error.
    pub async fn get(&self) -> Result<TokenInfo> {
        let t = self.client.transport();
        let env: MetaEnvelope = self.client.call(t.get("/v2/meta")).await?;
        Ok(env.info)
    }
}
