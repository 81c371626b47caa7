//! Your account: `GET {V1}/v1/users/me` (login token).

use creator_core::Result;
use creator_core::http::Path;

use crate::GankUser;
use crate::client::{GankClient, Host, TokenKind, unwrap_data};

/// User endpoints (login token, V1 host); from [`GankClient::users`].
#[derive(Debug, Clone, Copy)]
pub struct UsersApi<'a> {
    client: &'a GankClient,
}

impl<'a> UsersApi<'a> {
    pub(crate) fn new(client: &'a GankClient) -> Self {
        Self { client }
    }

    /// The account the login token belongs to.
    ///
    /// # Errors
    /// [`creator_core::Error::Config`] without a login token;
    /// [`creator_core::Error::NotFound`] for `data: null`; request and decode errors.
    pub async fn me(&self) -> Result<GankUser> {
        let auth = self.client.bearer(TokenKind::Login, "GET /v1/users/me")?;
        let response = self
            .client
            .transport(Host::V1)
            .get(Path::fixed("/v1/users/me"))
            .auth(auth)
            .send()
            .await?;
        unwrap_data(&response, "the current user")
    }
}
