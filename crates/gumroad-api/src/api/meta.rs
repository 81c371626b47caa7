//! `GET /v2/meta`: token introspection.

use creator_core::Result;

use crate::api::resource::{Flat, one};
use crate::{GumroadClient, TokenInfo};

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
    /// Gumroad has the controller (`Api::V2::MetaController`), but no route
    /// table we could read routes `/v2/meta`, so a server may not serve it;
    /// [`UserApi::get`](crate::UserApi::get) is the check that always works.
    ///
    /// # Errors
    /// [`creator_core::Error::Unauthorized`] (empty 401) for a missing,
    /// invalid or revoked token; [`creator_core::Error::NotFound`] (Rails'
    /// HTML 404) from a server that does not route it; or any request error.
    pub async fn get(&self) -> Result<TokenInfo> {
        let t = self.client.transport();
        one::<Flat<TokenInfo>>(self.client, t.get("/v2/meta")).await
    }
}
