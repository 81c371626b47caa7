//! Your account: `GET {V1}/v1/users/me` (login token).

use std::collections::BTreeMap;

use creator_core::Result;
use creator_core::http::Path;
use serde::{Deserialize, Serialize};

use crate::client::{GankClient, Host, TokenKind, unwrap_data};
use crate::de;

/// A Gank user, from `GET /v1/users/me` (`{"data": {...}, "total": 0}`).
///
/// Only `id` and `nickname` are known; every other field Gank sends is kept
/// in [`GankUser::extra`].
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct GankUser {
    /// The user id (a UUID).
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// The public nickname.
    #[serde(default)]
    pub nickname: Option<String>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

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
